// Every public URL of the site, site-relative ("/datasets/naptan-stops"), built in one place:
// the inverse of the router (publisher/http/router.hpp), which a test holds it to, URL by URL.
// Ids are the validated ids of datasets, releases, notices and plans; a record key is
// percent-encoded as a path segment (a key with a '/', or "." or "..", has no URL: the router
// refuses them in any segment, encoded or not). Stored documents (manifests, reports) carry some of these
// URLs, so a change here changes no published byte only if the router still answers the old.
//
// Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace gazette::urls {

std::string datasets();                                   // /datasets
std::string dataset(std::string_view ds);                 // /datasets/{ds}
std::string releases(std::string_view ds);                // /datasets/{ds}/releases
std::string release(std::string_view ds, std::string_view rel);  // /datasets/{ds}/releases/{rel}
// A file of a release: "manifest.json", "report.json" or an artefact's name.
std::string release_file(std::string_view ds, std::string_view rel, std::string_view file);
std::string manifest(std::string_view ds, std::string_view rel);
std::string report(std::string_view ds, std::string_view rel);
// A release's areas (the contract's partition): its signed area index, and an area's files.
std::string area_index(std::string_view ds, std::string_view rel);  // /datasets/{ds}/releases/{rel}/areas
// /datasets/{ds}/releases/{rel}/areas/{code}: one area of a release (JSON, or a page)
std::string area_page(std::string_view ds, std::string_view rel, std::string_view code);
// /datasets/{ds}/releases/{rel}/areas/{code}/{file}
std::string area_file(std::string_view ds, std::string_view rel, std::string_view code, std::string_view file);
std::string latest(std::string_view ds, std::string_view file);        // /datasets/{ds}/latest/{file}
std::string as_of(std::string_view ds, std::string_view instant);      // /datasets/{ds}/as-of/{instant}
// /datasets/{ds}/as-of/{instant}/{file}: a file of the release current then.
std::string as_of(std::string_view ds, std::string_view instant, std::string_view file);
std::string contract(std::string_view ds);                             // /datasets/{ds}/contract
std::string changes(std::string_view ds);  // /datasets/{ds}/changes (from the parent to the newest)
// /datasets/{ds}/changes?from=FROM&to=TO ("" from: before the first release).
std::string changes(std::string_view ds, std::string_view from, std::string_view to);
// /datasets/{ds}/changes/{from}..{to}.json: the changeset of `to` from its parent `from`,
// whole, as signed (the export's file, which the origin serves too).
std::string changes_file(std::string_view ds, std::string_view from, std::string_view to);
// A document's detached minisign signature: the document's URL + ".minisig".
std::string signature(std::string_view document_url);
std::string versioned_latest(std::string_view ds, int major, std::string_view file);  // /datasets/{ds}/v/{major}/latest/{file}
std::string keys();                        // /keys: the publisher's public keys (JSON)
std::string key_file(std::string_view id);  // /keys/{id}.pub: one key as minisign's .pub file
std::string record(std::string_view ds, std::string_view key);          // /datasets/{ds}/records/{key}
std::string record_history(std::string_view ds, std::string_view key);  // …/records/{key}/history
std::string notices(std::string_view ds);                               // /datasets/{ds}/notices
std::string notice(std::string_view ds, std::string_view id);           // /datasets/{ds}/notices/{id}
std::string site_notice(std::string_view id);                           // /notices/{id}
std::string plan(std::string_view ds, std::string_view id);             // /datasets/{ds}/plans/{id}
// Feeds: `id` is a dataset or "all"; `ext` "atom" or "json".
std::string feed_base(std::string_view id);                             // /feeds/{id} (no extension)
std::string feed(std::string_view id, std::string_view ext);            // /feeds/{id}.{ext}
std::string feed_archive(std::string_view id, std::size_t page, std::string_view ext);  // /feeds/{id}/archive/{page}.{ext}
// One area's feed: /feeds/{ds}/areas/{code} (no extension), .{ext}, and its archive pages.
std::string area_feed_base(std::string_view ds, std::string_view code);
std::string area_feed(std::string_view ds, std::string_view code, std::string_view ext);
std::string area_feed_archive(std::string_view ds, std::string_view code, std::size_t page, std::string_view ext);

}  // namespace gazette::urls
