// Instants: parsing ISO 8601 / RFC 3339 timestamps and formatting them in UTC.
//
// gazette keeps instants as whole Unix seconds (UTC); publication times, ledger times and
// as-of queries never need more. Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "publisher/common/status.hpp"

namespace gazette {

using UnixSeconds = std::int64_t;

// Parses `YYYY-MM-DD`, `YYYY-MM-DDTHH:MM[:SS[.frac]]` with an optional `Z` or `±HH:MM`
// offset (no offset means UTC). Fractions are truncated. Returns invalid_input naming the text.
Result<UnixSeconds> parse_instant(std::string_view text);

// "2026-11-24T08:50:15Z"
std::string format_rfc3339(UnixSeconds t);
// "2026-11-24"
std::string format_date(UnixSeconds t);
// "Tue, 24 Nov 2026 08:50:15 GMT" (RFC 9110 IMF-fixdate)
std::string format_http_date(UnixSeconds t);
// The Common Log Format's time, in UTC: "30/Nov/2026:14:27:45 +0000".
std::string format_log_time(UnixSeconds t);

// Parses an IMF-fixdate ("Tue, 24 Nov 2026 08:50:15 GMT"), the only form HTTP senders may
// generate (RFC 9110 section 5.6.7).
Result<UnixSeconds> parse_http_date(std::string_view text);

// The current time, or GAZETTE_NOW (an ISO 8601 instant) when set, so that tests and demos
// can replay a calendar deterministically.
UnixSeconds now_utc();

// Days since 1970-01-01 for a civil date, and back (Howard Hinnant's algorithms).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d);
void civil_from_days(std::int64_t z, std::int64_t& y, unsigned& m, unsigned& d);

}  // namespace gazette
