// Runs every stage file of tests/workflow/stages through the whole evaluation and compares
// the result with its .expected.json; every file of tests/workflow/errors must fail with the
// error in its .expected.txt. KRAKEN_UPDATE_GOLDEN=1 rewrites the .expected.json files.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "workflow/context.h"
#include "workflow/stage_schema.h"

namespace kraken::workflow {
namespace {

namespace fs = std::filesystem;

std::string Read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string FormatOf(const fs::path& p) {
  if (p.extension() == ".json") return "json";
  if (p.extension() == ".yaml") return "yaml";
  return "starlark";
}

std::vector<fs::path> Sources(const fs::path& dir) {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(dir)) {
    std::string name = e.path().filename().string();
    if (name.ends_with(".ctx.json") || name.ends_with(".expected.json") ||
        name.ends_with(".expected.txt"))
      continue;
    out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

SchemaResult<EvaluatedStage> Evaluate(const fs::path& file) {
  Json ctx = SampleContext();
  fs::path ctx_file = file.parent_path() / (file.stem().string() + ".ctx.json");
  if (fs::exists(ctx_file)) {
    Json given = Json::parse(Read(ctx_file));
    for (auto& [k, v] : given.items()) ctx[k] = v;
  }
  SourceOptions options;
  options.filename = file.filename().string();
  return EvaluateStage(Read(file), FormatOf(file), ctx, options);
}

const fs::path kRoot = fs::path(KRAKEN_SOURCE_DIR) / "tests" / "workflow";

TEST(StageCorpus, EveryStageFileGivesItsExpectedJson) {
  auto files = Sources(kRoot / "stages");
  ASSERT_GE(files.size(), 30u);
  bool update = std::getenv("KRAKEN_UPDATE_GOLDEN") != nullptr;
  for (const auto& file : files) {
    SCOPED_TRACE(file.filename().string());
    auto stage = Evaluate(file);
    ASSERT_TRUE(stage) << stage.error().ToString() << "\n" << stage.error().backtrace;
    fs::path expected = file.parent_path() / (file.stem().string() + ".expected.json");
    if (update) std::ofstream(expected) << stage->schema.dump(2) << "\n";
    ASSERT_TRUE(fs::exists(expected)) << expected;
    EXPECT_EQ(stage->schema, Json::parse(Read(expected)));
  }
}

TEST(StageCorpus, EveryErrorFileFailsWithItsMessage) {
  auto files = Sources(kRoot / "errors");
  ASSERT_GE(files.size(), 15u);
  for (const auto& file : files) {
    SCOPED_TRACE(file.filename().string());
    auto start = std::chrono::steady_clock::now();
    auto stage = Evaluate(file);
    auto elapsed = std::chrono::steady_clock::now() - start;
    ASSERT_FALSE(stage) << stage->schema.dump();
    std::string expected = Read(file.parent_path() / (file.stem().string() + ".expected.txt"));
    while (!expected.empty() && expected.back() == '\n') expected.pop_back();
    std::string got = stage.error().ToString();
    EXPECT_NE(got.find(expected), std::string::npos) << "got: " << got;
    // Runaway code ends within the evaluation's bounds (1 s by default), not much later.
    EXPECT_LT(elapsed, std::chrono::seconds(3));
  }
}

}  // namespace
}  // namespace kraken::workflow
