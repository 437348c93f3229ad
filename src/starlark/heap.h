// Heap frees the reference cycles that counting alone cannot: a list that
// holds itself, a dict and a list that hold each other, a nested function
// that refers to itself through the cell it is stored in. Every object made
// while a Heap is current on this thread joins it; when the Heap ends, the
// objects of its that only the cycles among them keep alive are emptied,
// which frees them. The others live on, as the enclosing Heap's if there is
// one. The collection is CPython's: an object is garbage when the references
// from the heap's own objects account for all of its references.
//
// Every evaluation (Thread) opens a Heap when none is current. A host that
// keeps values past an evaluation (a stage's result, until it is converted)
// opens one around all of its use of them, so that a cycle handed out is
// freed too:
//
//   starlark::Heap heap;
//   auto module = Module::Load(...);  auto result = module->Call(...);
//   ...                                // the values are dropped here
//
// Not thread-safe: a Heap belongs to the thread that made it.
#ifndef KRAKEN_STARLARK_HEAP_H_
#define KRAKEN_STARLARK_HEAP_H_

#include <cstddef>

#include "starlark/value.h"

namespace kraken::starlark {

class Heap {
 public:
  Heap();
  ~Heap();
  Heap(const Heap&) = delete;
  Heap& operator=(const Heap&) = delete;

  // Frees the garbage cycles among this heap's objects now; returns how many
  // objects were freed.
  size_t Collect();

  // How many objects belong to this heap.
  size_t size() const;

 private:
  friend void TrackObject(Object* o);
  HeapLink objects_;  // circular list of the heap's objects
  Heap* outer_;
};

}  // namespace kraken::starlark

#endif  // KRAKEN_STARLARK_HEAP_H_
