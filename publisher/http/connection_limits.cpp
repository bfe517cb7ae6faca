#include "publisher/http/connection_limits.hpp"

namespace gazette::http {

ConnectionLimits::Admission ConnectionLimits::admit(const std::string& address) {
  std::lock_guard lock(mutex_);
  auto it = by_address_.find(address);
  if (it != by_address_.end() && it->second >= per_address_max_) return Admission::address_full;
  if (total_ >= total_max_) return Admission::server_full;
  ++by_address_[address];
  ++total_;
  return Admission::admitted;
}

bool ConnectionLimits::admit_over_total(const std::string& address) {
  std::lock_guard lock(mutex_);
  auto it = by_address_.find(address);
  if (it != by_address_.end() && it->second >= per_address_max_) return false;
  ++by_address_[address];
  ++total_;
  return true;
}

void ConnectionLimits::release(const std::string& address) {
  std::lock_guard lock(mutex_);
  auto it = by_address_.find(address);
  if (it == by_address_.end()) return;
  if (--it->second == 0) by_address_.erase(it);
  --total_;
}

std::size_t ConnectionLimits::total() const {
  std::lock_guard lock(mutex_);
  return total_;
}

std::size_t ConnectionLimits::from(const std::string& address) const {
  std::lock_guard lock(mutex_);
  auto it = by_address_.find(address);
  return it == by_address_.end() ? 0 : it->second;
}

}  // namespace gazette::http
