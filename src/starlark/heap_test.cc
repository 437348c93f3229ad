// Reference cycles are freed when the heap they were made under ends, and
// nothing still in use is touched.
#include "starlark/heap.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "starlark/starlark.h"

namespace kraken::starlark {
namespace {

Module Load(const std::string& source) {
  auto module = Module::Load(source, "cycles.star");
  EXPECT_TRUE(module) << module.error().backtrace;
  return std::move(*module);
}

TEST(HeapTest, AnEvaluationFreesTheCyclesItLeaves) {
  Heap heap;
  {
    auto module = Load("def f():\n    x = []\n    x.append(x)\n    return len(x)\nn = f()\n");
    EXPECT_EQ(module.Global("n")->int_value(), 1);
  }
  // The list is gone; only garbage the module's own globals formed may remain.
  heap.Collect();
  EXPECT_EQ(heap.size(), 0u);
}

TEST(HeapTest, ANestedFunctionThatRefersToItselfIsFreed) {
  Heap heap;
  {
    auto module = Load(
        "def outer(a):\n"
        "    def middle(b):\n"
        "        def inner(c):\n"
        "            return middle\n"
        "        return inner\n"
        "    return middle\n"
        "f = outer(1)(2)\n");
    auto middle = module.Call("f", {Value::Int(3)});
    ASSERT_TRUE(middle) << middle.error().message;
    EXPECT_EQ(middle->type(), Type::kFunction);
  }
  EXPECT_GT(heap.Collect(), 0u);
  EXPECT_EQ(heap.size(), 0u);
}

TEST(HeapTest, ValuesInUseSurviveACollection) {
  Heap heap;
  auto module = Load(
      "x = []\n"
      "x.append(x)\n"
      "d = {}\n"
      "l = [d]\n"
      "d['l'] = l\n"
      "bound = l.append\n"
      "l.append(bound)\n");
  auto x = *module.Global("x");
  EXPECT_EQ(heap.Collect(), 0u);
  EXPECT_EQ(Str(x), "[[...]]");
  EXPECT_NE(Str(*module.Global("d")).find("{...}"), std::string::npos);
  // Once the host lets go of them, the cycles among the globals are garbage.
  module = Load("y = 1\n");
  EXPECT_EQ(Str(x), "[[...]]");   // the host still holds x
  EXPECT_EQ(heap.Collect(), 3u);  // d, l and the bound method; x is held
}

TEST(HeapTest, TheHostCanKeepACyclicResultUntilItsHeapEnds) {
  std::optional<Heap> heap(std::in_place);
  Value result;
  {
    auto module =
        Load("def stage():\n    jobs = []\n    jobs.append(jobs)\n    return {'jobs': jobs}\n");
    auto called = module.Call("stage", {});
    ASSERT_TRUE(called) << called.error().message;
    result = *called;
  }
  EXPECT_EQ(heap->Collect(), 0u);  // in use
  EXPECT_EQ(Str(result), R"({"jobs": [[...]]})");
  result = Value();
  EXPECT_EQ(heap->Collect(), 1u);  // the list; the dict went with its last reference
  EXPECT_EQ(heap->size(), 0u);
}

TEST(HeapTest, AnInnerHeapHandsItsSurvivorsToTheOuterOne) {
  Heap outer;
  Value kept;
  {
    Heap inner;
    auto module = Load("def f():\n    x = []\n    x.append(x)\n    return x\n");
    auto called = module.Call("f", {});
    ASSERT_TRUE(called);
    kept = *called;
  }
  EXPECT_EQ(outer.Collect(), 0u);
  EXPECT_GE(outer.size(), 1u);
  kept = Value();
  EXPECT_EQ(outer.Collect(), 1u);
}

}  // namespace
}  // namespace kraken::starlark
