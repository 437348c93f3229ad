// Where tests find the external conformance corpora (AWS SigV4 cases, JUnit files from other
// projects). They are not part of the repository: the folder comes from the environment
// variable KRAKEN_EXTERNAL_TESTDATA, else from the build's setting of the same name, and
// tests that need it are skipped with AbsentReason() when it is missing. Test-only.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <string>

namespace kraken::testing_support {

inline std::filesystem::path ExternalTestdata(const std::string& corpus) {
  const char* from_env = std::getenv("KRAKEN_EXTERNAL_TESTDATA");
#ifdef KRAKEN_EXTERNAL_TESTDATA
  const char* from_build = KRAKEN_EXTERNAL_TESTDATA;
#else
  const char* from_build = "";
#endif
  std::filesystem::path root = (from_env && *from_env) ? from_env : from_build;
  if (root.empty()) return {};  // none given: never a folder relative to the test's cwd
  return root / corpus;
}

inline std::string AbsentReason(const std::filesystem::path& dir) {
  if (dir.empty())
    return "external corpus not given (set KRAKEN_EXTERNAL_TESTDATA to the folder that holds "
           "aws-sigv4/ and junit/ to run these cases)";
  return "external corpus not present at " + dir.string() +
         " (set KRAKEN_EXTERNAL_TESTDATA to the folder that holds it to run these cases)";
}

}  // namespace kraken::testing_support
