// Value is a Starlark value: an immediate (None, bool, int, float) or a
// reference-counted pointer to a heap object (string, list, dict, ...).
//
// Objects are owned by the Values that point to them; a value's graph is
// freed when its last Value goes away. Reference cycles (a list that holds
// itself, a nested function that refers to itself) are freed by the Heap
// they were made under (heap.h). Reference counts are not atomic: a Value
// and everything reachable from it must be used by one thread at a time.
// Frozen values are never mutated but still share counts.
#ifndef KRAKEN_STARLARK_VALUE_H_
#define KRAKEN_STARLARK_VALUE_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

namespace kraken::starlark {

enum class Type : uint8_t {
  kUnbound,  // internal: an unassigned variable or a missing default
  kNone,
  kBool,
  kInt,
  kFloat,
  kString,
  kList,
  kTuple,
  kDict,
  kRange,
  kFunction,
  kBuiltin,
  kStruct,
  kCell,  // internal: a captured local variable
};

class Object;
class Heap;
// The Heap that new objects join on this thread, or nullptr (heap.h).
extern thread_local Heap* current_heap;
// Adds o to the current heap's objects (heap.cc).
void TrackObject(Object* o);

// The links of an object in its heap's list; also the list's own head.
struct HeapLink {
  HeapLink* prev = nullptr;
  HeapLink* next = nullptr;
};

// Object is the header shared by all heap values.
class Object : private HeapLink {
 public:
  explicit Object(Type type) : type_(type) {
    // Only objects that hold values can be part of a cycle.
    if (current_heap != nullptr && type != Type::kString && type != Type::kRange) TrackObject(this);
  }
  Object(const Object&) = delete;
  Object& operator=(const Object&) = delete;
  virtual ~Object() {
    if (prev != nullptr) {
      prev->next = next;
      next->prev = prev;
    }
  }

  Type type() const { return type_; }
  bool frozen() const { return frozen_; }
  void set_frozen() { frozen_ = true; }

 private:
  friend class Value;
  friend class Heap;
  friend void TrackObject(Object* o);
  uint32_t refs_ = 0;
  Type type_;
  bool frozen_ = false;
  uint8_t gc_state_ = 0;  // during a collection: 1 candidate, 2 reachable
  uint32_t gc_refs_ = 0;  // during a collection: references from outside the heap
};

class Value {
 public:
  Value() : type_(Type::kNone) { u_.i = 0; }
  explicit Value(Object* object) : type_(object->type()) {
    u_.o = object;
    ++object->refs_;
  }
  Value(const Value& other) : type_(other.type_), u_(other.u_) { Ref(); }
  Value(Value&& other) noexcept : type_(other.type_), u_(other.u_) { other.type_ = Type::kNone; }
  Value& operator=(const Value& other) {
    if (this != &other) {
      other.Ref();
      Unref();
      type_ = other.type_;
      u_ = other.u_;
    }
    return *this;
  }
  Value& operator=(Value&& other) noexcept {
    if (this != &other) {
      Unref();
      type_ = other.type_;
      u_ = other.u_;
      other.type_ = Type::kNone;
    }
    return *this;
  }
  ~Value() { Unref(); }

  static Value Unbound() { return Value(Type::kUnbound); }
  static Value None() { return Value(); }
  static Value Bool(bool b) {
    Value v(Type::kBool);
    v.u_.b = b;
    return v;
  }
  static Value Int(int64_t i) {
    Value v(Type::kInt);
    v.u_.i = i;
    return v;
  }
  static Value Float(double f) {
    Value v(Type::kFloat);
    v.u_.f = f;
    return v;
  }
  static Value String(std::string s);

  Type type() const { return type_; }
  bool is(Type t) const { return type_ == t; }
  bool IsUnbound() const { return type_ == Type::kUnbound; }
  bool IsNone() const { return type_ == Type::kNone; }
  bool IsHeap() const { return type_ >= Type::kString; }

  bool bool_value() const { return u_.b; }
  int64_t int_value() const { return u_.i; }
  double float_value() const { return u_.f; }
  Object* object() const { return u_.o; }
  template <class T>
  T* as() const {
    return static_cast<T*>(u_.o);
  }
  // Only for strings.
  const std::string& str() const;

 private:
  explicit Value(Type t) : type_(t) { u_.i = 0; }
  void Ref() const {
    if (IsHeap()) ++u_.o->refs_;
  }
  void Unref() {
    if (IsHeap() && --u_.o->refs_ == 0) Destroy(u_.o);
  }
  // Deletes o, and iteratively whatever it alone kept alive, so that
  // freeing a deeply nested value cannot overflow the stack.
  static void Destroy(Object* o);

  Type type_;
  union {
    bool b;
    int64_t i;
    double f;
    Object* o;
  } u_;
};

class StringObject : public Object {
 public:
  explicit StringObject(std::string s) : Object(Type::kString), value(std::move(s)) {}
  std::string value;
  uint32_t hash = 0;  // cached by Hash(); 0 until computed
};

inline Value Value::String(std::string s) { return Value(new StringObject(std::move(s))); }
inline const std::string& Value::str() const { return as<StringObject>()->value; }

// The name Starlark's type() reports, e.g. "int" or "list".
std::string_view TypeName(const Value& v);

}  // namespace kraken::starlark

#endif  // KRAKEN_STARLARK_VALUE_H_
