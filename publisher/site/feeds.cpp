// Method: the feeds and the notice headers of a snapshot are built with it, once, from what
// the store holds (releases, their reports, plans and changeset summaries, and notices), so
// that serving a feed or a header costs what serving a list costs.
#include "publisher/site/feeds.hpp"
#include "publisher/urls/urls.hpp"

#include <algorithm>

namespace gazette::site {

namespace {

feeds::FeedSite site_for(const CatalogOptions& o, const std::string& id, const std::string& title) {
  feeds::FeedSite s;
  s.base_url = o.base_url;
  s.hub_url = o.hub_url.empty() ? o.base_url + "/websub" : o.hub_url;
  s.path = urls::feed_base(id);
  s.title = title;
  s.home_path = id == "all" ? urls::datasets() : urls::dataset(id);
  s.id_name = "gazette:feed:" + id;
  s.page_size = o.feed_page_size;
  return s;
}

// Whether notice `n` touches area `code`: scoped to keys, one of them in it; scoped otherwise
// (columns, a filter), every area.
bool touches_area(const Notice& n, const Partition& p, const std::string& code) {
  if (n.scope.keys.empty()) return true;
  for (const auto& k : n.scope.keys)
    if (p.code_of(k) == code) return true;
  return false;
}

// The entries of a dataset's feed, or (with `area`) of one area's: for an area, only the
// releases that changed it, each with the area's facts in place of the release's.
Result<std::vector<feeds::FeedEntry>> entries_of(Store& store, const ServedDataset& d,
                                                 const std::map<std::string, ReleaseArea>* area,
                                                 const std::string& code) {
  const std::string& ds = d.info.id;
  auto counts = store.change_counts(ds);
  if (!counts.ok()) return counts.status();
  auto committed = store.publication_order(ds);
  if (!committed.ok()) return committed.status();
  auto order_in = [](const std::map<std::string, std::int64_t>& of, const std::string& id) -> std::int64_t {
    auto it = of.find(id);
    return it == of.end() ? 0 : it->second;
  };
  std::map<std::string, std::vector<std::string>> notices_of_release;
  std::vector<feeds::FeedEntry> out;
  for (const auto& sn : d.notices) {
    const Notice& n = sn.notice;
    if (area != nullptr && !touches_area(n, *d.contract->partition, code)) {
      if (!n.release.empty()) notices_of_release[n.release].push_back(n.id);
      continue;
    }
    feeds::NoticeFacts f;
    f.id = n.id;
    f.kind = to_string(n.kind);
    f.title = n.title;
    f.text = n.text;
    f.link = n.link;
    if (n.effective_at) f.effective_at = format_rfc3339(*n.effective_at);
    f.release = n.release;
    f.published_at = n.published_at;
    if (!f.release.empty()) notices_of_release[f.release].push_back(f.id);
    out.push_back(feeds::notice_entry(ds, f));
    // A notice published with a release is committed just before it, and listed just after.
    out.back().order = !n.release.empty() && committed->releases.contains(n.release)
                           ? 2 * committed->releases.at(n.release) + 1
                           : 2 * order_in(committed->notices, n.id);
  }
  for (const auto& sr : d.releases) {
    const Release& r = sr.release;
    const ReleaseArea* in_area = nullptr;
    if (area != nullptr) {
      auto it = area->find(r.id);
      if (it == area->end() || !it->second.changed()) continue;  // it left the area as it was
      in_area = &it->second;
    }
    feeds::ReleaseFacts f;
    f.id = r.id;
    f.kind = to_string(r.kind);
    f.owner = r.owner;
    f.parent = r.parent;
    if (!r.version_derived) f.version = r.version.str();
    f.published_at = r.published_at;
    f.record_count = r.record_count;
    if (auto it = counts->find(r.id); it != counts->end()) {
      f.added = it->second.added;
      f.removed = it->second.removed;
      f.retired = it->second.retired;
      f.modified = it->second.modified;
    } else if (r.parent.empty()) {
      f.added = r.record_count;
    }
    if (sr.report) {
      f.routine = sr.report->routine;
      f.notice = sr.report->notice;
      f.breaking = sr.report->breaking;
    }
    if (auto it = notices_of_release.find(r.id); it != notices_of_release.end()) f.notice_ids = it->second;
    for (const auto& p : d.plans)
      if (p.release == r.id) {
        f.plan_id = p.plan.id;
        f.plan_owner = p.plan.owner;
      }
    f.format_change = sr.format_change;
    if (in_area != nullptr) {
      f.area = code;
      f.area_name = d.contract->partition->name_of(code);
      f.record_count = in_area->records;
      f.added = in_area->added;
      f.removed = in_area->removed;
      f.retired = in_area->retired;
      f.modified = in_area->modified;
      for (const auto& a : in_area->artefacts)
        f.artefacts.push_back({urls::area_file(ds, r.id, code, a.name), a.media_type, a.bytes});
    } else {
      for (const auto& a : sr.artefacts)
        f.artefacts.push_back({urls::release_file(ds, r.id, a.artefact.name),
                               a.artefact.media_type, a.artefact.bytes});
    }
    out.push_back(feeds::release_entry(ds, f));
    out.back().order = 2 * order_in(committed->releases, r.id);
  }
  feeds::sort_entries(out);
  return out;
}

ServedFeed render_feed_documents(const feeds::FeedSite& site, const std::vector<feeds::FeedEntry>& entries) {
  ServedFeed f;
  f.entries = entries.size();
  const std::size_t pages = feeds::archive_count(entries.size(), site.page_size);
  f.hub_link = "<" + site.hub_url + ">; rel=\"hub\"";
  for (std::size_t page = 0; page <= pages; ++page) {
    auto self = [&](const char* ext) {
      return "<" + site.base_url + site.path + (page ? "/archive/" + std::to_string(page) : std::string()) + "." +
             ext + ">; rel=\"self\"";
    };
    std::string atom = feeds::render_feed(site, entries, page, feeds::FeedFormat::atom);
    std::string js = feeds::render_feed(site, entries, page, feeds::FeedFormat::json);
    // The subscription document moves with each entry; a full archive page never changes.
    const Caching caching = page == 0 ? Caching::short_lived : Caching::immutable;
    f.atom.push_back({make_document(std::move(atom), feeds::content_type(feeds::FeedFormat::atom), caching),
                      self("atom")});
    f.json.push_back({make_document(std::move(js), feeds::content_type(feeds::FeedFormat::json), caching),
                      self("json")});
  }
  return f;
}

}  // namespace

Result<std::vector<feeds::FeedEntry>> feed_entries(Store& store, const ServedDataset& d) {
  return entries_of(store, d, nullptr, {});
}

ServedFeed render_served_feed(const CatalogOptions& options, const std::string& id, const std::string& title,
                              const std::vector<feeds::FeedEntry>& entries) {
  return render_feed_documents(site_for(options, id, title), entries);
}

Result<std::optional<ServedFeed>> render_area_feed(Store& store, const CatalogOptions& options, const ServedDataset& d,
                                                   const std::string& code) {
  if (!d.contract->partition) return std::optional<ServedFeed>();
  auto history = store.area_history(d.info.id, code);
  if (!history.ok()) return history.status();
  if (history->empty()) return std::optional<ServedFeed>();
  std::map<std::string, ReleaseArea> by_release;
  for (auto& [release, area] : *history) by_release.emplace(release, std::move(area));
  auto entries = entries_of(store, d, &by_release, code);
  if (!entries.ok()) return entries.status();
  const std::string name = d.contract->partition->name_of(code);
  feeds::FeedSite site = site_for(options, d.info.id,
                                  d.info.title + ": " + d.contract->partition->title + " " + code +
                                      (name.empty() ? "" : " (" + name + ")") + ", releases and notices");
  site.path = urls::area_feed_base(d.info.id, code);
  site.id_name = "gazette:feed:" + d.info.id + "/areas/" + code;
  return std::optional<ServedFeed>(render_feed_documents(site, *entries));
}

bool deprecates(const Notice& n) {
  const bool announced = n.kind == NoticeKind::removal && n.effective_at && *n.effective_at > n.published_at;
  return n.kind == NoticeKind::deprecation || announced;
}

void build_notice_headers(ServedDataset& d, const CatalogOptions& options) {
  // RFC 9745 and RFC 8594: a resource deprecated since the notice's publication, gone at its
  // effective time. Only notices that say a thing will go away deprecate resources: a
  // deprecation, or a removal announced for a later date. A removal already done, a
  // meaning-change or a restatement is news, carried by the feeds.
  struct Touch {
    UnixSeconds deprecated = 0;
    std::optional<UnixSeconds> sunset;
    HeaderList links;
  };
  auto add = [&](Touch& t, const std::string& id, UnixSeconds published, std::optional<UnixSeconds> effective) {
    if (t.links.empty() || published < t.deprecated) t.deprecated = published;
    const std::string url = options.base_url + urls::notice(d.info.id, id);
    t.links.emplace_back("Link", "<" + url + ">; rel=\"deprecation\"; type=\"application/json\"");
    if (effective) {
      const UnixSeconds at = std::max(*effective, published);  // never before the deprecation
      if (!t.sunset || at < *t.sunset) t.sunset = at;
      t.links.emplace_back("Link", "<" + url + ">; rel=\"sunset\"; type=\"application/json\"");
    }
  };
  Touch all;
  std::map<std::string, Touch> by_key;
  for (const auto& sn : d.notices) {
    const Notice& n = sn.notice;
    if (!deprecates(n)) continue;
    const Scope& scope = n.scope;
    const bool whole = !scope.columns.empty() || !scope.where.empty() || scope.keys.empty();
    if (whole) add(all, n.id, n.published_at, n.effective_at);
    for (const auto& k : scope.keys) add(by_key[k], n.id, n.published_at, n.effective_at);
  }
  auto headers = [](const Touch& t) {
    HeaderList h;
    if (t.links.empty()) return h;
    h.emplace_back("Deprecation", "@" + std::to_string(t.deprecated));
    if (t.sunset) h.emplace_back("Sunset", format_http_date(*t.sunset));
    h.insert(h.end(), t.links.begin(), t.links.end());
    return h;
  };
  d.notice_headers = headers(all);
  // A record's own list includes the dataset-wide notices: one Deprecation and one Sunset each.
  for (auto& [key, t] : by_key) {
    if (!all.links.empty()) {
      t.deprecated = std::min(t.deprecated, all.deprecated);
      if (all.sunset && (!t.sunset || *all.sunset < *t.sunset)) t.sunset = all.sunset;
      t.links.insert(t.links.end(), all.links.begin(), all.links.end());
    }
    d.key_notice_headers[key] = headers(t);
  }
}

}  // namespace gazette::site
