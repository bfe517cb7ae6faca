// Method: each entry is built once from immutable facts (a release and its report, a notice),
// so its bytes in every page and format are the same forever.
#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "feeds/feed/feed.hpp"
#include "publisher/common/sha256.hpp"
#include "publisher/urls/urls.hpp"

namespace gazette::feeds {

namespace {

using ojson = nlohmann::ordered_json;

std::string plural(std::uint64_t n, const char* word) {
  return std::to_string(n) + " " + word;
}

}  // namespace

std::string urn_for(const std::string& name) {
  Digest d = sha256(name);
  d[6] = static_cast<std::uint8_t>((d[6] & 0x0f) | 0x80);  // version 8
  d[8] = static_cast<std::uint8_t>((d[8] & 0x3f) | 0x80);  // variant 10
  std::string hex = to_hex(d).substr(0, 32);
  return "urn:uuid:" + hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" +
         hex.substr(16, 4) + "-" + hex.substr(20, 12);
}

FeedEntry release_entry(const std::string& ds, const ReleaseFacts& r) {
  FeedEntry e;
  e.dataset = ds;
  e.is_release = true;
  // An area's entry is another entry than the whole release's: its own id, counts and files.
  const std::string area_label =
      r.area.empty() ? std::string() : "area " + r.area + (r.area_name.empty() ? "" : " (" + r.area_name + ")");
  e.id = urn_for("gazette:" + ds + (r.area.empty() ? "" : "/areas/" + r.area) + "/releases/" + r.id);
  const std::uint64_t changed = r.added + r.removed + r.retired + r.modified;
  e.title = ds + " " + r.id + (r.area.empty() ? "" : ", " + area_label) + ": " + r.kind + " release" +
            (r.parent.empty() ? ", " + plural(r.record_count, "records")
                              : ", " + plural(changed, changed == 1 ? "record changed" : "records changed"));
  std::string text = "Release " + r.id + " of " + ds + " (" + r.kind + ", by " + r.owner + "): " +
                     plural(r.record_count, "records") + (r.area.empty() ? "" : " in " + area_label) + ".";
  if (!r.version.empty()) text += " Version " + r.version + ".";
  if (!r.parent.empty())
    text += " Since " + r.parent + ": " + std::to_string(r.added) + " added, " + std::to_string(r.removed) +
            " removed, " + std::to_string(r.retired) + " retired, " + std::to_string(r.modified) + " modified.";
  text += std::string(r.area.empty() ? " Gate findings: " : " Gate findings for the whole release: ") +
          std::to_string(r.routine) + " routine, " + std::to_string(r.notice) + " notice, " +
          std::to_string(r.breaking) + " breaking" +
          (r.notice + r.breaking ? " (each covered by a notice or, for a backfill, its plan)." : ".");
  if (!r.plan_id.empty())
    text += " Backfill under plan " + r.plan_id + " (owner " + r.plan_owner + "): /datasets/" + ds + "/plans/" +
            r.plan_id + ".";
  if (!r.format_change.empty()) text += " Format change: " + r.format_change;
  if (!r.notice_ids.empty()) {
    text += " Notices:";
    for (const auto& n : r.notice_ids) text += " " + n;
    text += ".";
  }
  e.text = std::move(text);
  e.author = r.owner;
  e.published = r.published_at;
  e.category = r.kind;
  e.alternate = urls::dataset(ds) + "#release-" + r.id;
  e.alternate_type = "text/html";
  if (!r.parent.empty()) e.related = urls::changes(ds, r.parent, r.id) + (r.area.empty() ? "" : "&area=" + r.area);
  e.describedby = urls::manifest(ds, r.id);
  e.enclosures = r.artefacts;

  ojson x;
  x["dataset"] = ds;
  x["type"] = "release";
  x["release"] = r.id;
  if (!r.area.empty())
    x["area"] = {{"code", r.area}, {"name", r.area_name.empty() ? ojson(nullptr) : ojson(r.area_name)},
                 {"index_url", urls::area_index(ds, r.id)}};
  x["kind"] = r.kind;
  if (!r.version.empty()) x["version"] = r.version;
  x["parent"] = r.parent.empty() ? ojson(nullptr) : ojson(r.parent);
  x["record_count"] = r.record_count;
  x["changes"] = {{"added", r.added}, {"removed", r.removed}, {"retired", r.retired}, {"modified", r.modified}};
  x["severity"] = {{"routine", r.routine}, {"notice", r.notice}, {"breaking", r.breaking}};
  x["notices"] = r.notice_ids;
  x["changeset_url"] = e.related.empty() ? ojson(nullptr) : ojson(e.related);
  x["manifest_url"] = e.describedby;
  x["report_url"] = urls::report(ds, r.id);
  x["format_change"] = r.format_change.empty() ? ojson(nullptr) : ojson(r.format_change);
  if (!r.plan_id.empty())
    x["plan"] = {{"id", r.plan_id}, {"owner", r.plan_owner}, {"url", urls::plan(ds, r.plan_id)}};
  e.extension_json = x.dump();
  return e;
}

FeedEntry notice_entry(const std::string& ds, const NoticeFacts& n) {
  FeedEntry e;
  e.dataset = ds;
  e.is_release = false;
  e.id = urn_for("gazette:" + ds + "/notices/" + n.id);
  e.title = ds + " notice (" + n.kind + "): " + n.title;
  e.text = n.text;
  if (!n.effective_at.empty()) e.text += " Effective " + n.effective_at + ".";
  e.author = ds + " maintainers";
  e.published = n.published_at;
  e.category = n.kind;
  // The notice's page: the same URL answers JSON to programs (Accept), which the extension
  // names as notice_url.
  e.alternate = urls::notice(ds, n.id);
  e.alternate_type = "text/html";
  ojson x;
  x["dataset"] = ds;
  x["type"] = "notice";
  x["notice"] = n.id;
  x["kind"] = n.kind;
  x["release"] = n.release.empty() ? ojson(nullptr) : ojson(n.release);
  x["effective_at"] = n.effective_at.empty() ? ojson(nullptr) : ojson(n.effective_at);
  x["notice_url"] = e.alternate;
  if (!n.link.empty()) x["link"] = n.link;
  e.extension_json = x.dump();
  return e;
}

void sort_entries(std::vector<FeedEntry>& entries) {
  std::stable_sort(entries.begin(), entries.end(), [](const FeedEntry& a, const FeedEntry& b) {
    if (a.order != b.order) return a.order < b.order;
    if (a.published != b.published) return a.published < b.published;
    if (a.is_release != b.is_release) return a.is_release;
    if (a.dataset != b.dataset) return a.dataset < b.dataset;
    return a.id < b.id;
  });
}

std::size_t archive_count(std::size_t entries, std::size_t page_size) {
  return page_size == 0 ? 0 : entries / page_size;
}

const char* media_type(FeedFormat f) {
  return f == FeedFormat::atom ? "application/atom+xml" : "application/feed+json";
}
const char* content_type(FeedFormat f) {
  return f == FeedFormat::atom ? "application/atom+xml; charset=utf-8" : "application/feed+json";
}
const char* extension(FeedFormat f) { return f == FeedFormat::atom ? "atom" : "json"; }

}  // namespace gazette::feeds
