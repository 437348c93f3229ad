// Hostile scripts end with a clear error, in bounded time and memory, and
// never crash the host.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "starlark/starlark.h"

namespace kraken::starlark {
namespace {

Options Limits(std::chrono::milliseconds time_limit) {
  Options options;
  options.time_limit = time_limit;
  options.memory_limit = 8 << 20;
  options.max_call_depth = 50;
  return options;
}

// Loads source, expecting an error containing want, within two seconds of the time limit.
// Checks of the other limits get a generous time limit, so that a slow, loaded machine
// cannot reach the time limit first.
void ExpectFailure(const std::string& source, const std::string& want) {
  auto time_limit = std::chrono::milliseconds(want == "time limit" ? 200 : 10'000);
  auto start = std::chrono::steady_clock::now();
  auto module = Module::Load(source, "evil.star", {}, Limits(time_limit));
  auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(module) << source;
  EXPECT_NE(module.error().message.find(want), std::string::npos) << module.error().backtrace;
  EXPECT_LT(elapsed, time_limit + std::chrono::seconds(2));
}

TEST(SandboxTest, InfiniteLoopHitsTheTimeLimit) {
  ExpectFailure("def f():\n    for i in range(1 << 62):\n        pass\nf()\n", "time limit");
  ExpectFailure("x = [i for i in range(1 << 62) if i < 0]\n", "time limit");
}

TEST(SandboxTest, StrippingWithAHugeSetIsBounded) {
  ExpectFailure("x = ('é' * 500000).strip('a' * 500000 + 'é')\n", "time limit");
}

TEST(SandboxTest, SortingAHugeListIsBounded) {
  ExpectFailure("x = sorted(range(1 << 40))\n", "memory limit");
}

TEST(SandboxTest, UnboundedAllocationHitsTheMemoryLimit) {
  ExpectFailure(
      "def f():\n    x = []\n    for i in range(1 << 40):\n        x.append('a' * 1000)\nf()\n",
      "memory limit");
  ExpectFailure("x = {i: i for i in range(1 << 40)}\n", "memory limit");
  ExpectFailure("x = list(range(1 << 40))\n", "memory limit");
}

TEST(SandboxTest, HugeStringsAreRefusedBeforeAllocation) {
  ExpectFailure("x = 'x' * (1 << 40)\n", "memory limit");
  ExpectFailure("x = [0] * (1 << 40)\n", "memory limit");
  ExpectFailure("def f():\n    s = 'ab'\n    for i in range(100):\n        s = s + s\nf()\n",
                "memory limit");
  ExpectFailure("x = ','.join(['abcdefgh'] * 100000) * 100\n", "memory limit");
}

TEST(SandboxTest, RecursionIsForbidden) {
  ExpectFailure("def f(n):\n    return f(n + 1)\nf(0)\n", "called recursively");
  ExpectFailure("f = lambda: g()\ng = lambda: f()\nf()\n", "called recursively");
}

TEST(SandboxTest, CallDepthIsLimited) {
  std::string source;
  for (int i = 0; i < 100; ++i) {
    source += "def f" + std::to_string(i) + "():\n    return " +
              (i == 99 ? std::string("0") : "f" + std::to_string(i + 1) + "()") + "\n";
  }
  source += "x = f0()\n";
  ExpectFailure(source, "call depth");
}

TEST(SandboxTest, DeepNestingIsASyntaxError) {
  ExpectFailure("x = " + std::string(100000, '(') + "1" + std::string(100000, ')') + "\n",
                "nesting too deep");
  ExpectFailure("x = " + std::string(100000, '[') + "\n", "nesting too deep");
  ExpectFailure("x = " + std::string(100000, '-') + "1\n", "nesting too deep");
  std::string nested_ifs = "def f():\n";
  for (int i = 0; i < 1000; ++i) nested_ifs += std::string(i + 1, ' ') + "if True:\n";
  nested_ifs += std::string(1001, ' ') + "pass\n";
  ExpectFailure(nested_ifs, "nesting too deep");
}

// Repeats unit n times between prefix and suffix.
std::string Repeat(const std::string& prefix, const std::string& unit, int n,
                   const std::string& suffix) {
  std::string out = prefix;
  out.reserve(prefix.size() + unit.size() * n + suffix.size());
  for (int i = 0; i < n; ++i) out += unit;
  return out + suffix;
}

// Chains the parser builds in a loop nest in the tree as deeply as brackets do: the resolver,
// the evaluator and the tree's destructor would recurse over a million links.
TEST(SandboxTest, LongChainsAreASyntaxErrorWithLineAndColumn) {
  constexpr int kMillion = 1'000'000;
  const std::vector<std::string> chains = {
      Repeat("x = 1", " + 1", kMillion, "\n"),
      Repeat("x = 1", " * 1", kMillion, "\n"),
      Repeat("x = True", " and True", kMillion, "\n"),
      Repeat("x = False", " or False", kMillion, "\n"),
      Repeat("x = 1", " | 1", kMillion, "\n"),
      Repeat("x = 'a'", ".upper()", kMillion, "\n"),
      Repeat("x = [[0]]", "[0]", kMillion, "\n"),
      Repeat("x = len", "(1)", kMillion, "\n"),
      Repeat("x = [1 for y in [1]", " if y", kMillion, "]\n"),
      Repeat("x = {1: 1 for y in [1]", " for z in [1]", kMillion, "}\n"),
      Repeat("def f(x):\n    if x:\n        pass\n", "    elif x:\n        pass\n", kMillion, ""),
  };
  for (const std::string& source : chains) {
    auto module = Module::Load(source, "chain.star", {}, Limits(std::chrono::milliseconds(10'000)));
    ASSERT_FALSE(module) << source.substr(0, 40);
    EXPECT_NE(module.error().message.find("nesting too deep"), std::string::npos)
        << module.error().message;
    EXPECT_GT(module.error().line, 0);
    EXPECT_GT(module.error().column, 0);
  }
  auto value = EvalExpression(Repeat("1", "+1", 30'000, ""), {});
  ASSERT_FALSE(value);
  EXPECT_NE(value.error().message.find("nesting too deep"), std::string::npos)
      << value.error().message;
  EXPECT_EQ(value.error().line, 1);
  EXPECT_GT(value.error().column, 1);
  // Chains of ordinary length still work.
  auto sum = EvalExpression(Repeat("1", "+1", 99, ""), {});
  ASSERT_TRUE(sum) << sum.error().message;
  EXPECT_EQ(sum->int_value(), 100);
}

// Every construct that nests, nested a million times, is refused by the parser.
TEST(SandboxTest, DeepNestingOfEveryConstructIsASyntaxError) {
  constexpr int kMillion = 1'000'000;
  const std::vector<std::string> nests = {
      Repeat("", "(", kMillion, "1"),
      Repeat("", "[", kMillion, "1"),
      Repeat("", "{1: ", kMillion, "1"),
      Repeat("", "len(", kMillion, "1"),
      Repeat("[0]", "[", kMillion, "0"),
      Repeat("", "-", kMillion, "1"),
      Repeat("", "not ", kMillion, "1"),
      Repeat("", "lambda: ", kMillion, "1"),
      Repeat("", "1 if True else ", kMillion, "1"),
      Repeat("", "[x for x in ", kMillion, "[]"),
      Repeat("", "f(a=", kMillion, "1"),
  };
  for (const std::string& expression : nests) {
    auto value = EvalExpression(expression, {});
    ASSERT_FALSE(value) << expression.substr(0, 40);
    EXPECT_NE(value.error().message.find("nesting too deep"), std::string::npos)
        << value.error().message;
    EXPECT_GT(value.error().column, 0);
  }
}

TEST(SandboxTest, DeeplyNestedValuesDoNotOverflowTheStack) {
  Options options;
  auto module = Module::Load(
      "def f():\n    x = []\n    for i in range(300000):\n        x = [x]\n    return x\ny = "
      "f()\ns = str(y)\n",
      "deep.star", {}, options);
  ASSERT_TRUE(module) << module.error().backtrace;
  EXPECT_FALSE(ToJson(*module->Global("y")));
  auto equal = module->Call(EvalExpression("lambda a: a == a", {}).value(), {*module->Global("y")});
  ASSERT_FALSE(equal);
  EXPECT_EQ(equal.error().message, "comparison exceeded maximum recursion depth");
}

// Lists that share their items expand when converted to JSON: four levels of [a] * 56 are
// 10 million values from a few kilobytes of Starlark.
TEST(SandboxTest, JsonConversionOfSharedValuesIsBounded) {
  auto module =
      Module::Load("a = [1] * 56\nb = [a] * 56\nc = [b] * 56\nd = [c] * 56\n", "shared.star");
  ASSERT_TRUE(module) << module.error().backtrace;
  auto start = std::chrono::steady_clock::now();
  auto json = ToJson(*module->Global("d"));
  ASSERT_FALSE(json);
  // The memory limit, or on a loaded machine the time limit, ends the conversion.
  EXPECT_NE(json.error().message.find("exceeded the"), std::string::npos) << json.error().message;
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
  auto small = ToJson(*module->Global("c"));  // 175,616 values fit
  ASSERT_TRUE(small) << small.error().message;
  EXPECT_EQ(small->size(), 56u);
}

TEST(SandboxTest, CyclicValuesAreSafe) {
  auto module = Module::Load(
      "def f():\n    x = []\n    x.append(x)\n    return x\ny = f()\ns = str(y)\n", "cycle.star");
  ASSERT_TRUE(module) << module.error().backtrace;
  EXPECT_EQ(Str(*module->Global("s")), "[[...]]");
  EXPECT_FALSE(ToJson(*module->Global("y")));
}

TEST(SandboxTest, LimitsApplyToEachCall) {
  auto module = Module::Load("def spin():\n    for i in range(1 << 62):\n        pass\n",
                             "spin.star", {}, Limits(std::chrono::milliseconds(200)));
  ASSERT_TRUE(module);
  auto start = std::chrono::steady_clock::now();
  auto result = module->Call("spin", {});
  ASSERT_FALSE(result);
  EXPECT_NE(result.error().message.find("time limit"), std::string::npos);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
}

TEST(SandboxTest, LoadAndWhileAreRejected) {
  ExpectFailure("load('other.star', 'x')\n", "load");
  ExpectFailure("def f():\n    while True:\n        pass\n", "while");
}

}  // namespace
}  // namespace kraken::starlark
