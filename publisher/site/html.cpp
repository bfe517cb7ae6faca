#include "publisher/site/html.hpp"

#include "publisher/site/catalog.hpp"
#include "publisher/render/render.hpp"
#include "publisher/urls/urls.hpp"

namespace gazette::site {

namespace {
const char* kHead =
    "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
    "<style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;"
    "line-height:1.5}table{border-collapse:collapse}td,th{padding:.2rem .8rem;text-align:left;"
    "border-bottom:1px solid #ddd}code{font-size:.9em}</style>";
}  // namespace

std::string html_escape(const std::string& s) {
  std::string out;
  append_xml_escaped(out, s);  // the same five characters matter in HTML text and attributes
  return out;
}

std::string render_index_html(const Catalog& catalog) {
  std::string h = kHead;
  h += "<title>gazette: datasets</title></head><body>\n<h1>Datasets</h1>\n";
  if (catalog.datasets.empty()) h += "<p>No datasets are published yet.</p>\n";
  h += "<table><tr><th>dataset</th><th>latest release</th><th>releases</th></tr>\n";
  for (const auto& [id, d] : catalog.datasets) {
    h += "<tr><td><a href=\"" + html_escape(urls::dataset(id)) + "\">" + html_escape(d.info.title) +
         "</a><br><code>" + html_escape(id) + "</code></td><td>";
    h += d.newest() ? html_escape(d.newest()->release.id) : std::string("none yet");
    h += "</td><td>" + std::to_string(d.releases.size()) + "</td></tr>\n";
  }
  h += "</table>\n<p>Machine-readable: <a href=\"/datasets\">/datasets</a> (JSON).</p>\n"
       "</body></html>\n";
  return h;
}

std::string render_dataset_html(const ServedDataset& d) {
  const std::string& id = d.info.id;
  std::string h = kHead;
  h += "<title>" + html_escape(d.info.title) + "</title>"
       "<link rel=\"alternate\" type=\"application/atom+xml\" href=\"" + html_escape(urls::feed(id, "atom")) + "\">"
       "</head><body>\n";
  h += "<p><a href=\"/\">All datasets</a></p>\n<h1>" + html_escape(d.info.title) + "</h1>\n";
  h += "<p>" + html_escape(d.contract->publisher) + ". Licence: " + html_escape(d.contract->licence) +
       ". Contract version " + std::to_string(d.info.contract_version) + " (<a href=\"" + html_escape(urls::contract(id)) +
       "\">contract</a>).</p>\n";
  h += "<p>Follow changes: <a href=\"" + html_escape(urls::feed(id, "atom")) + "\">Atom</a>, <a href=\"" +
       html_escape(urls::feed(id, "json")) + "\">JSON Feed</a> (WebSub: <code>/websub</code>); <a href=\"" +
       html_escape(urls::notices(id)) + "\">notices</a>.</p>\n";
  h += "<table><tr><th>release</th><th>published</th><th>kind</th><th>records</th>"
       "<th>downloads</th></tr>\n";
  for (auto it = d.releases.rbegin(); it != d.releases.rend(); ++it) {
    const Release& r = it->release;

    h += "<tr id=\"release-" + html_escape(r.id) + "\"><td>" + html_escape(r.id) + "</td><td>" + format_rfc3339(r.published_at) +
         "</td><td>" + to_string(r.kind) + "</td><td>" + std::to_string(r.record_count) +
         "</td><td>";
    for (const auto& a : it->artefacts)
      h += "<a href=\"" + html_escape(urls::release_file(id, r.id, a.artefact.name)) + "\">" + a.extension + "</a> ";
    h += "<a href=\"" + html_escape(urls::manifest(id, r.id)) + "\">manifest</a></td></tr>\n";
  }
  h += "</table>\n</body></html>\n";
  return h;
}

}  // namespace gazette::site
