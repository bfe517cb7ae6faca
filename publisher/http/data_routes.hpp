// The routes that read beyond the catalogue: changesets between releases, record histories,
// and areas. Internal to http; called by handle_request.
#pragma once

#include <functional>
#include <memory>

#include "publisher/site/catalog.hpp"
#include "publisher/http/http.hpp"
#include "publisher/http/queries.hpp"
#include "publisher/http/router.hpp"

namespace gazette::http {

Response serve_changes(const Request& req, const Route& route, const site::ServedDataset& ds,
                       Queries& queries);
Response serve_record(const Request& req, const Route& route, const site::ServedDataset& ds,
                      Queries& queries);
Response serve_record_history(const Request& req, const Route& route, const site::ServedDataset& ds,
                              Queries& queries);
// An artefact without files, answered by serve_artefact (`r` holds the span asked for): the
// render cache's file when it holds one, else the bytes `render(offset, length)` makes as they
// are sent (503 without `queries`).
using RenderArtefact = std::function<Result<std::shared_ptr<BodySource>>(std::uint64_t offset, std::uint64_t length)>;
Response serve_rendered(const Request& req, Response r, const std::string& sha256, Queries* queries,
                        const RenderArtefact& render);

// A release's area index (JSON as signed, or a page), its signature, one area's page, or an
// area's artefact (area_routes.cpp). `queries` null: 503.
Response serve_area(const Request& req, const Route& route, const site::ServedDataset& ds, Queries* queries);

// Opaque paging cursors: base64url of the last key served, then '.' and a check bound to the
// changeset (`between`: its from and to), so that a cursor mistyped, made up or taken from
// another changeset is refused (400) rather than read as "no more changes".
std::string encode_cursor(const std::string& key, const std::string& between);
Result<std::string> decode_cursor(const std::string& cursor, const std::string& between);

}  // namespace gazette::http
