#include "publisher/site/html_page.hpp"

#include <cstdio>

#include "publisher/render/render.hpp"

namespace gazette::site::html {

namespace {

// Little CSS and no script: the pages are read, printed and archived, not run.
constexpr const char* kStyle =
    "body{font-family:system-ui,sans-serif;max-width:72rem;margin:1.5rem auto;padding:0 1rem;line-height:1.45;"
    "color:#1b1b1b}a{color:#0b57d0}h1{font-size:1.6rem;margin:.4rem 0 1rem}h2{font-size:1.2rem;margin-top:2rem}"
    "table{border-collapse:collapse;margin:.5rem 0 1rem}td,th{padding:.25rem .7rem;text-align:left;"
    "vertical-align:top;border-bottom:1px solid #ddd}th{background:#f4f4f4}code,.mono{font-family:ui-monospace,"
    "monospace;font-size:.9em}nav.crumbs{font-size:.9rem;color:#555}.sev-breaking{color:#a50e0e;font-weight:600}"
    ".sev-notice{color:#8a5300;font-weight:600}.sev-routine{color:#1e6a2f}.null{color:#888;font-style:italic}"
    ".old{background:#fde8e8}.new{background:#e6f4ea}.notice{border-left:4px solid #d18b00;padding:.2rem .8rem;"
    "background:#fff8e6;margin:.5rem 0}pre{white-space:pre-wrap;background:#f6f6f6;padding:.6rem}"
    "form{margin:.5rem 0 1rem}form label{margin-right:.8rem}figure{margin:1rem 0}"
    "#release-table td:nth-child(-n+3),.samples td:nth-child(2),.changes td:first-child{white-space:nowrap}"
    "dl{display:grid;grid-template-columns:max-content auto;gap:.2rem 1rem}dt{font-weight:600}dd{margin:0}";

}  // namespace

std::string esc(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 8);
  append_xml_escaped(out, s);  // the same five characters matter in HTML text and attributes
  return out;
}

std::string a(std::string_view href, std::string_view text) {
  return "<a href=\"" + esc(href) + "\">" + esc(text) + "</a>";
}

std::string open_page(const PageHead& head) {
  std::string h =
      "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">";
  h += "<title>" + esc(head.title) + "</title><style>";
  h += kStyle;
  h += "</style>";
  if (!head.self.empty())
    h += "<link rel=\"alternate\" type=\"application/json\" href=\"" + esc(head.self) + "\">";
  if (!head.atom.empty())
    h += "<link rel=\"alternate\" type=\"application/atom+xml\" href=\"" + esc(head.atom) + "\">";
  if (!head.json_feed.empty())
    h += "<link rel=\"alternate\" type=\"application/feed+json\" href=\"" + esc(head.json_feed) + "\">";
  h += "</head><body>\n";
  if (!head.crumbs.empty()) {
    h += "<nav class=\"crumbs\">";
    for (std::size_t i = 0; i < head.crumbs.size(); ++i)
      h += (i ? " / " : "") + a(head.crumbs[i].href, head.crumbs[i].text);
    h += "</nav>\n";
  }
  h += "<h1>" + esc(head.title) + "</h1>\n";
  return h;
}

std::string close_page() {
  return "<footer><p><small>Served by gazette. Every page here is also JSON: ask for "
         "<code>Accept: application/json</code>.</small></p></footer>\n</body></html>\n";
}

std::string table_open(const std::vector<std::string_view>& headings, std::string_view cls) {
  std::string h = cls.empty() ? "<table><tr>" : "<table class=\"" + esc(cls) + "\"><tr>";
  for (auto t : headings) h += "<th>" + esc(t) + "</th>";
  return h + "</tr>\n";
}

std::string row(const std::vector<std::string>& cells) {
  std::string h = "<tr>";
  for (const auto& c : cells) h += "<td>" + c + "</td>";
  return h + "</tr>\n";
}

std::string date(UnixSeconds t) { return format_date(t); }

std::string instant(UnixSeconds t) {
  const std::string iso = format_rfc3339(t);  // 2026-11-24T06:00:00Z
  return "<time datetime=\"" + iso + "\">" + iso.substr(0, 10) + " " + iso.substr(11, 5) + " UTC</time>";
}

std::string bytes(std::uint64_t n) {
  char buf[32];
  if (n < 1000) return std::to_string(n) + " B";
  const char* units[] = {"kB", "MB", "GB", "TB"};
  double v = static_cast<double>(n) / 1000;
  int u = 0;
  while (v >= 1000 && u < 3) v /= 1000, ++u;
  std::snprintf(buf, sizeof buf, "%.1f %s", v, units[u]);
  return buf;
}

std::string count(std::uint64_t n) {
  std::string digits = std::to_string(n), out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i && (digits.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return out;
}

std::string severity(std::string_view s) {
  return s.empty() ? std::string() : "<span class=\"sev-" + esc(s) + "\">" + esc(s) + "</span>";
}

std::string value(std::string_view v) {
  return v.empty() ? std::string("<span class=\"null\">null</span>") : "<span class=\"mono\">" + esc(v) + "</span>";
}

}  // namespace gazette::site::html
