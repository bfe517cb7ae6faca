#include "feeds/websub/call_pool.hpp"

namespace gazette::websub {

CallPool::CallPool(std::size_t threads) {
  for (std::size_t i = 0; i < threads; ++i) threads_.emplace_back([this] { run(); });
}

CallPool::~CallPool() { stop(); }

bool CallPool::submit(const std::string& key, std::function<void()> task) {
  std::lock_guard lock(mutex_);
  if (stopping_ || !keys_.insert(key).second) return false;
  queue_.emplace_back(key, std::move(task));
  work_cv_.notify_one();
  return true;
}

void CallPool::wait_idle() {
  std::unique_lock lock(mutex_);
  idle_cv_.wait(lock, [this] { return queue_.empty() && running_ == 0; });
}

void CallPool::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    for (const auto& [key, task] : queue_) keys_.erase(key);
    queue_.clear();
  }
  work_cv_.notify_all();
  for (auto& t : threads_)
    if (t.joinable()) t.join();
  idle_cv_.notify_all();
}

void CallPool::run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    work_cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping, nothing left
    auto [key, task] = std::move(queue_.front());
    queue_.pop_front();
    ++running_;
    lock.unlock();
    try {
      task();
    } catch (...) {
      // The hub's tasks report their own errors; nothing may end a pool thread.
    }
    lock.lock();
    --running_;
    keys_.erase(key);
    if (queue_.empty() && running_ == 0) idle_cv_.notify_all();
  }
}

}  // namespace gazette::websub
