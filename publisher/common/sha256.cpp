#include "publisher/common/sha256.hpp"

#include <openssl/evp.h>

#include <memory>
#include <stdexcept>

namespace gazette {

namespace {
// Fetched once: an implicit fetch (EVP_sha256()) per hash takes OpenSSL 3's provider locks,
// which dominated hashing small records.
const EVP_MD* sha256_md() {
  static EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  return md;
}
}  // namespace

struct Sha256::Impl {
  EVP_MD_CTX* ctx = nullptr;
};

Sha256::Sha256() : impl_(std::make_unique<Impl>()) {
  impl_->ctx = EVP_MD_CTX_new();
  // Failure here is out-of-memory inside OpenSSL: a programmer-level catastrophe.
  if (impl_->ctx == nullptr || EVP_DigestInit_ex(impl_->ctx, sha256_md(), nullptr) != 1)
    throw std::runtime_error("EVP_DigestInit_ex failed");
}

Sha256::~Sha256() { EVP_MD_CTX_free(impl_->ctx); }

void Sha256::update(std::string_view bytes) {
  EVP_DigestUpdate(impl_->ctx, bytes.data(), bytes.size());
}

Digest Sha256::finish() {
  Digest d{};
  unsigned int n = 0;
  EVP_DigestFinal_ex(impl_->ctx, d.data(), &n);
  return d;
}

Digest sha256(std::string_view bytes) {
  // One context per thread, reused: hashing every record of a national release is hot. It is
  // freed when the thread ends (server and hub threads come and go).
  thread_local std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> owned(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  EVP_MD_CTX* ctx = owned.get();
  Digest d{};
  unsigned int n = 0;
  if (ctx == nullptr || EVP_DigestInit_ex(ctx, sha256_md(), nullptr) != 1 ||
      EVP_DigestUpdate(ctx, bytes.data(), bytes.size()) != 1 ||
      EVP_DigestFinal_ex(ctx, d.data(), &n) != 1)
    throw std::runtime_error("SHA-256 failed");
  return d;
}

std::string to_hex(const Digest& d) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(64);
  for (auto b : d) {
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 15]);
  }
  return out;
}

std::string to_base64(const Digest& d) {
  std::string out(4 * ((d.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), d.data(),
                          static_cast<int>(d.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

}  // namespace gazette

#include <openssl/hmac.h>

namespace gazette {

Digest hmac_sha256(std::string_view key, std::string_view message) {
  Digest d{};
  unsigned int n = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(), d.data(), &n);
  return d;
}

}  // namespace gazette
