// Method: read every dataset's releases and artefacts once, resolve artefact paths from their
// hashes, and pre-render the JSON and HTML documents the moving routes serve, with ETags,
// so that a request for a list costs a map lookup and a copy.
#include "publisher/http/catalog.hpp"

#include <nlohmann/json.hpp>

#include "publisher/common/sha256.hpp"
#include "publisher/contract/contract.hpp"
#include "publisher/http/catalog_feeds.hpp"
#include "publisher/http/html.hpp"
#include "publisher/site/urls.hpp"

namespace gazette::http {

namespace {

using ojson = nlohmann::ordered_json;

std::string digest_header(const std::string& hex) {
  Digest d{};
  for (std::size_t i = 0; i < d.size() && 2 * i + 1 < hex.size(); ++i)
    d[i] = static_cast<std::uint8_t>(std::stoi(hex.substr(2 * i, 2), nullptr, 16));
  return "sha-256=:" + to_base64(d) + ":";
}

ojson release_summary(const ServedRelease& sr) {
  const Release& r = sr.release;
  ojson j;
  j["id"] = r.id;
  j["published_at"] = format_rfc3339(r.published_at);
  j["kind"] = to_string(r.kind);
  j["owner"] = r.owner;
  j["parent"] = r.parent.empty() ? ojson(nullptr) : ojson(r.parent);
  j["record_count"] = r.record_count;
  j["contract_version"] = r.contract_version;
  j["manifest"] = urls::manifest(r.dataset, r.id);
  ojson arts = ojson::object();
  for (const auto& a : sr.artefacts) {
    ojson aj;
    aj["url"] = urls::release_file(r.dataset, r.id, a.artefact.name);
    aj["media_type"] = a.artefact.media_type;
    aj["bytes"] = a.artefact.bytes;
    aj["sha256"] = a.artefact.sha256;
    arts[a.extension] = std::move(aj);
  }
  j["artefacts"] = std::move(arts);
  return j;
}

void build_dataset_documents(ServedDataset& d) {
  const std::string base = urls::dataset(d.info.id);
  ojson rels = ojson::array();
  for (auto it = d.releases.rbegin(); it != d.releases.rend(); ++it)
    rels.push_back(release_summary(*it));
  ojson list;
  list["dataset"] = d.info.id;
  list["releases"] = std::move(rels);
  d.releases_json = list.dump(2) + "\n";

  ojson meta;
  meta["id"] = d.info.id;
  meta["title"] = d.info.title;
  meta["publisher"] = d.publisher;
  meta["licence"] = d.licence;
  meta["contract_version"] = d.info.contract_version;
  meta["release_count"] = d.releases.size();
  meta["latest"] = d.newest() ? release_summary(*d.newest()) : ojson(nullptr);
  ojson links;
  links["self"] = base;
  links["releases"] = urls::releases(d.info.id);
  links["contract"] = urls::contract(d.info.id);
  links["latest"] = base + "/latest/{file}";    // URI templates, as
  links["as_of"] = base + "/as-of/{iso8601}";  // urls::latest and urls::as_of fill them
  meta["links"] = std::move(links);
  d.metadata_json = meta.dump(2) + "\n";
  d.metadata_html = render_dataset_html(d);
  // ETags are computed once per snapshot, not per request.
  d.metadata_json_etag = etag_of(d.metadata_json);
  d.releases_json_etag = etag_of(d.releases_json);
  d.contract_json_etag = etag_of(d.contract_json);
  d.metadata_html_etag = etag_of(d.metadata_html);
}

}  // namespace

const ServedArtefact* ServedRelease::artefact(const std::string& extension) const {
  for (const auto& a : artefacts)
    if (a.extension == extension) return &a;
  return nullptr;
}

const ServedRelease* ServedDataset::release(const std::string& id) const {
  for (const auto& r : releases)
    if (r.release.id == id) return &r;
  return nullptr;
}

const ServedNotice* ServedDataset::notice(const std::string& id) const {
  for (const auto& n : notices)
    if (n.id == id) return &n;
  return nullptr;
}

const ServedPlan* ServedDataset::plan(const std::string& id) const {
  for (const auto& p : plans)
    if (p.id == id) return &p;
  return nullptr;
}

const ServedRelease* ServedDataset::as_of(UnixSeconds t) const {
  const ServedRelease* found = nullptr;
  for (const auto& r : releases)
    if (r.release.published_at <= t) found = &r;
  return found;
}

const ServedDataset* Catalog::dataset(const std::string& id) const {
  auto it = datasets.find(id);
  return it == datasets.end() ? nullptr : &it->second;
}

std::string etag_of(std::string_view body) {
  return "\"" + to_hex(sha256(body)).substr(0, 32) + "\"";
}

Result<std::shared_ptr<const Catalog>> build_catalog(Store& store, const CatalogOptions& options) {
  auto catalog = std::make_shared<Catalog>();
  catalog->options = options;
  std::vector<feeds::FeedEntry> every_entry;
  auto hw = store.ledger_high_water();
  if (!hw.ok()) return hw.status();
  catalog->version = *hw;
  auto datasets = store.list_datasets();
  if (!datasets.ok()) return datasets.status();
  ojson list = ojson::array();
  for (auto& info : *datasets) {
    ServedDataset d;
    d.info = info;
    auto parsed = parse_contract(info.contract_json, "contract of " + info.id);
    if (!parsed.ok()) return parsed.status();
    d.contract = std::make_shared<const Contract>(std::move(*parsed));
    auto contract = nlohmann::json::parse(info.contract_json, nullptr, false);
    if (contract.is_object()) {
      d.publisher = contract.value("publisher", "");
      d.licence = contract.value("licence", "");
    }
    d.contract_json = info.contract_json + "\n";
    auto rels = store.releases(info.id);
    if (!rels.ok()) return rels.status();
    for (auto& r : *rels) {
      ServedRelease sr;
      sr.manifest_etag = etag_of(r.manifest_json);
      for (const auto& a : r.artefacts) {
        ServedArtefact sa;
        sa.artefact = a;
        sa.extension = a.name.substr(a.name.rfind('.') + 1);
        sa.download_name = info.id + "-" + r.id + "." + sa.extension;
        // An evicted artefact has no files: it is rendered again, and offered without gzip.
        sa.identity = {a.evicted ? std::filesystem::path() : store.object_path(a.sha256), a.bytes,
                       "\"" + a.sha256 + "\"", digest_header(a.sha256)};
        if (!a.gzip_sha256.empty() && !a.evicted)
          sa.gzip = Representation{store.object_path(a.gzip_sha256), a.gzip_bytes,
                                   "\"" + a.gzip_sha256 + "\"", digest_header(a.gzip_sha256)};
        sr.artefacts.push_back(std::move(sa));
      }
      auto report = store.release_report(info.id, r.id);
      if (!report.ok()) return report.status();
      sr.report_json = std::move(*report);
      auto plan = store.release_plan(info.id, r.id);
      if (!plan.ok()) return plan.status();
      if (!plan->empty()) {
        ojson doc = ojson::parse(*plan, nullptr, false);
        if (doc.is_object() && doc.contains("id") && doc["id"].is_string()) {
          const std::string id = doc["id"].get<std::string>();
          doc["dataset"] = info.id;
          doc["release"] = r.id;
          doc["published_at"] = format_rfc3339(r.published_at);
          doc["url"] = urls::plan(info.id, id);
          doc["release_url"] = urls::manifest(info.id, r.id);
          doc["report_url"] = urls::report(info.id, r.id);
          d.plans.push_back({id, doc.dump(2) + "\n"});
        }
      }
      sr.last_modified = format_http_date(r.published_at);
      sr.release = std::move(r);
      d.releases.push_back(std::move(sr));
    }
    auto notices = store.notices(info.id);
    if (!notices.ok()) return notices.status();
    ojson nlist = ojson::array();
    for (const auto& n : *notices) {
      ojson doc = ojson::parse(n.json, nullptr, false);
      if (!doc.is_object()) continue;
      doc["dataset"] = info.id;
      doc["published_at"] = format_rfc3339(n.published_at);
      doc["release"] = n.release.empty() ? ojson(nullptr) : ojson(n.release);
      doc["url"] = urls::notice(info.id, n.id);
      d.notices.push_back({n.id, doc.dump(2) + "\n"});
      nlist.push_back(std::move(doc));
    }
    ojson nl;
    nl["dataset"] = info.id;
    nl["notices"] = std::move(nlist);
    d.notices_json = nl.dump(2) + "\n";
    d.notices_json_etag = etag_of(d.notices_json);
    catalog->releases_total += d.releases.size();
    build_dataset_documents(d);
    auto entries = feed_entries(store, d);
    if (!entries.ok()) return entries.status();
    d.feed = render_served_feed(options, info.id, info.title + ": releases and notices", *entries);
    every_entry.insert(every_entry.end(), entries->begin(), entries->end());
    build_notice_headers(d, options);
    ojson entry;
    entry["id"] = info.id;
    entry["title"] = info.title;
    entry["contract_version"] = info.contract_version;
    entry["release_count"] = d.releases.size();
    entry["latest"] = d.newest() ? ojson(d.newest()->release.id) : ojson(nullptr);
    entry["url"] = urls::dataset(info.id);
    list.push_back(std::move(entry));
    catalog->datasets.emplace(info.id, std::move(d));
  }
  ojson doc;
  doc["datasets"] = std::move(list);
  catalog->datasets_json = doc.dump(2) + "\n";
  catalog->index_html = render_index_html(*catalog);
  feeds::sort_entries(every_entry);
  catalog->all_feed = render_served_feed(options, "all", "gazette: releases and notices of every dataset", every_entry);
  catalog->datasets_json_etag = etag_of(catalog->datasets_json);
  catalog->index_html_etag = etag_of(catalog->index_html);
  return std::shared_ptr<const Catalog>(std::move(catalog));
}

Result<std::unique_ptr<CatalogSource>> CatalogSource::open(const std::filesystem::path& data_dir,
                                                           std::chrono::milliseconds check_every,
                                                           const CatalogOptions& options) {
  std::unique_ptr<CatalogSource> src(new CatalogSource());
  src->options_ = options;
  auto store = Store::open(data_dir, OpenMode::read);
  if (!store.ok()) return store.status();
  src->store_ = std::move(*store);
  src->check_every_ = check_every;
  auto cat = build_catalog(*src->store_, options);
  if (!cat.ok()) return cat.status();
  src->catalog_.store(std::move(*cat));
  return src;
}

Status CatalogSource::reconfigure(const CatalogOptions& options) {
  std::lock_guard lock(mutex_);
  options_ = options;
  auto fresh = build_catalog(*store_, options_);
  if (!fresh.ok()) return fresh.status();
  catalog_.store(std::move(*fresh));
  return {};
}

std::shared_ptr<const Catalog> CatalogSource::current() {
  const std::int64_t now = std::chrono::duration_cast<std::chrono::nanoseconds>(
                               std::chrono::steady_clock::now().time_since_epoch())
                               .count();
  if (now >= next_check_ns_.load(std::memory_order_relaxed)) {
    std::unique_lock lock(mutex_, std::try_to_lock);
    if (lock.owns_lock()) {
      next_check_ns_.store(now + std::chrono::nanoseconds(check_every_).count(),
                           std::memory_order_relaxed);
      auto hw = store_->ledger_high_water();
      // On a read error keep serving the snapshot we have; the next check tries again.
      if (hw.ok() && *hw != catalog_.load()->version) {
        auto fresh = build_catalog(*store_, options_);
        if (fresh.ok()) catalog_.store(std::move(*fresh));
      }
    }
  }
  return catalog_.load();
}

}  // namespace gazette::http
