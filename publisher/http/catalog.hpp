// The server's read-only view of the store: datasets, releases, artefacts and the documents
// built from them (lists, metadata, HTML), each with its ETag, in one immutable snapshot.
//
// Requests read a snapshot through CatalogSource, which rebuilds it when the admin tool has
// changed the store (the ledger's high-water mark moves), so releases cut while the server
// runs appear without a restart. Thread-safety: a Catalog is immutable and shared;
// CatalogSource::current() may be called from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "publisher/model/contract.hpp"
#include "publisher/model/release.hpp"
#include "publisher/store/store.hpp"

namespace gazette::http {

// One representation of an artefact: the identity bytes or the gzip copy.
struct Representation {
  std::filesystem::path path;
  std::uint64_t bytes = 0;
  std::string etag;         // "\"<sha256 hex>\"" (strong)
  std::string repr_digest;  // "sha-256=:<base64>:" (RFC 9530)
};

struct ServedArtefact {
  Artefact artefact;
  std::string extension;      // "csv"
  std::string download_name;  // "naptan-stops-2026-07-24.csv"
  Representation identity;
  std::optional<Representation> gzip;
};

struct ServedRelease {
  Release release;
  std::string report_json;  // the gate's verdict, "" for releases cut before the gate
  std::string last_modified;  // HTTP-date of publication, formatted once
  std::vector<ServedArtefact> artefacts;
  std::string manifest_etag;
  const ServedArtefact* artefact(const std::string& extension) const;
};

struct ServedNotice {
  std::string id;
  std::string json;  // the notice document served at its URL
};

// A backfill's plan as published with the release that used it.
struct ServedPlan {
  std::string id;
  std::string json;  // intent, owner, reviewers, definitions, blast radius, the release
};

// A feed document (the subscription document or an archive page) with its ETag.
struct FeedDoc {
  std::string body, etag;
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
  std::vector<ServedNotice> notices;
  std::string notices_json, notices_json_etag;
  std::shared_ptr<const Contract> contract;
  std::string publisher, licence;
  std::vector<ServedRelease> releases;  // oldest first
  std::string metadata_json, releases_json, contract_json, metadata_html;
  std::string metadata_json_etag, releases_json_etag, contract_json_etag, metadata_html_etag;
  ServedFeed feed;
  // Deprecation, Sunset and Link headers of the deprecation and removal notices that touch
  // every resource of the dataset (scoped by columns or records), and of those scoped to keys.
  HeaderList notice_headers;
  std::map<std::string, HeaderList> key_notice_headers;
  const ServedRelease* release(const std::string& id) const;
  const ServedNotice* notice(const std::string& id) const;
  std::vector<ServedPlan> plans;
  const ServedPlan* plan(const std::string& id) const;
  const ServedRelease* newest() const { return releases.empty() ? nullptr : &releases.back(); }
  // The newest release published at or before `t`, or null.
  const ServedRelease* as_of(UnixSeconds t) const;
};

struct Catalog {
  std::map<std::string, ServedDataset> datasets;
  std::string datasets_json, index_html;
  std::string datasets_json_etag, index_html_etag;
  ServedFeed all_feed;  // every dataset's entries
  CatalogOptions options;
  std::int64_t version = 0;  // the ledger's high-water mark it was built at
  std::uint64_t releases_total = 0;
  const ServedDataset* dataset(const std::string& id) const;
};

// Builds a snapshot from `store`.
Result<std::shared_ptr<const Catalog>> build_catalog(Store& store, const CatalogOptions& options = {});

// A strong ETag for a generated document: a quoted prefix of its SHA-256.
std::string etag_of(std::string_view body);

class CatalogSource {
 public:
  // Opens the store read-only. `check_every` bounds how often the store is asked whether it
  // changed; requests in between share the snapshot they have.
  static Result<std::unique_ptr<CatalogSource>> open(const std::filesystem::path& data_dir,
                                                     std::chrono::milliseconds check_every,
                                                     const CatalogOptions& options = {});
  std::shared_ptr<const Catalog> current();
  // Rebuilds the snapshot under new options (the server learns its port after binding).
  Status reconfigure(const CatalogOptions& options);

 private:
  CatalogSource() = default;
  std::mutex mutex_;  // guards store_ and refreshing
  std::unique_ptr<Store> store_;
  CatalogOptions options_;
  std::atomic<std::shared_ptr<const Catalog>> catalog_;
  std::chrono::milliseconds check_every_{250};
  std::atomic<std::int64_t> next_check_ns_{0};
};

}  // namespace gazette::http
