#include "publisher/common/time.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>

namespace gazette {

std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

void civil_from_days(std::int64_t z, std::int64_t& y, unsigned& m, unsigned& d) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  y = static_cast<std::int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y += m <= 2;
}

namespace {

bool digits(std::string_view s, size_t pos, size_t n, int& out) {
  if (pos + n > s.size()) return false;
  out = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

bool leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int days_in_month(int y, int m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && leap(y) ? 29 : kDays[m - 1];
}

}  // namespace

Result<UnixSeconds> parse_instant(std::string_view s) {
  auto bad = [&] {
    return Status::invalid_input("'" + std::string(s) +
                                 "' is not an ISO 8601 instant (YYYY-MM-DDTHH:MM:SSZ)");
  };
  int y, mo, d, h = 0, mi = 0, se = 0;
  if (!digits(s, 0, 4, y) || s.size() < 10 || s[4] != '-' || !digits(s, 5, 2, mo) ||
      s[7] != '-' || !digits(s, 8, 2, d))
    return bad();
  if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo)) return bad();
  size_t pos = 10;
  std::int64_t offset_s = 0;
  if (pos < s.size()) {
    if (s[pos] != 'T' && s[pos] != 't' && s[pos] != ' ') return bad();
    if (!digits(s, pos + 1, 2, h) || pos + 3 >= s.size() || s[pos + 3] != ':' ||
        !digits(s, pos + 4, 2, mi))
      return bad();
    pos += 6;
    if (pos < s.size() && s[pos] == ':') {
      if (!digits(s, pos + 1, 2, se)) return bad();
      pos += 3;
      if (pos < s.size() && s[pos] == '.') {
        ++pos;
        size_t start = pos;
        while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') ++pos;
        if (pos == start) return bad();
      }
    }
    if (h > 23 || mi > 59 || se > 60) return bad();
    if (pos < s.size()) {
      if ((s[pos] == 'Z' || s[pos] == 'z') && pos + 1 == s.size()) {
        pos += 1;
      } else if ((s[pos] == '+' || s[pos] == '-') && pos + 6 == s.size() && s[pos + 3] == ':') {
        int oh, om;
        if (!digits(s, pos + 1, 2, oh) || !digits(s, pos + 4, 2, om) || oh > 23 || om > 59)
          return bad();
        offset_s = (oh * 3600 + om * 60) * (s[pos] == '+' ? 1 : -1);
        pos += 6;
      } else {
        return bad();
      }
    }
  }
  if (pos != s.size()) return bad();
  if (se == 60) se = 59;  // a leap second names the last second of its minute
  return days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d)) * 86400 +
         h * 3600 + mi * 60 + se - offset_s;
}

namespace {
void split(UnixSeconds t, std::int64_t& y, unsigned& m, unsigned& d, int& hh, int& mm, int& ss,
           int& wday) {
  std::int64_t days = t >= 0 ? t / 86400 : (t - 86399) / 86400;
  std::int64_t rem = t - days * 86400;
  civil_from_days(days, y, m, d);
  hh = static_cast<int>(rem / 3600);
  mm = static_cast<int>(rem % 3600 / 60);
  ss = static_cast<int>(rem % 60);
  wday = static_cast<int>(((days % 7) + 11) % 7);  // 1970-01-01 was a Thursday (4)
}
}  // namespace

std::string format_rfc3339(UnixSeconds t) {
  std::int64_t y;
  unsigned m, d;
  int hh, mm, ss, wd;
  split(t, y, m, d, hh, mm, ss, wd);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02d:%02d:%02dZ", static_cast<long long>(y), m,
                d, hh, mm, ss);
  return buf;
}

std::string format_date(UnixSeconds t) { return format_rfc3339(t).substr(0, 10); }

// The month names of HTTP dates and log times (English, whatever the locale).
constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

std::string format_http_date(UnixSeconds t) {
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  std::int64_t y;
  unsigned m, d;
  int hh, mm, ss, wd;
  split(t, y, m, d, hh, mm, ss, wd);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%s, %02u %s %04lld %02d:%02d:%02d GMT", kDays[wd], d,
                kMonths[m - 1], static_cast<long long>(y), hh, mm, ss);
  return buf;
}

std::string format_log_time(UnixSeconds t) {
  std::int64_t y;
  unsigned m, d;
  int hh, mm, ss, wd;
  split(t, y, m, d, hh, mm, ss, wd);
  char buf[40];  // shorter than an HTTP date: no day of the week
  std::snprintf(buf, sizeof buf, "%02u/%s/%04lld:%02d:%02d:%02d +0000", d, kMonths[m - 1],
                static_cast<long long>(y), hh, mm, ss);
  return buf;
}

Result<UnixSeconds> parse_http_date(std::string_view s) {
  auto bad = [&] { return Status::invalid_input("'" + std::string(s) + "' is not an HTTP date"); };
  // "Tue, 24 Nov 2026 08:50:15 GMT"
  if (s.size() != 29 || s[3] != ',' || s[4] != ' ' || s[7] != ' ' || s[11] != ' ' ||
      s[16] != ' ' || s[19] != ':' || s[22] != ':' || s.substr(25) != " GMT")
    return bad();
  int d, y, h, mi, se;
  if (!digits(s, 5, 2, d) || !digits(s, 12, 4, y) || !digits(s, 17, 2, h) ||
      !digits(s, 20, 2, mi) || !digits(s, 23, 2, se))
    return bad();
  int m = 0;
  for (int i = 0; i < 12; ++i)
    if (s.substr(8, 3) == kMonths[i]) m = i + 1;
  if (m == 0 || d < 1 || d > days_in_month(y, m) || h > 23 || mi > 59 || se > 60) return bad();
  return days_from_civil(y, static_cast<unsigned>(m), static_cast<unsigned>(d)) * 86400 +
         h * 3600 + mi * 60 + std::min(se, 59);
}

UnixSeconds now_utc() {
  if (const char* fixed = std::getenv("GAZETTE_NOW"); fixed != nullptr && *fixed != '\0') {
    auto t = parse_instant(fixed);
    if (t.ok()) return *t;
  }
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace gazette
