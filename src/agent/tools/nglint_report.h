// Reading ESLint's JSON report (the output of `eslint -f json` and of `ng lint --format
// json`) into lint issues {path, line, column, symbol, message, type}. Pure; thread-safe.
#pragma once

#include <string>
#include <vector>

#include "core/error.h"
#include "core/json.h"

namespace kraken::tools {

struct EslintIssues {
  std::vector<Json> issues;
  std::string other_output;  // the lines around the report(s), for the step's log
};

// Every JSON list that starts a line of `text` is read as one ESLint report (ng lint prints
// one per project, between lines of its own). Paths under `base_dir` become relative to it.
// severity 2 → "error", 1 → "warning"; a message without a ruleId (a fatal parsing error)
// gets the symbol "fatal". Fails when no report is found or a list is not ESLint's format.
Result<EslintIssues> ParseEslintReport(const std::string& text, const std::string& base_dir);

}  // namespace kraken::tools
