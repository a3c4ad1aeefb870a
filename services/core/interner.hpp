// Interned strings: each distinct string gets a small dense id (0, 1, 2, … in order of
// first appearance) so that hot state can hold 4-byte ids instead of strings. Ids are
// local to one interner; anything that leaves it (checkpoints, rows, comparisons that
// decide results) uses the names, never the ids.
//
// The index holds 8-byte slots (32 bits of the name's hash, the id) over the names in
// order: a look-up reads one slot and, when the hash matches, one name. Interning a
// bill's subscriber among tens of thousands is on replay's hot path, and a map of
// std::string keys is five times the bytes to miss in.
#pragma once

#include <absl/container/flat_hash_set.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/string_hash.hpp"

namespace pqrflow::core {

class Interner {
 public:
  using Id = std::uint32_t;

  Interner()
      : names_(std::make_unique<std::vector<std::string>>()), index_(0, Hash{}, Eq{names_.get()}) {}
  Interner(Interner&&) noexcept = default;
  Interner& operator=(Interner&&) noexcept = default;
  Interner(const Interner& other) : Interner() {
    for (const std::string& s : *other.names_) intern(s);
  }
  Interner& operator=(const Interner& other) {
    if (this != &other) *this = Interner(other);
    return *this;
  }

  Id intern(std::string_view s) {
    const std::uint32_t h = hash32(s);
    const auto it = index_.find(s, widen_hash32(h));
    if (it != index_.end()) return id_of(*it);
    const auto id = static_cast<Id>(names_->size());
    names_->emplace_back(s);
    index_.insert(std::uint64_t{h} << 32 | id);
    return id;
  }
  // Without inserting; returns false when the string is unknown.
  bool find(std::string_view s, Id* id) const {
    const auto it = index_.find(s, widen_hash32(hash32(s)));
    if (it == index_.end()) return false;
    *id = id_of(*it);
    return true;
  }
  const std::string& name(Id id) const { return (*names_)[id]; }
  std::size_t size() const { return names_->size(); }

 private:
  using Slot = std::uint64_t;  // hash32 << 32 | id
  static Id id_of(Slot s) { return static_cast<Id>(s); }

  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return widen_hash32(hash32(s)); }
    std::size_t operator()(Slot s) const {
      return widen_hash32(static_cast<std::uint32_t>(s >> 32));
    }
  };
  struct Eq {
    using is_transparent = void;
    const std::vector<std::string>* names;
    std::string_view name(std::string_view s) const { return s; }
    std::string_view name(Slot s) const { return (*names)[id_of(s)]; }
    template <typename A, typename B>
    bool operator()(const A& a, const B& b) const {
      return name(a) == name(b);
    }
  };

  // Behind a pointer so that moving the interner does not move what Eq points at.
  std::unique_ptr<std::vector<std::string>> names_;
  absl::flat_hash_set<Slot, Hash, Eq> index_;
};

}  // namespace pqrflow::core
