// Reports the test cases of JUnit XML files (parsed by results/junit.h) to a Reporter.
// Shared by junit_collect and pytest. Stateless.
#pragma once

#include <string>
#include <vector>

#include "agent/tools/tool.h"

namespace kraken::tools {

struct JunitReportSummary {
  int files = 0;
  int cases = 0;
  std::vector<std::string> errors;  // "file:line:column: reason", one per rejected file
};

// Parses each file (paths relative to cwd) and reports its cases; a file that cannot be
// read or parsed is listed in errors and the others are still reported. `cmd_prefix`, when
// set, gives each result a command line to rerun it alone: prefix + " -k " + test name.
JunitReportSummary ReportJunitFiles(ToolContext& ctx, const std::string& cwd,
                                    const std::vector<std::string>& files,
                                    const std::string& cmd_prefix = {});

}  // namespace kraken::tools
