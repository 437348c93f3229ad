// Error values shared by every module: an expected failure is returned, not thrown.
//
// An Error carries a code that maps onto an HTTP status at the API edge, a message a
// user can act on, and, for bad input, the field it concerns. Plain value type.
#pragma once

#include <string>
#include <tl/expected.hpp>
#include <utility>

namespace kraken {

enum class ErrorCode {
  kInvalid,       // bad input: a wrong body, a bad field value (HTTP 400)
  kUnauthorized,  // no or bad credentials (401)
  kForbidden,     // credentials fine, action not allowed (403)
  kNotFound,      // unknown id or name (404)
  kConflict,      // illegal state change or duplicate name (409)
  kUnavailable,   // a dependency is down; retrying may help (503)
  kInternal,      // a bug or an I/O failure (500)
};

struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;
  std::string field;  // the input field the error concerns, if any
};

template <typename T>
using Result = tl::expected<T, Error>;

// Result<void> spelled out: success carries nothing.
using Status = tl::expected<void, Error>;

inline tl::unexpected<Error> Fail(ErrorCode code, std::string message, std::string field = {}) {
  return tl::unexpected<Error>(Error{code, std::move(message), std::move(field)});
}

inline tl::unexpected<Error> Invalid(std::string field, std::string message) {
  return Fail(ErrorCode::kInvalid, std::move(message), std::move(field));
}

inline tl::unexpected<Error> NotFound(std::string message) {
  return Fail(ErrorCode::kNotFound, std::move(message));
}

inline tl::unexpected<Error> Conflict(std::string message) {
  return Fail(ErrorCode::kConflict, std::move(message));
}

int HttpStatusOf(ErrorCode code);

// Propagation helpers, in the manner of absl's RETURN_IF_ERROR / ASSIGN_OR_RETURN:
//   KR_TRY(store.SaveJob(job));
//   KR_ASSIGN(auto job, store.GetJob(id));
#define KR_CONCAT_INNER(a, b) a##b
#define KR_CONCAT(a, b) KR_CONCAT_INNER(a, b)
#define KR_TRY(expr)                                                  \
  do {                                                                \
    auto kr_try_result = (expr);                                      \
    if (!kr_try_result) return tl::unexpected(kr_try_result.error()); \
  } while (0)
#define KR_ASSIGN_IMPL(tmp, lhs, expr)          \
  auto tmp = (expr);                            \
  if (!tmp) return tl::unexpected(tmp.error()); \
  lhs = std::move(*tmp)
#define KR_ASSIGN(lhs, expr) KR_ASSIGN_IMPL(KR_CONCAT(kr_assign_, __LINE__), lhs, expr)
const char* ErrorCodeName(ErrorCode code);

}  // namespace kraken
