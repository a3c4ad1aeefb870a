// Interned strings: each distinct string gets a small dense id (0, 1, 2, … in order of
// first appearance) so that hot state can hold 4-byte ids instead of strings. Ids are
// local to one interner; anything that leaves it (checkpoints, rows, comparisons that
// decide results) uses the names, never the ids.
#pragma once

#include <absl/container/flat_hash_map.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace pqrflow::core {

class Interner {
 public:
  using Id = std::uint32_t;

  Id intern(std::string_view s) {
    const auto it = ids_.find(absl::string_view(s.data(), s.size()));
    if (it != ids_.end()) return it->second;
    const auto id = static_cast<Id>(names_.size());
    names_.emplace_back(s);
    ids_.emplace(names_.back(), id);
    return id;
  }
  // Without inserting; returns false when the string is unknown.
  bool find(std::string_view s, Id* id) const {
    const auto it = ids_.find(absl::string_view(s.data(), s.size()));
    if (it == ids_.end()) return false;
    *id = it->second;
    return true;
  }
  const std::string& name(Id id) const { return names_[id]; }
  std::size_t size() const { return names_.size(); }

 private:
  std::vector<std::string> names_;
  absl::flat_hash_map<std::string, Id> ids_;
};

}  // namespace pqrflow::core
