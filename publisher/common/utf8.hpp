// UTF-8 validation for everything that enters the store.
//
// Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace gazette {

// Returns the byte offset of the first invalid UTF-8 sequence in `s`, or npos if it is valid.
// Overlong forms, surrogates and code points above U+10FFFF are invalid.
std::size_t find_invalid_utf8(std::string_view s);

// A character in valid UTF-8 that some format we publish cannot carry: a C0 control but tab,
// LF and CR (XML 1.0 has no way to write it), or a noncharacter (U+FFFE, U+FFFF, U+FDD0 to
// U+FDEF and the last two code points of every plane), which xmllint and other readers refuse.
struct Unpublishable {
  std::size_t offset;  // bytes into the string
  char32_t code_point;
  std::string describe() const;  // "control character U+0007", "noncharacter U+FFFE"
};
std::optional<Unpublishable> find_unpublishable(std::string_view valid_utf8);
// `valid_utf8` with each unpublishable character replaced by U+FFFD.
std::string replace_unpublishable(std::string_view valid_utf8);

// The longest prefix of `s` of at most `max_bytes` that ends on a character boundary, so that
// cutting a string never leaves half a character behind.
std::string_view utf8_prefix(std::string_view s, std::size_t max_bytes);

// `s` made safe to print on a terminal: C0 and C1 controls (ESC and CSI start escape
// sequences), DEL and bytes that are not UTF-8 become visible escapes (\x1b, \u009b); tab
// and LF stay as they are. Text read from input files goes through this before it is shown.
std::string escape_for_terminal(std::string_view s);

}  // namespace gazette
