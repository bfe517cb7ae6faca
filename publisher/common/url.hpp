// Absolute http and https URLs, as far as gazette needs them: to call WebSub callbacks and
// hubs, and to check what a subscriber gave us.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "publisher/common/status.hpp"

namespace gazette {

struct Url {
  std::string scheme;  // "http" or "https"
  std::string host;    // a name, an IPv4 address, or an IPv6 address without brackets
  std::uint16_t port = 0;
  std::string target;  // path and query, "/" at least
};

// Parses an absolute http(s) URL. No user info, no fragment. invalid_input otherwise.
Result<Url> parse_url(std::string_view text);

// `url` with `params` appended to its query (values form-encoded).
std::string with_query(const std::string& url, const std::vector<std::pair<std::string, std::string>>& params);

// Decodes %XX escapes (and nothing else); invalid_input on a bad escape.
Result<std::string> percent_decode(std::string_view s);

// Percent-encodes every byte but RFC 3986's unreserved characters and those in `also_keep`
// (":" for a path segment, where it needs no escape).
std::string percent_encode(std::string_view s, std::string_view also_keep = {});

// application/x-www-form-urlencoded: encode one value; decode a whole body (or a query
// string) into pairs, '+' as a space.
std::string form_encode(std::string_view v);
Result<std::vector<std::pair<std::string, std::string>>> form_decode(std::string_view body);

}  // namespace gazette
