#include "cli/files.hpp"

#include <cerrno>
#include <cstring>
#include <memory>
#include <vector>

namespace pqrflow::cli {
namespace {

struct FileCloser {
  void operator()(std::FILE* f) const {
    if (f != nullptr && f != stdin) std::fclose(f);
  }
};
using File = std::unique_ptr<std::FILE, FileCloser>;

File open(const std::string& path, std::string* error) {
  if (path == "-") return File(stdin);
  File f(std::fopen(path.c_str(), "rb"));
  if (!f) *error = path + ": " + std::strerror(errno);
  return f;
}

}  // namespace

std::optional<std::string> read_file(const std::string& path, std::string* error) {
  File f = open(path, error);
  if (!f) return std::nullopt;
  std::string out;
  char buf[1 << 16];
  std::size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof buf, f.get())) > 0) out.append(buf, n);
  if (std::ferror(f.get())) {
    *error = path + ": read error";
    return std::nullopt;
  }
  return out;
}

bool for_each_line(const std::string& path,
                   const std::function<void(std::string_view, std::int64_t)>& on_line,
                   std::string* error) {
  File f = open(path, error);
  if (!f) return false;
  constexpr std::size_t kChunk = 8 << 20;
  std::vector<char> buf(kChunk);
  std::size_t carry = 0;  // bytes of an unfinished line at the start of buf
  std::int64_t line_no = 0;
  for (;;) {
    if (carry == buf.size()) buf.resize(buf.size() * 2);  // a line longer than the buffer
    const std::size_t n = std::fread(buf.data() + carry, 1, buf.size() - carry, f.get());
    const std::size_t end = carry + n;
    std::size_t start = 0;
    for (;;) {
      const void* nl = std::memchr(buf.data() + start, '\n', end - start);
      if (nl == nullptr) break;
      const std::size_t pos = static_cast<std::size_t>(static_cast<const char*>(nl) - buf.data());
      std::size_t len = pos - start;
      if (len > 0 && buf[start + len - 1] == '\r') --len;
      on_line(std::string_view(buf.data() + start, len), ++line_no);
      start = pos + 1;
    }
    carry = end - start;
    if (n == 0) {
      if (std::ferror(f.get())) {
        *error = path + ": read error";
        return false;
      }
      if (carry > 0) {
        std::size_t len = carry;
        if (buf[start + len - 1] == '\r') --len;
        on_line(std::string_view(buf.data() + start, len), ++line_no);
      }
      return true;
    }
    std::memmove(buf.data(), buf.data() + start, carry);
  }
}

bool for_each_delimited(const std::string& path,
                        const std::function<void(std::string_view, std::int64_t)>& on_record,
                        std::string* error) {
  std::optional<std::string> data = read_file(path, error);
  if (!data) return false;
  std::size_t pos = 0;
  std::int64_t index = 0;
  while (pos < data->size()) {
    std::uint64_t len = 0;
    int shift = 0;
    for (;;) {
      if (pos >= data->size() || shift > 63) {
        *error = path + ": truncated length prefix of record " + std::to_string(index + 1);
        return false;
      }
      const auto byte = static_cast<unsigned char>((*data)[pos++]);
      len |= static_cast<std::uint64_t>(byte & 0x7f) << shift;
      if ((byte & 0x80) == 0) break;
      shift += 7;
    }
    if (len > data->size() - pos) {
      *error = path + ": record " + std::to_string(index + 1) + " is truncated";
      return false;
    }
    on_record(std::string_view(data->data() + pos, len), ++index);
    pos += len;
  }
  return true;
}

}  // namespace pqrflow::cli
