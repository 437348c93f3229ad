// Time-based trigger specifications of a stage (interval, date, cron) and when they fire next.
// Times are milliseconds since the Unix epoch, in UTC. Pure functions; thread-safe.
#pragma once

#include <array>
#include <bitset>
#include <cstdint>
#include <optional>
#include <string>

#include "core/error.h"
#include "core/json.h"

namespace kraken::workflow {

// "10m", "1d 3h 30m 10s", "90s", "2w", or a whole number of seconds (a JSON int or digits).
Result<int64_t> ParseDurationSeconds(const Json& value, const std::string& field);

// "2030-01-02 03:04:05", "2030-01-02T03:04:05Z", "2030-01-02T03:04", "2030-01-02": UTC.
Result<int64_t> ParseDateMillis(const std::string& text, const std::string& field);

// A 5-field cron expression (minute hour day-of-month month day-of-week), evaluated in UTC.
// Fields take *, numbers, ranges a-b, lists a,b and steps */n or a-b/n; day-of-week 0-7
// (0 and 7 are Sunday); month and day names (jan, mon) are accepted. As in Vixie cron, when
// both day fields are restricted a day matching either one fires.
class CronSpec {
 public:
  static Result<CronSpec> Parse(const std::string& text, const std::string& field);
  // The first minute strictly after `after_ms` that matches; nullopt if none in 5 years.
  std::optional<int64_t> Next(int64_t after_ms) const;

 private:
  std::bitset<60> minutes_;
  std::bitset<24> hours_;
  std::bitset<32> days_;     // 1..31
  std::bitset<13> months_;   // 1..12
  std::bitset<7> weekdays_;  // 0..6, Sunday = 0
  bool days_any_ = true, weekdays_any_ = true;
};

}  // namespace kraken::workflow
