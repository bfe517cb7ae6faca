// UTF-8 validation for everything that enters the store.
//
// Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <string_view>

namespace gazette {

// Returns the byte offset of the first invalid UTF-8 sequence in `s`, or npos if it is valid.
// Overlong forms, surrogates and code points above U+10FFFF are invalid.
std::size_t find_invalid_utf8(std::string_view s);

// Returns the byte offset of the first character that XML 1.0 cannot carry (C0 controls but
// tab, LF and CR), or npos. Records must be renderable in every format we publish.
std::size_t find_forbidden_control(std::string_view s);

}  // namespace gazette
