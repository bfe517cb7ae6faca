// Method: a signature is made over the very bytes a consumer will fetch. The manifest is kept
// as published; the release list is made here, signed and kept with its signature; a
// changeset is rendered from the stored release exactly as the route that serves it renders
// it, hashed as it goes (BLAKE2b-512 for minisign, SHA-256 for its ETag), so that a backfill's
// changeset of every key is signed in the memory of a page.
#include <map>

#include "publisher/common/sha256.hpp"
#include "publisher/release/release.hpp"
#include "publisher/release/release_list.hpp"
#include "publisher/urls/urls.hpp"

namespace gazette {

namespace {

constexpr std::size_t kChangesetPage = 5000;

// What a signature vouches for besides the bytes: when it was made, which document it is (its
// URL, so that a signature cannot be passed off as another document's), and until when a
// release list may be trusted. minisign -V prints it.
std::string trusted_comment(UnixSeconds now, std::string_view url, UnixSeconds valid_until) {
  std::string comment = "timestamp:" + std::to_string(now) + " file:" + std::string(url.substr(url.rfind('/') + 1)) +
                        " url:" + std::string(url);
  if (valid_until != 0) comment += " valid_until:" + format_rfc3339(valid_until);
  return comment;
}

}  // namespace

std::string manifest_subject(std::string_view release) { return "manifest/" + std::string(release); }
std::string changes_subject(std::string_view release) { return "changes/" + std::string(release); }

// Where a rotation writes the new key before the store records it.
std::filesystem::path next_key_path(const std::filesystem::path& data_dir) {
  return signing_key_path(data_dir).string() + ".next";
}

Result<SigningKey> publisher_key(Store& store, const std::string& actor, std::vector<std::string>& notes) {
  const auto path = signing_key_path(store.dir());
  auto known = store.signing_keys();
  if (!known.ok()) return known.status();
  const PublicKeyRecord* current = nullptr;
  for (const auto& k : *known)
    if (k.retired_at == 0) current = &k;
  auto key = SigningKey::load(path);
  bool made = false;
  if (!key.ok() && key.status().code() == StatusCode::not_found) {
    // A key is made only for a store that never had one: a lost key is not silently replaced,
    // for its consumers trust it and no other.
    if (current != nullptr)
      return Status::conflict(path.string() + ", the store's signing key (" + current->id +
                              "), is missing: restore it from a backup (a new key would not be one its "
                              "consumers trust)");
    key = create_signing_key(store.dir());
    made = true;
  }
  if (!key.ok()) return key.status();
  if (current != nullptr && current->id == key->id_hex()) return key;
  if (current != nullptr) {
    // A rotation recorded its new key but was stopped before the key file was replaced.
    auto next = SigningKey::load(next_key_path(store.dir()));
    if (next.ok() && next->id_hex() == current->id) {
      std::error_code ec;
      std::filesystem::rename(next_key_path(store.dir()), path, ec);
      if (ec) return Status::io_error(path.string() + ": " + ec.message());
      notes.push_back("completed the rotation to signing key " + current->id);
      return next;
    }
  }
  if (current != nullptr)
    return Status::conflict(path.string() + " holds key " + key->id_hex() + ", but the store signs with key " +
                            current->id + " (gazette key rotate replaces a key)");
  for (const auto& k : *known)
    if (k.id == key->id_hex())
      return Status::conflict(path.string() + " holds key " + key->id_hex() + ", which a rotation retired");
  GAZETTE_RETURN_IF_ERROR(store.add_signing_key({key->id_hex(), key->public_key_file(), now_utc(), 0, ""}, actor));
  if (made) notes.push_back("made the publisher's signing key " + key->id_hex() + " in " + path.string());
  return key;
}

Result<Rotation> rotate_signing_key(Store& store, const std::string& actor, std::vector<std::string>& notes) {
  auto old = publisher_key(store, actor, notes);
  if (!old.ok()) return old.status();
  auto fresh = SigningKey::generate();
  if (!fresh.ok()) return fresh.status();
  const auto next_path = next_key_path(store.dir());
  std::error_code ec;
  std::filesystem::remove(next_path, ec);  // a rotation stopped before the store recorded it
  GAZETTE_RETURN_IF_ERROR(fresh->save(next_path));
  const UnixSeconds now = now_utc();
  const std::string pub = fresh->public_key_file();
  auto endorsement = old->sign(pub, trusted_comment(now, urls::key_file(fresh->id_hex()), 0) + " replaces:" +
                                        old->id_hex());
  if (!endorsement.ok()) return endorsement.status();
  // The commit point: from here the store signs with the new key.
  GAZETTE_RETURN_IF_ERROR(store.add_signing_key({fresh->id_hex(), pub, now, 0, *endorsement}, actor));
  std::filesystem::rename(next_path, signing_key_path(store.dir()), ec);
  if (ec) return Status::io_error(signing_key_path(store.dir()).string() + ": " + ec.message());
  Rotation r{old->id_hex(), std::move(*fresh), 0};
  auto datasets = store.list_datasets();
  if (!datasets.ok()) return datasets.status();
  for (const auto& d : *datasets) {
    auto releases = store.releases(d.id);
    if (!releases.ok()) return releases.status();
    if (releases->empty()) continue;
    auto list = sign_release_list(r.key, d.id, *releases, now);
    if (!list.ok()) return list.status();
    GAZETTE_RETURN_IF_ERROR(store.put_signatures(d.id, {std::move(*list)}, actor));
    ++r.lists_signed;
  }
  return r;
}

Result<StoredSignature> sign_document(const SigningKey& key, const std::string& subject, const std::string& url,
                                      std::string_view bytes, UnixSeconds now, UnixSeconds valid_until) {
  SignedDigest digest;
  digest.update(bytes);
  auto sig = key.sign_digest(digest.finish(), trusted_comment(now, url, valid_until));
  if (!sig.ok()) return sig.status();
  return StoredSignature{subject, key.id_hex(), now, valid_until, "", bytes.size(), to_hex(sha256(bytes)),
                         std::move(*sig)};
}

Result<StoredSignature> sign_release_list(const SigningKey& key, const std::string& dataset,
                                          const std::vector<Release>& releases, UnixSeconds now) {
  const UnixSeconds until = now + kReleaseListValidity;
  std::string doc = release_list_json(dataset, releases, now, until);
  auto sig = sign_document(key, kReleaseListSubject, urls::releases(dataset), doc, now, until);
  if (!sig.ok()) return sig.status();
  sig->document = std::move(doc);
  return sig;
}

ChangesetDocument::ChangesetDocument(Store& store, const Contract& contract, Release parent, Release release)
    : store_(store), contract_(contract), parent_(std::move(parent)), release_(std::move(release)) {}
ChangesetDocument::~ChangesetDocument() = default;

Result<bool> ChangesetDocument::next(std::string& out) {
  out.clear();
  if (done_) return false;
  if (!snapshot_) snapshot_ = std::make_unique<Store::ReadSnapshot>(store_);
  auto page = changeset_page(store_, contract_, release_.dataset, &parent_, release_, after_, kChangesetPage, summary_);
  if (!page.ok()) return page.status();
  if (!summary_) {
    summary_ = page->changeset.summary;
    out = changeset_json_head(page->changeset);
  }
  for (const auto& ch : page->changeset.changes) {
    if (!first_) out += ',';
    first_ = false;
    out += change_json(ch);
  }
  if (!page->changeset.changes.empty()) after_ = page->changeset.changes.back().key;
  if (!page->more || page->changeset.changes.empty()) {
    out += changeset_json_tail();
    done_ = true;
    snapshot_.reset();
  }
  return true;
}

Result<ChangesetDigests> digest_changeset_document(Store& store, const Contract& contract, const Release& parent,
                                                   const Release& release) {
  ChangesetDocument doc(store, contract, parent, release);
  SignedDigest digest;
  Sha256 hash;
  ChangesetDigests out;
  std::string piece;
  for (;;) {
    auto more = doc.next(piece);
    if (!more.ok()) return more.status();
    if (!*more) break;
    digest.update(piece);
    hash.update(piece);
    out.bytes += piece.size();
  }
  out.blake2b512 = digest.finish();
  out.sha256 = to_hex(hash.finish());
  return out;
}

Result<std::size_t> sign_unsigned(Store& store, const SigningKey& key, const std::string& dataset,
                                  const std::string& actor, UnixSeconds now) {
  auto releases = store.releases(dataset);
  if (!releases.ok()) return releases.status();
  auto kept = store.signatures(dataset);
  if (!kept.ok()) return kept.status();
  std::vector<StoredSignature> made;
  std::map<int, Contract> contracts;  // by version, parsed once
  for (std::size_t i = 0; i < releases->size(); ++i) {
    const Release& r = (*releases)[i];
    if (!kept->count(manifest_subject(r.id))) {
      auto sig = sign_document(key, manifest_subject(r.id), urls::manifest(dataset, r.id), r.manifest_json, now);
      if (!sig.ok()) return sig.status();
      made.push_back(std::move(*sig));
    }
    if (i == 0 || kept->count(changes_subject(r.id))) continue;
    if (!contracts.count(r.contract_version)) {
      auto c = release_contract(store, r);
      if (!c.ok()) return c.status();
      contracts.emplace(r.contract_version, std::move(*c));
    }
    const Release& parent = (*releases)[i - 1];
    auto digests = digest_changeset_document(store, contracts.at(r.contract_version), parent, r);
    if (!digests.ok()) return digests.status();
    const std::string url = urls::changes_file(dataset, parent.id, r.id);
    auto sig = key.sign_digest(digests->blake2b512, trusted_comment(now, url, 0));
    if (!sig.ok()) return sig.status();
    made.push_back({changes_subject(r.id), key.id_hex(), now, 0, "", digests->bytes, std::move(digests->sha256),
                    std::move(*sig)});
  }
  // The kept list is current when it is what this gazette would sign for these releases now.
  auto list = kept->find(kReleaseListSubject);
  const bool list_current =
      releases->empty() ||
      (list != kept->end() && list->second.valid_until > now &&
       list->second.document == release_list_json(dataset, *releases, list->second.signed_at, list->second.valid_until));
  if (!list_current) {
    auto sig = sign_release_list(key, dataset, *releases, now);
    if (!sig.ok()) return sig.status();
    made.push_back(std::move(*sig));
  }
  if (made.empty()) return std::size_t{0};
  GAZETTE_RETURN_IF_ERROR(store.put_signatures(dataset, made, actor));
  return made.size();
}

}  // namespace gazette
