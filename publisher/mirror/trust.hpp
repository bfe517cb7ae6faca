// Which of the publisher's keys a mirror trusts, and how it comes to trust another: the key
// given with --key, or those the publisher serves at /keys on first use (pinned from then on);
// a key the publisher rotated to is trusted once a chain of endorsements (the new public key
// signed by the old) leads to it from a trusted key. Internal to publisher/mirror.
//
// Thread-safety: plain values; follow_rotation uses the caller's Remote.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "publisher/common/status.hpp"
#include "publisher/mirror/remote.hpp"
#include "publisher/signing/signing.hpp"

namespace gazette::mirror_detail {

struct TrustedKey {
  std::string id;          // as minisign prints it
  std::string public_key;  // minisign's .pub text
};

// A minisign public key as given on the command line: the .pub file's text, or its base64 line
// (what `minisign -P` takes). Refuses anything else.
Result<TrustedKey> parse_public_key(std::string_view text, const std::string& source);

// One `name:value` field of a trusted comment ("url", "valid_until", "timestamp").
std::string comment_field(std::string_view trusted_comment, std::string_view name);

class Trust {
 public:
  explicit Trust(std::vector<TrustedKey> keys) : keys_(std::move(keys)) {}
  const std::vector<TrustedKey>& keys() const { return keys_; }
  bool trusts(std::string_view id) const { return find(id) != nullptr; }

  // Checks a detached signature of `data` (or of its BLAKE2b-512, for check_digest) by a
  // trusted key, made for the document at `url_path` (the trusted comment names it, so that a
  // signature cannot vouch for another document).
  Result<VerifiedSignature> check(std::string_view data, std::string_view signature, std::string_view url_path) const;
  Result<VerifiedSignature> check_digest(std::string_view blake2b512, std::string_view signature,
                                         std::string_view url_path) const;
  // The key that signed `signature`, when it is not yet trusted: follows the publisher's
  // endorsements at /keys back to a trusted key, trusts every key on the way, and returns their
  // ids (oldest first). Refuses when no chain leads to a trusted key.
  Result<std::vector<std::string>> follow_rotation(Remote& remote, std::string_view signature);

 private:
  const TrustedKey* find(std::string_view id) const;
  // The trusted key that made `signature`, or why there is none.
  Result<const TrustedKey*> signer(std::string_view signature) const;
  Result<VerifiedSignature> checked(Result<VerifiedSignature> verified, std::string_view url_path) const;
  std::vector<TrustedKey> keys_;
};

// Trust on first use: every key the publisher lists at /keys.
Result<std::vector<TrustedKey>> keys_on_first_use(Remote& remote);

}  // namespace gazette::mirror_detail
