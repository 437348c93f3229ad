#include "workflow/triggers.h"

#include <fmt/format.h>

#include <cctype>
#include <chrono>
#include <sstream>
#include <vector>

namespace kraken::workflow {
namespace {

std::vector<std::string> Split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : s) {
    if (c == sep) {
      out.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  out.push_back(cur);
  return out;
}

std::optional<int> Number(const std::string& s, const char* const* names, int name_base) {
  if (s.empty()) return std::nullopt;
  if (std::all_of(s.begin(), s.end(),
                  [](char c) { return std::isdigit(static_cast<unsigned char>(c)); }))
    return s.size() > 4 ? std::nullopt : std::optional<int>(std::stoi(s));
  if (!names) return std::nullopt;
  std::string lower;
  for (char c : s) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (int i = 0; names[i]; ++i)
    if (lower == names[i]) return name_base + i;
  return std::nullopt;
}

const char* const kMonths[] = {"jan", "feb", "mar", "apr", "may", "jun",  "jul",
                               "aug", "sep", "oct", "nov", "dec", nullptr};
const char* const kDays[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat", nullptr};

// Parses one cron field into `bits` (indexes lo..hi); `any` tells whether it was `*`.
template <size_t N>
Status ParseField(const std::string& text, int lo, int hi, const char* const* names, int name_base,
                  std::bitset<N>& bits, bool& any, const std::string& where) {
  any = text == "*" || text == "?";
  for (const std::string& part : Split(text, ',')) {
    std::string range = part;
    int step = 1;
    if (auto slash = part.find('/'); slash != std::string::npos) {
      range = part.substr(0, slash);
      auto n = Number(part.substr(slash + 1), nullptr, 0);
      if (!n || *n <= 0) return Invalid(where, "bad step in '" + part + "'");
      step = *n;
    }
    int from = lo, to = hi;
    if (range != "*" && range != "?") {
      auto dash = range.find('-');
      auto a = Number(range.substr(0, dash), names, name_base);
      if (!a) return Invalid(where, "bad value '" + range + "'");
      from = to = *a;
      if (dash != std::string::npos) {
        auto b = Number(range.substr(dash + 1), names, name_base);
        if (!b) return Invalid(where, "bad value '" + range + "'");
        to = *b;
      } else if (part.find('/') != std::string::npos) {
        to = hi;
      }
    }
    if (from < lo || to > hi || from > to)
      return Invalid(where, fmt::format("'{}' is out of range {}-{}", part, lo, hi));
    for (int v = from; v <= to; v += step) bits.set(static_cast<size_t>(v));
  }
  return {};
}

using Days = std::chrono::sys_days;

}  // namespace

Result<int64_t> ParseDurationSeconds(const Json& value, const std::string& field) {
  if (value.is_number_integer()) {
    if (value.get<int64_t>() <= 0) return Invalid(field, "must be a positive duration");
    return value.get<int64_t>();
  }
  if (!value.is_string()) return Invalid(field, "must be a duration like \"10m\" or \"1d 3h\"");
  const std::string& s = value.get_ref<const std::string&>();
  int64_t total = 0;
  size_t i = 0;
  bool any = false;
  while (i < s.size()) {
    if (std::isspace(static_cast<unsigned char>(s[i]))) {
      ++i;
      continue;
    }
    size_t start = i;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
    if (start == i || i - start > 9)
      return Invalid(field, "bad duration '" + s + "': expected a number at position " +
                                std::to_string(start + 1));
    int64_t n = std::stoll(s.substr(start, i - start));
    int64_t unit = 1;
    if (i < s.size() && std::isalpha(static_cast<unsigned char>(s[i]))) {
      switch (s[i]) {
        case 's':
          unit = 1;
          break;
        case 'm':
          unit = 60;
          break;
        case 'h':
          unit = 3600;
          break;
        case 'd':
          unit = 86400;
          break;
        case 'w':
          unit = 7 * 86400;
          break;
        default:
          return Invalid(
              field,
              fmt::format("bad duration '{}': unknown unit '{}' (use s, m, h, d or w)", s, s[i]));
      }
      ++i;
    }
    total += n * unit;
    any = true;
  }
  if (!any || total <= 0) return Invalid(field, "must be a positive duration like \"10m\"");
  return total;
}

Result<int64_t> ParseDateMillis(const std::string& text, const std::string& field) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0;
  std::string s = text;
  for (char& c : s)
    if (c == 'T') c = ' ';
  if (!s.empty() && s.back() == 'Z') s.pop_back();
  int n = std::sscanf(s.c_str(), "%4d-%2d-%2d %2d:%2d:%2d", &y, &mo, &d, &h, &mi, &sec);
  if (n != 3 && n != 5 && n != 6)
    return Invalid(field, "must be a date like \"2030-01-02 03:04:05\" (UTC), not '" + text + "'");
  std::chrono::year_month_day ymd{std::chrono::year(y),
                                  std::chrono::month(static_cast<unsigned>(mo)),
                                  std::chrono::day(static_cast<unsigned>(d))};
  if (!ymd.ok() || h > 23 || mi > 59 || sec > 59 || h < 0 || mi < 0 || sec < 0)
    return Invalid(field, "is not a valid date: '" + text + "'");
  auto days = Days(ymd).time_since_epoch().count();
  return ((days * 24 + h) * 60 + mi) * 60'000LL + sec * 1000LL;
}

Result<CronSpec> CronSpec::Parse(const std::string& text, const std::string& field) {
  std::istringstream in(text);
  std::vector<std::string> parts;
  for (std::string w; in >> w;) parts.push_back(w);
  if (parts.size() != 5)
    return Invalid(field, fmt::format("must have 5 fields (minute hour day month weekday), not {}",
                                      parts.size()));
  CronSpec c;
  bool any = false;
  std::bitset<8> weekdays;
  KR_TRY(ParseField(parts[0], 0, 59, nullptr, 0, c.minutes_, any, field + " (minute)"));
  KR_TRY(ParseField(parts[1], 0, 23, nullptr, 0, c.hours_, any, field + " (hour)"));
  KR_TRY(ParseField(parts[2], 1, 31, nullptr, 0, c.days_, c.days_any_, field + " (day of month)"));
  KR_TRY(ParseField(parts[3], 1, 12, kMonths, 1, c.months_, any, field + " (month)"));
  KR_TRY(ParseField(parts[4], 0, 7, kDays, 0, weekdays, c.weekdays_any_, field + " (day of week)"));
  for (int i = 0; i < 7; ++i) c.weekdays_[i] = weekdays[i];
  if (weekdays[7]) c.weekdays_[0] = true;
  return c;
}

std::optional<int64_t> CronSpec::Next(int64_t after_ms) const {
  int64_t minute = after_ms / 60'000 + 1;  // the first whole minute strictly after
  if (after_ms < 0) minute = after_ms / 60'000;
  int64_t day = minute / 1440;
  int64_t minute_of_day = minute % 1440;
  for (int64_t n = 0; n < 366 * 5; ++n, ++day, minute_of_day = 0) {
    Days date{std::chrono::days(day)};
    std::chrono::year_month_day ymd{date};
    unsigned weekday = std::chrono::weekday(date).c_encoding();
    if (!months_[static_cast<unsigned>(ymd.month())]) continue;
    bool dom = days_[static_cast<unsigned>(ymd.day())], dow = weekdays_[weekday];
    bool day_ok = days_any_ || weekdays_any_ ? (dom && dow) : (dom || dow);
    if (!day_ok) continue;
    for (int64_t m = minute_of_day; m < 1440; ++m)
      if (hours_[static_cast<size_t>(m / 60)] && minutes_[static_cast<size_t>(m % 60)])
        return (day * 1440 + m) * 60'000;
  }
  return std::nullopt;
}

}  // namespace kraken::workflow
