// Method: classify by the IANA special-purpose registries (RFC 6890 and successors): anything
// a subscriber could use to make the hub call into our own network is refused.
#include <arpa/inet.h>
#include <sys/socket.h>

#include <cctype>
#include <cstring>
#include <initializer_list>

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
  auto starts = [&](std::initializer_list<std::uint8_t> prefix) {
    return std::memcmp(buf, prefix.begin(), prefix.size()) == 0;
  };
  // IPv4 carried inside IPv6 is judged as the IPv4 address it reaches: compatible (::a.b.c.d,
  // which includes :: and ::1), mapped (::ffff:a.b.c.d), NAT64 (64:ff9b::a.b.c.d) and 6to4
  // (2002:AABB:CCDD::).
  if (starts({0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0})) return true;  // compatible: deprecated, and :: and ::1
  if (starts({0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff})) return private_v4(buf + 12);
  if (starts({0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0})) return private_v4(buf + 12);
  if (starts({0, 0x64, 0xff, 0x9b, 0, 1})) return true;         // local-use NAT64 64:ff9b:1::/48
  if (starts({0x20, 0x02})) return private_v4(buf + 2);          // 6to4
  if (starts({0x20, 0x01, 0x0d, 0xb8})) return true;             // documentation
  if (starts({0x20, 0x01, 0, 0})) return true;                   // Teredo: the IPv4 inside is obscured
  if (starts({0x01, 0, 0, 0, 0, 0, 0, 0})) return true;          // discard-only 100::/64
  if ((buf[0] & 0xfe) == 0xfc) return true;                      // unique local fc00::/7
  if (buf[0] == 0xfe && (buf[1] & 0xc0) == 0x80) return true;    // link-local fe80::/10
  if (buf[0] == 0xfe && (buf[1] & 0xc0) == 0xc0) return true;    // site-local fec0::/10 (deprecated)
  if (buf[0] == 0xff) return true;                               // multicast
  return false;
}

Status check_callback_host(const std::string& host) {
  // Names this host answers for itself (RFC 6761), in any letter case, with or without the
  // root's trailing dot.
  std::string name;
  for (char c : host) name.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  if (!name.empty() && name.back() == '.') name.pop_back();
  const std::string suffix = ".localhost";
  const bool local_name = name == "localhost" ||
                          (name.size() > suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0);
  unsigned char buf[16];
  const bool literal = inet_pton(AF_INET, host.c_str(), buf) == 1 || inet_pton(AF_INET6, host.c_str(), buf) == 1;
  if (local_name || (literal && is_private_address(host)))
    return Status::invalid_input("callback host '" + host + "' is a private, loopback or link-local address");
  return {};
}

}  // namespace gazette::websub
