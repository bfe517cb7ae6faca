// Test support: a program running in the background (a server), whose stdout can be waited
// on line by line, and which is stopped with a signal. Its output is read all the time, by a
// thread of its own: a server whose log pipe filled would block on writing it.
#pragma once

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <thread>
#include <string>
#include <vector>

namespace gazette::testing {

class BackgroundProcess {
 public:
  explicit BackgroundProcess(const std::vector<std::string>& argv,
                             const std::map<std::string, std::string>& env = {});
  ~BackgroundProcess();  // SIGKILL if still running
  BackgroundProcess(const BackgroundProcess&) = delete;
  BackgroundProcess& operator=(const BackgroundProcess&) = delete;

  // Reads stdout until a line containing `needle` appears; returns that line, or "" after
  // `timeout` or at end of output.
  std::string wait_for_line(const std::string& needle,
                            std::chrono::milliseconds timeout = std::chrono::seconds(20));
  // Sends `sig` and waits for the exit; returns the exit status (-1 if killed by a signal).
  int stop(int sig, std::chrono::milliseconds timeout = std::chrono::seconds(20));
  std::string output();        // what has arrived on stdout so far
  std::string error_output();  // what has arrived on stderr so far
  int pid() const { return pid_; }

 private:
  void pump(int timeout_ms);  // reads what is there; the reader thread's body
  void join_reader();
  int pid_ = -1;
  std::mutex mutex_;  // guards the fds and the buffers
  int out_fd_ = -1, err_fd_ = -1;
  std::string out_, err_;
  std::size_t scanned_ = 0;
  std::atomic<bool> exited_{false};
  std::thread reader_;
};

// The port in a "serving DIR at http://HOST:PORT/" line, or 0.
int port_from_banner(const std::string& line);

}  // namespace gazette::testing
