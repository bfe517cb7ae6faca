// Method: the feeds and the notice headers of a snapshot are built with it, once, from what
// the store holds (releases, their reports, plans and changeset summaries, and notices), so
// that serving a feed or a header costs what serving a list costs.
#include "publisher/http/catalog_feeds.hpp"
#include "publisher/site/urls.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace gazette::http {

namespace {

using json = nlohmann::json;

std::uint64_t count_at(const json& j, const char* a, const char* b) {
  if (!j.is_object() || !j.contains(a) || !j[a].is_object()) return 0;
  const auto& o = j[a];
  return o.contains(b) && o[b].is_number_unsigned() ? o[b].get<std::uint64_t>() : 0;
}

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

}  // namespace

Result<std::vector<feeds::FeedEntry>> feed_entries(Store& store, const ServedDataset& d) {
  const std::string& ds = d.info.id;
  auto counts = store.change_counts(ds);
  if (!counts.ok()) return counts.status();
  auto committed = store.publication_order(ds);
  if (!committed.ok()) return committed.status();
  // A notice published with a release is committed just before it, and listed just after.
  auto order_of = [&](const std::string& what, const std::string& release) -> std::int64_t {
    if (!release.empty())
      if (auto it = committed->find("release:" + release); it != committed->end()) return 2 * it->second + 1;
    auto it = committed->find(what);
    return it == committed->end() ? 0 : 2 * it->second;
  };
  std::map<std::string, std::vector<std::string>> notices_of_release;
  std::vector<feeds::FeedEntry> out;
  for (const auto& n : d.notices) {
    json doc = json::parse(n.json, nullptr, false);
    if (!doc.is_object()) continue;
    feeds::NoticeFacts f;
    f.id = n.id;
    f.kind = doc.value("kind", "");
    f.title = doc.value("title", "");
    f.text = doc.value("text", "");
    f.link = doc.value("link", "");
    f.effective_at = doc.value("effective_at", "");
    if (doc.contains("release") && doc["release"].is_string()) f.release = doc["release"].get<std::string>();
    auto t = parse_instant(doc.value("published_at", ""));
    f.published_at = t.ok() ? *t : 0;
    if (!f.release.empty()) notices_of_release[f.release].push_back(f.id);
    out.push_back(feeds::notice_entry(ds, f));
    out.back().order = order_of("notice:" + f.id, f.release);
  }
  for (const auto& sr : d.releases) {
    const Release& r = sr.release;
    feeds::ReleaseFacts f;
    f.id = r.id;
    f.kind = to_string(r.kind);
    f.owner = r.owner;
    f.parent = r.parent;
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
    json report = json::parse(sr.report_json.empty() ? "{}" : sr.report_json, nullptr, false);
    f.routine = count_at(report, "counts", "routine");
    f.notice = count_at(report, "counts", "notice");
    f.breaking = count_at(report, "counts", "breaking");
    if (auto it = notices_of_release.find(r.id); it != notices_of_release.end()) f.notice_ids = it->second;
    if (r.kind == ReleaseKind::backfill) {
      auto plan = store.release_plan(ds, r.id);
      if (!plan.ok()) return plan.status();
      json p = json::parse(plan->empty() ? "{}" : *plan, nullptr, false);
      if (p.is_object()) {
        f.plan_id = p.value("id", "");
        f.plan_owner = p.value("owner", "");
      }
    }
    for (const auto& a : sr.artefacts)
      f.artefacts.push_back({urls::release_file(ds, r.id, a.artefact.name),
                             a.artefact.media_type, a.artefact.bytes});
    out.push_back(feeds::release_entry(ds, f));
    out.back().order = order_of("release:" + r.id, "");
  }
  feeds::sort_entries(out);
  return out;
}

ServedFeed render_served_feed(const CatalogOptions& options, const std::string& id, const std::string& title,
                              const std::vector<feeds::FeedEntry>& entries) {
  ServedFeed f;
  f.entries = entries.size();
  const feeds::FeedSite site = site_for(options, id, title);
  const std::size_t pages = feeds::archive_count(entries.size(), site.page_size);
  f.hub_link = "<" + site.hub_url + ">; rel=\"hub\"";
  for (std::size_t page = 0; page <= pages; ++page) {
    auto self = [&](const char* ext) {
      return "<" + site.base_url + site.path + (page ? "/archive/" + std::to_string(page) : std::string()) + "." +
             ext + ">; rel=\"self\"";
    };
    std::string atom = feeds::render_feed(site, entries, page, feeds::FeedFormat::atom);
    std::string js = feeds::render_feed(site, entries, page, feeds::FeedFormat::json);
    std::string atom_etag = etag_of(atom), json_etag = etag_of(js);
    f.atom.push_back({std::move(atom), std::move(atom_etag), self("atom")});
    f.json.push_back({std::move(js), std::move(json_etag), self("json")});
  }
  return f;
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
  for (const auto& n : d.notices) {
    json doc = json::parse(n.json, nullptr, false);
    if (!doc.is_object()) continue;
    const std::string kind = doc.value("kind", "");
    auto published = parse_instant(doc.value("published_at", ""));
    if (!published.ok()) continue;
    std::optional<UnixSeconds> effective;
    if (auto e = parse_instant(doc.value("effective_at", "")); e.ok()) effective = *e;
    const bool announced = kind == "removal" && effective && *effective > *published;
    if (kind != "deprecation" && !announced) continue;
    const json scope = doc.value("scope", json::object());
    const bool whole = scope.contains("columns") || scope.contains("where") || !scope.contains("keys");
    if (whole) add(all, n.id, *published, effective);
    if (scope.contains("keys") && scope["keys"].is_array())
      for (const auto& k : scope["keys"])
        if (k.is_string()) add(by_key[k.get<std::string>()], n.id, *published, effective);
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

}  // namespace gazette::http
