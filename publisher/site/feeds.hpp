// The parts of a catalogue snapshot that tell consumers of change: the Atom and JSON feeds
// (with their archive pages) and the Deprecation/Sunset/Link headers of notices.
//
// Thread-safety: called while a snapshot is built, by one thread.
#pragma once

#include "feeds/feed/feed.hpp"
#include "publisher/site/catalog.hpp"

namespace gazette::site {

// The feed entries of one dataset (its releases and notices), in feed order.
Result<std::vector<feeds::FeedEntry>> feed_entries(Store& store, const ServedDataset& d);

// Renders the subscription document and every archive page of a feed, in both formats.
ServedFeed render_served_feed(const CatalogOptions& options, const std::string& id, const std::string& title,
                              const std::vector<feeds::FeedEntry>& entries);

// The feed of one area (the contract's partition) of a dataset: its releases that changed the
// area, with the area's counts, changeset and files, and the notices that touch it (scoped to
// its keys, or to the whole dataset). nullopt when no release has that area.
Result<std::optional<ServedFeed>> render_area_feed(Store& store, const CatalogOptions& options, const ServedDataset& d,
                                                   const std::string& code);

// Whether `n` says that something will go away: a deprecation, or a removal announced for a
// later date. Those deprecate resources (their headers) and are a dataset's active notices.
bool deprecates(const Notice& n);

// Fills d.notice_headers and d.key_notice_headers from d.notices.
void build_notice_headers(ServedDataset& d, const CatalogOptions& options);

}  // namespace gazette::site
