// The reference pages: notices (each with its scope and what it deprecates), the contract
// (columns, roles, code lists, tolerances, and each definition's history), and plans.
#include "publisher/site/catalog.hpp"
#include "publisher/site/feeds.hpp"
#include "publisher/site/html.hpp"
#include "publisher/site/html_page.hpp"
#include "publisher/site/page_parts.hpp"
#include "publisher/urls/urls.hpp"

namespace gazette::site {

using html::a;
using html::esc;

namespace {

constexpr std::size_t kKeysShown = 200;

std::string code(const std::string& s) { return "<code>" + esc(s) + "</code>"; }

std::string list(const std::vector<std::string>& values) {
  std::string h;
  for (std::size_t i = 0; i < values.size(); ++i) h += (i ? ", " : "") + code(values[i]);
  return h;
}

std::string number(double v) {
  std::string s = std::to_string(v);
  while (s.find('.') != std::string::npos && (s.back() == '0' || s.back() == '.')) {
    const bool dot = s.back() == '.';
    s.pop_back();
    if (dot) break;
  }
  return s;
}

std::string column_name(const Contract& c, std::size_t i) {
  return i < c.columns.size() ? code(c.columns[i].name) : std::string("<span class=\"null\">none</span>");
}

std::string moves(Moves m) {
  switch (m) {
    case Moves::never: return "never";
    case Moves::forward: return "only forward";
    case Moves::freely: break;
  }
  return "freely";
}

}  // namespace

std::string scope_html(const ServedDataset& d, const Scope& s) {
  std::string h = "<dl>";
  if (!s.columns.empty()) h += "<dt>Columns</dt><dd>" + list(s.columns) + "</dd>";
  for (const auto& [column, values] : s.where) h += "<dt>Where " + code(column) + " is</dt><dd>" + list(values) + "</dd>";
  if (!s.keys.empty()) {
    h += "<dt>Records</dt><dd>";
    for (std::size_t i = 0; i < s.keys.size() && i < kKeysShown; ++i)
      h += (i ? ", " : "") + a(urls::record(d.info.id, s.keys[i]), s.keys[i]);
    if (s.keys.size() > kKeysShown) h += " and " + html::count(s.keys.size() - kKeysShown) + " more";
    h += "</dd>";
  }
  if (s.empty()) h += "<dt>Scope</dt><dd>the whole dataset</dd>";
  return h + "</dl>\n";
}

std::string render_notices_html(const ServedDataset& d) {
  const std::string& id = d.info.id;
  std::string h = html::open_page({d.info.title + ": notices", {{"/", "All datasets"}, {urls::dataset(id), d.info.title}},
                                   urls::notices(id), urls::feed(id, "atom"), urls::feed(id, "json")});
  if (d.notices.empty()) h += "<p>No notices have been published.</p>\n";
  h += html::table_open({"notice", "kind", "published", "with release", "effective", "deprecates"}, "notices");
  for (auto it = d.notices.rbegin(); it != d.notices.rend(); ++it) {
    const Notice& n = it->notice;
    h += html::row({a(urls::notice(id, n.id), n.title) + "<br>" + code(n.id), to_string(n.kind),
                    html::instant(n.published_at), n.release.empty() ? "" : a(urls::release(id, n.release), n.release),
                    n.effective_at ? html::instant(*n.effective_at) : "", deprecates(n) ? "yes" : "no"});
  }
  return h + html::kTableClose + html::close_page();
}

std::string render_notice_html(const ServedDataset& d, const ServedNotice& sn) {
  const Notice& n = sn.notice;
  const std::string& id = d.info.id;
  std::string h = html::open_page({n.title,
                                   {{"/", "All datasets"}, {urls::dataset(id), d.info.title}, {urls::notices(id), "Notices"}},
                                   urls::notice(id, n.id)});
  h += "<dl><dt>Notice</dt><dd>" + code(n.id) + "</dd><dt>Kind</dt><dd>" + to_string(n.kind) + "</dd><dt>Published</dt><dd>" +
       html::instant(n.published_at) + "</dd>";
  if (!n.release.empty()) h += "<dt>With release</dt><dd>" + a(urls::release(id, n.release), n.release) + "</dd>";
  if (n.effective_at) h += "<dt>" + std::string(deprecates(n) ? "Sunset" : "Effective") + "</dt><dd>" + html::instant(*n.effective_at) + "</dd>";
  if (!n.link.empty()) h += "<dt>More</dt><dd>" + a(n.link, n.link) + "</dd>";
  h += "</dl>\n<p class=\"notice-text\">" + esc(n.text) + "</p>\n<h2>Scope</h2>\n" + scope_html(d, n.scope);
  h += "<h2>What it deprecates</h2>\n";
  if (!deprecates(n)) {
    h += "<p>Nothing: a " + std::string(to_string(n.kind)) + " notice is news about the data, not a deprecation.</p>\n";
  } else {
    const bool whole = !n.scope.columns.empty() || !n.scope.where.empty() || n.scope.keys.empty();
    h += "<p>Responses for these resources carry <code>Deprecation</code>" +
         std::string(n.effective_at ? ", <code>Sunset</code>" : "") + " and a <code>Link</code> to this notice:</p>\n<ul>";
    if (whole) {
      h += "<li>" + a(urls::dataset(id), "the dataset") + ", its " + a(urls::releases(id), "releases") +
           ", their files, " + a(urls::contract(id), "contract") + " and changes</li>";
    } else {
      for (std::size_t i = 0; i < n.scope.keys.size() && i < kKeysShown; ++i)
        h += "<li>" + a(urls::record(id, n.scope.keys[i]), "record " + n.scope.keys[i]) + "</li>";
      if (n.scope.keys.size() > kKeysShown) h += "<li>and " + html::count(n.scope.keys.size() - kKeysShown) + " more records</li>";
    }
    h += "</ul>\n";
  }
  return h + html::close_page();
}

std::string render_plan_html(const ServedDataset& d, const ServedPlan& p) {
  const std::string& id = d.info.id;
  std::string h = html::open_page({d.info.title + ": plan " + p.plan.id,
                                   {{"/", "All datasets"}, {urls::dataset(id), d.info.title}},
                                   urls::plan(id, p.plan.id)});
  h += plan_details_html(d, p);
  h += "<p>The gate refused the backfill if it changed more than this plan said: see " +
       a(urls::release(id, p.release) + "#report", "its release's report") + ".</p>\n";
  return h + html::close_page();
}

std::string render_contract_html(const ServedDataset& d) {
  const Contract& c = *d.contract;
  const std::string& id = d.info.id;
  std::string h = html::open_page({d.info.title + ": contract version " + std::to_string(c.version),
                                   {{"/", "All datasets"}, {urls::dataset(id), d.info.title}}, urls::contract(id)});
  h += "<p>What each column means and how it may change without notice. The gate judges every release against "
       "it.</p>\n<dl><dt>Publisher</dt><dd>" + esc(c.publisher) + "</dd><dt>Licence</dt><dd>" + esc(c.licence) +
       "</dd><dt>Key</dt><dd>" + list(c.key) + "</dd><dt>Lifecycle</dt><dd>" + code(c.lifecycle.column) +
       (c.lifecycle.retired_values.empty() ? "" : "; retired when " + list(c.lifecycle.retired_values)) +
       "</dd><dt>Notice lead time</dt><dd>" + std::to_string(c.notice_lead_days) + " days</dd></dl>\n";

  h += "<h2 id=\"columns\">Columns</h2>\n" +
       html::table_open({"column", "type", "role", "null", "unit", "pattern", "moves", "description"}, "columns");
  for (const auto& col : c.columns)
    h += html::row({code(col.name), to_string(col.type), to_string(col.role), col.nullable ? "allowed" : "no", esc(col.unit),
                    col.pattern.empty() ? "" : code(col.pattern), moves(col.moves),
                    esc(col.description) + (col.derived_from.empty() ? "" : " (looked up through " + code(col.derived_from) + ")")});
  h += html::kTableClose;

  h += "<h2 id=\"code-lists\">Code lists</h2>\n";
  bool any = false;
  for (const auto& col : c.columns) {
    if (col.codes.empty()) continue;
    any = true;
    h += "<h3>" + code(col.name) + " (" + (col.codes_closed ? "closed: other values are refused" : "open: new values are routine") +
         ")</h3>\n<p>" + list(col.codes) + "</p>\n";
    if (!col.code_aliases.empty()) {
      h += "<p>Accepted spellings: ";
      bool first = true;
      for (const auto& [from, to] : col.code_aliases) h += (first ? "" : ", ") + code(from) + " &rarr; " + code(to), first = false;
      h += "</p>\n";
    }
  }
  if (!any) h += "<p>None.</p>\n";

  h += "<h2 id=\"tolerances\">Tolerances</h2>\n<dl>";
  if (c.position) {
    const PositionTolerance& p = *c.position;
    h += "<dt>Position moves needing a notice</dt><dd>over " + number(p.notice_m) + " m</dd>"
         "<dt>Another place</dt><dd>over " + number(p.different_place_m) + " m</dd>"
         "<dt>Representations must agree within</dt><dd>" + number(p.agreement_m) + " m</dd>"
         "<dt>Coordinates</dt><dd>";
    for (std::size_t i = 0; i < p.representations.size(); ++i) {
      const auto& r = p.representations[i];
      h += (i ? "; " : "") + column_name(c, r.x) + ", " + column_name(c, r.y) + " in " +
           (r.crs_column < c.columns.size() ? "the CRS named by " + column_name(c, r.crs_column) : esc(r.crs));
    }
    h += "</dd>";
    if (p.group_by < c.columns.size()) h += "<dt>Systematic shifts sought within</dt><dd>" + column_name(c, p.group_by) + "</dd>";
  }
  h += "<dt>A systematic shift</dt><dd>" + std::to_string(c.shift.min_records) + " records or " +
       number(c.shift.min_share * 100) + "% of a group's moved records sharing one displacement (within " +
       number(c.shift.spread_m) + " m; at least " + number(c.shift.min_offset_m) + " m)</dd>";
  h += "<dt>A time shift</dt><dd>" + std::to_string(c.shift.time_min_records) + " records or " +
       number(c.shift.time_min_share * 100) + "% of a column's changed values moved by one offset (within " +
       std::to_string(c.shift.time_spread_s) + " s)</dd>";
  for (const auto& [column, share] : c.drift_code_share)
    h += "<dt>Drift of " + code(column) + "</dt><dd>a code's share moving by over " + number(share * 100) + "% (" +
         std::to_string(c.drift_min_records) + " records at least)</dd>";
  h += "<dt>Retired or vanished at once</dt><dd>over " + number(c.drift_lifecycle_share * 100) + "% of the keys</dd>";
  h += "<dt>Largest share a release may lose</dt><dd>" + number(c.max_vanished_share * 100) + "% of the keys</dd></dl>\n";

  h += "<h2 id=\"definitions\">Definitions and their history</h2>\n";
  if (c.definitions.empty()) h += "<p>None.</p>\n";
  for (const auto& def : c.definitions) {
    h += "<section class=\"definition\" id=\"definition-" + esc(def.name) + "\"><h3>" + code(def.name) + " version " +
         std::to_string(def.version) + "</h3>\n<p>" + esc(def.text) + "</p>\n<p>Columns: " + list(def.columns) + "</p>\n";
    h += html::table_open({"version", "in contract", "in force from", "text before", "text"}, "definition-history");
    for (const auto& v : d.definition_history) {
      if (v.name != def.name) continue;
      h += html::row({std::to_string(v.version), "v" + std::to_string(v.contract_version),
                      v.in_force_from.empty() ? std::string("not yet released") : a(urls::release(id, v.in_force_from), v.in_force_from),
                      v.previous_text.empty() ? std::string("<span class=\"null\">(first version)</span>") :
                                                "<span class=\"old\">" + esc(v.previous_text) + "</span>",
                      "<span class=\"new\">" + esc(v.text) + "</span>"});
    }
    h += std::string(html::kTableClose) + "</section>\n";
  }
  return h + html::close_page();
}

}  // namespace gazette::site
