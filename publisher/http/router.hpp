// Matching a request target to a route, with typed, pattern-checked ids. Paths on disk are
// only ever built from these ids (and hashes from the store), never from the raw target.
//
// Thread-safety: pure functions.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "publisher/common/status.hpp"
#include "publisher/common/url.hpp"

namespace gazette::http {

enum class RouteKind {
  index,          // /
  healthz,        // /healthz
  metrics,        // /metrics
  datasets,       // /datasets
  dataset,        // /datasets/{ds}
  releases,       // /datasets/{ds}/releases
  release,        // /datasets/{ds}/releases/{rel}
  manifest,       // /datasets/{ds}/releases/{rel}/manifest.json
  artefact,       // /datasets/{ds}/releases/{rel}/{ds}.{csv,xml,json}
  latest,         // /datasets/{ds}/latest/{file}
  as_of,          // /datasets/{ds}/as-of/{iso8601}[/{file}]
  contract,       // /datasets/{ds}/contract
  changes,        // /datasets/{ds}/changes?from=REL&to=REL
  record,         // /datasets/{ds}/records/{key}
  record_history, // /datasets/{ds}/records/{key}/history
  report,         // /datasets/{ds}/releases/{rel}/report.json
  notices,        // /datasets/{ds}/notices
  notice,         // /datasets/{ds}/notices/{id} and /notices/{id}
  plan,           // /datasets/{ds}/plans/{id}
  feed,           // /feeds/{ds}.atom, /feeds/{ds}.json ({ds} "all": every dataset)
  feed_archive,   // /feeds/{ds}/archive/{page}.atom, .json
  websub,         // /websub (POST: the hub)
  manifest_signature,  // /datasets/{ds}/releases/{rel}/manifest.json.minisig
  releases_signature,  // /datasets/{ds}/releases.minisig
  changes_file,        // /datasets/{ds}/changes/{from}..{rel}.json: a release's whole changeset
  changes_signature,   // /datasets/{ds}/changes/{from}..{rel}.json.minisig
  versioned_latest,    // /datasets/{ds}/v/{major}/latest/{file}
  area_index,          // /datasets/{ds}/releases/{rel}/areas
  area_signature,      // /datasets/{ds}/releases/{rel}/areas.minisig
  area_page,           // /datasets/{ds}/releases/{rel}/areas/{code}
  area_artefact,       // /datasets/{ds}/releases/{rel}/areas/{code}/{ds}.{csv,xml,json,geojson}
  area_feed,           // /feeds/{ds}/areas/{code}.{atom,json}
  area_feed_archive,   // /feeds/{ds}/areas/{code}/archive/{page}.{atom,json}
  keys,                // /keys
  key_file,            // /keys/{id}.pub
  key_endorsement,     // /keys/{id}.pub.minisig
  not_found,
};

const char* to_string(RouteKind k);

struct Route {
  RouteKind kind = RouteKind::not_found;
  std::string dataset;
  std::string release;
  std::string file;     // artefact or latest: "naptan-stops.csv" / "manifest.json"
  std::string extension;  // artefact: "csv", "xml", "json"
  std::string instant;  // as-of, decoded
  std::string key;      // record routes, decoded
  std::string notice;   // notice id
  std::string plan;     // plan id
  std::size_t page = 0; // feed archive page (1-based)
  std::string from;     // changes_file: the parent release
  int major = 0;        // versioned_latest
  std::string key_id;   // key routes: 16 upper-case hex digits
  std::string area;     // area routes: letters, digits, '-' and '_' (at most 16)
  std::map<std::string, std::string> query;
};

// Parses and matches `target`. Returns invalid_input for a target that is malformed or tries
// to leave the tree ("..", "." or an encoded '/', '\' or NUL in a segment).
Result<Route> match_route(std::string_view target);

using gazette::percent_decode;  // publisher/common/url.hpp

}  // namespace gazette::http
