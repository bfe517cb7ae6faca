#include "publisher/http/access_log.hpp"

#include <cstdio>

#include "publisher/common/utf8.hpp"

namespace gazette::http {

namespace {

// For one field of one line: as for a terminal, and a line break, tab or quote shown rather
// than obeyed.
std::string one_line(std::string_view s) {
  std::string out;
  for (char c : escape_for_terminal(s)) {
    if (c == '\n') out += "\\n";
    else if (c == '\t') out += "\\t";
    else if (c == '"') out += "\\x22";  // as nginx does: the quoted request line stays one field
    else out.push_back(c);
  }
  return out;
}

}  // namespace

std::string access_log_line(const AccessLogEntry& e) {
  const std::string request =
      e.method == "-" ? std::string("-")
                      : e.method + " " + e.target + " HTTP/" + std::to_string(e.version / 10) + "." +
                            std::to_string(e.version % 10);
  char tail[96];
  std::snprintf(tail, sizeof tail, " %d %llu %.3fms%s\n", e.status, static_cast<unsigned long long>(e.body_bytes),
                e.seconds * 1000, e.write_failed ? " (write failed)" : "");
  return one_line(e.remote) + " - - [" + format_log_time(e.received_at) + "] \"" + one_line(request) + "\"" + tail;
}

}  // namespace gazette::http
