#include "runtime/checkpoint_store.hpp"

#include <fcntl.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>

#include "runtime/crash_points.hpp"

namespace pqrflow::runtime {
namespace {

constexpr std::string_view kMagic = "PQRCKPT1";
constexpr std::size_t kHeader = 8 + 8 + 4;  // magic, length, crc

void put_le(std::string* out, std::uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}

std::uint64_t get_le(std::string_view in, std::size_t pos, int bytes) {
  std::uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) {
    v |= static_cast<std::uint64_t>(
             static_cast<unsigned char>(in[pos + static_cast<std::size_t>(i)]))
         << (8 * i);
  }
  return v;
}

bool write_all(int fd, const char* data, std::size_t size) {
  while (size > 0) {
    const ssize_t n = ::write(fd, data, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    data += n;
    size -= static_cast<std::size_t>(n);
  }
  return true;
}

std::string errno_text(const std::string& what) {
  return what + ": " + std::strerror(errno);
}

}  // namespace

std::uint32_t crc32(std::string_view data) {
  // zlib's CRC-32 is this one (IEEE 802.3, reflected 0xEDB88320), several times faster
  // than a byte-wise table on checkpoints of hundreds of MiB.
  return static_cast<std::uint32_t>(::crc32_z(
      ::crc32_z(0L, Z_NULL, 0), reinterpret_cast<const Bytef*>(data.data()), data.size()));
}

CheckpointStore::CheckpointStore(std::filesystem::path directory)
    : directory_(std::move(directory)) {}

std::filesystem::path CheckpointStore::path_of(std::string_view name) const {
  std::string safe(name);
  for (char& c : safe) {
    if (c == '/' || c == '\\') c = '_';
  }
  return directory_ / (safe + ".ckpt");
}

bool CheckpointStore::open(std::string* error) {
  std::error_code ec;
  std::filesystem::create_directories(directory_, ec);
  if (ec) {
    *error = "checkpoint directory " + directory_.string() + ": " + ec.message();
    return false;
  }
  const std::filesystem::path probe = directory_ / ".write-probe";
  {
    std::ofstream f(probe);
    if (!f) {
      *error = "checkpoint directory " + directory_.string() + " is not writable";
      return false;
    }
  }
  std::filesystem::remove(probe, ec);
  return true;
}

bool CheckpointStore::write(std::string_view name, std::string_view payload,
                            std::string* error) const {
  std::string header;
  header.append(kMagic);
  put_le(&header, payload.size(), 8);
  put_le(&header, crc32(payload), 4);
  const std::filesystem::path target = path_of(name);
  const std::filesystem::path temp = target.string() + ".tmp";
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    *error = errno_text("checkpoint " + temp.string());
    return false;
  }
  const bool ok = write_all(fd, header.data(), header.size()) &&
                  write_all(fd, payload.data(), payload.size()) && ::fsync(fd) == 0;
  const std::string failure = ok ? std::string() : errno_text("checkpoint " + temp.string());
  ::close(fd);
  if (!ok) {
    *error = failure;
    return false;
  }
  crash_point("checkpoint.before_rename");
  if (std::rename(temp.c_str(), target.c_str()) != 0) {
    *error = errno_text("checkpoint rename to " + target.string());
    return false;
  }
  // Make the rename itself durable.
  const int dir = ::open(directory_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
  crash_point("checkpoint.after_rename");
  return true;
}

std::optional<std::string> CheckpointStore::read(std::string_view name, std::string* error) const {
  error->clear();
  const std::filesystem::path path = path_of(name);
  std::ifstream f(path, std::ios::binary | std::ios::ate);
  if (!f) {
    if (std::filesystem::exists(path)) *error = "checkpoint " + path.string() + " unreadable";
    return std::nullopt;
  }
  std::string data(static_cast<std::size_t>(std::max<std::streamoff>(f.tellg(), 0)), '\0');
  f.seekg(0);
  if (!f.read(data.data(), static_cast<std::streamsize>(data.size()))) {
    *error = "checkpoint " + path.string() + " unreadable";
    return std::nullopt;
  }
  if (data.size() < kHeader || std::string_view(data).substr(0, 8) != kMagic) {
    *error = "checkpoint " + path.string() + " is not a pqrflow checkpoint";
    return std::nullopt;
  }
  const std::uint64_t length = get_le(data, 8, 8);
  const auto crc = static_cast<std::uint32_t>(get_le(data, 16, 4));
  if (length != data.size() - kHeader) {
    *error = "checkpoint " + path.string() + " is truncated";
    return std::nullopt;
  }
  if (crc32(std::string_view(data).substr(kHeader)) != crc) {
    *error = "checkpoint " + path.string() + " fails its CRC check";
    return std::nullopt;
  }
  data.erase(0, kHeader);
  return data;
}

bool CheckpointStore::remove(std::string_view name, std::string* error) {
  std::error_code ec;
  std::filesystem::remove(path_of(name), ec);
  if (ec) {
    *error = "checkpoint remove: " + ec.message();
    return false;
  }
  return true;
}

}  // namespace pqrflow::runtime
