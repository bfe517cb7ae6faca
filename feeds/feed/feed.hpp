// The change feeds: what consumers learn from polling (Atom, RFC 4287; JSON Feed 1.1) and
// from WebSub pushes, as documents rendered from a dataset's releases and notices.
//
// A feed is a list of entries in publication order, one per release (routine, backfill,
// rollback) and one per notice. Entries are only ever appended (in the order they are
// committed, whatever dates they carry), so the feed is paged into archives (RFC 5005)
// of `page_size` entries counted from the oldest: archive page k holds entries
// [(k-1)*page_size, k*page_size) and exists once full, after which it never changes. The
// subscription document holds the newest `page_size` entries and links the newest archive.
//
// Pure: no I/O. Thread-safety: plain values and reentrant functions.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "publisher/common/time.hpp"

namespace gazette::feeds {

struct Enclosure {
  std::string path;        // site-relative: "/datasets/ds/releases/rel/ds.csv"
  std::string media_type;
  std::uint64_t bytes = 0;
};

struct FeedEntry {
  std::string dataset;
  bool is_release = true;  // otherwise a notice
  std::string id;          // "urn:uuid:...", the same forever
  std::string title;
  std::string text;        // plain-text summary (releases) or the notice's text
  std::string author;
  UnixSeconds published = 0;
  std::string category;    // routine | backfill | rollback | deprecation | meaning-change | ...
  // Site-relative links.
  std::string alternate;   // the page for people
  std::string alternate_type;
  std::string related;     // the changeset from the parent release ("" for the first)
  std::string describedby; // the manifest
  std::vector<Enclosure> enclosures;
  // The machine-readable extension (JSON Feed `_gazette`), as a JSON object's text.
  std::string extension_json;
  // Where the entry stands in the feed: the order entries were published in, which (unlike
  // their dates, when a back catalogue is loaded) only ever grows at its end.
  std::int64_t order = 0;
};

// A release as the feed needs it.
struct ReleaseFacts {
  std::string id, kind, owner, parent;
  // Its meaning version ("2.0.0"); empty for a release cut before versions, whose entry keeps
  // the bytes it was first published with (archive pages never change).
  std::string version;
  UnixSeconds published_at = 0;
  std::uint64_t record_count = 0;
  std::uint64_t added = 0, removed = 0, retired = 0, modified = 0;
  std::uint64_t routine = 0, notice = 0, breaking = 0;  // findings per severity
  std::vector<std::string> notice_ids;   // notices published with it
  std::string plan_id, plan_owner;       // a backfill's plan
  std::string format_change;             // a new layout of its artefacts, announced with it
  std::vector<Enclosure> artefacts;
  // For an area's feed: the area (code and name, "" when the data has none). The counts, the
  // record count and the artefacts are then the area's.
  std::string area, area_name;
};

// A notice as the feed needs it: its stored document and publication facts.
struct NoticeFacts {
  std::string id, kind, title, text, link, release, effective_at;
  UnixSeconds published_at = 0;
};

FeedEntry release_entry(const std::string& dataset, const ReleaseFacts& r);
FeedEntry notice_entry(const std::string& dataset, const NoticeFacts& n);

// Orders entries as the feed lists them (oldest first): by `order`, then publication time, a
// release before the notices published with it, then by id.
void sort_entries(std::vector<FeedEntry>& entries);

// A stable, name-based URN for `name` (a UUID of version 8 from SHA-256, RFC 9562 B.2).
std::string urn_for(const std::string& name);

struct FeedSite {
  std::string base_url;   // "https://stops.example.org", no trailing slash
  std::string hub_url;    // absolute; empty for none
  std::string path;       // "/feeds/naptan-stops" (documents add .atom / .json)
  std::string title;      // "NaPTAN ...: releases and notices"
  std::string home_path;  // "/datasets/naptan-stops"
  std::string id_name;    // name of the feed's URN ("gazette:feed:naptan-stops")
  std::size_t page_size = 50;
};

// Number of full (archived) pages for `entries` entries.
std::size_t archive_count(std::size_t entries, std::size_t page_size);

enum class FeedFormat { atom, json };

// The subscription document (`page` 0) or archive page `page` (1-based; must be full). Entries
// are all of the feed's entries, oldest first.
std::string render_feed(const FeedSite& site, const std::vector<FeedEntry>& entries, std::size_t page,
                        FeedFormat format);

const char* media_type(FeedFormat f);  // application/atom+xml / application/feed+json
// The Content-Type a feed document is served with: the media type, and Atom's charset.
const char* content_type(FeedFormat f);
const char* extension(FeedFormat f);   // atom / json

}  // namespace gazette::feeds
