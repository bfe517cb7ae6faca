// The release module: where files and a transaction meet. Staging (file -> validated,
// content-addressed candidate), cutting a release (candidate -> rendered artefacts ->
// one commit), and reading a release back. Composes store, ingest, contract and render.
//
// Thread-safety: functions take a Store that one thread uses at a time.
#pragma once

#include <deque>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "publisher/common/status.hpp"
#include "publisher/ingest/ingest.hpp"
#include "publisher/model/changeset.hpp"
#include "publisher/contract/contract.hpp"
#include "publisher/model/contract.hpp"
#include "publisher/model/record_filter.hpp"
#include "publisher/model/release.hpp"
#include "publisher/render/render.hpp"
#include "publisher/signing/signing.hpp"
#include "publisher/store/store.hpp"

namespace gazette {

// The dataset's current contract, parsed.
Result<Contract> load_contract(Store& store, const std::string& dataset);
// The contract a candidate was staged against: the new version it brings, else the dataset's.
Result<Contract> candidate_contract(Store& store, const Candidate& candidate);

struct StageOptions {
  InputFormat format = InputFormat::csv;
  std::string actor = "gazette";
  std::function<void(std::uint64_t done, std::uint64_t total)> progress;
  // A new version of the dataset's contract to stage against (its text, and the file it came
  // from for messages). Its version must be newer than the dataset's; the release of the
  // candidate brings it into force, once the gate has judged the change.
  std::string contract_json;
  std::string contract_source;
};

struct StageResult {
  Candidate candidate;
  bool already_staged = false;     // the same content was staged before
  std::vector<std::string> notes;  // what staging filled in, for the maintainer to read
};

// Reads `file`, validates every value against the dataset's contract, and stores the
// records as a candidate whose id is a hash of their content (so the same input, or the same
// data in another format, gives the same id). Columns the format does not carry but the
// contract derives from another column are taken from the newest release. On any error
// (invalid_input naming FILE:LINE:COLUMN) nothing is stored.
Result<StageResult> stage(Store& store, const std::string& dataset,
                          const std::filesystem::path& file, const StageOptions& options);

// Value counts as stored with candidates and releases.
std::string counts_json(const ValueCounts& counts);

// The content-hash id of a candidate holding `records`.
std::string candidate_id_for(const std::string& dataset, const Contract& contract,
                             const RecordSet& records);

struct VerifyOptions {
  std::vector<Notice> notices;  // to be published with the release (published_at: the release's)
  std::optional<Plan> plan;
  UnixSeconds publish_at = 0;
  // The candidate is a release already published, brought back (a rollback): losing the keys
  // added since is a restatement, never a truncated candidate.
  bool restores_release = false;
};

struct VerifyResult {
  Verdict verdict;
  std::string from, to;  // newest release id ("" for none) and "candidate:<id>"
  std::string text, json;
  std::string stats_json;  // the candidate's value counts
  // The changes the gate judged, newest release -> candidate, each labelled as the verdict
  // labels it (added keys without their values: AddedValues::omitted). Empty when the
  // candidate was not compared record by record (a new column layout).
  Changeset changes;
};

// Checks a notice before it is published at `publish_at`: a deprecation or removal must not
// take effect in the past, nor name keys the dataset never published. invalid_input says why.
Status check_notice(Store& store, const std::string& dataset, const Notice& notice, UnixSeconds publish_at);

// The gate: judges candidate `candidate_id` against every published release, the notices
// published so far plus `options.notices`, and `options.plan`. Read-only.
Result<VerifyResult> verify_candidate(Store& store, const std::string& dataset,
                                      const std::string& candidate_id, const VerifyOptions& options);

struct CutOptions {
  std::string owner;
  std::optional<UnixSeconds> published_at;  // default: now
  ReleaseKind kind = ReleaseKind::routine;   // backfill when a plan is given
  std::vector<Notice> notices;               // published atomically with the release
  std::optional<Plan> plan;
  bool restores_release = false;             // a rollback (see VerifyOptions)
};

struct CutResult {
  std::optional<Release> release;  // empty when nothing was published
  std::string identical_to;        // the newest release's id, when the candidate equals it
  std::optional<VerifyResult> verification;  // the gate's verdict (refusals included)
  Store::ChangeCounts changes;     // what the published release changed from its parent
  std::vector<std::string> notes;  // what happened beside the release, for the maintainer
};

// The newest releases keep their artefacts as files (served with pread(2), ranges and gzip);
// older ones keep only their records and are rendered again, byte for byte, when asked for.
inline constexpr std::size_t kReleasesWithFiles = 2;

// Publishes candidate `candidate_id` if the gate passes (exit 0); otherwise publishes
// nothing and returns the verdict. Renders CSV, XML and JSON, writes them content-addressed
// and durable, then commits the release in one transaction (the publication point). A crash
// before the commit leaves the previous state and orphan files that the next writer sweeps.
// Returns conflict when the publication time is not later than the newest release's.
Result<CutResult> cut_release(Store& store, const std::string& dataset,
                              const std::string& candidate_id, const CutOptions& options);

// Publishes a new release (kind rollback) whose records, and CSV bytes, equal release `to`'s.
// It passes the same gate; where that needs a notice (keys it removes again, values it
// restates), a restatement notice is written from `reason`, scoped exactly to the keys and
// columns it restores, and published with it.
// The contract in force at `to` comes back too (as a new version when it differs). Notices
// and a plan given with it are judged as for any release.
struct RollbackOptions {
  std::string owner, reason;
  std::optional<UnixSeconds> published_at;
  std::vector<Notice> notices;
  std::optional<Plan> plan;
};
Result<CutResult> rollback_release(Store& store, const std::string& dataset, const std::string& to,
                                   const RollbackOptions& options);

// The header every artefact of `release` starts with, with the renderer it was cut by (0 when
// this gazette does not have it).
ReleaseHeader release_header(const Release& release);
// The contract version `release` was published under.
Result<Contract> release_contract(Store& store, const Release& release);
// The SHA-256 (hex) of an artefact rendered again from the stored records, streamed.
Result<std::string> rendered_sha256(Store& store, const Contract& contract, const Release& release,
                                    ArtefactFormat format);
// Removes the artefact files of all but the newest `keep` releases of `dataset`, each only
// after rendering it again gave its manifest's SHA-256, and the staged candidates they were
// cut from. Releases by another renderer keep their files. What was kept and why goes to
// `notes`.
Status evict_old_artefacts(Store& store, const std::string& dataset, std::size_t keep, const std::string& actor,
                           std::vector<std::string>& notes);

// Renders one artefact of a release from its stored records, a megabyte at a time, into `sink`.
Status render_release_bytes(Store& store, const Contract& contract, const Release& release, ArtefactFormat format,
                            const std::function<Status(const std::string&)>& sink);
// Renders one artefact of an area, from the records of the release that last changed it
// (`since`), a megabyte at a time, into `sink`.
Status render_area_bytes(Store& store, const Contract& contract, const Release& since, const ReleaseArea& area,
                         ArtefactFormat format, const std::function<Status(const std::string&)>& sink);
// Renders one artefact of a release from its stored records into `out` (tests).
Result<std::string> render_release_artefact(Store& store, const Contract& contract,
                                            const Release& release, ArtefactFormat format);

// `gazette fsck`: every artefact of every release of `dataset` against its manifest (kept
// files hashed, evicted ones rendered again), record counts, the ledger's order, the
// database and its triggers. One line per problem; none when the store is sound. With
// `repair`, files that no release references are removed (and listed), nothing else.
struct FsckOptions {
  bool repair = false;
};
struct FsckReport {
  std::vector<std::string> problems;
  std::size_t releases = 0, artefacts = 0, rendered = 0;
  std::uint64_t records = 0, bytes = 0;
  std::vector<std::filesystem::path> removed;
  std::size_t signed_now = 0;  // signatures --repair made (of what was unsigned or stale)
};
Result<FsckReport> fsck(Store& store, const std::string& dataset, const FsckOptions& options);

// The changeset from release `from` (null: before the first) to release `to`, classified.
// Reads only the keys whose version changed in between.
Result<Changeset> changeset_between(Store& store, const Contract& contract,
                                    const std::string& dataset, const Release* from,
                                    const Release& to);
// One page of the changeset from `from` (null: before the first release) to `to`: at most
// `limit` changes, those after key `after` (empty: from the first), classified as
// changeset_between would, with the summary of the whole changeset. Reads the page's keys
// only (and, between releases that are not parent and child, counts the rest without keeping
// it), so memory follows the page, not the changeset. A `known_summary` (from an earlier page)
// spares that count.
struct ChangesetPage {
  Changeset changeset;   // summary: the whole changeset's; changes: the page's
  bool more = false;     // changes follow the page's last key
  std::string last_key;  // the last changed key read (a filter may have left it out)
};
// With `filter`, the changeset of that subset of the records: a record entering it is added,
// one leaving it removed (each with the rule of what happened to it); the summary is the
// subset's. An area is read by key range; `where` filters the changed keys read.
Result<ChangesetPage> changeset_page(Store& store, const Contract& contract, const std::string& dataset,
                                     const Release* from, const Release& to, std::string_view after,
                                     std::size_t limit, const std::optional<ChangeSummary>& known_summary = {},
                                     const RecordFilter* filter = nullptr);
// The changeset from release `from` (null: nothing) to a staged candidate. For consumers it is
// classified and spells out added keys; for the gate it is neither (the gate labels the
// changes itself, and reads added keys' values from `bodies`).
enum class ChangesetFor { consumers, gate };
// The bodies of each changed key before and after, as views: into the candidate (kept alive
// by `view` when the caller gave none) and into `owned` (bodies read from the store).
struct ChangedBodies {
  BodyMap before, after;
  std::deque<std::string> owned;  // a deque: growing it never moves what the views point to
  std::unique_ptr<Store::CandidateView> view;
};
Result<Changeset> changeset_to_candidate(Store& store, const Contract& contract,
                                         const std::string& dataset, const Release* from,
                                         const std::string& candidate_id,
                                         ChangedBodies* bodies = nullptr,
                                         const Store::CandidateView* view = nullptr,
                                         ChangesetFor purpose = ChangesetFor::consumers);

// One event in a record's life: the release that introduced a version (or removed the key),
// how it changed, and the version's body (empty when removed).
struct RecordEvent {
  Release release;
  ChangeKind change = ChangeKind::added;
  std::string body;
  // Back after a removal (added again), or out of retirement (a modification that leaves the
  // retired state): the record lives again.
  bool revived = false;
  // What moved since the version before (none for a first appearance or a removal), as the
  // differ reports it in changesets.
  std::vector<FieldChange> fields;
  // Why: the gate's rule and severity for this key in this release, where the release keeps
  // its labels (empty for releases cut before it did, and for first releases).
  std::string rule, severity;
};
// Every distinct version of `key`, oldest first, with removals, each with what changed and the
// gate's label (unless `explain` is false: a caller that wants only the versions is spared a
// diff and a lookup per version). Empty if the key never existed.
Result<std::vector<RecordEvent>> record_history(Store& store, const std::string& dataset,
                                                const std::string& key, bool explain = true);

// The release current at instant `t` (the newest published at or before it), if any.
Result<std::optional<Release>> release_as_of(Store& store, const std::string& dataset,
                                             UnixSeconds t);

// Signatures. What a release publishes is signed with the publisher's key (publisher/signing):
// its manifest and the new release list in the release's own transaction, its changeset from
// its parent (rendered from the stored release) just after. A release killed between the two
// leaves that changeset unsigned until the next write signs it (sign_unsigned).
//
// How long a signed release list may be trusted. A consumer refuses an older one, so a copy
// that stopped following the origin, or an old list replayed, is noticed. Every release signs
// the list afresh, and so does `release` of a candidate equal to the newest (a weekly job that
// finds nothing new still keeps the list valid).
inline constexpr UnixSeconds kReleaseListValidity = 35 * 24 * 3600;
// Areas (the contract's partition): a release's records cut into runs of one code each.
// What the parent release can lend: its areas, whether their renderings still hold (same
// renderer and contract version), and what the new release changed in each.
struct AreaParent {
  std::vector<ReleaseArea> areas;
  bool renders_alike = false;
  // The release's changeset from the parent, counted by area (areas it did not touch absent).
  std::map<std::string, ChangeSummary> changes;
};
// The areas of `release`, whose records are `records` (key order): unchanged ones are the
// parent's, changed ones rendered into their hashes (no files), each with its counts of
// change. An area whose every record went is listed once more, empty. None without a partition.
Result<std::vector<ReleaseArea>> cut_areas(const Contract& contract, const Release& release, const RecordRefs& records,
                                           const AreaParent& parent);
// The header an area's artefacts are rendered with: the release that last changed it, and
// the area's record count.
ReleaseHeader area_header(const Release& since, std::uint64_t records);
// The release's area index (signed; the manifest gives its SHA-256).
std::string area_index_json(const Contract& contract, const Release& release, const std::vector<ReleaseArea>& areas);
std::string areas_subject(std::string_view release);  // "areas/REL": the area index's signature

std::string manifest_subject(std::string_view release);  // "manifest/REL"
std::string changes_subject(std::string_view release);   // "changes/REL": from REL's parent
inline constexpr const char* kReleaseListSubject = "releases";

// The store's signing key. A store that has none yet (made before gazette signed) gets one,
// recorded with its public key, and `notes` says so. Refuses a key file whose key is not the
// store's current key (a key is replaced by `gazette key rotate`, never by another file).
Result<SigningKey> publisher_key(Store& store, const std::string& actor, std::vector<std::string>& notes);

// Replaces the store's signing key: a new key, its public key signed by the old one (served
// beside it at /keys, so that a consumer who trusts the old key can trust the new), and every
// dataset's release list signed again by the new key. Signatures made before stay valid under
// the old key, which /keys keeps listing with the end of its validity. The secret key file is
// replaced last; a rotation killed before that is completed by the next publisher_key().
struct Rotation {
  std::string old_id;
  SigningKey key;
  std::size_t lists_signed = 0;
};
Result<Rotation> rotate_signing_key(Store& store, const std::string& actor, std::vector<std::string>& notes);

// A signature of `bytes`, the document at `url`, kept as `subject`. The trusted comment
// names the time, the document and (for a release list) the end of its validity.
Result<StoredSignature> sign_document(const SigningKey& key, const std::string& subject, const std::string& url,
                                      std::string_view bytes, UnixSeconds now, UnixSeconds valid_until = 0);
// The release list of `releases` (oldest first), signed at `now` and valid for
// kReleaseListValidity; the signature keeps the document.
Result<StoredSignature> sign_release_list(const SigningKey& key, const std::string& dataset,
                                          const std::vector<Release>& releases, UnixSeconds now);
// The whole changeset from `release`'s parent to it, as urls::changes_file serves it (the
// bytes its signature covers), made a page at a time: memory follows the page. The store and
// the contract must outlive it.
class ChangesetDocument {
 public:
  ChangesetDocument(Store& store, const Contract& contract, Release parent, Release release);
  ~ChangesetDocument();
  // The next bytes of the document into `out` (replacing what it held); false at the end.
  Result<bool> next(std::string& out);

 private:
  Store& store_;
  const Contract& contract_;
  Release parent_, release_;
  std::unique_ptr<Store::ReadSnapshot> snapshot_;
  std::string after_;
  std::optional<ChangeSummary> summary_;
  bool first_ = true, done_ = false;
};
// What a signature of a changeset document covers, read once through ChangesetDocument: its
// BLAKE2b-512 (what minisign signs), its SHA-256 (hex: its ETag) and its size.
struct ChangesetDigests {
  std::string blake2b512, sha256;
  std::uint64_t bytes = 0;
};
Result<ChangesetDigests> digest_changeset_document(Store& store, const Contract& contract, const Release& parent,
                                                   const Release& release);

// Signs every manifest and changeset of `dataset` that has no signature yet, and its release
// list when the kept one is not the list of its releases or has expired. Returns how many it
// signed.
Result<std::size_t> sign_unsigned(Store& store, const SigningKey& key, const std::string& dataset,
                                  const std::string& actor, UnixSeconds now);

}  // namespace gazette
