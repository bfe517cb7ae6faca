#include "tests/support/background_process.hpp"

#include "tests/support/run_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <regex>
#include <stdexcept>

namespace gazette::testing {

BackgroundProcess::BackgroundProcess(const std::vector<std::string>& argv,
                                     const std::map<std::string, std::string>& env) {
  pid_ = spawn(argv, env, out_fd_, err_fd_);
  reader_ = std::thread([this] {
    // Until both pipes end; after the process exited, for a moment more at most (a child it
    // left behind may hold them open).
    auto exited_at = std::chrono::steady_clock::time_point::max();
    for (;;) {
      {
        std::lock_guard lock(mutex_);
        if (out_fd_ < 0 && err_fd_ < 0) return;
      }
      if (exited_ && exited_at == std::chrono::steady_clock::time_point::max())
        exited_at = std::chrono::steady_clock::now();
      if (std::chrono::steady_clock::now() - exited_at > std::chrono::seconds(2)) return;
      pump(50);
    }
  });
}

void BackgroundProcess::join_reader() {
  exited_ = true;
  if (reader_.joinable()) reader_.join();
  std::lock_guard lock(mutex_);
  if (out_fd_ >= 0) ::close(out_fd_);
  if (err_fd_ >= 0) ::close(err_fd_);
  out_fd_ = err_fd_ = -1;
}

BackgroundProcess::~BackgroundProcess() {
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
  join_reader();
}

void BackgroundProcess::pump(int timeout_ms) {
  pollfd fds[2];
  {
    std::lock_guard lock(mutex_);
    fds[0] = {out_fd_, POLLIN, 0};
    fds[1] = {err_fd_, POLLIN, 0};
  }
  if (::poll(fds, 2, timeout_ms) <= 0) return;
  char buf[65536];
  for (int i = 0; i < 2; ++i) {
    if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP))) continue;
    ssize_t n = ::read(fds[i].fd, buf, sizeof buf);
    std::lock_guard lock(mutex_);
    if (n > 0) (i == 0 ? out_ : err_).append(buf, static_cast<std::size_t>(n));
    if (n == 0) {
      ::close(fds[i].fd);
      (i == 0 ? out_fd_ : err_fd_) = -1;
    }
  }
}

std::string BackgroundProcess::output() {
  std::lock_guard lock(mutex_);
  return out_;
}

std::string BackgroundProcess::wait_for_line(const std::string& needle,
                                             std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    {
      std::lock_guard lock(mutex_);
      for (;;) {
        std::size_t eol = out_.find('\n', scanned_);
        if (eol == std::string::npos) break;
        std::string line = out_.substr(scanned_, eol - scanned_);
        scanned_ = eol + 1;
        if (line.find(needle) != std::string::npos) return line;
      }
      if (out_fd_ < 0) return "";
    }
    if (std::chrono::steady_clock::now() > deadline) return "";
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

std::string BackgroundProcess::error_output() {
  std::lock_guard lock(mutex_);
  return err_;
}

int BackgroundProcess::stop(int sig, std::chrono::milliseconds timeout) {
  if (pid_ <= 0) return -1;
  ::kill(pid_, sig);
  auto deadline = std::chrono::steady_clock::now() + timeout;
  int status = 0;
  for (;;) {
    pid_t r = ::waitpid(pid_, &status, WNOHANG);
    if (r == pid_) break;
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, &status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  pid_ = -1;
  join_reader();
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int port_from_banner(const std::string& line) {
  std::smatch m;
  static const std::regex kPort("http://[^ ]*:([0-9]+)/");
  return std::regex_search(line, m, kPort) ? std::stoi(m[1]) : 0;
}

}  // namespace gazette::testing
