// The site's pages for people: one per resource, on the same URL as its JSON (the server and
// the export choose by Accept). Pages of the catalogue are rendered with each snapshot; the
// changes, record and history pages on request, from the values the live queries return.
// No page needs script.
//
// Thread-safety: pure functions of their arguments.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "publisher/model/changeset.hpp"
#include "publisher/release/release.hpp"

namespace gazette::site {

struct Catalog;
struct ServedDataset;
struct ServedRelease;
struct ServedNotice;
struct ServedPlan;

// Rendered with the snapshot.
std::string render_index_html(const Catalog& catalog);
std::string render_dataset_html(const ServedDataset& dataset);
// `base_url`: where the site is reached, for the commands that check a download.
std::string render_release_html(const ServedDataset& dataset, const ServedRelease& release, const std::string& base_url);
std::string render_notices_html(const ServedDataset& dataset);
std::string render_notice_html(const ServedDataset& dataset, const ServedNotice& notice);
std::string render_contract_html(const ServedDataset& dataset);
std::string render_plan_html(const ServedDataset& dataset, const ServedPlan& plan);
// An area's pages (site/pages_areas.cpp), read from the store when asked for: a release's area
// index for people, and one area of a release (JSON and HTML), with the releases that changed it.
std::string render_area_index_html(const ServedDataset& d, const ServedRelease& release,
                                   const std::vector<ReleaseArea>& areas);
struct AreaPage {
  const ServedRelease* release = nullptr;
  ReleaseArea area;
  std::vector<std::pair<std::string, ReleaseArea>> history;  // every release's row, oldest first
};
std::string area_page_json(const ServedDataset& d, const AreaPage& page);
std::string render_area_html(const ServedDataset& d, const AreaPage& page);
// Records changed per release, stacked by kind, as inline SVG (part of the dataset page).
std::string render_changes_chart_svg(const ServedDataset& dataset);

// Rendered on request.
struct ChangesPage {
  const ServedRelease* from = nullptr;  // null: before the first release
  const ServedRelease* to = nullptr;
  std::string kind, severity;  // the filters ("" for any)
  std::size_t limit = 0;
  std::string next;     // the next page's URL, "" on the last
  const Changeset* changes = nullptr;  // this page (its summary is whole)
};
std::string render_changes_html(const ServedDataset& dataset, const ChangesPage& page);
// `at` is the release asked about; `current` its version of the record.
std::string render_record_html(const ServedDataset& dataset, const std::string& key, const ServedRelease& at,
                               const RecordEvent& current, bool pinned);
std::string render_history_html(const ServedDataset& dataset, const std::string& key,
                                const std::vector<RecordEvent>& history);

}  // namespace gazette::site
