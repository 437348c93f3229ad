// ResultRecord: one test result as a tool reports it to the agent and the agent to the server,
// written as one JSON object per line:
//
//   {"test": "pkg.Class::test_x", "status": 2, "message": "expected 3", "duration": 0.25,
//    "cmd": "pytest -k test_x", "values": {"latency": {"value": 1.5, "stddev": 0.1}}}
//
// test and status (the TestStatus code) are required; cmd and values are present only when
// the tool has them; message is empty for a passed test; duration is in seconds.
//
// Plain values and pure functions; thread-safe.
#ifndef KRAKEN_RESULTS_RESULT_RECORD_H_
#define KRAKEN_RESULTS_RESULT_RECORD_H_

#include <cstddef>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <tl/expected.hpp>
#include <vector>

#include "results/junit.h"
#include "results/status.h"

namespace kraken::results {

struct ResultRecord {
  std::string test;
  TestStatus status = TestStatus::kNotRun;
  std::optional<std::string> cmd;
  std::optional<nlohmann::json> values;  // {metric: {value, iterations?, median?, ...}}
  std::string message;
  double duration_seconds = 0;
};

// A failure's message can be a whole captured log; longer ones are cut at a character
// boundary and end with "…".
inline constexpr size_t kMaxMessageBytes = 8192;

// The record for a parsed JUnit case: its message= attribute, or its text when that is empty.
ResultRecord ToResultRecord(const JunitCase& junit_case);
std::vector<ResultRecord> ToResultRecords(std::span<const JunitCase> cases);

nlohmann::json ToJson(const ResultRecord& record);

// One line, newline-terminated. Invalid UTF-8 from a report is replaced by U+FFFD rather than
// failing the whole upload.
std::string ToJsonLine(const ResultRecord& record);
std::string ToJsonLines(std::span<const ResultRecord> records);

// Reads a record sent by an agent; the error says which field is missing or wrong.
tl::expected<ResultRecord, std::string> ResultRecordFromJson(const nlohmann::json& json);

}  // namespace kraken::results

#endif  // KRAKEN_RESULTS_RESULT_RECORD_H_
