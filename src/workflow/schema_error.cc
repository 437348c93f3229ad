#include "workflow/schema_error.h"

#include <fmt/format.h>

namespace kraken::workflow {

std::string SchemaError::ToString() const {
  if (line > 0)
    return fmt::format("{}:{}:{}: {}", file.empty() ? "stage" : file, line, column, message);
  if (field.empty()) return message;
  return field + ": " + message;
}

Json SchemaError::ToJson() const {
  Json out{{"code", "invalid"}, {"message", message}};
  if (!field.empty()) out["field"] = field;
  if (line > 0) {
    out["line"] = line;
    out["column"] = column;
  }
  if (!backtrace.empty()) out["backtrace"] = backtrace;
  return out;
}

}  // namespace kraken::workflow
