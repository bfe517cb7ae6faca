// One access log line per answered request, in the Common Log Format that log tools read,
// with the time taken appended:
//   127.0.0.1 - - [30/Nov/2026:14:27:45 +0000] "GET /datasets HTTP/1.1" 200 1234 0.412ms
// The request line is the client's bytes: escaped, so that a line cannot be forged and cannot
// carry orders to the terminal of whoever reads the log.
//
// Pure. Thread-safety: reentrant.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <thread>

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

// Writes the server's log lines to a file descriptor (stderr) from a thread of its own. A
// request only queues its line: whoever reads the log (a pipe, a terminal) can stop reading
// without holding up a single request. Lines that do not fit the bounded queue are dropped and
// counted, and the count is written once the reader catches up.
//
// Thread-safety: write() may be called from any thread.
class LogWriter {
 public:
  explicit LogWriter(int fd = 2, std::size_t max_queued_bytes = 1u << 20);
  ~LogWriter();  // writes what it can within a second, then stops
  LogWriter(const LogWriter&) = delete;
  LogWriter& operator=(const LogWriter&) = delete;

  void write(std::string line);  // never blocks on the reader
  std::uint64_t dropped() const;

 private:
  void run();
  bool write_all(std::string_view bytes);  // false when stopping and the reader is stuck

  const int fd_;
  const std::size_t max_queued_bytes_;
  mutable std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<std::string> queue_;  // guarded by mutex_
  std::size_t queued_bytes_ = 0;   // guarded by mutex_
  std::uint64_t dropped_ = 0, reported_ = 0;  // guarded by mutex_
  bool stopping_ = false;                     // guarded by mutex_
  std::thread thread_;
};

}  // namespace gazette::http
