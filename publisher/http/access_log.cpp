#include "publisher/http/access_log.hpp"

#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
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

LogWriter::LogWriter(int fd, std::size_t max_queued_bytes)
    : fd_(fd), max_queued_bytes_(max_queued_bytes), thread_([this] { run(); }) {}

LogWriter::~LogWriter() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  ready_.notify_all();
  thread_.join();
}

void LogWriter::write(std::string line) {
  {
    std::lock_guard lock(mutex_);
    if (queued_bytes_ + line.size() > max_queued_bytes_) {
      ++dropped_;
      return;
    }
    queued_bytes_ += line.size();
    queue_.push_back(std::move(line));
  }
  ready_.notify_one();
}

std::uint64_t LogWriter::dropped() const {
  std::lock_guard lock(mutex_);
  return dropped_;
}

bool LogWriter::write_all(std::string_view bytes) {
  // Waits for room in short polls, so that a stuck reader delays only this thread, and at most
  // a second once the server is stopping. Chunks of PIPE_BUF are written whole into a pipe
  // with room for them, so a write after POLLOUT does not block.
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(1);
  while (!bytes.empty()) {
    pollfd p{fd_, POLLOUT, 0};
    const int ready = ::poll(&p, 1, 200);
    if (ready < 0 && errno != EINTR) return false;
    if (ready <= 0) {
      std::lock_guard lock(mutex_);
      if (stopping_ && std::chrono::steady_clock::now() > give_up) return false;
      continue;
    }
    if (p.revents & (POLLERR | POLLNVAL)) return false;
    const ssize_t n = ::write(fd_, bytes.data(), std::min<std::size_t>(bytes.size(), 4096));
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      return false;
    }
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

void LogWriter::run() {
  for (;;) {
    std::deque<std::string> batch;
    std::uint64_t newly_dropped = 0;
    {
      std::unique_lock lock(mutex_);
      ready_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty() && stopping_) return;
      batch.swap(queue_);
      queued_bytes_ = 0;
      newly_dropped = dropped_ - reported_;
      reported_ = dropped_;
    }
    std::string out;
    if (newly_dropped > 0)
      out = "gazette: " + std::to_string(newly_dropped) + " log lines dropped: the log was not read fast enough\n";
    for (auto& line : batch) out += line;
    if (!write_all(out)) return;
  }
}

}  // namespace gazette::http
