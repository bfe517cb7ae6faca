// Method: `gazette fsck` reads everything it checks the slow way, never trusting one copy of
// a fact to vouch for another. Each release's manifest (what consumers were told) is compared
// with the release's rows; every kept artefact file is hashed whole; every evicted one is
// rendered again from the stored records and hashed; the records are counted; the ledger must
// list the releases in the order they were published; and SQLite checks its own file and the
// triggers that keep history immutable; every signature verifies against the bytes consumers
// receive. Nothing is written unless --repair, which removes only files no release references
// and signs what is unsigned (a store from before keys, a release stopped before its changeset
// was signed) or stale (an expired release list).
#include <nlohmann/json.hpp>

#include "publisher/common/file_io.hpp"
#include "publisher/release/release_list.hpp"
#include "publisher/release/release.hpp"

namespace gazette {

namespace {

// What a manifest says about the release, read back from the text consumers received.
struct ManifestFacts {
  std::string dataset, release, renderer;
  std::uint64_t record_count = 0;
  struct File {
    std::string name, sha256;
    std::uint64_t bytes = 0;
  };
  std::vector<File> artefacts;
};

Result<ManifestFacts> read_manifest(const std::string& text) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return Status::corruption("manifest is not a JSON object");
  ManifestFacts m;
  try {
    m.dataset = j.at("dataset").get<std::string>();
    m.release = j.at("release").get<std::string>();
    m.renderer = j.value("renderer", "");
    m.record_count = j.at("record_count").get<std::uint64_t>();
    for (const auto& a : j.at("artefacts"))
      m.artefacts.push_back({a.at("name").get<std::string>(), a.at("sha256").get<std::string>(),
                             a.at("bytes").get<std::uint64_t>()});
  } catch (const nlohmann::json::exception& e) {
    return Status::corruption(std::string("manifest lacks what a manifest has: ") + e.what());
  }
  return m;
}

std::optional<ArtefactFormat> format_of(const std::string& name) {
  const std::size_t dot = name.rfind('.');
  return dot == std::string::npos ? std::nullopt : format_from_extension(std::string_view(name).substr(dot + 1));
}

class Checker {
 public:
  Checker(Store& store, FsckReport& report) : store_(store), report_(report) {}

  void problem(const std::string& where, const std::string& what) { report_.problems.push_back(where + ": " + what); }

  Status check_release(const Release& r) {
    const std::string where = "release " + r.id;
    ++report_.releases;
    auto manifest = read_manifest(r.manifest_json);
    if (!manifest.ok()) {
      problem(where, manifest.status().message());
      return {};
    }
    if (manifest->dataset != r.dataset || manifest->release != r.id)
      problem(where, "its manifest names " + manifest->dataset + " " + manifest->release);
    if (manifest->record_count != r.record_count)
      problem(where, "its manifest says " + std::to_string(manifest->record_count) + " records, the store " +
                         std::to_string(r.record_count));
    // The records, counted one by one.
    std::uint64_t counted = 0;
    GAZETTE_RETURN_IF_ERROR(store_.for_each_record_hash(r.dataset, r.seq, [&](std::string_view, const Digest&) {
      ++counted;
      return Status{};
    }));
    report_.records += counted;
    if (counted != r.record_count)
      problem(where, "holds " + std::to_string(counted) + " records, but was published with " +
                         std::to_string(r.record_count));
    // The artefacts: those the manifest lists, as the store holds them.
    if (manifest->artefacts.size() != r.artefacts.size())
      problem(where, "its manifest lists " + std::to_string(manifest->artefacts.size()) + " artefacts, the store " +
                         std::to_string(r.artefacts.size()));
    for (const auto& listed : manifest->artefacts) {
      const Artefact* a = nullptr;
      for (const auto& candidate : r.artefacts)
        if (candidate.name == listed.name) a = &candidate;
      const std::string at = where + " " + listed.name;
      if (a == nullptr) {
        problem(at, "listed in the manifest, unknown to the store");
        continue;
      }
      if (a->sha256 != listed.sha256 || a->bytes != listed.bytes)
        problem(at, "the store records sha256:" + a->sha256 + ", the manifest sha256:" + listed.sha256);
      GAZETTE_RETURN_IF_ERROR(check_artefact(r, *a, listed, *manifest, at));
    }
    return {};
  }

 private:
  Status check_artefact(const Release& r, const Artefact& a, const ManifestFacts::File& listed,
                        const ManifestFacts& manifest, const std::string& at) {
    ++report_.artefacts;
    if (!a.evicted) {
      check_file(store_.object_path(a.sha256), listed.sha256, listed.bytes, at);
      if (!a.gzip_sha256.empty()) check_file(store_.object_path(a.gzip_sha256), a.gzip_sha256, a.gzip_bytes, at + ".gz");
      return {};
    }
    // Evicted: the bytes must come back from the records, exactly.
    if (renderer_version(manifest.renderer) == 0) {
      problem(at, "evicted, but " + missing_renderer(manifest.renderer));
      return {};
    }
    const auto format = format_of(a.name);
    if (!format) {
      problem(at, "evicted, and no renderer makes a file of this name");
      return {};
    }
    if (!contract_ || contract_version_ != r.contract_version) {
      auto c = release_contract(store_, r);
      if (!c.ok()) {
        problem(at, "cannot be rendered again: " + c.status().message());
        return {};
      }
      contract_ = std::move(*c);
      contract_version_ = r.contract_version;
    }
    auto sha = rendered_sha256(store_, *contract_, r, *format);
    if (!sha.ok()) return sha.status();
    ++report_.rendered;
    if (*sha != listed.sha256) problem(at, "evicted, and rendering it again gives sha256:" + *sha + ", not the manifest's");
    return {};
  }

  void check_file(const std::filesystem::path& path, const std::string& sha256, std::uint64_t bytes,
                  const std::string& at) {
    auto d = digest_file(path);
    if (!d.ok()) {
      problem(at, "file " + path.string() + " cannot be read: " + d.status().message());
      return;
    }
    report_.bytes += d->bytes;
    if (d->bytes != bytes)
      problem(at, "file " + path.string() + " has " + std::to_string(d->bytes) + " bytes, not " + std::to_string(bytes));
    else if (d->sha256 != sha256)
      problem(at, "file " + path.string() + " hashes to sha256:" + d->sha256 + ", not sha256:" + sha256);
  }

  Store& store_;
  FsckReport& report_;
  std::optional<Contract> contract_;
  int contract_version_ = 0;
};

// A release's areas: they hold its records, and its signed index is the index of its areas
// as stored, signed by a key the store knows.
template <typename VerifyKept>
Status check_areas(Store& store, const Release& r, Checker& checker, VerifyKept&& verify_kept) {
  auto index = store.signature(r.dataset, areas_subject(r.id));
  if (!index.ok()) return index.status();
  if (!*index) return {};  // cut without a partition
  const std::string where = "release " + r.id + " areas";
  auto areas = store.release_areas(r.dataset, r.id);
  if (!areas.ok()) {
    checker.problem(where, areas.status().message());
    return {};
  }
  std::uint64_t records = 0;
  for (const auto& a : *areas) records += a.records;
  if (records != r.record_count)
    checker.problem(where, "hold " + std::to_string(records) + " records, the release " + std::to_string(r.record_count));
  auto contract = release_contract(store, r);
  if (!contract.ok()) return contract.status();
  if (!contract->partition || area_index_json(*contract, r, *areas) != (*index)->document)
    checker.problem(where, "the signed area index is not the index of the areas kept");
  const StoredSignature& sig = **index;
  verify_kept(where, sig, [&](const std::string& pub) { return verify_signature(pub, sig.document, sig.signature); });
  return {};
}

// Every signature kept for the dataset verifies, by the key that made it, against the bytes
// consumers receive: the manifest as kept, the changeset rendered again, the list as kept.
Status check_signatures(Store& store, const std::vector<Release>& releases, Checker& checker) {
  if (releases.empty()) return {};
  const std::string& dataset = releases.front().dataset;
  auto kept = store.signatures(dataset);
  if (!kept.ok()) return kept.status();
  auto keys = store.signing_keys();
  if (!keys.ok()) return keys.status();
  auto verify_kept = [&](const std::string& where, const StoredSignature& sig, auto&& verify) {
    for (const auto& k : *keys)
      if (k.id == sig.key_id) {
        auto v = verify(k.public_key);
        if (!v.ok()) checker.problem(where, "its signature does not verify: " + v.status().message());
        return;
      }
    checker.problem(where, "signed by key " + sig.key_id + ", which the store does not know");
  };
  const char* unsigned_note = "not signed (--repair signs it)";
  for (std::size_t i = 0; i < releases.size(); ++i) {
    const Release& r = releases[i];
    const std::string where = "release " + r.id;
    if (auto it = kept->find(manifest_subject(r.id)); it == kept->end())
      checker.problem(where, std::string("manifest ") + unsigned_note);
    else
      verify_kept(where + " manifest", it->second,
                  [&](const std::string& pub) { return verify_signature(pub, r.manifest_json, it->second.signature); });
    GAZETTE_RETURN_IF_ERROR(check_areas(store, r, checker, verify_kept));
    if (i == 0) continue;
    auto it = kept->find(changes_subject(r.id));
    if (it == kept->end()) {
      checker.problem(where, std::string("changeset ") + unsigned_note);
      continue;
    }
    auto contract = release_contract(store, r);
    if (!contract.ok()) return contract.status();
    auto digests = digest_changeset_document(store, *contract, releases[i - 1], r);
    if (!digests.ok()) return digests.status();
    if (digests->bytes != it->second.bytes || digests->sha256 != it->second.sha256)
      checker.problem(where, "its changeset renders to other bytes than were signed");
    verify_kept(where + " changeset", it->second,
                [&](const std::string& pub) { return verify_digest(pub, digests->blake2b512, it->second.signature); });
  }
  auto list = kept->find(kReleaseListSubject);
  if (list == kept->end()) {
    checker.problem("release list", unsigned_note);
    return {};
  }
  const StoredSignature& ls = list->second;
  verify_kept("release list", ls, [&](const std::string& pub) { return verify_signature(pub, ls.document, ls.signature); });
  if (ls.document != release_list_json(dataset, releases, ls.signed_at, ls.valid_until))
    checker.problem("release list", "the signed list is not the list of today's releases (--repair signs it)");
  else if (ls.valid_until <= now_utc())
    checker.problem("release list", "its signature expired at " + format_rfc3339(ls.valid_until) +
                                        " (the next release, or --repair, signs it afresh)");
  return {};
}

}  // namespace

Result<FsckReport> fsck(Store& store, const std::string& dataset, const FsckOptions& options) {
  FsckReport report;
  auto info = store.dataset(dataset);
  if (!info.ok()) return info.status();
  auto structure = store.structure_problems();
  if (!structure.ok()) return structure.status();
  report.problems = std::move(*structure);

  auto releases = store.releases(dataset);
  if (!releases.ok()) return releases.status();
  Checker checker(store, report);
  for (const auto& r : *releases) GAZETTE_RETURN_IF_ERROR(checker.check_release(r));
  if (options.repair) {
    std::vector<std::string> notes;
    auto key = publisher_key(store, "gazette", notes);
    if (!key.ok()) return key.status();
    auto made = sign_unsigned(store, *key, dataset, "gazette", now_utc());
    if (!made.ok()) return made.status();
    report.signed_now = *made;
  }
  GAZETTE_RETURN_IF_ERROR(check_signatures(store, *releases, checker));

  // The ledger lists each release once, in the order of publication.
  auto ledger = store.ledger(dataset);
  if (!ledger.ok()) return ledger.status();
  std::vector<std::string> in_ledger;
  for (const auto& e : *ledger)
    if (e.action == LedgerAction::release) in_ledger.push_back(e.subject);
  std::vector<std::string> published;
  for (const auto& r : *releases) published.push_back(r.id);
  if (in_ledger != published) {
    for (std::size_t i = 0; i < std::max(in_ledger.size(), published.size()); ++i) {
      const std::string l = i < in_ledger.size() ? in_ledger[i] : "(nothing)";
      const std::string p = i < published.size() ? published[i] : "(nothing)";
      if (l != p) {
        checker.problem("ledger", "release " + std::to_string(i + 1) + " is " + l + " in the ledger but " + p +
                                      " in the store");
        break;
      }
    }
  }
  for (std::size_t i = 1; i < releases->size(); ++i)
    if ((*releases)[i].published_at <= (*releases)[i - 1].published_at)
      checker.problem("release " + (*releases)[i].id, "published no later than the release before it");

  auto loose = options.repair ? store.remove_unreferenced_files() : store.unreferenced_files();
  if (!loose.ok()) return loose.status();
  if (options.repair) loose->insert(loose->begin(), store.swept_on_open().begin(), store.swept_on_open().end());
  for (const auto& f : *loose) {
    if (options.repair)
      report.removed.push_back(f);
    else
      checker.problem(std::filesystem::relative(f, store.dir()).string(), "no release references this file (--repair removes it)");
  }
  return report;
}

}  // namespace gazette
