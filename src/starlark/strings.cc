#include "starlark/strings.h"

namespace kraken::starlark {

int DecodeUtf8(std::string_view s, size_t i, uint32_t* rune) {
  unsigned char c = s[i];
  int len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
  if (len == 0 || i + len > s.size()) return 0;
  uint32_t r = len == 1 ? c : len == 2 ? c & 0x1f : len == 3 ? c & 0x0f : c & 0x07;
  for (int k = 1; k < len; ++k) {
    unsigned char cc = s[i + k];
    if ((cc & 0xC0) != 0x80) return 0;
    r = (r << 6) | (cc & 0x3f);
  }
  static const uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
  if (r < kMin[len] || r > 0x10FFFF || (r >= 0xD800 && r <= 0xDFFF)) return 0;
  *rune = r;
  return len;
}

size_t RuneLength(std::string_view s, size_t i) {
  uint32_t r;
  int len = DecodeUtf8(s, i, &r);
  return len == 0 ? 1 : len;
}

void AppendUtf8(uint32_t r, std::string* out) {
  if ((r >= 0xD800 && r <= 0xDFFF) || r > 0x10FFFF) r = 0xFFFD;
  if (r < 0x80) {
    out->push_back(static_cast<char>(r));
  } else if (r < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (r >> 6)));
    out->push_back(static_cast<char>(0x80 | (r & 0x3F)));
  } else if (r < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (r >> 12)));
    out->push_back(static_cast<char>(0x80 | ((r >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (r & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (r >> 18)));
    out->push_back(static_cast<char>(0x80 | ((r >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((r >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (r & 0x3F)));
  }
}

size_t CountRunes(std::string_view s) {
  size_t n = 0;
  for (size_t i = 0; i < s.size();) {
    uint32_t r;
    int len = DecodeUtf8(s, i, &r);
    i += len == 0 ? 1 : len;
    ++n;
  }
  return n;
}

std::string ValidUtf8(std::string_view s) {
  // Most strings are valid: find the first invalid byte before building anything.
  size_t i = 0;
  while (i < s.size()) {
    if (static_cast<unsigned char>(s[i]) < 0x80) {
      ++i;
      continue;
    }
    uint32_t r;
    int len = DecodeUtf8(s, i, &r);
    if (len == 0) break;
    i += len;
  }
  if (i == s.size()) return std::string(s);
  std::string out(s.substr(0, i));
  while (i < s.size()) {
    uint32_t r;
    int len = DecodeUtf8(s, i, &r);
    if (len == 0) {
      AppendUtf8(0xFFFD, &out);
      ++i;
    } else {
      out.append(s, i, len);
      i += len;
    }
  }
  return out;
}

}  // namespace kraken::starlark
