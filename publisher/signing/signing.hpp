// The publisher's Ed25519 signing key (OpenSSL), and detached signatures in minisign's format,
// so that a consumer can check a manifest, a changeset or a release list with Debian's
// `minisign -V` as well as with gazette, offline and years later.
//
// minisign's formats (https://jedisct1.github.io/minisign/):
//   public key  "untrusted comment: …\n" base64("Ed" ‖ key id (8) ‖ public key (32)) "\n"
//   signature   "untrusted comment: …\n" base64("ED" ‖ key id ‖ Ed25519(BLAKE2b-512(file))) "\n"
//               "trusted comment: T\n"   base64(Ed25519(signature ‖ T)) "\n"
// The trusted comment is signed too: it carries what the signature vouches for beyond the
// bytes (the release list's validity window).
//
// Thread-safety: a SigningKey is immutable once made; its methods may be called concurrently.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "publisher/common/status.hpp"

namespace gazette {

using KeyId = std::array<std::uint8_t, 8>;

// What a minisign signature signs: the BLAKE2b-512 of the file, fed as it is produced, so that
// a document larger than memory (a backfill's changeset) is signed and checked in one pass.
class SignedDigest {
 public:
  SignedDigest();
  ~SignedDigest();
  SignedDigest(const SignedDigest&) = delete;
  SignedDigest& operator=(const SignedDigest&) = delete;
  void update(std::string_view bytes);
  std::string finish();  // 64 bytes; empty if BLAKE2b-512 is not available

 private:
  struct Ctx;
  std::unique_ptr<Ctx> ctx_;
};

class SigningKey {
 public:
  // A new key with a random id.
  static Result<SigningKey> generate();
  // Reads a key written by save(); refuses a file others may read.
  static Result<SigningKey> load(const std::filesystem::path& file);
  // Writes the key to `file` (created with mode 0600, never over an existing file).
  Status save(const std::filesystem::path& file) const;

  const KeyId& id() const { return id_; }
  // The id as minisign prints it ("E0A1…", 16 upper-case hex digits).
  std::string id_hex() const;
  // The public key as minisign's .pub file.
  std::string public_key_file() const;
  // A detached signature of `data` as minisign's .minisig file. `trusted_comment` is one line.
  Result<std::string> sign(std::string_view data, std::string_view trusted_comment) const;
  // The same, for data already hashed with SignedDigest.
  Result<std::string> sign_digest(std::string_view blake2b512, std::string_view trusted_comment) const;

 private:
  KeyId id_{};
  std::array<std::uint8_t, 32> seed_{};  // the private key
  std::array<std::uint8_t, 32> public_{};
};

struct VerifiedSignature {
  std::string key_id;           // as id_hex()
  std::string trusted_comment;  // what the signer vouched for besides the bytes
};

// Where a store keeps its publisher's signing key: DATA/keys/signing.key, outside every path
// the server or an export serves, owner-only.
std::filesystem::path signing_key_path(const std::filesystem::path& data_dir);
// Makes the store's signing key; refuses when it has one (a new key is a rotation).
Result<SigningKey> create_signing_key(const std::filesystem::path& data_dir);

// Checks a minisign signature of `data` against a minisign public key file's text: the key
// id, the signature of the bytes (prehashed "ED" or legacy "Ed"), and the trusted comment.
Result<VerifiedSignature> verify_signature(std::string_view public_key_file, std::string_view data,
                                           std::string_view signature_file);
// The same, for data already hashed with SignedDigest (a prehashed "ED" signature only).
Result<VerifiedSignature> verify_digest(std::string_view public_key_file, std::string_view blake2b512,
                                        std::string_view signature_file);
// The key id (as id_hex()) a minisign signature or public key file names, unverified: which
// of several keys to check it with.
std::optional<std::string> signature_key_id(std::string_view minisign_file);

}  // namespace gazette
