// The catalogue and the dataset pages: what a person deciding whether to trust a dataset reads
// first (who publishes it under which licence, how often and how much it changes, what is being
// deprecated), and where to download and follow it.
#include "publisher/site/catalog.hpp"
#include "publisher/site/feeds.hpp"
#include "publisher/site/html.hpp"
#include "publisher/site/html_page.hpp"
#include "publisher/urls/urls.hpp"

namespace gazette::site {

using html::a;
using html::esc;

namespace {

std::string active_notices_list(const ServedDataset& d) {
  std::string h;
  for (const auto& sn : d.notices) {
    const Notice& n = sn.notice;
    if (!deprecates(n)) continue;
    h += "<div class=\"notice\" data-notice=\"" + esc(n.id) + "\"><strong>" + a(urls::notice(d.info.id, n.id), n.title) +
         "</strong> (" + to_string(n.kind) + ", published " + html::date(n.published_at) + ")";
    h += n.effective_at ? "<br>Sunset: " + html::instant(*n.effective_at) : std::string("<br>No sunset date set.");
    h += "</div>\n";
  }
  return h;
}

std::string feed_links(const std::string& id) {
  return a(urls::feed(id, "atom"), "Atom") + ", " + a(urls::feed(id, "json"), "JSON Feed") +
         " (WebSub hub: <code>/websub</code>)";
}

std::string counts_cells(const ServedRelease& r) {
  if (!r.changes) return "<td colspan=\"4\" class=\"null\">not recorded</td>";
  return "<td>" + html::count(r.changes->added) + "</td><td>" + html::count(r.changes->retired) + "</td><td>" +
         html::count(r.changes->removed) + "</td><td>" + html::count(r.changes->modified) + "</td>";
}

std::string verdict_cell(const ServedRelease& r) {
  if (!r.report) return "<span class=\"null\">no report</span>";
  const PublishedReport& p = *r.report;
  std::string h = esc(p.outcome.empty() ? "publishable" : p.outcome);
  if (p.breaking) h += ", <span class=\"sev-breaking\">" + std::to_string(p.breaking) + " breaking</span>";
  if (p.notice) h += ", <span class=\"sev-notice\">" + std::to_string(p.notice) + " notice</span>";
  if (p.routine) h += ", <span class=\"sev-routine\">" + std::to_string(p.routine) + " routine</span>";
  return h;
}

}  // namespace

std::string render_index_html(const Catalog& catalog) {
  std::string h = html::open_page({"Datasets", {}, urls::datasets(), urls::feed("all", "atom"), urls::feed("all", "json")});
  if (catalog.datasets.empty()) h += "<p>No datasets are published yet.</p>\n";
  for (const auto& [id, d] : catalog.datasets) {
    h += "<section class=\"dataset\" id=\"dataset-" + esc(id) + "\"><h2>" + a(urls::dataset(id), d.info.title) +
         "</h2>\n<dl><dt>Identifier</dt><dd><code>" + esc(id) + "</code></dd>";
    h += "<dt>Publisher</dt><dd>" + esc(d.contract->publisher) + "</dd><dt>Licence</dt><dd>" +
         esc(d.contract->licence) + "</dd>";
    if (const ServedRelease* newest = d.newest()) {
      h += "<dt>Newest release</dt><dd>" + a(urls::release(id, newest->release.id), newest->release.id) + ", " +
           html::instant(newest->release.published_at) + "</dd><dt>Records</dt><dd>" +
           html::count(newest->release.record_count) + "</dd>";
    } else {
      h += "<dt>Newest release</dt><dd>none yet</dd>";
    }
    h += "<dt>Releases</dt><dd>" + std::to_string(d.releases.size()) + "</dd><dt>Follow</dt><dd>" + feed_links(id) +
         "</dd></dl>\n";
    h += active_notices_list(d);
    h += "</section>\n";
  }
  h += "<p>Every dataset's releases and notices in one feed: " + feed_links("all") + ".</p>\n";
  return h + html::close_page();
}

std::string render_dataset_html(const ServedDataset& d) {
  const std::string& id = d.info.id;
  std::string h = html::open_page(
      {d.info.title, {{"/", "All datasets"}}, urls::dataset(id), urls::feed(id, "atom"), urls::feed(id, "json")});
  h += "<p>" + esc(d.contract->publisher) + ". Licence: " + esc(d.contract->licence) + ". " +
       a(urls::contract(id), "Contract version " + std::to_string(d.info.contract_version)) + ": what each column " +
       "means and how it may change.</p>\n";
  h += "<p>Follow changes: " + feed_links(id) + "; " + a(urls::notices(id), "all notices") + ".</p>\n";

  const std::string notices = active_notices_list(d);
  h += "<h2 id=\"active-notices\">Active notices</h2>\n" +
       (notices.empty() ? std::string("<p>Nothing is deprecated.</p>\n") : notices);

  h += "<h2 id=\"chart\">Changes per release</h2>\n<figure>" + render_changes_chart_svg(d) +
       "<figcaption>Records changed by each release (log scale), by kind. Select a bar for the release."
       "</figcaption></figure>\n";

  if (const ServedRelease* newest = d.newest()) {
    h += "<h2 id=\"downloads\">Downloads of the newest release, " + a(urls::release(id, newest->release.id), newest->release.id) +
         "</h2>\n" + html::table_open({"file", "size", "SHA-256", "always the newest"});
    for (const auto& art : newest->artefacts)
      h += html::row({a(urls::release_file(id, newest->release.id, art.artefact.name), art.download_name),
                      html::bytes(art.artefact.bytes), "<code>" + esc(art.artefact.sha256) + "</code>",
                      a(urls::latest(id, art.artefact.name), urls::latest(id, art.artefact.name))});
    h += html::kTableClose;
    h += "<p>A dated URL never changes its bytes; <code>latest/</code> redirects to the newest; <code>" +
         esc(urls::as_of(id, "2026-01-01T00:00:00Z")) + "</code> to the release current at that instant.</p>\n";
  }

  if (!d.areas.empty() && d.newest() != nullptr) {
    const std::string& rel = d.newest()->release.id;
    const Partition& p = *d.contract->partition;
    h += "<h2 id=\"areas\">" + esc(p.title) + "s</h2>\n<p>Take one " + esc(p.title) +
         " at a time: its files, its changes (<code>changes?…&amp;area=CODE</code>) and its own feed. " +
         a(urls::area_index(id, rel), "The signed list") + ".</p>\n" +
         html::table_open({"area", "name", "records", "last changed", "newest CSV", "feed"}, "areas");
    for (const auto& area : d.areas)
      h += html::row({a(urls::area_page(id, rel, area.code), area.code), esc(p.name_of(area.code)),
                      html::count(area.records),
                      area.last_changed.empty() ? std::string() : a(urls::release(id, area.last_changed), area.last_changed),
                      a(urls::area_file(id, rel, area.code, id + ".csv"), id + ".csv"),
                      a(urls::area_feed(id, area.code, "atom"), "Atom")});
    h += html::kTableClose;
  }

  h += "<h2 id=\"releases\">Releases</h2>\n";
  if (d.releases.empty()) h += "<p>None yet.</p>\n";
  h += "<form method=\"get\" action=\"" + esc(urls::changes(id)) +
       "\"><label>Compare <select name=\"from\">";
  for (auto it = d.releases.rbegin(); it != d.releases.rend(); ++it)
    h += "<option" + std::string(it == d.releases.rbegin() + 1 ? " selected" : "") + ">" + esc(it->release.id) + "</option>";
  h += "</select></label><label>with <select name=\"to\">";
  for (auto it = d.releases.rbegin(); it != d.releases.rend(); ++it)
    h += "<option" + std::string(it == d.releases.rbegin() ? " selected" : "") + ">" + esc(it->release.id) + "</option>";
  h += "</select></label><button type=\"submit\">Show changes</button></form>\n";
  h += "<table id=\"release-table\"><tr><th>release</th><th>published</th><th>kind</th><th>owner</th>"
       "<th>contract</th><th>records</th><th>added</th><th>retired</th><th>removed</th><th>modified</th>"
       "<th>gate</th><th>changes</th></tr>\n";
  for (auto it = d.releases.rbegin(); it != d.releases.rend(); ++it) {
    const Release& r = it->release;
    h += "<tr id=\"release-" + esc(r.id) + "\"><td>" + a(urls::release(id, r.id), r.id) + "</td><td>" +
         html::instant(r.published_at) + "</td><td>" + to_string(r.kind) + "</td><td>" + esc(r.owner) + "</td><td>v" +
         std::to_string(r.contract_version) + "</td><td>" + html::count(r.record_count) + "</td>" + counts_cells(*it) +
         "<td>" + verdict_cell(*it) + "</td><td>" +
         (r.parent.empty() ? a(urls::changes(id, "", r.id), "all added") : a(urls::changes(id, r.parent, r.id), "from " + r.parent)) +
         "</td></tr>\n";
  }
  h += html::kTableClose;
  return h + html::close_page();
}

}  // namespace gazette::site
