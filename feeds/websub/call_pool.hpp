// The hub's outbound calls run here, on a few threads of their own, so that a round of the
// hub's work never waits for a call: a callback that hangs until its deadline holds one
// thread, not the round, not the other subscribers. Each task has a key (an intent, a
// subscription's delivery, a ping); a key already queued or running is not queued again, so
// the next round does not repeat a call still in flight.
//
// Thread-safety: every method may be called from any thread.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace gazette::websub {

class CallPool {
 public:
  explicit CallPool(std::size_t threads);
  ~CallPool();  // stop()
  CallPool(const CallPool&) = delete;
  CallPool& operator=(const CallPool&) = delete;

  // Queues `task` unless a task with `key` is queued or running, or the pool is stopping.
  bool submit(const std::string& key, std::function<void()> task);
  // Waits until nothing is queued or running (for tests and for a round that must finish).
  void wait_idle();
  // Drops what is queued, waits for what is running (the calls themselves end promptly once
  // the hub cancels them), and joins the threads.
  void stop();

 private:
  void run();
  std::mutex mutex_;
  std::condition_variable work_cv_, idle_cv_;
  std::deque<std::pair<std::string, std::function<void()>>> queue_;
  std::set<std::string> keys_;  // queued or running
  std::size_t running_ = 0;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace gazette::websub
