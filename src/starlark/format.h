// Text forms of values: repr() and str(), Starlark's float formatting, the
// '%' string interpolation operator and str.format. Output matches the
// reference implementation byte for byte, since scripts print it.
#ifndef KRAKEN_STARLARK_FORMAT_H_
#define KRAKEN_STARLARK_FORMAT_H_

#include <string>
#include <string_view>

#include "starlark/function.h"
#include "starlark/thread.h"
#include "starlark/value.h"

namespace kraken::starlark {

void AppendRepr(const Value& v, std::string* out);
std::string Repr(const Value& v);
// str(): strings unquoted, everything else as repr.
std::string Str(const Value& v);
void AppendQuoted(std::string_view s, std::string* out);
// Formats f with a %-conversion: 'g'/'G' give the shortest exact form.
void AppendFloat(double f, char conv, std::string* out);

Value PercentFormat(Thread& thread, const std::string& format, const Value& args);
Value StrFormat(Thread& thread, const std::string& format, Args& args);

}  // namespace kraken::starlark

#endif  // KRAKEN_STARLARK_FORMAT_H_
