// Method: compare the candidate with the newest release key by key, by hash (equal: publish
// nothing). The candidate stays mapped, never copied, and the changeset kept with the release
// is the gate's own: a national release holds one copy of what it changed, not three. Otherwise render each artefact through a 1 MiB buffer into a durable temporary
// file while hashing it, move it to objects/ under its SHA-256, and only then commit the one
// transaction that makes the release visible. Crash points name each step for the crash tests.
#include <nlohmann/json.hpp>
#include <unistd.h>

#include "publisher/common/file_io.hpp"
#include "publisher/common/gzip.hpp"
#include "publisher/common/ids.hpp"
#include "publisher/contract/contract.hpp"
#include "publisher/release/release.hpp"
#include "publisher/release/render_stream.hpp"
#include "publisher/urls/urls.hpp"

namespace gazette {

namespace {


// Renders an artefact of a published release from its stored records into `sink`.
template <typename Sink>
Status render_stored_release(Store& store, const Contract& contract, const Release& release, ArtefactFormat format,
                             Sink&& sink) {
  if (renderer_version(release.renderer) == 0)
    return Status::corruption(release.dataset + " " + release.id + ": " + missing_renderer(release.renderer));
  return render_stream(
      contract, release_header(release), format,
      [&](auto&& emit) -> Status {
        return store.for_each_record(release.dataset, release.seq,
                                     [&](std::string_view, std::string_view body) { return emit(body); });
      },
      std::forward<Sink>(sink));
}

// Objects a release placed that were not there before it: removed again unless the release
// commits, so that a release that fails (a full disk above all) leaves the store as it found
// it and gives its space back at once. An object that was already there belongs to another
// release (the same bytes published before) and is never touched.
class NewObjects {
 public:
  NewObjects() = default;
  NewObjects(const NewObjects&) = delete;
  NewObjects& operator=(const NewObjects&) = delete;
  ~NewObjects() {
    for (const auto& p : paths_) {
      std::error_code ec;
      std::filesystem::remove(p, ec);
    }
  }
  void add(std::filesystem::path p) { paths_.push_back(std::move(p)); }
  void keep() { paths_.clear(); }

 private:
  std::vector<std::filesystem::path> paths_;
};

// Moves a finished temporary file to objects/ under its hash.
Status place_object(Store& store, DurableFile& file, const std::string& sha256_hex, NewObjects& placed) {
  auto final_path = store.object_path(sha256_hex);
  std::error_code ec;
  std::filesystem::create_directories(final_path.parent_path(), ec);
  if (ec) return Status::io_error(final_path.parent_path().string() + ": " + ec.message());
  const bool existed = std::filesystem::exists(final_path, ec);
  GAZETTE_RETURN_IF_ERROR(file.commit(final_path));
  if (!existed) placed.add(final_path);
  return {};
}

// Renders one artefact and its gzip copy (served to clients that accept gzip, so that the
// server never compresses on the fly), each durable under its own SHA-256.
Result<Artefact> write_artefact(Store& store, const Contract& contract, const Release& release,
                                ArtefactFormat format, const RecordRefs& records, NewObjects& placed) {
  Artefact a;
  a.name = release.dataset + "." + extension(format);
  a.media_type = media_type(format);
  const std::string temp = release.id + "." + extension(format) + "." + std::to_string(::getpid());
  DurableFile file, gz_file;
  GAZETTE_RETURN_IF_ERROR(file.open(store.temp_path(temp)));
  GAZETTE_RETURN_IF_ERROR(gz_file.open(store.temp_path(temp + ".gz")));
  Sha256 hash, gz_hash;
  GzipStream gzip;
  std::string compressed;
  Status s = render_stream(
      contract, release_header(release), format,
      [&](auto&& emit) -> Status {
        for (const auto& [key, body] : records) GAZETTE_RETURN_IF_ERROR(emit(body));
        return {};
      },
      [&](const std::string& bytes) -> Status {
        hash.update(bytes);
        GAZETTE_RETURN_IF_ERROR(file.write(bytes));
        compressed.clear();
        GAZETTE_RETURN_IF_ERROR(gzip.write(bytes, compressed));
        gz_hash.update(compressed);
        return gz_file.write(compressed);
      });
  GAZETTE_RETURN_IF_ERROR(s);
  compressed.clear();
  GAZETTE_RETURN_IF_ERROR(gzip.finish(compressed));
  gz_hash.update(compressed);
  GAZETTE_RETURN_IF_ERROR(gz_file.write(compressed));
  a.sha256 = to_hex(hash.finish());
  a.bytes = file.bytes_written();
  a.gzip_sha256 = to_hex(gz_hash.finish());
  a.gzip_bytes = gz_file.bytes_written();
  GAZETTE_RETURN_IF_ERROR(place_object(store, file, a.sha256, placed));
  GAZETTE_RETURN_IF_ERROR(place_object(store, gz_file, a.gzip_sha256, placed));
  return a;
}

// Where a release's area index is, and what it hashes to: the manifest vouches for it.
struct AreaIndexLink {
  std::string url;
  std::uint64_t bytes = 0;
  std::string sha256;
};

// The manifest: the release, its files with their hashes, its report, its area index and a
// backfill's plan.
std::string manifest_json(const Release& r, const Plan* plan, const AreaIndexLink* areas) {
  nlohmann::ordered_json m;
  m["dataset"] = r.dataset;
  m["release"] = r.id;
  m["version"] = r.version.str();
  m["published_at"] = format_rfc3339(r.published_at);
  m["kind"] = to_string(r.kind);
  m["owner"] = r.owner;
  m["parent"] = r.parent.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(r.parent);
  m["contract_version"] = r.contract_version;
  m["record_count"] = r.record_count;
  m["candidate"] = r.candidate;
  m["renderer"] = r.renderer;
  auto arts = nlohmann::ordered_json::array();
  for (const auto& a : r.artefacts) {
    nlohmann::ordered_json j;
    j["name"] = a.name;
    j["media_type"] = a.media_type;
    j["bytes"] = a.bytes;
    j["sha256"] = a.sha256;
    arts.push_back(std::move(j));
  }
  m["artefacts"] = std::move(arts);
  m["report"] = "report.json";
  if (areas != nullptr) m["areas"] = {{"url", areas->url}, {"bytes", areas->bytes}, {"sha256", areas->sha256}};
  if (plan != nullptr) {
    m["plan"] = plan->id;
    m["plan_url"] = urls::plan(r.dataset, plan->id);
  }
  return m.dump(2) + "\n";
}

// Whether release `seq` holds exactly `records`: the same keys, each body with the same hash.
// Streams the release's hashes; reads no body of the release.
Result<bool> holds_exactly(Store& store, const std::string& dataset, std::int64_t seq, const RecordRefs& records) {
  std::size_t i = 0;
  bool same = true;
  GAZETTE_RETURN_IF_ERROR(store.for_each_record_hash(dataset, seq, [&](std::string_view key, const Digest& hash) {
    if (same) same = i < records.size() && records[i].first == key && sha256(records[i].second) == hash;
    ++i;
    return Status{};
  }));
  return same && i == records.size();
}

// The changeset from the newest release to the candidate, each change labelled with the gate's
// own verdict on it, so that consumers read the same rule names in the changeset as in the
// release's report. Usually the gate's changeset itself; when the gate did not compare records
// (a new column layout) or left a key unlabelled, computed again and classified by the contract.
Result<Changeset> labelled_changeset(Store& store, const Contract& contract, const std::string& dataset,
                                     const Release& newest, const std::string& candidate_id,
                                     const Store::CandidateView& view, VerifyResult& verification) {
  const auto& key_rules = verification.verdict.key_rules;
  bool all_labelled = verification.verdict.records_compared;
  for (const auto& ch : verification.changes.changes) all_labelled = all_labelled && key_rules.count(ch.key) != 0;
  if (all_labelled) return std::move(verification.changes);
  auto cs = changeset_to_candidate(store, contract, dataset, &newest, candidate_id, nullptr, &view);
  if (!cs.ok()) return cs.status();
  for (auto& ch : cs->changes)
    if (auto it = key_rules.find(ch.key); it != key_rules.end()) {
      ch.rule = it->second.first;
      ch.severity = it->second.second;
    }
  return cs;
}

// What the release does to meaning (model/release.hpp): a definition changes under a backfill's
// plan or with a contract whose definitions differ from the parent's; a notice was needed
// when the gate found anything of notice severity or notices are published with it.
VersionBump version_bump(const Contract& contract, const Contract* parent_contract, const CutOptions& options,
                         const Verdict& verdict) {
  if (options.plan) return VersionBump::major;
  if (parent_contract != nullptr) {
    std::map<std::string, int> before;
    for (const auto& d : parent_contract->definitions) before[d.name] = d.version;
    std::map<std::string, int> after;
    for (const auto& d : contract.definitions) after[d.name] = d.version;
    if (before != after) return VersionBump::major;
  }
  if (!options.notices.empty()) return VersionBump::minor;
  for (const auto& t : verdict.rules)
    if (t.count > 0 && t.severity() != Severity::routine) return VersionBump::minor;
  return VersionBump::patch;
}

}  // namespace

Result<CutResult> cut_release(Store& store, const std::string& dataset,
                              const std::string& candidate_id, const CutOptions& options) {
  auto cand = store.candidate(dataset, candidate_id);
  if (!cand.ok()) return cand.status();
  if (!cand->has_value())
    return Status::not_found("no candidate '" + candidate_id + "' for dataset '" + dataset +
                             "' (stage a file first)");
  auto contract = candidate_contract(store, **cand);
  if (!contract.ok()) return contract.status();
  auto in_force = store.dataset(dataset);
  if (!in_force.ok()) return in_force.status();
  if (contract->version < in_force->contract_version)
    return Status::conflict("candidate " + candidate_id + " was staged under contract v" +
                            std::to_string(contract->version) + ", but v" +
                            std::to_string(in_force->contract_version) + " is in force now; stage it again");
  // The candidate is mapped, not copied: rendering and the commit read its records in place.
  auto view = store.read_candidate_view(dataset, candidate_id);
  if (!view.ok()) return view.status();
  const RecordRefs& records = (*view)->records;

  auto all = store.releases(dataset);
  if (!all.ok()) return all.status();
  const Release* newest = all->empty() ? nullptr : &all->back();
  CutResult result;
  if (newest != nullptr && contract->version == newest->contract_version) {
    auto same = holds_exactly(store, dataset, newest->seq, records);
    if (!same.ok()) return same.status();
    if (*same) {
      result.identical_to = newest->id;
      // Nothing to publish, but the release list is signed afresh: a job that finds nothing new
      // each week keeps its consumers' copies valid.
      auto key = publisher_key(store, options.owner, result.notes);
      if (!key.ok()) return key.status();
      auto list = sign_release_list(*key, dataset, *all, now_utc());
      if (!list.ok()) return list.status();
      result.notes.push_back("signed the release list again, valid until " + format_rfc3339(list->valid_until));
      GAZETTE_RETURN_IF_ERROR(store.put_signatures(dataset, {std::move(*list)}, options.owner));
      return result;
    }
  }

  Release r;
  r.dataset = dataset;
  r.renderer = renderer_name(kRenderVersion);
  r.published_at = options.published_at.value_or(now_utc());
  // Publication times are whole seconds and strictly increase. A pipeline that releases twice
  // within a second gets the second a second later, rather than a refusal; a time the
  // maintainer gave is taken as given, and must be later.
  if (!options.published_at && newest != nullptr && r.published_at <= newest->published_at)
    r.published_at = newest->published_at + 1;
  if (newest != nullptr && r.published_at <= newest->published_at)
    return Status::conflict("publication time " + format_rfc3339(r.published_at) +
                            " must be later than the newest release's (" + newest->id + ", " +
                            format_rfc3339(newest->published_at) + ")");

  // The gate: nothing is published unless it passes as given.
  VerifyOptions vo{options.notices, options.plan, r.published_at, options.restores_release};
  auto verified = verify_candidate(store, dataset, candidate_id, vo);
  if (!verified.ok()) return verified.status();
  result.verification = std::move(*verified);
  if (!result.verification->verdict.publishable()) return result;
  if (!options.notices.empty()) {
    auto existing = store.notices(dataset);
    if (!existing.ok()) return existing.status();
    for (const auto& n : options.notices)
      for (const auto& e : *existing)
        if (e.id == n.id) return Status::conflict("a notice '" + n.id + "' was already published");
  }
  const std::string day = format_date(r.published_at);
  int ordinal = 1;
  for (const auto& prev : *all)
    if (prev.id.compare(0, 10, day) == 0) ++ordinal;
  r.id = ReleaseId::for_day(day, ordinal).str();
  r.seq = newest ? newest->seq + 1 : 1;
  r.kind = options.plan && options.kind == ReleaseKind::routine ? ReleaseKind::backfill : options.kind;
  r.owner = options.owner;
  r.parent = newest ? newest->id : "";
  r.contract_version = contract->version;
  {
    std::optional<Contract> parent_contract;
    if (newest != nullptr) {
      auto pc = release_contract(store, *newest);
      if (!pc.ok()) return pc.status();
      parent_contract = std::move(*pc);
    }
    r.version = next_version(newest ? &newest->version : nullptr,
                             version_bump(*contract, parent_contract ? &*parent_contract : nullptr, options,
                                          result.verification->verdict));
  }
  // Signed with the release: a store made before gazette signed gets its key now.
  auto key = publisher_key(store, options.owner, result.notes);
  if (!key.ok()) return key.status();
  ReleaseCommit with;
  if (contract->version > in_force->contract_version) with.new_contract = &*contract;
  r.record_count = records.size();
  r.candidate = candidate_id;
  NewObjects placed;
  for (ArtefactFormat f : kArtefactFormats) {
    if (!has_format(*contract, f)) continue;
    auto a = write_artefact(store, *contract, r, f, records, placed);
    if (!a.ok()) return a.status();
    r.artefacts.push_back(std::move(*a));
    crash_point(std::string("after-artefact-") + extension(f));
  }
  with.report_json = result.verification->json;
  with.announced_keys = result.verification->verdict.announced_keys;
  with.stats_json = result.verification->stats_json;
  if (options.plan) with.plan = &*options.plan;
  with.notices = options.notices;
  AreaParent area_parent;
  if (newest != nullptr) {
    // The changeset against the parent is kept with the release, by key, so that feeds and
    // pages read it without recomputing.
    auto cs = labelled_changeset(store, *contract, dataset, *newest, candidate_id, **view, *result.verification);
    if (!cs.ok()) return cs.status();
    with.change_labels.reserve(cs->changes.size());
    for (const auto& ch : cs->changes) with.change_labels.push_back({ch.key, ch.rule, ch.severity});
    with.added = cs->summary.added;
    with.removed = cs->summary.removed;
    with.retired = cs->summary.retired;
    with.modified = cs->summary.modified;
    result.changes = {with.added, with.removed, with.retired, with.modified};
    if (contract->partition) {
      for (const auto& ch : cs->changes) {
        ChangeSummary& n = area_parent.changes[std::string(contract->partition->code_of(ch.key))];
        switch (ch.kind) {
          case ChangeKind::added: ++n.added; break;
          case ChangeKind::removed: ++n.removed; break;
          case ChangeKind::retired: ++n.retired; break;
          case ChangeKind::modified: ++n.modified; break;
        }
      }
      auto areas = store.release_areas(dataset, newest->id);
      if (!areas.ok()) return areas.status();
      area_parent.areas = std::move(*areas);
      area_parent.renders_alike = newest->renderer == r.renderer && newest->contract_version == r.contract_version;
    }
  }
  // Its areas, each with the SHA-256 of its files, in an index the manifest vouches for.
  std::optional<StoredSignature> areas_sig;
  std::optional<AreaIndexLink> area_index;
  if (contract->partition) {
    auto areas = cut_areas(*contract, r, records, area_parent);
    if (!areas.ok()) return areas.status();
    with.areas = std::move(*areas);
    const std::string index = area_index_json(*contract, r, with.areas);
    area_index = AreaIndexLink{urls::area_index(dataset, r.id), index.size(), to_hex(sha256(index))};
    auto sig = sign_document(*key, areas_subject(r.id), area_index->url, index, now_utc());
    if (!sig.ok()) return sig.status();
    sig->document = index;  // served as signed
    with.signatures.push_back(std::move(*sig));
    crash_point("after-areas");
  }
  r.manifest_json = manifest_json(r, with.plan, area_index ? &*area_index : nullptr);
  {
    auto manifest_sig = sign_document(*key, manifest_subject(r.id), urls::manifest(dataset, r.id), r.manifest_json,
                                      now_utc());
    if (!manifest_sig.ok()) return manifest_sig.status();
    with.signatures.push_back(std::move(*manifest_sig));
    std::vector<Release> listed = *all;
    listed.push_back(r);
    auto list_sig = sign_release_list(*key, dataset, listed, now_utc());
    if (!list_sig.ok()) return list_sig.status();
    with.signatures.push_back(std::move(*list_sig));
  }
  crash_point("after-artefacts");
  GAZETTE_RETURN_IF_ERROR(store.commit_release(r, records, with, options.owner));
  placed.keep();
  crash_point("after-commit");
  // Its changeset is read back from the store as it is served, and signed; anything published
  // before the store had a key is signed too.
  auto signed_now = sign_unsigned(store, *key, dataset, options.owner, now_utc());
  if (!signed_now.ok())
    result.notes.push_back("the changeset is left unsigned until the next release: " + signed_now.status().message());
  result.release = std::move(r);
  // Older releases keep their records; their artefact files can go, to be rendered again on
  // request, so that a release adds storage in proportion to what it changed.
  Status evicted = evict_old_artefacts(store, dataset, kReleasesWithFiles, options.owner, result.notes);
  if (!evicted.ok()) result.notes.push_back("artefacts of older releases kept: " + evicted.message());
  return result;
}

ReleaseHeader release_header(const Release& r) {
  return {r.dataset,      r.id, format_rfc3339(r.published_at), r.contract_version, r.record_count,
          renderer_version(r.renderer)};
}

Result<Contract> release_contract(Store& store, const Release& release) {
  auto versions = store.contract_versions(release.dataset);
  if (!versions.ok()) return versions.status();
  for (const auto& [version, json] : *versions)
    if (version == release.contract_version)
      return parse_contract(json, "contract v" + std::to_string(version) + " of " + release.dataset);
  return Status::corruption("release " + release.id + " names contract v" + std::to_string(release.contract_version) +
                            ", which is not registered");
}

Result<std::string> rendered_sha256(Store& store, const Contract& contract, const Release& release,
                                    ArtefactFormat format) {
  Sha256 hash;
  GAZETTE_RETURN_IF_ERROR(render_stored_release(store, contract, release, format, [&](const std::string& bytes) {
    hash.update(bytes);
    return Status{};
  }));
  return to_hex(hash.finish());
}

Status evict_old_artefacts(Store& store, const std::string& dataset, std::size_t keep, const std::string& actor,
                           std::vector<std::string>& notes) {
  auto releases = store.releases(dataset);
  if (!releases.ok()) return releases.status();
  if (releases->size() <= keep) return {};
  for (std::size_t i = 0; i + keep < releases->size(); ++i) {
    const Release& r = (*releases)[i];
    // The staged copy it was cut from, unless a newer release was cut from it too.
    bool candidate_in_use = false;
    for (std::size_t j = i + 1; j < releases->size(); ++j)
      candidate_in_use = candidate_in_use || (*releases)[j].candidate == r.candidate;
    if (!candidate_in_use) GAZETTE_RETURN_IF_ERROR(store.remove_candidate_file(dataset, r.candidate));
    bool any = false;
    for (const auto& a : r.artefacts) any = any || !a.evicted;
    if (!any) continue;
    if (renderer_version(r.renderer) == 0) {
      notes.push_back("kept the files of " + r.id + ": " + missing_renderer(r.renderer));
      continue;
    }
    auto contract = release_contract(store, r);
    if (!contract.ok()) return contract.status();
    for (const auto& a : r.artefacts) {
      if (a.evicted) continue;
      const std::string ext = a.name.substr(a.name.rfind('.') + 1);
      const std::optional<ArtefactFormat> format = format_from_extension(ext);
      if (!format) continue;
      // Only what renders again to the very same bytes may lose its files.
      auto sha = rendered_sha256(store, *contract, r, *format);
      if (!sha.ok()) return sha.status();
      if (*sha != a.sha256) {
        notes.push_back("kept " + r.id + "/" + a.name + ": rendering it again gives other bytes");
        continue;
      }
      GAZETTE_RETURN_IF_ERROR(store.evict_artefact(dataset, r.id, a, actor));
    }
  }
  return {};
}

Status render_release_bytes(Store& store, const Contract& contract, const Release& release, ArtefactFormat format,
                            const std::function<Status(const std::string&)>& sink) {
  return render_stored_release(store, contract, release, format, sink);
}

Result<std::string> render_release_artefact(Store& store, const Contract& contract,
                                            const Release& release, ArtefactFormat format) {
  std::string out;
  GAZETTE_RETURN_IF_ERROR(render_stored_release(store, contract, release, format, [&](const std::string& bytes) {
    out += bytes;
    return Status{};
  }));
  return out;
}

Result<std::optional<Release>> release_as_of(Store& store, const std::string& dataset,
                                             UnixSeconds t) {
  auto all = store.releases(dataset);
  if (!all.ok()) return all.status();
  std::optional<Release> found;
  for (auto& r : *all)
    if (r.published_at <= t) found = std::move(r);
  return found;
}

}  // namespace gazette
