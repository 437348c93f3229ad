// A stage schema error as shown to a person: the dict path it concerns ("jobs[2].steps[0].cmd")
// and, for errors in the source text (Starlark, YAML, JSON), the file:line:column where it is.
// Plain value type.
#pragma once

#include <string>
#include <tl/expected.hpp>

#include "core/json.h"

namespace kraken::workflow {

struct SchemaError {
  std::string field;  // path in the evaluated dict, or "schema_code" for a source error
  std::string message;
  std::string file;  // the source's name, for source errors
  int line = 0;      // 1-based; 0 when the error is about the evaluated dict
  int column = 0;
  std::string backtrace;  // Starlark call stack, when there is one

  // "file:3:7: message" for source errors, "field: message" otherwise.
  std::string ToString() const;
  // The API's error body: {code, field, message, line?, column?}.
  Json ToJson() const;
};

template <typename T>
using SchemaResult = tl::expected<T, SchemaError>;

inline tl::unexpected<SchemaError> SchemaFail(std::string field, std::string message) {
  return tl::unexpected(SchemaError{std::move(field), std::move(message), "", 0, 0, ""});
}

}  // namespace kraken::workflow
