// One access log line per answered request, in the Common Log Format that log tools read,
// with the time taken appended:
//   127.0.0.1 - - [30/Nov/2026:14:27:45 +0000] "GET /datasets HTTP/1.1" 200 1234 0.412ms
// The request line is the client's bytes: escaped, so that a line cannot be forged and cannot
// carry orders to the terminal of whoever reads the log.
//
// Pure. Thread-safety: reentrant.
#pragma once

#include <cstdint>
#include <string>

#include "publisher/common/time.hpp"

namespace gazette::http {

struct AccessLogEntry {
  std::string remote;              // the client's address
  UnixSeconds received_at = 0;     // when the request arrived
  std::string method, target;      // "-" when the request could not be read
  unsigned version = 11;           // HTTP/1.1 as 11
  int status = 0;
  std::uint64_t body_bytes = 0;
  double seconds = 0;              // to the last byte written
  bool write_failed = false;
};

std::string access_log_line(const AccessLogEntry& e);  // ends in '\n'

}  // namespace gazette::http
