// Differential test: runs every program of tests/starlark/corpus through
// this interpreter and through the reference implementation (go.starlark.net,
// built by tests/starlark/build_oracle.sh), and compares what they print and
// whether and where (line:column) they fail. Error messages are not compared.
//
// The oracle's path comes from STARLARK_ORACLE and the corpus directory from
// STARLARK_CORPUS; without them (as when run among the unit tests) the test
// is skipped. CTest's starlark_differential test sets both.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "starlark/starlark.h"

namespace kraken::starlark {
namespace {

// Programs on which the two implementations legitimately differ. The
// corpus already leaves out what Kraken deliberately does differently:
//  - ints are 64-bit, so results the reference computes with big ints are
//    an "integer overflow" error here;
//  - str.elems(), codepoints() and their _ords variants return lists, not
//    iterable views (their type() and repr() differ; iterating is the same);
//  - case mapping and character classes (upper(), isalpha(), ...) cover
//    ASCII only;
//  - repr() shows containers nested deeper than 100 levels as "...".
const std::map<std::string, std::string> kKnownDifferences = {};

// Output in the oracle's format: printed lines, then "error LINE:COL" if
// the program failed (the message itself is dropped).
std::string RunOurs(const std::string& path, const std::string& source) {
  std::string out;
  Options options;
  options.time_limit = std::chrono::milliseconds(5000);
  options.print = [&out](std::string_view line) {
    out += line;
    out += '\n';
  };
  auto module = Module::Load(source, path, {}, options);
  if (!module) {
    out += "error " + std::to_string(module.error().line) + ":" +
           std::to_string(module.error().column) + "\n";
  }
  return out;
}

std::string RunOracle(const std::string& oracle, const std::string& path) {
  std::string command = "'" + oracle + "' '" + path + "' 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return "popen failed";
  std::string raw;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, pipe)) > 0) raw.append(buf, n);
  pclose(pipe);
  // Keep printed lines and the position of the error; drop the message and
  // the backtrace that follow it.
  std::string out;
  std::istringstream lines(raw);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.rfind("error ", 0) == 0) {
      out += line.substr(0, line.find(": ")) + "\n";
      break;
    }
    out += line + "\n";
  }
  return out;
}

TEST(DifferentialTest, CorpusMatchesReferenceImplementation) {
  const char* oracle = std::getenv("STARLARK_ORACLE");
  const char* corpus = std::getenv("STARLARK_CORPUS");
  if (oracle == nullptr || corpus == nullptr)
    GTEST_SKIP() << "STARLARK_ORACLE and STARLARK_CORPUS not set";
  const char* filter = std::getenv("STARLARK_CORPUS_FILTER");
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(corpus)) {
    if (entry.path().extension() != ".star") continue;
    if (filter != nullptr && entry.path().filename().string().find(filter) == std::string::npos)
      continue;
    files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  if (filter == nullptr) {
    EXPECT_GE(files.size(), 300u);
  }
  int compared = 0;
  for (const auto& file : files) {
    std::string name = file.filename().string();
    if (kKnownDifferences.count(name) != 0) continue;
    std::ifstream in(file);
    std::stringstream source;
    source << in.rdbuf();
    // Both implementations see the same relative file name.
    std::string path = file.string();
    std::string ours = RunOurs(path, source.str());
    std::string theirs = RunOracle(oracle, path);
    EXPECT_EQ(ours, theirs) << "in " << name;
    ++compared;
  }
  std::printf("compared %d programs\n", compared);
}

}  // namespace
}  // namespace kraken::starlark
