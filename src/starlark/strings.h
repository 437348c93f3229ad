// UTF-8 helpers shared by string methods and builtins. Starlark strings are
// byte strings that usually hold UTF-8; these functions tolerate invalid
// sequences. Thread-safe.
#ifndef KRAKEN_STARLARK_STRINGS_H_
#define KRAKEN_STARLARK_STRINGS_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace kraken::starlark {

// Decodes the code point at s[i]; returns its length in bytes, or 0 if the
// bytes there are not valid UTF-8.
int DecodeUtf8(std::string_view s, size_t i, uint32_t* rune);
// RuneLength is the length of the code point at s[i], or 1 for a byte that
// does not start a valid UTF-8 sequence (which then stands for itself).
size_t RuneLength(std::string_view s, size_t i);
// Appends rune encoded as UTF-8; a surrogate or a value past U+10FFFF, which
// UTF-8 cannot encode, appends U+FFFD instead (as the reference does).
void AppendUtf8(uint32_t rune, std::string* out);
size_t CountRunes(std::string_view s);
// ValidUtf8 returns s with each byte that is not part of a valid UTF-8
// sequence replaced by U+FFFD, so that it can be a JSON string.
std::string ValidUtf8(std::string_view s);

}  // namespace kraken::starlark

#endif  // KRAKEN_STARLARK_STRINGS_H_
