// JUnit XML reader: turns a JUnit/xUnit report into one JunitCase per <testcase> element.
//
// The rules, shared by every tool that writes "JUnit" flavours (Surefire, pytest, jest-junit,
// gtest, bazel, phpunit, ...):
//   - every <testcase> anywhere in the tree counts once, whatever the root element and however
//     deeply suites nest; the suites' own tests=/failures=/errors= attributes are not read,
//     because tools disagree on them and some write them wrong;
//   - the status comes from the direct children: <error> beats <failure>, which beats
//     <skipped> (disabled); a case with none of them passed. A case without such a child but
//     with status="disabled" or status="notrun" (tst, gtest) is disabled too: the tool says it
//     did not run, and calling it passed would invent a verdict. Surefire's <flakyFailure> and
//     <rerunFailure> are not among those children, so a case that passed on a rerun passes;
//   - the test name is "classname::name", or just "name" when classname is missing or empty.
//
// A document that is not well-formed XML, is empty, or holds no <testsuites>, <testsuite> or
// <testcase> element at all (NUnit's <test-run>, a pom.xml picked up by a glob) is rejected
// with a JunitError naming the file, line and column (approximate for UTF-16 files).
// Entities and character references are decoded and UTF-8 text is kept byte for byte; other
// encodings declared in the prolog (UTF-16, Latin-1) are converted to UTF-8. No DTD or
// external entity is ever expanded.
//
// Stateless functions; safe to call from several threads at once.
#ifndef KRAKEN_RESULTS_JUNIT_H_
#define KRAKEN_RESULTS_JUNIT_H_

#include <string>
#include <string_view>
#include <tl/expected.hpp>
#include <vector>

#include "results/status.h"

namespace kraken::results {

struct JunitCase {
  std::string name;       // "classname::name", or "name"; empty when the case has neither
  std::string classname;  // as written, possibly empty
  TestStatus status = TestStatus::kPassed;
  // From the deciding <error>/<failure>/<skipped> child; empty for a passed case.
  std::string message;      // its message= attribute
  std::string type;         // its type= attribute
  std::string details;      // its text (stack trace, captured output), trimmed
  double time_seconds = 0;  // the case's time= attribute; 0 when missing or unreadable
};

// Where and why a report was rejected. line and column start at 1; column counts characters.
struct JunitError {
  std::string file;
  int line = 0;
  int column = 0;
  std::string reason;

  // "path/to/report.xml:12:5: reason", the form compilers use, so editors can jump to it.
  std::string Message() const;
};

// Parses a report held in memory; file_name only labels errors. Reading the file is left to
// the caller, which owns file-system access.
tl::expected<std::vector<JunitCase>, JunitError> ParseJunit(std::string_view xml,
                                                            std::string_view file_name);

}  // namespace kraken::results

#endif  // KRAKEN_RESULTS_JUNIT_H_
