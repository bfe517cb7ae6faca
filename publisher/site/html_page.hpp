// The frame every HTML page shares (head, style, breadcrumbs, the JSON alternate) and the few
// pieces pages are built from. Every value from the data goes through esc() or one of the
// builders that call it: pages are plain strings, so escaping is the one defence against a
// record named "<script>…". Internal to site/.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "publisher/common/time.hpp"

namespace gazette::site::html {

// Text or an attribute value, escaped for HTML (&, <, >, ", ').
std::string esc(std::string_view s);

// A link; both the address and the text are escaped.
std::string a(std::string_view href, std::string_view text);

struct Crumb {
  std::string href, text;
};

// The start of a page: <head> with `title`, the alternate JSON representation of the same URL
// (when `json_alternate`), optional feed links, and the breadcrumb trail up to the page.
struct PageHead {
  std::string title;
  std::vector<Crumb> crumbs;
  std::string self = {};  // the page's URL: its JSON twin is the same URL without Accept: text/html
  std::string atom = {}, json_feed = {};  // feed discovery links, if any
};
std::string open_page(const PageHead& head);
std::string close_page();

// A table: header cells are escaped; row cells are markup the caller built (escaped already).
std::string table_open(const std::vector<std::string_view>& headings, std::string_view cls = {});
std::string row(const std::vector<std::string>& cells);
inline constexpr const char* kTableClose = "</table>\n";

std::string date(UnixSeconds t);     // 2026-11-24
std::string instant(UnixSeconds t);  // <time datetime=…>2026-11-24 06:00 UTC</time>
std::string bytes(std::uint64_t n);  // 94.1 MB
std::string count(std::uint64_t n);  // 435,029
// A value from the data: escaped, and an empty value shown as the null it stands for.
std::string value(std::string_view v);
// A severity as its badge (routine, notice, breaking; styled by the page's CSS); "" for none.
std::string severity(std::string_view s);

}  // namespace gazette::site::html
