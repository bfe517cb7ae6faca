// Areas for people: a release's area index (every area with its name, records, what the release
// changed in it and its files) and one area's page (its files, its feed, and every release that
// changed it, each with its changes in the area). Every value from the data is escaped.
#include <nlohmann/json.hpp>

#include "publisher/site/catalog.hpp"
#include "publisher/site/html.hpp"
#include "publisher/site/html_page.hpp"
#include "publisher/urls/urls.hpp"

namespace gazette::site {

using html::a;
using html::esc;
using ojson = nlohmann::ordered_json;

namespace {

std::string area_label(const ServedDataset& d, const std::string& code) {
  const std::string name = d.contract->partition ? d.contract->partition->name_of(code) : std::string();
  return name.empty() ? code : code + " " + name;
}

std::string counts_text(const ReleaseArea& a) {
  return std::to_string(a.added) + " added, " + std::to_string(a.removed) + " removed, " + std::to_string(a.retired) +
         " retired, " + std::to_string(a.modified) + " modified";
}

std::string title_of(const ServedDataset& d) {
  return d.contract->partition ? d.contract->partition->title : std::string("area");
}

}  // namespace

std::string render_area_index_html(const ServedDataset& d, const ServedRelease& r, const std::vector<ReleaseArea>& areas) {
  const std::string& id = d.info.id;
  const std::string& rel = r.release.id;
  std::string h = html::open_page({d.info.title + ": " + title_of(d) + "s of release " + rel,
                                   {{"/", "All datasets"}, {urls::dataset(id), d.info.title}, {urls::release(id, rel), rel}},
                                   urls::area_index(id, rel)});
  h += "<p>The release's records, one " + esc(title_of(d)) + " at a time. This list is signed (" +
       a(urls::signature(urls::area_index(id, rel)), "areas.minisig") + ") and its SHA-256 is in the release's " +
       a(urls::manifest(id, rel), "manifest") + ". An area's files keep their bytes (and ETag) until a release changes it.</p>\n";
  h += html::table_open({"area", "records", "changed by this release", "files since", "CSV", "feed"}, "areas");
  for (const auto& area : areas) {
    std::string csv;
    for (const auto& art : area.artefacts)
      if (art.name == id + ".csv") csv = a(urls::area_file(id, rel, area.code, art.name), html::bytes(art.bytes));
    h += html::row({a(urls::area_page(id, rel, area.code), area_label(d, area.code)), html::count(area.records),
                    area.changed() && !r.release.parent.empty()
                        ? a(urls::changes(id, r.release.parent, rel) + "&area=" + area.code, counts_text(area))
                        : esc(counts_text(area)),
                    a(urls::release(id, area.since), area.since), csv,
                    a(urls::area_feed(id, area.code, "atom"), "Atom")});
  }
  h += html::kTableClose;
  return h + html::close_page();
}

std::string area_page_json(const ServedDataset& d, const AreaPage& p) {
  const std::string& id = d.info.id;
  const std::string& rel = p.release->release.id;
  ojson j;
  j["dataset"] = id;
  j["release"] = rel;
  j["code"] = p.area.code;
  const std::string name = d.contract->partition ? d.contract->partition->name_of(p.area.code) : std::string();
  j["name"] = name.empty() ? ojson(nullptr) : ojson(name);
  j["records"] = p.area.records;
  j["since"] = p.area.since;
  j["changes"] = {{"added", p.area.added}, {"removed", p.area.removed}, {"retired", p.area.retired},
                  {"modified", p.area.modified}};
  ojson files = ojson::array();
  for (const auto& art : p.area.artefacts)
    files.push_back({{"name", art.name}, {"url", urls::area_file(id, rel, p.area.code, art.name)},
                     {"media_type", art.media_type}, {"bytes", art.bytes}, {"sha256", art.sha256}});
  j["artefacts"] = std::move(files);
  j["feeds"] = {{"atom", urls::area_feed(id, p.area.code, "atom")}, {"json", urls::area_feed(id, p.area.code, "json")}};
  ojson changed = ojson::array();
  for (auto it = p.history.rbegin(); it != p.history.rend(); ++it)
    if (it->second.changed()) changed.push_back(it->first);
  j["changed_by"] = std::move(changed);  // newest first
  j["index"] = urls::area_index(id, rel);
  return j.dump(2) + "\n";
}

std::string render_area_html(const ServedDataset& d, const AreaPage& p) {
  const std::string& id = d.info.id;
  const std::string& rel = p.release->release.id;
  const std::string& code = p.area.code;
  std::string h = html::open_page({d.info.title + ": " + title_of(d) + " " + area_label(d, code) + " in release " + rel,
                                   {{"/", "All datasets"},
                                    {urls::dataset(id), d.info.title},
                                    {urls::release(id, rel), rel},
                                    {urls::area_index(id, rel), title_of(d) + "s"}},
                                   urls::area_page(id, rel, code), urls::area_feed(id, code, "atom"),
                                   urls::area_feed(id, code, "json")});
  h += "<p>" + html::count(p.area.records) + " records. Follow this area alone: " +
       a(urls::area_feed(id, code, "atom"), "Atom") + ", " + a(urls::area_feed(id, code, "json"), "JSON Feed") +
       " (WebSub topics). Its files are those first published by " + a(urls::release(id, p.area.since), p.area.since) +
       ".</p>\n";
  h += "<h2 id=\"downloads\">Downloads</h2>\n" + html::table_open({"file", "size", "SHA-256"});
  for (const auto& art : p.area.artefacts)
    h += html::row({a(urls::area_file(id, rel, code, art.name), art.name), html::bytes(art.bytes),
                    "<code>" + esc(art.sha256) + "</code>"});
  h += html::kTableClose;
  h += "<h2 id=\"changes\">Releases that changed it</h2>\n" + html::table_open({"release", "records", "changes"});
  std::string previous;
  std::vector<std::string> rows;
  for (const auto& [release, area] : p.history) {
    if (area.changed()) {
      const std::string changes = previous.empty() ? esc(counts_text(area))
                                                   : a(urls::changes(id, previous, release) + "&area=" + code, counts_text(area));
      rows.push_back(html::row({a(urls::area_page(id, release, code), release), html::count(area.records), changes}));
    }
    previous = release;
  }
  for (auto it = rows.rbegin(); it != rows.rend(); ++it) h += *it;  // newest first
  h += html::kTableClose;
  return h + html::close_page();
}

}  // namespace gazette::site
