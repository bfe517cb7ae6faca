// The release page: everything a reviewer of a backfill, or a consumer deciding whether to
// take a release, needs on one page: what it is, what the gate found (every sample with its
// old and new values), what it announced, the plan it followed, and how to check a download.
#include "publisher/site/catalog.hpp"
#include "publisher/site/html.hpp"
#include "publisher/site/html_page.hpp"
#include "publisher/site/page_parts.hpp"
#include "publisher/urls/urls.hpp"

namespace gazette::site {

using html::a;
using html::esc;

namespace {

std::string report_html(const ServedDataset& d, const ServedRelease& r) {
  if (!r.report) return "<p>This release was cut before gazette kept the gate's report.</p>\n";
  const PublishedReport& p = *r.report;
  std::string h = "<p id=\"verdict\">Outcome: <strong>" + esc(p.outcome) + "</strong>. " + html::count(p.changed_records) +
                  " records changed. Findings: " + html::severity("breaking") + " " + std::to_string(p.breaking) + ", " +
                  html::severity("notice") + " " + std::to_string(p.notice) + ", " + html::severity("routine") + " " +
                  std::to_string(p.routine) + ". " + a(urls::report(d.info.id, r.release.id), "report.json") + "</p>\n";
  if (p.rules.empty()) return h + "<p>No findings.</p>\n";
  h += html::table_open({"rule", "severity", "about", "count", "not covered", "covered by", "notes"}, "rules");
  for (const auto& f : p.rules) {
    std::string covered;
    for (const auto& c : f.covered_by) covered += (covered.empty() ? "" : ", ") + esc(c);
    std::string notes;
    for (const auto& n : f.notes) notes += (notes.empty() ? "" : "<br>") + esc(n);
    h += html::row({"<code>" + esc(f.rule) + "</code>", html::severity(f.severity), esc(f.about), html::count(f.count),
                    html::count(f.uncovered), covered, notes});
  }
  h += html::kTableClose;
  h += "<h3>Samples</h3>\n";
  h += html::table_open({"rule", "key", "note", "column", "old", "new"}, "samples");
  for (const auto& f : p.rules) {
    for (const auto& s : f.samples) {
      const std::string key = s.key.empty() ? std::string("<span class=\"null\">the whole set</span>")
                                            : a(urls::record_history(d.info.id, s.key), s.key);
      if (s.fields.empty()) {
        h += html::row({"<code>" + esc(f.rule) + "</code>", key, esc(s.rule), "", "", ""});
        continue;
      }
      for (const auto& fc : s.fields)
        h += html::row({"<code>" + esc(f.rule) + "</code>", key, esc(s.rule), "<code>" + esc(fc.column) + "</code>",
                        "<span class=\"old\">" + html::value(fc.old_value) + "</span>",
                        "<span class=\"new\">" + html::value(fc.new_value) + "</span>"});
    }
  }
  return h + html::kTableClose;
}

}  // namespace

std::string plan_details_html(const ServedDataset& d, const ServedPlan& p) {
  const Plan& plan = p.plan;
  std::string h = "<dl><dt>Plan</dt><dd>" + a(urls::plan(d.info.id, plan.id), plan.id) + "</dd><dt>Owner</dt><dd>" +
                  esc(plan.owner) + "</dd><dt>Reviewed by</dt><dd>";
  for (std::size_t i = 0; i < plan.reviewed_by.size(); ++i) h += (i ? ", " : "") + esc(plan.reviewed_by[i]);
  h += "</dd><dt>Intent</dt><dd>" + esc(plan.intent) + "</dd><dt>Most records it may change</dt><dd>" +
       html::count(plan.max_records) + "</dd><dt>Used by</dt><dd>" + a(urls::release(d.info.id, p.release), p.release) +
       "</dd></dl>\n";
  h += "<h3>Blast radius</h3>\n" + scope_html(d, plan.blast_radius);
  if (!plan.definitions.empty()) {
    h += "<h3>Definitions it changes</h3>\n" + html::table_open({"definition", "from", "to", "new text"});
    for (const auto& c : plan.definitions)
      h += html::row({"<code>" + esc(c.name) + "</code>", "v" + std::to_string(c.from), "v" + std::to_string(c.to), esc(c.text)});
    h += html::kTableClose;
  }
  return h;
}

std::string notice_summary_html(const ServedDataset& d, const Notice& n) {
  std::string h = "<div class=\"notice\" data-notice=\"" + esc(n.id) + "\"><strong>" +
                  a(urls::notice(d.info.id, n.id), n.title) + "</strong> (" + to_string(n.kind) + ")<br>" + esc(n.text);
  if (n.effective_at) h += "<br>Effective: " + html::instant(*n.effective_at);
  return h + "</div>\n";
}

std::string render_release_html(const ServedDataset& d, const ServedRelease& sr, const std::string& base_url) {
  const Release& r = sr.release;
  const std::string& id = d.info.id;
  std::string h = html::open_page({d.info.title + ": release " + r.id,
                                   {{"/", "All datasets"}, {urls::dataset(id), d.info.title}},
                                   urls::release(id, r.id)});
  h += "<dl id=\"manifest\"><dt>Published</dt><dd>" + html::instant(r.published_at) + "</dd><dt>Kind</dt><dd>" +
       to_string(r.kind) + "</dd><dt>Owner</dt><dd>" + esc(r.owner) + "</dd><dt>Records</dt><dd>" +
       html::count(r.record_count) + "</dd><dt>Contract</dt><dd>" +
       a(urls::contract(id), "version " + std::to_string(r.contract_version)) + "</dd><dt>Parent</dt><dd>" +
       (r.parent.empty() ? std::string("none: the first release") : a(urls::release(id, r.parent), r.parent)) +
       "</dd><dt>Child</dt><dd>" +
       (sr.child.empty() ? std::string("none yet: the newest") : a(urls::release(id, sr.child), sr.child)) +
       "</dd><dt>Manifest</dt><dd>" + a(urls::manifest(id, r.id), "manifest.json") + "</dd>";
  if (!r.candidate.empty()) h += "<dt>Cut from candidate</dt><dd><code>" + esc(r.candidate) + "</code></dd>";
  h += "</dl>\n";
  if (!sr.format_change.empty())
    h += "<div class=\"notice\" id=\"format-change\"><strong>Format change</strong><br>" + esc(sr.format_change) +
         "</div>\n";

  h += "<h2 id=\"changes\">Changes</h2>\n";
  if (sr.changes) {
    h += "<p>" + html::count(sr.changes->added) + " added, " + html::count(sr.changes->retired) + " retired, " +
         html::count(sr.changes->removed) + " removed, " + html::count(sr.changes->modified) + " modified: " +
         a(urls::changes(id, r.parent, r.id), r.parent.empty() ? "every record" : "the changes from " + r.parent) + ".</p>\n";
  } else {
    h += "<p>" + a(urls::changes(id, r.parent, r.id), "The changes from its parent") + ".</p>\n";
  }

  h += "<h2 id=\"downloads\">Downloads</h2>\n" + html::table_open({"file", "type", "size", "SHA-256"});
  for (const auto& art : sr.artefacts)
    h += html::row({a(urls::release_file(id, r.id, art.artefact.name), art.download_name), esc(art.artefact.media_type),
                    html::bytes(art.artefact.bytes), "<code>" + esc(art.artefact.sha256) + "</code>"});
  h += html::kTableClose;
  if (!sr.artefacts.empty()) {
    const ServedArtefact& first = sr.artefacts.front();
    h += "<h3 id=\"verify\">Checking a download</h3>\n<p>These bytes never change. A download is the release if "
         "its SHA-256 is the one above and in the manifest:</p>\n<pre>curl -o " + esc(first.download_name) + " " + esc(base_url) +
         esc(urls::release_file(id, r.id, first.artefact.name)) + "\necho '" + esc(first.artefact.sha256) + "  " +
         esc(first.download_name) + "' | sha256sum -c</pre>\n<p>The response's <code>Repr-Digest</code> header carries the "
         "same digest; <code>gazette mirror</code> keeps a verified copy of every release.</p>\n";
  }

  h += "<h2 id=\"report\">The gate's report</h2>\n" + report_html(d, sr);

  h += "<h2 id=\"notices\">Notices it carried</h2>\n";
  bool any = false;
  for (const auto& sn : d.notices)
    if (sn.notice.release == r.id) h += notice_summary_html(d, sn.notice), any = true;
  if (!any) h += "<p>None.</p>\n";

  h += "<h2 id=\"plan\">Plan</h2>\n";
  const ServedPlan* plan = nullptr;
  for (const auto& p : d.plans)
    if (p.release == r.id) plan = &p;
  h += plan ? plan_details_html(d, *plan) : std::string("<p>None: not a backfill.</p>\n");
  return h + html::close_page();
}

}  // namespace gazette::site
