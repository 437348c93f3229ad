#include "starlark/hash_table.h"

#include <algorithm>

#include "starlark/operators.h"

namespace kraken::starlark {

// The index never holds tombstones: erasing marks the entry dead and
// rebuilds the index from live entries once the dead ones dominate. Probing
// therefore skips over dead entries' old slots by comparing keys.

int64_t HashTable::FindSlot(const Value& key, uint32_t hash) const {
  if (index_.empty()) {
    // Small tables have no index: a scan of a few entries is cheaper than
    // allocating and maintaining one.
    for (size_t pos = 0; pos < entries_.size(); ++pos) {
      const Entry& e = entries_[pos];
      if (e.hash == hash && !e.key.IsUnbound() && Equal(e.key, key))
        return static_cast<int64_t>(pos);
    }
    return -1;
  }
  size_t mask = index_.size() - 1;
  for (size_t i = hash & mask;; i = (i + 1) & mask) {
    int32_t pos = index_[i];
    if (pos < 0) return -1 - static_cast<int64_t>(i);
    const Entry& e = entries_[pos];
    if (e.hash == hash && !e.key.IsUnbound() && Equal(e.key, key)) return pos;
  }
}

const Value* HashTable::Find(const Value& key) const {
  uint32_t hash = Hash(key);
  int64_t pos = FindSlot(key, hash);
  return pos >= 0 ? &entries_[pos].value : nullptr;
}

bool HashTable::Insert(const Value& key, Value value) {
  uint32_t hash = Hash(key);
  int64_t pos = FindSlot(key, hash);
  if (pos >= 0) {
    entries_[pos].value = std::move(value);
    return false;
  }
  if (index_.empty() && entries_.size() < kMaxUnindexed) {
    entries_.push_back(Entry{key, std::move(value), hash});
    ++live_;
    return true;
  }
  if ((entries_.size() + 1) * 3 >= index_.size() * 2) {
    Rebuild((live_ + 1) * 2);
    pos = FindSlot(key, hash);
  }
  index_[-1 - pos] = static_cast<int32_t>(entries_.size());
  entries_.push_back(Entry{key, std::move(value), hash});
  ++live_;
  return true;
}

Value HashTable::Erase(const Value& key) {
  uint32_t hash = Hash(key);
  int64_t pos = FindSlot(key, hash);
  if (pos < 0) return Value::Unbound();
  Value old = std::move(entries_[pos].value);
  entries_[pos].key = Value::Unbound();
  entries_[pos].value = Value();
  --live_;
  if (live_ == 0) {
    Clear();
  } else if (index_.empty()) {
    entries_.erase(entries_.begin() + pos);
  } else if (live_ * 2 < entries_.size()) {
    Rebuild(live_);
  }
  return old;
}

void HashTable::Clear() {
  entries_.clear();
  index_.clear();
  live_ = 0;
}

void HashTable::Reserve(size_t n) {
  // Geometric growth, so that repeated updates of one dict stay linear overall.
  if (n > entries_.capacity()) entries_.reserve(std::max(n, 2 * entries_.capacity()));
}

void HashTable::Rebuild(size_t capacity) {
  if (live_ == entries_.size()) {
    // Nothing to compact (the table is growing): keep the entries where they are.
    Reserve(capacity);
  } else {
    std::vector<Entry> live;
    live.reserve(capacity);
    for (Entry& e : entries_) {
      if (!e.key.IsUnbound()) live.push_back(std::move(e));
    }
    entries_ = std::move(live);
  }
  if (capacity < kMaxUnindexed && entries_.size() < kMaxUnindexed) {
    index_.clear();
    return;
  }
  size_t size = 16;
  while (size * 2 < capacity * 3 + 3) size *= 2;
  index_.assign(size, -1);
  size_t mask = size - 1;
  for (size_t pos = 0; pos < entries_.size(); ++pos) {
    size_t i = entries_[pos].hash & mask;
    while (index_[i] >= 0) i = (i + 1) & mask;
    index_[i] = static_cast<int32_t>(pos);
  }
}

}  // namespace kraken::starlark
