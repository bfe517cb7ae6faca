// SHA-256 (OpenSSL EVP), incremental, for artefact hashes, record hashes and candidate ids.
//
// Thread-safety: one Sha256 per thread; the free functions are reentrant.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace gazette {

using Digest = std::array<std::uint8_t, 32>;

class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void update(std::string_view bytes);
  // Returns the digest; the object must not be updated afterwards.
  Digest finish();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

Digest sha256(std::string_view bytes);
// HMAC-SHA256 of `message` under `key` (WebSub's X-Hub-Signature).
Digest hmac_sha256(std::string_view key, std::string_view message);
std::string to_hex(const Digest& d);
std::string to_base64(const Digest& d);

}  // namespace gazette
