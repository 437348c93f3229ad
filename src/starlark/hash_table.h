// HashTable is the insertion-ordered map behind Starlark dicts: entries live
// in a dense vector in insertion order (so iteration is cheap and ordered)
// and an open-addressing index maps hashes to entry positions, as in
// CPython's compact dict. Not thread-safe.
#ifndef KRAKEN_STARLARK_HASH_TABLE_H_
#define KRAKEN_STARLARK_HASH_TABLE_H_

#include <cstdint>
#include <vector>

#include "starlark/value.h"

namespace kraken::starlark {

class HashTable {
 public:
  struct Entry {
    Value key;  // Unbound when the entry was deleted
    Value value;
    uint32_t hash;
  };

  // Lookup returns the value for key, or nullptr. Throws if key is unhashable.
  const Value* Find(const Value& key) const;
  // Insert sets key to value and reports whether the key was new.
  bool Insert(const Value& key, Value value);
  // Erase removes key and returns its value, or Unbound if absent.
  Value Erase(const Value& key);
  void Clear();
  void Reserve(size_t n);

  size_t size() const { return live_; }
  // Entries in insertion order, including deleted ones (key Unbound).
  const std::vector<Entry>& entries() const { return entries_; }

 private:
  // Tables up to this size are searched linearly, without an index.
  static constexpr size_t kMaxUnindexed = 8;

  // Position of key in entries_, or -1 - (free index slot) if absent.
  int64_t FindSlot(const Value& key, uint32_t hash) const;
  void Rebuild(size_t capacity);

  std::vector<Entry> entries_;
  std::vector<int32_t> index_;  // -1 empty, else position in entries_
  size_t live_ = 0;
};

}  // namespace kraken::starlark

#endif  // KRAKEN_STARLARK_HASH_TABLE_H_
