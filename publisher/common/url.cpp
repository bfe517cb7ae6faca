#include "publisher/common/url.hpp"

#include <charconv>
#include <vector>

#include "publisher/common/utf8.hpp"

namespace gazette {

Result<Url> parse_url(std::string_view text) {
  auto bad = [&](const std::string& why) {
    return Status::invalid_input("'" + std::string(utf8_prefix(text, 200)) + "' is not a usable URL: " + why);
  };
  Url u;
  const std::size_t colon = text.find("://");
  if (colon == std::string_view::npos) return bad("no scheme");
  u.scheme = std::string(text.substr(0, colon));
  for (auto& c : u.scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (u.scheme != "http" && u.scheme != "https") return bad("only http and https are allowed");
  std::string_view rest = text.substr(colon + 3);
  if (rest.find('#') != std::string_view::npos) return bad("a fragment is not allowed");
  for (char c : rest)
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) return bad("spaces or control characters");
  const std::size_t slash = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, slash);
  u.target = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
  if (u.target[0] == '?') u.target = "/" + u.target;
  if (authority.find('@') != std::string_view::npos) return bad("user information is not allowed");
  std::string_view port;
  if (!authority.empty() && authority[0] == '[') {
    const std::size_t close = authority.find(']');
    if (close == std::string_view::npos) return bad("unclosed IPv6 address");
    u.host = std::string(authority.substr(1, close - 1));
    if (close + 1 < authority.size()) {
      if (authority[close + 1] != ':') return bad("bad port");
      port = authority.substr(close + 2);
    }
  } else {
    const std::size_t c = authority.rfind(':');
    u.host = std::string(authority.substr(0, c));
    if (c != std::string_view::npos) port = authority.substr(c + 1);
  }
  if (u.host.empty()) return bad("no host");
  for (auto& c : u.host) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (port.empty()) {
    u.port = u.scheme == "https" ? 443 : 80;
  } else {
    unsigned value = 0;
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec != std::errc() || end != port.data() + port.size() || value == 0 || value > 65535) return bad("bad port");
    u.port = static_cast<std::uint16_t>(value);
  }
  return u;
}

std::string form_encode(std::string_view v) { return percent_encode(v); }

std::string percent_encode(std::string_view s, std::string_view also_keep) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~' ||
        also_keep.find(static_cast<char>(c)) != std::string_view::npos) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(hex[c >> 4]);
      out.push_back(hex[c & 15]);
    }
  }
  return out;
}

std::string with_query(const std::string& url, const std::vector<std::pair<std::string, std::string>>& params) {
  std::string out = url;
  char sep = url.find('?') == std::string::npos ? '?' : '&';
  for (const auto& [k, v] : params) {
    out += sep;
    out += form_encode(k) + "=" + form_encode(v);
    sep = '&';
  }
  return out;
}

Result<std::string> percent_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out.push_back(s[i]);
      continue;
    }
    if (i + 2 >= s.size() || hex(s[i + 1]) < 0 || hex(s[i + 2]) < 0)
      return Status::invalid_input("bad percent-encoding in the request target");
    out.push_back(static_cast<char>(hex(s[i + 1]) * 16 + hex(s[i + 2])));
    i += 2;
  }
  return out;
}

Result<std::vector<std::pair<std::string, std::string>>> form_decode(std::string_view body) {
  std::vector<std::pair<std::string, std::string>> out;
  auto decode = [](std::string_view s) -> Result<std::string> {
    std::string plus(s);
    for (auto& c : plus)
      if (c == '+') c = ' ';
    return percent_decode(plus);
  };
  while (!body.empty()) {
    const std::size_t amp = body.find('&');
    std::string_view pair = body.substr(0, amp);
    body = amp == std::string_view::npos ? std::string_view() : body.substr(amp + 1);
    if (pair.empty()) continue;
    const std::size_t eq = pair.find('=');
    auto k = decode(pair.substr(0, eq));
    auto v = decode(eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1));
    if (!k.ok()) return k.status();
    if (!v.ok()) return v.status();
    out.emplace_back(std::move(*k), std::move(*v));
  }
  return out;
}

}  // namespace gazette
