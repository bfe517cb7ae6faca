// Method: read every dataset's releases, artefacts, notices and plans once, in one read
// transaction; parse what other modules wrote with their own readers (the contract, notices,
// plans, gate reports); resolve artefact paths from their hashes; and render the JSON and
// HTML documents the moving routes serve, with their ETags, so that a request for a list
// costs a map lookup and a copy.
#include "publisher/site/catalog.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>

#include "publisher/common/sha256.hpp"
#include "publisher/contract/contract.hpp"
#include "publisher/contract/field_changes_json.hpp"
#include "publisher/release/release.hpp"
#include "publisher/release/release_list.hpp"
#include "publisher/site/feeds.hpp"
#include "publisher/site/html.hpp"
#include "publisher/urls/urls.hpp"

namespace gazette::site {

namespace {

using ojson = nlohmann::ordered_json;

std::string digest_header(const std::string& hex) {
  Digest d{};
  for (std::size_t i = 0; i < d.size() && 2 * i + 1 < hex.size(); ++i)
    d[i] = static_cast<std::uint8_t>(std::stoi(hex.substr(2 * i, 2), nullptr, 16));
  return "sha-256=:" + to_base64(d) + ":";
}

}  // namespace

ServedArtefact served_area_artefact(const std::string& ds, const ReleaseArea& area, const Artefact& a) {
  ServedArtefact sa;
  sa.artefact = a;
  sa.extension = a.name.substr(a.name.rfind('.') + 1);
  // Named by the release that rendered it: the same bytes always download under one name.
  sa.download_name = ds + "-" + area.code + "-" + area.since + "." + sa.extension;
  sa.identity = {std::filesystem::path(), a.bytes, "\"" + a.sha256 + "\"", digest_header(a.sha256)};
  return sa;
}

namespace {

// The gate's findings without their lists of keys (a backfill's name every key: report.json
// has them, at `url`).
ojson report_summary(const PublishedReport& p, const std::string& url) {
  ojson rules = ojson::array();
  for (const auto& f : p.rules) {
    ojson samples = ojson::array();
    for (const auto& c : f.samples) {
      samples.push_back({{"key", c.key.empty() ? ojson(nullptr) : ojson(c.key)},
                         {"note", c.rule},
                         {"fields", field_changes_json(c.fields)}});
    }
    rules.push_back({{"rule", f.rule}, {"severity", f.severity}, {"about", f.about}, {"count", f.count},
                     {"uncovered", f.uncovered}, {"keys", f.keys}, {"covered_by", f.covered_by}, {"notes", f.notes},
                     {"samples", std::move(samples)}});
  }
  return {{"outcome", p.outcome},
          {"changed_records", p.changed_records},
          {"counts", {{"routine", p.routine}, {"notice", p.notice}, {"breaking", p.breaking}}},
          {"rules", std::move(rules)},
          {"url", url}};
}

// The release as one resource: its manifest as published, the gate's findings, the notices it
// carried, its plan, and its neighbours.
ojson release_document(const ServedDataset& d, const ServedRelease& sr) {
  const Release& r = sr.release;
  ojson j = {{"dataset", d.info.id}, {"release", r.id}};
  const ojson summary = release_summary(sr.release);
  for (auto it = summary.begin(); it != summary.end(); ++it)
    if (it.key() != "id") j[it.key()] = it.value();
  j["child"] = sr.child.empty() ? ojson(nullptr) : ojson(sr.child);
  if (sr.changes)
    j["changes"] = {{"added", sr.changes->added}, {"removed", sr.changes->removed},
                    {"retired", sr.changes->retired}, {"modified", sr.changes->modified},
                    {"url", urls::changes(d.info.id, r.parent, r.id)}};
  j["manifest_document"] = ojson::parse(sr.manifest.body, nullptr, false);
  j["format_change"] = sr.format_change.empty() ? ojson(nullptr) : ojson(sr.format_change);
  j["report"] = sr.report ? report_summary(*sr.report, urls::report(d.info.id, r.id)) : ojson(nullptr);
  ojson notices = ojson::array();
  for (const auto& n : d.notices)
    if (n.notice.release == r.id)
      notices.push_back({{"id", n.notice.id}, {"kind", to_string(n.notice.kind)}, {"title", n.notice.title},
                         {"url", urls::notice(d.info.id, n.notice.id)}});
  j["notices"] = std::move(notices);
  j["plan"] = nullptr;
  for (const auto& p : d.plans)
    if (p.release == r.id) j["plan"] = ojson::parse(p.doc.body, nullptr, false);
  j["url"] = urls::release(d.info.id, r.id);
  return j;
}

void build_dataset_documents(ServedDataset& d, const CatalogOptions& options) {
  const std::string base = urls::dataset(d.info.id);
  if (d.releases_signature.body.empty()) {
    std::vector<Release> releases;
    for (const auto& sr : d.releases) releases.push_back(sr.release);
    d.releases_json = make_document(release_list_json(d.info.id, releases), kJson, Caching::short_lived);
  }

  ojson meta;
  meta["id"] = d.info.id;
  meta["title"] = d.info.title;
  meta["publisher"] = d.contract->publisher;
  meta["licence"] = d.contract->licence;
  meta["contract_version"] = d.info.contract_version;
  meta["release_count"] = d.releases.size();
  meta["latest"] = d.newest() ? release_summary(d.newest()->release) : ojson(nullptr);
  ojson links;
  links["self"] = base;
  links["releases"] = urls::releases(d.info.id);
  links["contract"] = urls::contract(d.info.id);
  links["latest"] = base + "/latest/{file}";    // URI templates, as
  links["as_of"] = base + "/as-of/{iso8601}";  // urls::latest and urls::as_of fill them
  meta["links"] = std::move(links);
  d.metadata_json = make_document(meta.dump(2) + "\n", kJson, Caching::short_lived);
  d.metadata_html = make_document(render_dataset_html(d), kHtml, Caching::short_lived);

  for (auto& sr : d.releases) {
    sr.page_json = make_document(release_document(d, sr).dump(2) + "\n", kJson, Caching::short_lived);
    sr.page_html = make_document(render_release_html(d, sr, options.base_url), kHtml, Caching::short_lived);
  }
  for (auto& n : d.notices) n.html = make_document(render_notice_html(d, n), kHtml, Caching::short_lived);
  for (auto& p : d.plans) p.html = make_document(render_plan_html(d, p), kHtml, Caching::immutable);
  d.notices_html = make_document(render_notices_html(d), kHtml, Caching::short_lived);
  d.contract_html = make_document(render_contract_html(d), kHtml, Caching::contract);
}

// One release with its artefacts' files, its report and the plan it used (if any).
Status add_release(Store& store, ServedDataset& d, Release r) {
  const std::string& ds = d.info.id;
  ServedRelease sr;
  sr.manifest = make_document(std::move(r.manifest_json), kJson, Caching::immutable);
  r.manifest_json.clear();
  for (const auto& a : r.artefacts) {
    ServedArtefact sa;
    sa.artefact = a;
    sa.extension = a.name.substr(a.name.rfind('.') + 1);
    sa.download_name = ds + "-" + r.id + "." + sa.extension;
    // An evicted artefact has no files: it is rendered again, and offered without gzip.
    sa.identity = {a.evicted ? std::filesystem::path() : store.object_path(a.sha256), a.bytes,
                   "\"" + a.sha256 + "\"", digest_header(a.sha256)};
    if (!a.gzip_sha256.empty() && !a.evicted)
      sa.gzip = Representation{store.object_path(a.gzip_sha256), a.gzip_bytes, "\"" + a.gzip_sha256 + "\"",
                               digest_header(a.gzip_sha256)};
    sr.artefacts.push_back(std::move(sa));
  }
  auto report = store.release_report(ds, r.id);
  if (!report.ok()) return report.status();
  if (!report->empty()) {
    auto parsed = read_published_report(*report, "report of " + ds + " " + r.id);
    if (!parsed.ok()) return parsed.status();
    sr.report = *parsed;
    sr.report_doc = make_document(std::move(*report), kJson, Caching::immutable);
  }
  auto plan_text = store.release_plan(ds, r.id);
  if (!plan_text.ok()) return plan_text.status();
  if (!plan_text->empty()) {
    auto plan = read_published_plan(*plan_text, "plan of " + ds + " " + r.id);
    if (!plan.ok()) return plan.status();
    // The plan as published: as reviewed, and where it was used.
    ojson doc = ojson::parse(*plan_text);
    doc["dataset"] = ds;
    doc["release"] = r.id;
    doc["published_at"] = format_rfc3339(r.published_at);
    doc["url"] = urls::plan(ds, plan->id);
    doc["release_url"] = urls::manifest(ds, r.id);
    doc["report_url"] = urls::report(ds, r.id);
    d.plans.push_back({std::move(*plan), r.id, make_document(doc.dump(2) + "\n", kJson, Caching::immutable), {}});
  }
  sr.last_modified = format_http_date(r.published_at);
  sr.release = std::move(r);
  d.releases.push_back(std::move(sr));
  return {};
}

// Every notice, as published (with its publication facts), and their list.
Status add_notices(Store& store, ServedDataset& d) {
  const std::string& ds = d.info.id;
  auto notices = store.notices(ds);
  if (!notices.ok()) return notices.status();
  ojson list = ojson::array();
  for (auto& n : *notices) {
    auto parsed = read_published_notice(n.json, "notice " + n.id + " of " + ds);
    if (!parsed.ok()) return parsed.status();
    Notice notice = std::move(*parsed);
    notice.published_at = n.published_at;
    notice.release = n.release;
    ojson doc = ojson::parse(n.json);
    doc["dataset"] = ds;
    doc["published_at"] = format_rfc3339(n.published_at);
    doc["release"] = n.release.empty() ? ojson(nullptr) : ojson(n.release);
    doc["url"] = urls::notice(ds, n.id);
    d.notices.push_back({std::move(notice), make_document(doc.dump(2) + "\n", kJson, Caching::short_lived), {}});
    list.push_back(std::move(doc));
  }
  ojson doc;
  doc["dataset"] = ds;
  doc["notices"] = std::move(list);
  d.notices_json = make_document(doc.dump(2) + "\n", kJson, Caching::short_lived);
  return {};
}

// The signatures kept for the dataset's documents. A release list kept with its signature is
// served as it was signed, so that its bytes are the ones the signature covers.
Status add_signatures(Store& store, ServedDataset& d) {
  auto sigs = store.signatures(d.info.id);
  if (!sigs.ok()) return sigs.status();
  auto signature_document = [](const StoredSignature& s, Caching caching) {
    return make_document(s.signature, kSignature, caching);
  };
  for (auto& sr : d.releases) {
    if (auto it = sigs->find(manifest_subject(sr.release.id)); it != sigs->end())
      sr.manifest_signature = signature_document(it->second, Caching::immutable);
    if (auto it = sigs->find(changes_subject(sr.release.id)); it != sigs->end()) {
      sr.changes_signature = signature_document(it->second, Caching::immutable);
      sr.changes_bytes = it->second.bytes;
      sr.changes_sha256 = it->second.sha256;
    }
  }
  if (auto it = sigs->find(kReleaseListSubject); it != sigs->end()) {
    d.releases_signature = signature_document(it->second, Caching::short_lived);
    d.releases_json = make_document(it->second.document, kJson, Caching::short_lived);
  }
  return {};
}

// The publisher's keys as /keys lists them: each key's id, its .pub file, when it was made and
// retired, and for a key that replaced another, the URL of its .pub signed by that key.
Status add_keys(Store& store, Catalog& catalog) {
  auto keys = store.signing_keys();
  if (!keys.ok()) return keys.status();
  ojson list = ojson::array();
  for (const auto& k : *keys) {
    ojson j;
    j["id"] = k.id;
    j["public_key"] = k.public_key;
    j["url"] = urls::key_file(k.id);
    j["valid_from"] = format_rfc3339(k.created_at);
    j["valid_until"] = k.retired_at == 0 ? ojson(nullptr) : ojson(format_rfc3339(k.retired_at));
    j["endorsement"] = k.endorsement.empty() ? ojson(nullptr) : ojson(urls::signature(urls::key_file(k.id)));
    list.push_back(std::move(j));
    catalog.key_files[k.id] = make_document(k.public_key, kSignature, Caching::immutable);
    if (!k.endorsement.empty())
      catalog.key_endorsements[k.id] = make_document(k.endorsement, kSignature, Caching::immutable);
  }
  ojson doc;
  doc["keys"] = std::move(list);
  catalog.keys_json = make_document(doc.dump(2) + "\n", kJson, Caching::short_lived);
  return {};
}

// Each version of each definition, from the contract versions ever registered: which contract
// brought it, which release put that contract in force, and the text it replaced.
Status add_definition_history(Store& store, ServedDataset& d) {
  auto versions = store.contract_versions(d.info.id);
  if (!versions.ok()) return versions.status();
  std::map<std::string, const DefinitionVersion*> last;  // by name, into d.definition_history
  std::vector<DefinitionVersion> history;
  std::map<std::string, std::string> last_text;
  for (const auto& [version, json] : *versions) {
    // A contract registered by an older gazette may not pass today's checks; its definitions
    // are still history, so only a contract that cannot be read at all is skipped.
    auto c = parse_contract(json, "contract version " + std::to_string(version) + " of " + d.info.id);
    if (!c.ok()) continue;
    std::string in_force;
    for (const auto& sr : d.releases)
      if (sr.release.contract_version == version) {
        in_force = sr.release.id;
        break;
      }
    for (const auto& def : c->definitions) {
      auto seen = last_text.find(def.name);
      if (seen != last_text.end() && seen->second == def.text) continue;
      history.push_back({def.name, def.version, def.columns, def.text,
                         seen == last_text.end() ? std::string() : seen->second, version, in_force});
      last_text[def.name] = def.text;
    }
  }
  std::stable_sort(history.begin(), history.end(),
                   [](const DefinitionVersion& a, const DefinitionVersion& b) { return a.name < b.name; });
  d.definition_history = std::move(history);
  return {};
}

Result<ServedDataset> build_dataset(Store& store, const DatasetInfo& info, const CatalogOptions& options) {
  ServedDataset d;
  d.info = info;
  auto parsed = parse_contract(info.contract_json, "contract of " + info.id);
  if (!parsed.ok()) return parsed.status();
  d.contract = std::make_shared<const Contract>(std::move(*parsed));
  d.contract_json = make_document(info.contract_json + "\n", kJson, Caching::contract);
  auto rels = store.releases(info.id);
  if (!rels.ok()) return rels.status();
  for (auto& r : *rels) GAZETTE_RETURN_IF_ERROR(add_release(store, d, std::move(r)));
  auto counts = store.change_counts(info.id);
  if (!counts.ok()) return counts.status();
  for (auto& sr : d.releases)
    if (auto it = counts->find(sr.release.id); it != counts->end())
      sr.changes = ChangeSummary{it->second.added, it->second.removed, it->second.retired, it->second.modified};
    else if (sr.release.parent.empty())
      sr.changes = ChangeSummary{sr.release.record_count, 0, 0, 0};  // from nothing: every record added
  std::map<std::string, ServedRelease*> by_id;
  for (auto& sr : d.releases) by_id[sr.release.id] = &sr;
  for (auto& sr : d.releases)
    if (auto parent = by_id.find(sr.release.parent); parent != by_id.end()) parent->second->child = sr.release.id;
  for (std::size_t i = 1; i < d.releases.size(); ++i)
    d.releases[i].format_change =
        format_change_note(*d.contract, info.id, renderer_version(d.releases[i - 1].release.renderer),
                           renderer_version(d.releases[i].release.renderer));
  GAZETTE_RETURN_IF_ERROR(add_signatures(store, d));
  if (d.contract->partition) {
    auto areas = store.area_summaries(d.info.id);
    if (!areas.ok()) return areas.status();
    d.areas = std::move(*areas);
  }
  GAZETTE_RETURN_IF_ERROR(add_notices(store, d));
  GAZETTE_RETURN_IF_ERROR(add_definition_history(store, d));
  build_dataset_documents(d, options);
  return d;
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
    if (n.notice.id == id) return &n;
  return nullptr;
}

const ServedPlan* ServedDataset::plan(const std::string& id) const {
  for (const auto& p : plans)
    if (p.plan.id == id) return &p;
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

Result<std::shared_ptr<const Catalog>> build_catalog(Store& store, const CatalogOptions& options) {
  auto catalog = std::make_shared<Catalog>();
  catalog->options = options;
  // One read transaction: every document of the snapshot describes the same state.
  Store::ReadSnapshot snapshot(store);
  std::vector<feeds::FeedEntry> every_entry;
  auto hw = store.ledger_high_water();
  if (!hw.ok()) return hw.status();
  catalog->version = *hw;
  auto datasets = store.list_datasets();
  if (!datasets.ok()) return datasets.status();
  ojson list = ojson::array();
  for (auto& info : *datasets) {
    auto built = build_dataset(store, info, options);
    if (!built.ok()) return built.status();
    ServedDataset& d = *built;
    catalog->releases_total += d.releases.size();
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
  GAZETTE_RETURN_IF_ERROR(add_keys(store, *catalog));
  ojson doc;
  doc["datasets"] = std::move(list);
  catalog->datasets_json = make_document(doc.dump(2) + "\n", kJson, Caching::short_lived);
  catalog->index_html = make_document(render_index_html(*catalog), kHtml, Caching::short_lived);
  feeds::sort_entries(every_entry);
  catalog->all_feed = render_served_feed(options, "all", "gazette: releases and notices of every dataset", every_entry);
  return std::shared_ptr<const Catalog>(std::move(catalog));
}

Result<std::unique_ptr<CatalogSource>> CatalogSource::open(const std::filesystem::path& data_dir,
                                                           std::chrono::milliseconds check_every,
                                                           const CatalogOptions& options, BuildHook before_rebuild) {
  std::unique_ptr<CatalogSource> src(new CatalogSource());
  src->options_ = options;
  src->before_rebuild_ = std::move(before_rebuild);
  auto store = Store::open(data_dir, OpenMode::read);
  if (!store.ok()) return store.status();
  src->store_ = std::move(*store);
  src->check_every_ = check_every;
  auto cat = build_catalog(*src->store_, options);
  if (!cat.ok()) return cat.status();
  src->catalog_.store(std::move(*cat));
  src->watcher_ = std::thread([s = src.get()] { s->watch(); });
  return src;
}

CatalogSource::~CatalogSource() {
  {
    std::lock_guard lock(stop_mutex_);
    stopping_ = true;
  }
  stop_cv_.notify_all();
  if (watcher_.joinable()) watcher_.join();
}

Status CatalogSource::refresh(bool force) {
  if (!force) {
    auto hw = store_->ledger_high_water();
    if (!hw.ok()) return hw.status();
    if (*hw == catalog_.load()->version) return {};
  }
  if (before_rebuild_) before_rebuild_();
  auto fresh = build_catalog(*store_, options_);
  if (!fresh.ok()) return fresh.status();
  catalog_.store(std::move(*fresh));
  return {};
}

void CatalogSource::watch() {
  std::unique_lock stop_lock(stop_mutex_);
  while (!stop_cv_.wait_for(stop_lock, check_every_, [&] { return stopping_; })) {
    stop_lock.unlock();
    {
      // On a read error keep serving the snapshot we have; the next check tries again.
      std::lock_guard lock(store_mutex_);
      (void)refresh(false);
    }
    stop_lock.lock();
  }
}

Status CatalogSource::reconfigure(const CatalogOptions& options) {
  std::lock_guard lock(store_mutex_);
  options_ = options;
  return refresh(true);
}

}  // namespace gazette::site
