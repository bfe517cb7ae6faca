#include "publisher/mirror/trust.hpp"

#include <nlohmann/json.hpp>

#include "publisher/urls/urls.hpp"

namespace gazette::mirror_detail {

namespace {

using json = nlohmann::json;

constexpr int kMaxRotations = 64;  // a longer chain of endorsements is not followed

struct ListedKey {
  std::string id, public_key, endorsement;
};

Result<std::vector<ListedKey>> listed_keys(Remote& remote) {
  auto text = remote.text(urls::keys(), 1u << 20);
  if (!text.ok()) return text.status();
  auto doc = json::parse(*text, nullptr, false);
  if (doc.is_discarded() || !doc.is_object() || !doc.contains("keys") || !doc["keys"].is_array())
    return Status::invalid_input(remote.url(urls::keys()) + ": not the publisher's key list");
  std::vector<ListedKey> keys;
  const json& list = doc["keys"];
  for (const auto& k : list) {
    if (!k.is_object() || !k.contains("id") || !k["id"].is_string() || !k.contains("public_key") ||
        !k["public_key"].is_string())
      return Status::invalid_input(remote.url(urls::keys()) + ": a key without id or public_key");
    ListedKey listed{k["id"].get<std::string>(), k["public_key"].get<std::string>(), ""};
    if (k.contains("endorsement") && k["endorsement"].is_string()) listed.endorsement = k["endorsement"].get<std::string>();
    keys.push_back(std::move(listed));
  }
  return keys;
}

}  // namespace

Result<TrustedKey> parse_public_key(std::string_view text, const std::string& source) {
  std::string pub(text);
  if (pub.rfind("untrusted comment:", 0) != 0) {
    while (!pub.empty() && (pub.back() == '\n' || pub.back() == '\r' || pub.back() == ' ')) pub.pop_back();
    pub = "untrusted comment: minisign public key\n" + pub + "\n";
  }
  auto id = signature_key_id(pub);
  if (!id) return Status::invalid_input(source + ": not a minisign public key (its .pub file, or the line minisign -P takes)");
  return TrustedKey{*id, pub};
}

std::string comment_field(std::string_view comment, std::string_view name) {
  std::size_t at = 0;
  while (at < comment.size()) {
    std::size_t end = comment.find(' ', at);
    if (end == std::string_view::npos) end = comment.size();
    auto field = comment.substr(at, end - at);
    if (field.size() > name.size() && field.substr(0, name.size()) == name && field[name.size()] == ':')
      return std::string(field.substr(name.size() + 1));
    at = end + 1;
  }
  return "";
}

const TrustedKey* Trust::find(std::string_view id) const {
  for (const auto& k : keys_)
    if (k.id == id) return &k;
  return nullptr;
}

Result<VerifiedSignature> Trust::checked(Result<VerifiedSignature> verified, std::string_view url_path) const {
  if (!verified.ok()) return verified.status();
  const auto signed_for = comment_field(verified->trusted_comment, "url");
  if (signed_for != url_path)
    return Status::invalid_input("the signature is for " + (signed_for.empty() ? "no named document" : signed_for) +
                                 ", not " + std::string(url_path));
  return verified;
}

Result<const TrustedKey*> Trust::signer(std::string_view signature) const {
  auto id = signature_key_id(signature);
  const TrustedKey* key = id ? find(*id) : nullptr;
  if (!key) return Status::invalid_input("signed by key " + id.value_or("(unreadable)") + ", which is not trusted");
  return key;
}

Result<VerifiedSignature> Trust::check(std::string_view data, std::string_view signature,
                                       std::string_view url_path) const {
  auto key = signer(signature);
  if (!key.ok()) return key.status();
  return checked(verify_signature((*key)->public_key, data, signature), url_path);
}

Result<VerifiedSignature> Trust::check_digest(std::string_view blake2b512, std::string_view signature,
                                              std::string_view url_path) const {
  auto key = signer(signature);
  if (!key.ok()) return key.status();
  return checked(verify_digest((*key)->public_key, blake2b512, signature), url_path);
}

Result<std::vector<std::string>> Trust::follow_rotation(Remote& remote, std::string_view signature) {
  auto wanted = signature_key_id(signature);
  if (!wanted) return Status::invalid_input("not a minisign signature");
  auto listed = listed_keys(remote);
  if (!listed.ok()) return listed.status();
  // Walk back from the signer through each key's endorser until a trusted key.
  std::vector<std::pair<ListedKey, std::string>> path;  // key, its endorsement's text
  std::string id = *wanted;
  for (int step = 0; !find(id); ++step) {
    const ListedKey* key = nullptr;
    for (const auto& k : *listed)
      if (k.id == id) key = &k;
    if (!key || key->endorsement.empty() || step == kMaxRotations)
      return Status::invalid_input("signed by key " + *wanted + ", which no trusted key endorses (" +
                                   remote.url(urls::keys()) + ")");
    auto endorsement = remote.text(key->endorsement, 4096);
    if (!endorsement.ok()) return endorsement.status();
    auto endorser = signature_key_id(*endorsement);
    if (!endorser) return Status::invalid_input(remote.url(key->endorsement) + ": not a minisign signature");
    path.emplace_back(*key, *endorsement);
    id = *endorser;
  }
  std::vector<std::string> trusted;
  for (auto it = path.rbegin(); it != path.rend(); ++it) {
    auto pub = remote.text(urls::key_file(it->first.id), 4096);
    if (!pub.ok()) return pub.status();
    auto parsed = parse_public_key(*pub, remote.url(urls::key_file(it->first.id)));
    if (!parsed.ok()) return parsed.status();
    if (parsed->id != it->first.id) return Status::invalid_input(remote.url(urls::key_file(it->first.id)) + ": another key");
    auto verified = check(*pub, it->second, urls::key_file(it->first.id));
    if (!verified.ok())
      return Status::invalid_input(remote.url(it->first.endorsement) + ": " + verified.status().message());
    keys_.push_back(*parsed);
    trusted.push_back(parsed->id);
  }
  return trusted;
}

Result<std::vector<TrustedKey>> keys_on_first_use(Remote& remote) {
  auto listed = listed_keys(remote);
  if (!listed.ok()) return listed.status();
  std::vector<TrustedKey> keys;
  for (const auto& k : *listed) {
    auto parsed = parse_public_key(k.public_key, remote.url(urls::keys()));
    if (!parsed.ok()) return parsed.status();
    if (parsed->id != k.id) return Status::invalid_input(remote.url(urls::keys()) + ": key " + k.id + " is another key");
    keys.push_back(*parsed);
  }
  if (keys.empty()) return Status::invalid_input(remote.url(urls::keys()) + ": the publisher lists no key");
  return keys;
}

}  // namespace gazette::mirror_detail
