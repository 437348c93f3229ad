#include "results/result_record.h"

namespace kraken::results {
namespace {

std::string Shorten(const std::string& text) {
  if (text.size() <= kMaxMessageBytes) return text;
  size_t cut = kMaxMessageBytes;
  // Back up over UTF-8 continuation bytes so no character is split.
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return text.substr(0, cut) + "…";
}

}  // namespace

ResultRecord ToResultRecord(const JunitCase& junit_case) {
  ResultRecord record;
  record.test = junit_case.name;
  record.status = junit_case.status;
  record.message = Shorten(junit_case.message.empty() ? junit_case.details : junit_case.message);
  record.duration_seconds = junit_case.time_seconds;
  return record;
}

std::vector<ResultRecord> ToResultRecords(std::span<const JunitCase> cases) {
  std::vector<ResultRecord> records;
  records.reserve(cases.size());
  for (const JunitCase& junit_case : cases) records.push_back(ToResultRecord(junit_case));
  return records;
}

nlohmann::json ToJson(const ResultRecord& record) {
  nlohmann::json json = {
      {"test", record.test},
      {"status", static_cast<int>(record.status)},
      {"message", record.message},
      {"duration", record.duration_seconds},
  };
  if (record.cmd) json["cmd"] = *record.cmd;
  if (record.values) json["values"] = *record.values;
  return json;
}

std::string ToJsonLine(const ResultRecord& record) {
  std::string line = ToJson(record).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  line.push_back('\n');
  return line;
}

std::string ToJsonLines(std::span<const ResultRecord> records) {
  std::string lines;
  for (const ResultRecord& record : records) lines += ToJsonLine(record);
  return lines;
}

tl::expected<ResultRecord, std::string> ResultRecordFromJson(const nlohmann::json& json) {
  if (!json.is_object()) return tl::unexpected(std::string("result record is not an object"));
  ResultRecord record;
  auto test = json.find("test");
  // An empty name is allowed: JUnit reports may hold a <testcase> without one.
  if (test == json.end() || !test->is_string()) {
    return tl::unexpected(std::string("result record needs a string \"test\""));
  }
  record.test = test->get<std::string>();
  auto status = json.find("status");
  std::optional<TestStatus> parsed_status;
  if (status != json.end() && status->is_number_integer()) {
    parsed_status = StatusFromCode(status->get<int>());
  }
  if (!parsed_status) {
    return tl::unexpected("result record for \"" + record.test +
                          "\" needs \"status\" as an integer from 0 to 5");
  }
  record.status = *parsed_status;
  if (auto cmd = json.find("cmd"); cmd != json.end() && !cmd->is_null()) {
    if (!cmd->is_string()) {
      return tl::unexpected("\"cmd\" of \"" + record.test + "\" is not a string");
    }
    record.cmd = cmd->get<std::string>();
  }
  if (auto values = json.find("values"); values != json.end() && !values->is_null()) {
    if (!values->is_object()) {
      return tl::unexpected("\"values\" of \"" + record.test + "\" is not an object");
    }
    record.values = *values;
  }
  if (auto message = json.find("message"); message != json.end() && !message->is_null()) {
    if (!message->is_string()) {
      return tl::unexpected("\"message\" of \"" + record.test + "\" is not a string");
    }
    record.message = message->get<std::string>();
  }
  if (auto duration = json.find("duration"); duration != json.end() && !duration->is_null()) {
    if (!duration->is_number()) {
      return tl::unexpected("\"duration\" of \"" + record.test + "\" is not a number");
    }
    record.duration_seconds = duration->get<double>();
  }
  return record;
}

}  // namespace kraken::results
