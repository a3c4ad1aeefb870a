// Durable checkpoints in a directory: each checkpoint is one file replaced atomically
// (write a temporary file, fsync, rename, fsync the directory), framed with a magic,
// a length and a CRC-32 so a torn or foreign file is refused instead of half-loaded.
//
// Why a directory (docs/architecture.md): the state of a shard can be tens of MiB,
// beyond Kafka's message size and the embedded broker's 5 MiB per partition; a local or
// shared volume (a PersistentVolume for the metrics StatefulSet) restores it in
// milliseconds. The directory must be shared by every instance of a consumer group so a
// new owner of a partition finds the previous owner's checkpoint.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace pqrflow::runtime {

class CheckpointStore {
 public:
  explicit CheckpointStore(std::filesystem::path directory);

  // Creates the directory if needed and checks it is writable.
  bool open(std::string* error);

  // Atomically replaces checkpoint `name` with `payload`.
  bool write(std::string_view name, std::string_view payload, std::string* error) const;

  // The payload of checkpoint `name`: nullopt with an empty *error when there is none,
  // nullopt with *error set when it exists but cannot be read or fails its check.
  std::optional<std::string> read(std::string_view name, std::string* error) const;

  bool remove(std::string_view name, std::string* error);

  const std::filesystem::path& directory() const { return directory_; }

 private:
  std::filesystem::path path_of(std::string_view name) const;
  std::filesystem::path directory_;
};

// CRC-32 (IEEE 802.3), used to frame checkpoint payloads.
std::uint32_t crc32(std::string_view data);

}  // namespace pqrflow::runtime
