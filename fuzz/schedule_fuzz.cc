// The time-trigger parsers of a stage: interval durations (as text and as JSON), dates and
// cron lines, and the next firing time of a parsed cron line.
#include <cstddef>
#include <cstdint>
#include <string>

#include "workflow/triggers.h"

using namespace kraken;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  (void)workflow::ParseDurationSeconds(Json(text), "interval");
  Json parsed = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!parsed.is_discarded()) (void)workflow::ParseDurationSeconds(parsed, "interval");
  (void)workflow::ParseDateMillis(text, "date");
  auto cron = workflow::CronSpec::Parse(text, "cron");
  if (cron) {
    // From a fixed instant and from the ends of the range of times a trigger can hold.
    for (int64_t after :
         {int64_t{1'700'000'000'000}, int64_t{0}, int64_t{-1}, int64_t{253'402'300'799'000}})
      (void)cron->Next(after);
  }
  return 0;
}
