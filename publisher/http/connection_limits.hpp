// Who may hold a connection: at most `total` at once and at most `per_address` from one client
// address, so that one client cannot starve the others. When the server is full, the caller
// closes the connection that has been idle longest (a keep-alive connection waiting for its
// next request, or one that never sent any) rather than turn a new client away.
//
// Thread-safety: every method may be called from any thread.
#pragma once

#include <cstddef>
#include <mutex>
#include <string>
#include <unordered_map>

namespace gazette::http {

class ConnectionLimits {
 public:
  ConnectionLimits(std::size_t total, std::size_t per_address) : total_max_(total), per_address_max_(per_address) {}

  enum class Admission {
    admitted,      // counted; call release() when the connection ends
    address_full,  // this address holds per_address connections already: refuse
    server_full,   // the server holds `total`: close an idle one, then admit_over_total()
  };
  Admission admit(const std::string& address);
  // Admits a connection beyond `total`, for the moment until an idle one it displaced has
  // closed. Refused (false) if the address is full.
  bool admit_over_total(const std::string& address);
  void release(const std::string& address);

  std::size_t total() const;
  std::size_t from(const std::string& address) const;

 private:
  mutable std::mutex mutex_;
  std::size_t total_max_, per_address_max_;
  std::size_t total_ = 0;
  std::unordered_map<std::string, std::size_t> by_address_;
};

}  // namespace gazette::http
