// The command-line verbs about tools and test results:
//   kraken tool run TOOL [--cwd DIR] [FIELD=VALUE ...]   runs one tool locally, outside any
//       job, printing what it reports (results, issues, artifacts, data) as JSON lines on
//       stdout and its output on stderr; exits 0 when the step succeeded.
//   kraken tools [--schema]                               lists the tools and their fields.
//   kraken results RUN [--status S] [--change C] ...      prints a run's test results.
//
// Construct before parsing; RunIfParsed() after. Single-threaded.
#pragma once

#include <CLI/CLI.hpp>
#include <optional>
#include <string>
#include <vector>

#include "http/client.h"

namespace kraken::cli {

class ResultsCommands {
 public:
  explicit ResultsCommands(CLI::App& app);
  // The exit code of the verb that was parsed, or nullopt when none of these was.
  std::optional<int> RunIfParsed();

 private:
  int ToolRun();
  int ToolList();
  int Results();

  CLI::App* tool_run_ = nullptr;
  CLI::App* tools_ = nullptr;
  CLI::App* results_ = nullptr;
  std::string tool_name_, cwd_ = ".";
  std::vector<std::string> fields_;
  bool schema_ = false;
  int64_t run_id_ = 0;
  std::string status_, change_, name_, sort_ = "-relevancy";
  int64_t limit_ = 100;
  bool json_ = false;
  std::string server_, token_, data_dir_ = "kraken-data";
  http::TlsTrust tls_;
};

}  // namespace kraken::cli
