// A compact append-only table of entities by string id, for the state that grows with
// every ticket (one per PQR filed: millions in a year). Per entry it costs the value,
// one pointer, the id's characters plus a 4-byte length in an arena, and a 4-byte
// index slot — against ~32 bytes of std::string key, the value and a 1.1–2.3× load
// factor on every byte of both in a flat_hash_map<std::string, T>.
//
//   IdTable<TicketState> tickets;
//   auto [t, inserted] = tickets.try_emplace("RAD-2024-000001");
//   for (const auto& [id, t] : tickets) …   // insertion order
//
// Entries are never erased (the indicator state keeps every entity it has seen).
//
// IdHash::kCached keeps 32 bits of each id's hash in its index slot (8 bytes instead of
// 4): growing the index then rehashes slots without reading the entries and their ids,
// which in a table of millions are a cache miss or two each. Bills use it (a million
// a month, growth dominates their insertion); tickets keep the compact slots (memory per
// open ticket is the figure that matters for them).
#pragma once

#include <absl/container/flat_hash_set.h>

#include <cstdint>
#include <cstring>
#include <memory>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "core/string_hash.hpp"

namespace pqrflow::core {

enum class IdHash { kRecomputed, kCached };

template <typename T, IdHash kHash = IdHash::kRecomputed>
class IdTable {
  static constexpr bool kCached = kHash == IdHash::kCached;
  // kRecomputed: the entry's index. kCached: the hash's 32 bits << 32 | the index.
  using Slot = std::conditional_t<kCached, std::uint64_t, std::uint32_t>;
  static std::uint32_t index_of(Slot s) { return static_cast<std::uint32_t>(s); }

  struct Entry {
    T value;
    const char* id;  // points at a uint32 length followed by the characters
  };

  static constexpr std::size_t kEntriesPerChunk = 4096;
  static constexpr std::size_t kArenaChunk = 256 * 1024;

  // Everything the index's hash and equality functors read lives behind one pointer,
  // so moving the table does not move what they point at.
  struct Storage {
    std::vector<std::unique_ptr<Entry[]>> chunks;
    std::size_t size = 0;
    std::vector<std::unique_ptr<char[]>> arena;
    std::size_t arena_left = 0;
    char* arena_next = nullptr;

    Entry& at(std::uint32_t i) { return chunks[i / kEntriesPerChunk][i % kEntriesPerChunk]; }
    const Entry& at(std::uint32_t i) const {
      return chunks[i / kEntriesPerChunk][i % kEntriesPerChunk];
    }
    static std::string_view id_of(const Entry& e) {
      std::uint32_t n = 0;
      std::memcpy(&n, e.id, sizeof n);
      return {e.id + sizeof n, n};
    }
    const char* store_id(std::string_view id) {
      const std::size_t need = sizeof(std::uint32_t) + id.size();
      if (need > arena_left) {
        const std::size_t chunk = std::max(need, kArenaChunk);
        arena.push_back(std::make_unique_for_overwrite<char[]>(chunk));
        arena_next = arena.back().get();
        arena_left = chunk;
      }
      char* p = arena_next;
      const auto n = static_cast<std::uint32_t>(id.size());
      std::memcpy(p, &n, sizeof n);
      if (!id.empty()) std::memcpy(p + sizeof n, id.data(), id.size());
      arena_next += need;
      arena_left -= need;
      return p;
    }
  };

  struct Hash {
    using is_transparent = void;
    const Storage* s;
    std::size_t operator()(std::string_view id) const {
      if constexpr (kCached) return widen_hash32(hash32(id));
      return string_hash(id);
    }
    std::size_t operator()(Slot slot) const {
      if constexpr (kCached) return widen_hash32(static_cast<std::uint32_t>(slot >> 32));
      return (*this)(Storage::id_of(s->at(slot)));
    }
  };
  struct Eq {
    using is_transparent = void;
    const Storage* s;
    std::string_view id(std::string_view v) const { return v; }
    std::string_view id(Slot slot) const { return Storage::id_of(s->at(index_of(slot))); }
    template <typename A, typename B>
    bool operator()(const A& a, const B& b) const {
      return id(a) == id(b);
    }
  };

 public:
  IdTable()
      : storage_(std::make_unique<Storage>()),
        index_(0, Hash{storage_.get()}, Eq{storage_.get()}) {}
  IdTable(IdTable&& other) noexcept = default;
  IdTable& operator=(IdTable&& other) noexcept = default;
  IdTable(const IdTable& other) : IdTable() {
    for (const auto& [id, value] : other) *try_emplace(id).first = value;
  }
  IdTable& operator=(const IdTable& other) {
    if (this != &other) *this = IdTable(other);
    return *this;
  }

  std::size_t size() const { return storage_->size; }
  bool empty() const { return size() == 0; }

  T* find(std::string_view id) {
    const auto it = index_.find(id);
    return it == index_.end() ? nullptr : &storage_->at(index_of(*it)).value;
  }
  const T* find(std::string_view id) const {
    const auto it = index_.find(id);
    return it == index_.end() ? nullptr : &storage_->at(index_of(*it)).value;
  }

  // The entry for `id`, default-constructed when new; second = whether it was inserted.
  std::pair<T*, bool> try_emplace(std::string_view id) {
    Slot tag = 0;  // kCached: the hash, computed once for the lookup and the slot
    if constexpr (kCached) {
      const std::uint32_t h = hash32(id);
      const auto it = index_.find(id, widen_hash32(h));
      if (it != index_.end()) return {&storage_->at(index_of(*it)).value, false};
      tag = std::uint64_t{h} << 32;
    } else if (T* existing = find(id)) {
      return {existing, false};
    }
    Storage& s = *storage_;
    const auto i = static_cast<std::uint32_t>(s.size);
    if (i % kEntriesPerChunk == 0) s.chunks.push_back(std::make_unique<Entry[]>(kEntriesPerChunk));
    Entry& e = s.at(i);
    e.id = s.store_id(id);
    ++s.size;
    index_.insert(tag | i);
    return {&e.value, true};
  }

  // Bytes held (entries, ids, index), for memory accounting.
  std::size_t memory_bytes() const {
    const Storage& s = *storage_;
    return s.chunks.size() * kEntriesPerChunk * sizeof(Entry) +
           s.chunks.capacity() * sizeof(void*) + s.arena.size() * kArenaChunk +
           index_.capacity() * (sizeof(Slot) + 1);
  }

  class const_iterator {
   public:
    using value_type = std::pair<std::string_view, const T&>;
    const_iterator(const Storage* s, std::uint32_t i) : s_(s), i_(i) {}
    value_type operator*() const {
      const Entry& e = s_->at(i_);
      return {Storage::id_of(e), e.value};
    }
    const_iterator& operator++() {
      ++i_;
      return *this;
    }
    bool operator==(const const_iterator& o) const { return i_ == o.i_; }

   private:
    const Storage* s_;
    std::uint32_t i_;
  };
  const_iterator begin() const { return {storage_.get(), 0}; }
  const_iterator end() const { return {storage_.get(), static_cast<std::uint32_t>(size())}; }

 private:
  std::unique_ptr<Storage> storage_;
  absl::flat_hash_set<Slot, Hash, Eq> index_;
};

}  // namespace pqrflow::core
