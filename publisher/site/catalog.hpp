// The public site as data: a read-only snapshot of the store (datasets, releases, artefacts,
// notices, plans) and every document built from them (lists, metadata, feeds, HTML), each a
// Document carrying its media type, cache policy and ETag. The server (http/) answers from a
// snapshot; `gazette export` writes one out as files with an nginx block.
//
// Values are typed: notices, plans, reports and the contract are parsed once, here, by the
// modules that wrote them; nothing downstream re-reads their JSON by field name.
//
// CatalogSource keeps the current snapshot. A background thread watches the ledger's
// high-water mark (moved by every change the admin tool makes) and, when it moves, builds a
// new snapshot and swaps it in: requests never wait for a build. Thread-safety: a Catalog is
// immutable and shared; CatalogSource::current() may be called from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "publisher/contract/contract.hpp"
#include "publisher/model/changeset.hpp"
#include "publisher/model/contract.hpp"
#include "publisher/model/notice.hpp"
#include "publisher/model/release.hpp"
#include "publisher/site/document.hpp"
#include "publisher/store/store.hpp"

namespace gazette::site {

// One representation of an artefact: the identity bytes or the gzip copy.
struct Representation {
  std::filesystem::path path;
  std::uint64_t bytes = 0;
  std::string etag;         // "\"<sha256 hex>\"" (strong)
  std::string repr_digest;  // "sha-256=:<base64>:" (RFC 9530)
};

// A release's file. Like every file of a release it is immutable (Caching::immutable).
struct ServedArtefact {
  Artefact artefact;
  std::string extension;      // "csv"
  std::string download_name;  // "naptan-stops-2026-07-24.csv"
  Representation identity;
  std::optional<Representation> gzip;
};

// An area's artefact (never a file: rendered on request, with the whole artefacts' headers).
ServedArtefact served_area_artefact(const std::string& ds, const ReleaseArea& area, const Artefact& artefact);


struct ServedRelease {
  Release release;  // its manifest_json moved into `manifest`
  Document manifest;
  // The gate's verdict (its document and its counts); none for releases cut before the gate.
  std::optional<PublishedReport> report;
  Document report_doc;
  std::string last_modified;  // HTTP-date of publication, formatted once
  std::vector<ServedArtefact> artefacts;
  // The summary of its changeset from its parent (none for releases cut before it was kept).
  std::optional<ChangeSummary> changes;
  // What changed in its artefacts' layout since its parent (a new renderer), told with it.
  std::string format_change;
  std::string child;  // the release whose parent it is; empty for the newest
  // Detached minisign signatures (publisher/release: sign), empty documents while unsigned:
  // of its manifest, and of its whole changeset from its parent (urls::changes_file), which is
  // served as it is rendered again, under the size and SHA-256 it was signed with.
  Document manifest_signature, changes_signature;
  std::uint64_t changes_bytes = 0;
  std::string changes_sha256;
  // The release itself (/datasets/{ds}/releases/{rel}): its manifest, report, notices, plan,
  // parent and child, as JSON and as a page. Short-lived: a child comes later.
  Document page_json, page_html;
  const ServedArtefact* artefact(const std::string& extension) const;
};

struct ServedNotice {
  Notice notice;  // with its publication (published_at, release)
  Document doc;   // the notice document served at its URL
  Document html;  // its page
};

// A backfill's plan as published with the release that used it.
struct ServedPlan {
  Plan plan;
  std::string release;  // the release that used it
  Document doc;         // intent, owner, reviewers, definitions, blast radius, the release
  Document html;        // its page
};

// One version of a named definition, as the contract's history shows it: the contract version
// that brought it, the release that put that contract in force, and the text it replaced.
struct DefinitionVersion {
  std::string name;
  int version = 1;
  std::vector<std::string> columns;
  std::string text, previous_text;  // previous_text: empty for a definition's first version
  int contract_version = 1;
  std::string in_force_from;  // the first release under that contract ("" while none is)
};

// A feed document (the subscription document or an archive page).
struct FeedDoc {
  Document doc;
  std::string self_link;  // the Link header naming it: "<URL>; rel=\"self\""
};
// A feed in both formats: [0] the subscription document, [k] archive page k.
struct ServedFeed {
  std::vector<FeedDoc> atom, json;
  std::size_t entries = 0;
  std::string hub_link;  // "<URL>; rel=\"hub\""
};

using HeaderList = std::vector<std::pair<std::string, std::string>>;

// Where the server is reached from outside, for the absolute links feeds need.
struct CatalogOptions {
  std::string base_url = "http://127.0.0.1:8080";  // no trailing slash
  std::string hub_url;  // advertised in feeds; empty: base_url + "/websub"
  std::size_t feed_page_size = 50;
};

struct ServedDataset {
  DatasetInfo info;
  std::shared_ptr<const Contract> contract;
  std::vector<ServedRelease> releases;  // oldest first
  std::vector<ServedNotice> notices;    // in publication order
  std::vector<ServedPlan> plans;
  Document metadata_json, metadata_html, releases_json, contract_json, notices_json;
  Document contract_html, notices_html;
  // The release list's signature (empty while unsigned); the list itself (releases_json) is
  // then the document as signed, its validity window in it.
  Document releases_signature;
  std::vector<DefinitionVersion> definition_history;  // by name, then version
  ServedFeed feed;
  // The newest release's areas (the contract's partition), with the release that last changed each.
  std::vector<Store::AreaSummary> areas;
  // Deprecation, Sunset and Link headers of the deprecation and removal notices that touch
  // every resource of the dataset (scoped by columns or records), and of those scoped to keys.
  HeaderList notice_headers;
  std::map<std::string, HeaderList> key_notice_headers;
  const ServedRelease* release(const std::string& id) const;
  const ServedNotice* notice(const std::string& id) const;
  const ServedPlan* plan(const std::string& id) const;
  const ServedRelease* newest() const { return releases.empty() ? nullptr : &releases.back(); }
  // The newest release published at or before `t`, or null.
  const ServedRelease* as_of(UnixSeconds t) const;
};

struct Catalog {
  std::map<std::string, ServedDataset> datasets;
  Document datasets_json, index_html;
  ServedFeed all_feed;  // every dataset's entries
  // The publisher's public keys (/keys), and each as minisign's .pub file (/keys/{id}.pub)
  // with, for a key that replaced another, that file signed by the key it replaced.
  Document keys_json;
  std::map<std::string, Document> key_files, key_endorsements;
  CatalogOptions options;
  std::int64_t version = 0;  // the ledger's high-water mark it was built at
  std::uint64_t releases_total = 0;
  const ServedDataset* dataset(const std::string& id) const;
};

// Builds a snapshot from `store`.
Result<std::shared_ptr<const Catalog>> build_catalog(Store& store, const CatalogOptions& options = {});

class CatalogSource {
 public:
  // Called on the builder thread before each rebuild; tests hold it to show that requests
  // are answered from the snapshot they have meanwhile.
  using BuildHook = std::function<void()>;

  // Opens the store read-only and builds the first snapshot. Every `check_every` the
  // background thread asks the store whether it changed.
  static Result<std::unique_ptr<CatalogSource>> open(const std::filesystem::path& data_dir,
                                                     std::chrono::milliseconds check_every,
                                                     const CatalogOptions& options = {},
                                                     BuildHook before_rebuild = {});
  ~CatalogSource();  // stops the builder thread
  CatalogSource(const CatalogSource&) = delete;
  CatalogSource& operator=(const CatalogSource&) = delete;

  // The newest snapshot built; never waits for a build.
  std::shared_ptr<const Catalog> current() const { return catalog_.load(); }
  // Rebuilds the snapshot under new options (the server learns its port after binding) and
  // returns once it is in place.
  Status reconfigure(const CatalogOptions& options);

 private:
  CatalogSource() = default;
  void watch();  // the builder thread
  // Builds and swaps in a snapshot if the store moved (or `force`); caller holds store_mutex_.
  Status refresh(bool force);

  std::mutex store_mutex_;  // guards store_ and options_: one build at a time
  std::unique_ptr<Store> store_;
  CatalogOptions options_;
  BuildHook before_rebuild_;
  std::atomic<std::shared_ptr<const Catalog>> catalog_;
  std::chrono::milliseconds check_every_{250};

  std::mutex stop_mutex_;
  std::condition_variable stop_cv_;
  bool stopping_ = false;  // guarded by stop_mutex_
  std::thread watcher_;
};

}  // namespace gazette::site
