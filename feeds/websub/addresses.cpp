// Method: classify by the IANA special-purpose registries (RFC 6890 and successors): anything
// a subscriber could use to make the hub call into our own network is refused.
#include <arpa/inet.h>
#include <netdb.h>
#include <sys/socket.h>

#include <cstring>

#include "feeds/websub/hub.hpp"

namespace gazette::websub {

namespace {

bool private_v4(const std::uint8_t a[4]) {
  const std::uint32_t v = (std::uint32_t{a[0]} << 24) | (std::uint32_t{a[1]} << 16) | (std::uint32_t{a[2]} << 8) | a[3];
  auto in = [&](std::uint32_t net, int bits) { return (v >> (32 - bits)) == (net >> (32 - bits)); };
  return in(0x00000000, 8) ||    // "this network"
         in(0x0A000000, 8) ||    // private
         in(0x64400000, 10) ||   // shared address space (CGNAT)
         in(0x7F000000, 8) ||    // loopback
         in(0xA9FE0000, 16) ||   // link-local (and cloud metadata services)
         in(0xAC100000, 12) ||   // private
         in(0xC0000000, 24) ||   // IETF protocol assignments
         in(0xC0A80000, 16) ||   // private
         in(0xC6120000, 15) ||   // benchmarking
         in(0xE0000000, 4) ||    // multicast
         in(0xF0000000, 4);      // reserved, broadcast
}

}  // namespace

bool is_private_address(const std::string& address) {
  std::uint8_t buf[16];
  if (inet_pton(AF_INET, address.c_str(), buf) == 1) return private_v4(buf);
  if (inet_pton(AF_INET6, address.c_str(), buf) != 1) return true;  // not an address: not public
  static const std::uint8_t zero[16] = {};
  if (std::memcmp(buf, zero, 15) == 0 && (buf[15] == 0 || buf[15] == 1)) return true;  // :: and ::1
  static const std::uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (std::memcmp(buf, mapped, 12) == 0) return private_v4(buf + 12);
  if ((buf[0] & 0xfe) == 0xfc) return true;                    // unique local fc00::/7
  if (buf[0] == 0xfe && (buf[1] & 0xc0) == 0x80) return true;  // link-local fe80::/10
  if (buf[0] == 0xff) return true;                             // multicast
  return false;
}

Status check_public_host(const std::string& host) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (int rc = getaddrinfo(host.c_str(), nullptr, &hints, &found); rc != 0)
    return Status::not_found("callback host '" + host + "' does not resolve: " + gai_strerror(rc));
  Status result;
  for (addrinfo* a = found; a != nullptr && result.ok(); a = a->ai_next) {
    char text[INET6_ADDRSTRLEN] = {};
    const void* where = a->ai_family == AF_INET
                            ? static_cast<const void*>(&reinterpret_cast<sockaddr_in*>(a->ai_addr)->sin_addr)
                            : static_cast<const void*>(&reinterpret_cast<sockaddr_in6*>(a->ai_addr)->sin6_addr);
    if (inet_ntop(a->ai_family, where, text, sizeof text) == nullptr) continue;
    if (is_private_address(text))
      result = Status::invalid_input("callback host '" + host + "' is a private, loopback or link-local address (" +
                                     text + ")");
  }
  freeaddrinfo(found);
  return result;
}

}  // namespace gazette::websub
