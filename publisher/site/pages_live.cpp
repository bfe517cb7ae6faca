// Pages rendered on request, from what the live queries return: a page of a changeset with
// its whole summary, and a record with every version of it.
#include "publisher/site/catalog.hpp"
#include "publisher/site/html.hpp"
#include "publisher/site/html_page.hpp"
#include "publisher/render/render.hpp"
#include "publisher/urls/urls.hpp"

namespace gazette::site {

using html::a;
using html::esc;

namespace {

std::string options(const std::vector<std::string>& values, const std::string& selected, const char* any) {
  std::string h = any ? "<option value=\"\"" + std::string(selected.empty() ? " selected" : "") + ">" + any + "</option>"
                      : std::string();
  for (const auto& v : values)
    h += "<option" + std::string(v == selected ? " selected" : "") + ">" + esc(v) + "</option>";
  return h;
}

std::string old_new_cells(const FieldChange& f) {
  return "<td><code>" + esc(f.column) + "</code></td><td class=\"old\">" + html::value(f.old_value) +
         "</td><td class=\"new\">" + html::value(f.new_value) + "</td>";
}

}  // namespace

std::string render_changes_html(const ServedDataset& d, const ChangesPage& p) {
  const std::string& id = d.info.id;
  const std::string from = p.from ? p.from->release.id : "";
  const std::string to = p.to->release.id;
  std::string h = html::open_page({d.info.title + ": changes " + (from.empty() ? "up to" : "from " + from + " to") + " " + to,
                                   {{"/", "All datasets"}, {urls::dataset(id), d.info.title}},
                                   urls::changes(id, from, to)});
  std::vector<std::string> ids;
  for (auto it = d.releases.rbegin(); it != d.releases.rend(); ++it) ids.push_back(it->release.id);
  h += "<form method=\"get\" action=\"" + esc(urls::changes(id)) + "\" id=\"changes-form\">"
       "<label>From <select name=\"from\">" + options(ids, from, "nothing (every record added)") + "</select></label>"
       "<label>to <select name=\"to\">" + options(ids, to, nullptr) + "</select></label>"
       "<label>kind <select name=\"kind\">" + options({"added", "removed", "retired", "modified"}, p.kind, "any") +
       "</select></label><label>severity <select name=\"severity\">" +
       options({"routine", "notice", "breaking"}, p.severity, "any") +
       "</select></label><button type=\"submit\">Show</button></form>\n";
  const ChangeSummary& s = p.changes->summary;
  h += "<p id=\"summary\">" + html::count(s.added) + " added, " + html::count(s.removed) + " removed, " +
       html::count(s.retired) + " retired, " + html::count(s.modified) + " modified (" + html::count(s.total()) +
       " records in all). ";
  h += (p.from ? a(urls::release(id, from), "release " + from) + " → " : std::string()) +
       a(urls::release(id, to), "release " + to) + ". As data: " + a(urls::changes(id, from, to), "JSON") + ", " +
       a(urls::changes(id, from, to) + "&format=csv", "CSV") + ".</p>\n";
  if (!p.kind.empty() || !p.severity.empty())
    h += "<p>Showing only " + (p.kind.empty() ? std::string("changes") : esc(p.kind) + " records") +
         (p.severity.empty() ? "" : " of " + esc(p.severity) + " severity") + ".</p>\n";
  if (p.changes->changes.empty()) {
    h += "<p>No changes" + std::string(p.kind.empty() && p.severity.empty() ? "" : " match") + " on this page.</p>\n";
  } else {
    h += html::table_open({"key", "kind", "rule", "severity", "column", "old", "new"}, "changes");
    for (const auto& c : p.changes->changes) {
      const std::size_t span = std::max<std::size_t>(1, c.fields.size());
      std::string first = "<tr class=\"change\" data-key=\"" + esc(c.key) + "\"><td rowspan=\"" + std::to_string(span) +
                          "\">" + a(urls::record_history(id, c.key), c.key) + "</td><td rowspan=\"" + std::to_string(span) +
                          "\">" + to_string(c.kind) + "</td><td rowspan=\"" + std::to_string(span) + "\"><code>" +
                          esc(c.rule) + "</code></td><td rowspan=\"" + std::to_string(span) + "\">" +
                          html::severity(c.rule.empty() ? "" : to_string(c.severity)) + "</td>";
      if (c.fields.empty()) {
        h += first + "<td colspan=\"3\" class=\"null\">" + (c.kind == ChangeKind::removed ? "gone" : "") + "</td></tr>\n";
        continue;
      }
      h += first + old_new_cells(c.fields[0]) + "</tr>\n";
      for (std::size_t i = 1; i < c.fields.size(); ++i) h += "<tr>" + old_new_cells(c.fields[i]) + "</tr>\n";
    }
    h += html::kTableClose;
  }
  if (!p.next.empty()) h += "<p>" + a(p.next, "Next page") + "</p>\n";
  return h + html::close_page();
}

std::string render_record_html(const ServedDataset& d, const std::string& key, const ServedRelease& at,
                               const RecordEvent& current, bool pinned) {
  const std::string& id = d.info.id;
  std::string h = html::open_page({d.info.title + ": " + key,
                                   {{"/", "All datasets"}, {urls::dataset(id), d.info.title}},
                                   urls::record(id, key) + (pinned ? "?release=" + at.release.id : "")});
  h += "<p>As in release " + a(urls::release(id, at.release.id), at.release.id) + "; this version since " +
       a(urls::release(id, current.release.id), current.release.id) + ". " +
       a(urls::record_history(id, key), "Every version of this record") + ".</p>\n";
  std::vector<std::string_view> fields;
  decode_record(current.body, fields);
  h += html::table_open({"column", "value"}, "record");
  for (std::size_t i = 0; i < d.contract->columns.size(); ++i)
    h += html::row({"<code>" + esc(d.contract->columns[i].name) + "</code>",
                    html::value(i < fields.size() ? fields[i] : std::string_view())});
  return h + html::kTableClose + html::close_page();
}

std::string render_history_html(const ServedDataset& d, const std::string& key, const std::vector<RecordEvent>& history) {
  const std::string& id = d.info.id;
  std::string h = html::open_page({d.info.title + ": history of " + key,
                                   {{"/", "All datasets"}, {urls::dataset(id), d.info.title}},
                                   urls::record_history(id, key)});
  const RecordEvent& last = history.back();
  h += last.change == ChangeKind::removed
           ? "<p>Removed in " + a(urls::release(id, last.release.id), last.release.id) + ".</p>\n"
           : "<p>" + a(urls::record(id, key), "Its current values") + ".</p>\n";
  h += "<ol class=\"versions\" reversed>\n";
  for (auto it = history.rbegin(); it != history.rend(); ++it) {
    const RecordEvent& e = *it;
    const std::string what = e.revived ? "revived" : to_string(e.change);
    h += "<li class=\"version\" data-change=\"" + esc(what) + "\"><strong>" + esc(what) + "</strong> in " +
         a(urls::release(id, e.release.id), e.release.id) + " (" + to_string(e.release.kind) + ", " + esc(e.release.owner) +
         ", " + html::instant(e.release.published_at) + ")";
    if (!e.rule.empty()) h += ": <code>" + esc(e.rule) + "</code>, " + html::severity(e.severity);
    if (!e.fields.empty()) {
      h += "\n" + html::table_open({"column", "old", "new"});
      for (const auto& f : e.fields) h += "<tr>" + old_new_cells(f) + "</tr>\n";
      h += html::kTableClose;
    } else if (e.change != ChangeKind::removed) {
      h += " " + a(urls::record(id, key) + "?release=" + e.release.id, "values");
    }
    h += "</li>\n";
  }
  return h + "</ol>\n" + html::close_page();
}

}  // namespace gazette::site
