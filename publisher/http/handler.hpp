// handle_request: the whole public HTTP surface as a function from a request and a catalogue
// snapshot to a response. Caching headers, conditional requests and Range are written once,
// here. No I/O but stat-free path building; the session streams any file span it returns.
//
// Thread-safety: reentrant; the catalogue is immutable and Metrics is thread-safe.
#pragma once

#include <functional>

#include "publisher/site/catalog.hpp"
#include "publisher/http/http.hpp"
#include "publisher/http/metrics.hpp"

namespace gazette::http {

class Queries;

// The WebSub hub's side of POST /websub (the only route that is not a read).
using WebSubHandler = std::function<Response(const Request&)>;

// `queries` answers the routes that read beyond the catalogue (changes, records); without it
// they answer 503. `websub` answers POST /websub; without it that route is 404.
Response handle_request(const Request& request, const site::Catalog& catalog, const Metrics& metrics,
                        Queries* queries = nullptr, const WebSubHandler* websub = nullptr);

// One builder for every error: application/problem+json (RFC 9457).
Response problem(int status, const std::string& detail, const std::string& instance);

// Artefact semantics: representation choice (gzip), validators, 304, Range/If-Range (206,
// 416), Content-Disposition, Repr-Digest. Exposed for tests.
Response serve_artefact(const Request& request, const site::ServedRelease& release,
                        const site::ServedArtefact& artefact);

// A generated document with a strong ETag and the given caching; 304 when it matches.
Response serve_document(const Request& request, std::string body, std::string content_type, site::Caching caching);
// A document of the site, with its own media type, caching and ETag: copied only when sent.
Response serve_site_document(const Request& request, const site::Document& document);
// The page for a browser (Accept names text/html), the JSON for a program; Vary: Accept.
Response serve_negotiated(const Request& request, const site::Document& json, const site::Document& html);
// The same for documents made on request: only the one asked for is made.
Response serve_negotiated(const Request& request, site::Caching caching, const std::function<std::string()>& json,
                          const std::function<std::string()>& html);
bool wants_html(const Request& request);

// If-None-Match evaluation (weak comparison, RFC 9110 13.1.2).
bool none_match(std::string_view if_none_match, const std::string& etag);

}  // namespace gazette::http
