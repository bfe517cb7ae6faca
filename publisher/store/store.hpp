// The store: one data directory holding a SQLite database (WAL) and content-addressed files.
//
//   DIR/gazette.db          datasets, contracts, candidates, record versions, releases,
//                           artefacts, ledger (schema versioned by PRAGMA user_version)
//   DIR/objects/ab/abcd...  artefact files, named by their SHA-256
//   DIR/candidates/DS/ID    staged candidates (sorted encoded records)
//   DIR/tmp/                files being written; anything left here after a crash is swept
//   DIR/lock                held (flock) by the one process allowed to write
//
// Records are stored as *versions* shared between releases: a release adds a row only for
// each record that differs from the release before it, and each version carries the span
// of releases [first_seq, last_seq) that contain it. A weekly release that changes 1% of
// records therefore adds about 1% of the records' storage.
//
// All SQL lives in this module. Thread-safety: a Store is used by one thread; several
// processes may read at once (WAL), and one writes (the lock).
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "publisher/common/status.hpp"
#include "publisher/common/time.hpp"
#include "publisher/model/changeset.hpp"
#include "publisher/model/contract.hpp"
#include "publisher/model/notice.hpp"
#include "publisher/model/record.hpp"
#include "publisher/model/release.hpp"

namespace gazette {

struct DatasetInfo {
  std::string id;
  std::string title;
  int contract_version = 1;
  std::string contract_json;
  UnixSeconds created_at = 0;
};

// A detached signature the publisher made (publisher/signing), kept with what it signs.
struct StoredSignature {
  // What it signs: "manifest/REL", "changes/REL" (the changeset from REL's parent), "releases".
  std::string subject;
  std::string key_id;      // as minisign prints it
  UnixSeconds signed_at = 0;
  UnixSeconds valid_until = 0;  // the release list's validity window ends; 0 for the others
  // The signed bytes, where nothing else keeps them (the release list as it was signed).
  std::string document;
  // The signed document's size and SHA-256 (hex): a changeset is rendered again as it is
  // sent, under these.
  std::uint64_t bytes = 0;
  std::string sha256;
  std::string signature;  // minisign's .minisig text
};

// A public key the publisher signed with, as /keys lists it.
struct PublicKeyRecord {
  std::string id;          // as minisign prints it
  std::string public_key;  // minisign's .pub text
  UnixSeconds created_at = 0;
  UnixSeconds retired_at = 0;  // replaced by a rotation; 0 while it signs
  // The new key's .pub text signed by the key it replaced (empty for the first key).
  std::string endorsement;
};

// What a release publishes besides its row and its records, committed with them.
struct ReleaseCommit {
  // The changeset against the parent is kept by key, not as a document: each changed key's
  // label (the gate's rule and severity), so that any page of it is read from the record
  // versions and these labels alone, and a release never holds the whole document in memory.
  struct ChangeLabel {
    std::string key, rule;
    Severity severity = Severity::routine;
  };
  std::vector<ChangeLabel> change_labels;
  std::uint64_t added = 0, removed = 0, retired = 0, modified = 0;
  // Keys whose change this release announced (covered by a notice or its plan): later
  // releases judge those keys from this version on.
  std::vector<std::string> announced_keys;
  // Documents other modules wrote, kept as written and served or read back by those modules:
  // the gate's report (contract/report) and the candidate's value counts (release/stage).
  std::string report_json, stats_json;
  const Plan* plan = nullptr;               // a backfill's plan
  const Contract* new_contract = nullptr;   // a newer contract version it brings in
  // Its areas, when its contract has a partition (artefacts kept for those whose `since` is it).
  std::vector<ReleaseArea> areas;
  std::vector<Notice> notices;              // published with it
  // Signatures of its manifest, its changeset and the new release list (replacing the old
  // list's), and of anything published before the store had a key.
  std::vector<StoredSignature> signatures;
};

// What a ledger entry records. The names are the ledger's stored text (to_string).
enum class LedgerAction { init, dataset_create, stage, contract, plan, release, notice, rollback, evict, key, sign,
                          unknown };
const char* to_string(LedgerAction a);
LedgerAction ledger_action_from(std::string_view text);  // unknown for text no version wrote

struct LedgerEntry {
  std::int64_t seq = 0;
  UnixSeconds at = 0;
  std::string actor;
  LedgerAction action = LedgerAction::unknown;
  std::string dataset, subject, detail;
};

// When each release and notice of a dataset was committed: id -> ledger sequence number.
// Commit order, unlike dates, only ever grows at its end.
struct PublicationOrder {
  std::map<std::string, std::int64_t> releases, notices;
};

enum class OpenMode { read, write };

class Store {
 public:
  ~Store();

  // Creates DIR and an empty store in it. Returns conflict if DIR already holds a store.
  static Status init(const std::filesystem::path& dir);
  // Opens the store in DIR, migrating its schema forward if needed. With OpenMode::write the
  // caller becomes the single writer (conflict if another process is) and leftovers of
  // interrupted writes are swept. Returns not_found if DIR holds no store.
  static Result<std::unique_ptr<Store>> open(const std::filesystem::path& dir, OpenMode mode);

  const std::filesystem::path& dir() const { return dir_; }
  std::filesystem::path object_path(const std::string& sha256_hex) const;
  std::filesystem::path temp_path(const std::string& name) const;
  int schema_version() const;

  // Datasets.
  Status create_dataset(const DatasetInfo& info, const std::string& actor);
  Result<std::vector<DatasetInfo>> list_datasets();
  Result<DatasetInfo> dataset(const std::string& id);  // not_found
  // Every contract version ever registered for the dataset, oldest first: (version, JSON).
  // A newer one is registered by the release that brings it (Release::new_contract_json).
  Result<std::vector<std::pair<int, std::string>>> contract_versions(const std::string& dataset);

  // Candidates. write_candidate is idempotent: the same id again changes nothing.
  Status write_candidate(const Candidate& c, const RecordSet& records, const std::string& actor);
  Result<std::optional<Candidate>> candidate(const std::string& dataset, const std::string& id);
  // Every candidate of `dataset` ever staged, oldest first (their records are not read).
  Result<std::vector<Candidate>> candidates(const std::string& dataset);
  // The id of the one candidate whose id starts with `prefix`: not_found for none,
  // invalid_input naming the matches when several do.
  Result<std::string> candidate_by_prefix(const std::string& dataset, const std::string& prefix);
  Result<RecordSet> read_candidate_records(const std::string& dataset, const std::string& id);

  // A candidate read without a copy per record: views into one buffer, in key order.
  // The file is mapped, not copied.
  struct CandidateView {
    CandidateView() = default;
    ~CandidateView();
    CandidateView(const CandidateView&) = delete;
    CandidateView& operator=(const CandidateView&) = delete;
    void* map = nullptr;
    std::size_t map_bytes = 0;
    RecordRefs records;
  };
  Result<std::unique_ptr<CandidateView>> read_candidate_view(const std::string& dataset,
                                                             const std::string& id);

  // Releases, oldest first.
  Result<std::vector<Release>> releases(const std::string& dataset);
  Result<std::optional<Release>> newest_release(const std::string& dataset);
  // Calls `fn(key, body)` for each record of release `seq`, in key order.
  // Records of a release pulled one at a time (a download rendered on request). The cursor
  // keeps its read snapshot until destroyed; views are valid until the next call.
  class RecordCursor {
   public:
    ~RecordCursor();
    Result<bool> next(std::string_view& key, std::string_view& body);  // false at the end

   private:
    friend class Store;
    RecordCursor();
    struct Impl;
    std::unique_ptr<Impl> impl_;
  };
  // With `key_prefix` (an area code), only the keys that begin with it.
  Result<std::unique_ptr<RecordCursor>> records_of(const std::string& dataset, std::int64_t seq,
                                                   std::string_view key_prefix = {});

  // The areas of `release` in code order (none when its contract had no partition), and one.
  Result<std::vector<ReleaseArea>> release_areas(const std::string& dataset, const std::string& release);
  Result<std::optional<ReleaseArea>> release_area(const std::string& dataset, const std::string& release,
                                                  const std::string& code);
  // The areas of the newest release of `dataset`, each with the newest release that changed
  // it (empty when none did, which cannot be for a release that brought the area).
  struct AreaSummary {
    std::string code;
    std::uint64_t records = 0;
    std::string last_changed;
  };
  Result<std::vector<AreaSummary>> area_summaries(const std::string& dataset);
  // Every release's row for area `code` (release id, area), in publication order.
  Result<std::vector<std::pair<std::string, ReleaseArea>>> area_history(const std::string& dataset,
                                                                        const std::string& code);

  // Removes a released candidate's staged copy (its records live on in the release). Staging
  // the same input again writes it anew.
  Status remove_candidate_file(const std::string& dataset, const std::string& id);

  // Records that `artefact` of `release` is no longer kept as files, then removes the files no
  // other artefact needs. The caller has checked that rendering the release again gives the
  // artefact's bytes.
  Status evict_artefact(const std::string& dataset, const std::string& release, const Artefact& artefact,
                        const std::string& actor);

  Status for_each_record(const std::string& dataset, std::int64_t seq,
                         const std::function<Status(std::string_view, std::string_view)>& fn);
  Result<RecordSet> release_records(const std::string& dataset, std::int64_t seq);
  // Calls `fn(key, sha256 of body)` for each record of release `seq`, in key order, without
  // reading the bodies.
  Status for_each_record_hash(const std::string& dataset, std::int64_t seq,
                              const std::function<Status(std::string_view, const Digest&)>& fn);
  // The body of `key` in release `seq`, if the release holds it.
  Result<std::optional<std::string>> record_body(const std::string& dataset,
                                                 const std::string& key, std::int64_t seq);

  // Calls `fn(key, before, after)` for every key whose record differs between releases
  // `from_seq` and `to_seq` (0 means "before the first release"), in key order, reading only
  // the keys whose version changed in between. `before`/`after` are empty when absent.
  // With `key_prefix` (an area code), only the keys that begin with it, read by key range.
  Status for_each_changed_key(
      const std::string& dataset, std::int64_t from_seq, std::int64_t to_seq,
      const std::function<Status(std::string_view, std::optional<std::string_view>,
                                 std::optional<std::string_view>)>& fn,
      std::string_view key_prefix = {});

  // At most `limit` of the keys for_each_changed_key would give, those after `after` (empty:
  // from the first), reading only them. Returns whether more follow.
  Result<bool> changed_keys_page(
      const std::string& dataset, std::int64_t from_seq, std::int64_t to_seq, std::string_view after,
      std::size_t limit,
      const std::function<Status(std::string_view, std::optional<std::string_view>,
                                 std::optional<std::string_view>)>& fn,
      std::string_view key_prefix = {});
  // The labels (rule, severity) of the keys in [first, last] in the changeset stored with
  // `release`, and whether the release has them by key at all (releases cut before gazette kept
  // them have only the whole changeset; a release without a changeset needs none).
  Result<std::map<std::string, std::pair<std::string, std::string>>> change_labels(
      const std::string& dataset, const std::string& release, std::string_view first, std::string_view last);
  Result<bool> has_change_labels(const std::string& dataset, const std::string& release);

  // The whole changeset stored with release `release` (JSON), if it has one: releases cut
  // before changesets were kept by key (change_labels) have it.
  Result<std::optional<std::string>> stored_changeset(const std::string& dataset,
                                                      const std::string& release);

  // Every version of `key`, oldest first: the release span that held it and its body.
  struct KeyVersion {
    std::int64_t first_seq = 0;
    std::int64_t last_seq = 0;  // 0: still current
    std::string body;
    bool announced = false;  // the release first_seq covered its change with a notice or plan
  };
  Result<std::vector<KeyVersion>> key_history(const std::string& dataset, const std::string& key);

  // Notices: published alone (put_notice) or with a release (commit_release).
  struct StoredNotice {
    std::string id, kind, json, release;
    UnixSeconds published_at = 0;
  };
  // Returns conflict if a notice with that id exists.
  Status put_notice(const std::string& dataset, const StoredNotice& notice, const std::string& actor);
  Result<std::vector<StoredNotice>> notices(const std::string& dataset);
  // The value counts and report stored with a release ("" if none).
  Result<std::string> release_stats(const std::string& dataset, const std::string& release);
  Result<std::string> release_report(const std::string& dataset, const std::string& release);
  Result<std::string> release_plan(const std::string& dataset, const std::string& release);  // "" if none
  // Every plan a release has used: (plan id, release id), in publication order.
  Result<std::vector<std::pair<std::string, std::string>>> used_plans(const std::string& dataset);
  // The summary of each release's changeset against its parent, by release id.
  struct ChangeCounts {
    std::uint64_t added = 0, removed = 0, retired = 0, modified = 0;
  };
  Result<std::map<std::string, ChangeCounts>> change_counts(const std::string& dataset);
  // Every release's value counts, oldest first.
  Result<std::vector<std::string>> all_release_stats(const std::string& dataset);

  // Publishes `release` (whose seq must be the newest's + 1 and whose published_at must be
  // later) with `records` (in key order) as its content and `with` beside it, in one
  // transaction. Artefact files must already be durable at object_path(). This commit is the
  // publication point.
  Status commit_release(const Release& release, const RecordRefs& records, const ReleaseCommit& with,
                        const std::string& actor);

  // Signing keys, oldest first. add_signing_key retires the key in use (a rotation) when there
  // is one; conflict if the id is known.
  Status add_signing_key(const PublicKeyRecord& key, const std::string& actor);
  Result<std::vector<PublicKeyRecord>> signing_keys();
  // Every signature kept for `dataset`, by subject (area indexes without their documents).
  Result<std::map<std::string, StoredSignature>> signatures(const std::string& dataset);
  // One signature with its document ("areas/REL": a release's area index).
  Result<std::optional<StoredSignature>> signature(const std::string& dataset, const std::string& subject);
  // Keeps signatures made outside a release (a rotation re-signs the release list): each is
  // new, or replaces the release list's.
  Status put_signatures(const std::string& dataset, const std::vector<StoredSignature>& signatures,
                        const std::string& actor);

  // Holds one read transaction open, so that several reads see the same state of the store
  // and SQLite takes its locks once rather than per statement. Nestable; ends on destruction.
  class ReadSnapshot {
   public:
    explicit ReadSnapshot(Store& store);
    ~ReadSnapshot();
    ReadSnapshot(const ReadSnapshot&) = delete;
    ReadSnapshot& operator=(const ReadSnapshot&) = delete;

   private:
    Store& store_;
    bool began_ = false;
  };

  // The append-only audit log.
  Status append_ledger(const std::string& actor, LedgerAction action,
                       const std::string& dataset, const std::string& subject,
                       const std::string& detail);
  Result<std::vector<LedgerEntry>> ledger(const std::string& dataset);

  // The newest ledger entry's sequence number (0 for none): it moves with every change, so a
  // reader can tell cheaply whether to reload.
  Result<std::int64_t> ledger_high_water();
  Result<PublicationOrder> publication_order(const std::string& dataset);

  // Checks for `gazette fsck`: SQLite's own check of the database file, and the triggers that
  // keep history immutable; one line per problem, none when sound.
  Result<std::vector<std::string>> structure_problems();
  // Files in the store that nothing references: leftovers in tmp/, objects no kept artefact
  // names (a release that crashed before its commit, an interrupted eviction), and candidate
  // files without their row (a stage that crashed before its commit).
  Result<std::vector<std::filesystem::path>> unreferenced_files();
  // Removes them (writers only; every write command does this when it opens the store).
  Result<std::vector<std::filesystem::path>> remove_unreferenced_files();
  // What opening this store for writing removed so.
  const std::vector<std::filesystem::path>& swept_on_open() const { return swept_on_open_; }

  // Bytes used by the database (pages in use), for storage accounting.
  Result<std::uint64_t> database_bytes();

 private:
  Store();
  Status sweep_orphans();
  Status insert_candidate_row(std::int64_t num, const Candidate& c, const std::string& actor);
  std::vector<std::filesystem::path> swept_on_open_;
  Result<std::int64_t> dataset_num(const std::string& id);
  Status insert_notice(std::int64_t num, const std::string& dataset, const StoredNotice& n,
                       const std::string& actor);
  Status insert_signatures(std::int64_t num, const std::vector<StoredSignature>& signatures);

  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::filesystem::path dir_;
};

}  // namespace gazette
