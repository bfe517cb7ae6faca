#include "publisher/http/handler.hpp"

#include <nlohmann/json.hpp>

#include <map>
#include <optional>

#include "publisher/http/data_routes.hpp"
#include "publisher/http/router.hpp"
#include "publisher/urls/urls.hpp"

namespace gazette::http {

bool wants_html(const Request& req) {
  return req.header("accept").find("text/html") != std::string_view::npos;
}

namespace {

const char* reason(int status) {
  switch (status) {
    // RFC 9110 section 15 (and RFC 6585 for 429 and 431).
    case 400: return "Bad Request";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 406: return "Not Acceptable";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 410: return "Gone";
    case 412: return "Precondition Failed";
    case 413: return "Content Too Large";
    case 414: return "URI Too Long";
    case 415: return "Unsupported Media Type";
    case 416: return "Range Not Satisfiable";
    case 422: return "Unprocessable Content";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return status >= 500 ? "Server Error" : "Client Error";
  }
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::string_view strip_weak(std::string_view tag) {
  return tag.substr(0, 2) == "W/" ? tag.substr(2) : tag;
}

// Whether Accept-Encoding allows gzip (a q of 0 forbids it).
bool accepts_gzip(std::string_view accept_encoding) {
  while (!accept_encoding.empty()) {
    std::size_t comma = accept_encoding.find(',');
    std::string_view item = trim(accept_encoding.substr(0, comma));
    accept_encoding = comma == std::string_view::npos ? std::string_view() : accept_encoding.substr(comma + 1);
    std::size_t semi = item.find(';');
    std::string_view coding = trim(item.substr(0, semi));
    if (coding != "gzip" && coding != "x-gzip" && coding != "*") continue;
    if (semi != std::string_view::npos) {
      std::string_view params = trim(item.substr(semi + 1));
      if (params.substr(0, 2) == "q=") {
        std::string_view q = params.substr(2);
        bool zero = !q.empty() && q[0] == '0';
        for (std::size_t i = 1; zero && i < q.size(); ++i) zero = q[i] == '.' || q[i] == '0';
        if (zero) return false;
      }
    }
    return true;
  }
  return false;
}

struct ByteRange {
  std::uint64_t first = 0, length = 0;
};
enum class RangeResult { none, ok, unsatisfiable };

// A single "bytes=" range; several ranges, other units and bad syntax are ignored (RFC 9110
// lets a server answer 200 with the whole representation).
RangeResult parse_range(std::string_view h, std::uint64_t size, ByteRange& out) {
  h = trim(h);
  if (h.substr(0, 6) != "bytes=") return RangeResult::none;
  std::string_view spec = trim(h.substr(6));
  if (spec.find(',') != std::string_view::npos || spec.empty()) return RangeResult::none;
  std::size_t dash = spec.find('-');
  if (dash == std::string_view::npos) return RangeResult::none;
  auto number = [](std::string_view s, std::uint64_t& v) {
    if (s.empty() || s.size() > 19) return false;
    v = 0;
    for (char c : s) {
      if (c < '0' || c > '9') return false;
      v = v * 10 + static_cast<std::uint64_t>(c - '0');
    }
    return true;
  };
  std::string_view a = spec.substr(0, dash), b = spec.substr(dash + 1);
  std::uint64_t first, last;
  if (a.empty()) {  // suffix: the last N bytes
    if (!number(b, last)) return RangeResult::none;
    if (last == 0 || size == 0) return RangeResult::unsatisfiable;
    out.length = std::min(last, size);
    out.first = size - out.length;
    return RangeResult::ok;
  }
  if (!number(a, first)) return RangeResult::none;
  if (b.empty()) {
    last = size ? size - 1 : 0;
  } else {
    if (!number(b, last) || last < first) return RangeResult::none;
    if (size) last = std::min(last, size - 1);
  }
  if (first >= size) return RangeResult::unsatisfiable;
  out.first = first;
  out.length = last - first + 1;
  return RangeResult::ok;
}

std::string problem_json(int status, const std::string& detail, const std::string& instance) {
  nlohmann::ordered_json j;
  j["type"] = "about:blank";
  j["title"] = reason(status);
  j["status"] = status;
  j["detail"] = detail;
  j["instance"] = instance;
  // The instance (and a detail quoting it) is request text: bytes that are not UTF-8 are
  // replaced, never allowed to throw out of a request.
  return j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

Response redirect(const Request& req, const std::string& location, site::Caching caching) {
  Response r;
  r.status = 302;
  r.set("Location", location);
  r.set("Cache-Control", site::cache_control(caching));
  r.set("ETag", site::etag_of(location));
  r.set("Content-Type", "text/plain; charset=utf-8");
  r.body = "Found: " + location + "\n";
  r.head = req.method == "HEAD";
  return r;
}

}  // namespace

bool none_match(std::string_view inm, const std::string& etag) {
  inm = trim(inm);
  if (inm == "*") return true;
  while (!inm.empty()) {
    std::size_t comma = inm.find(',');
    std::string_view tag = trim(inm.substr(0, comma));
    inm = comma == std::string_view::npos ? std::string_view() : inm.substr(comma + 1);
    if (strip_weak(tag) == strip_weak(etag)) return true;
  }
  return false;
}

Response problem(int status, const std::string& detail, const std::string& instance) {
  Response r;
  r.status = status;
  r.set("Content-Type", "application/problem+json");
  r.set("Cache-Control", "no-cache");
  r.body = problem_json(status, detail, instance);
  return r;
}

namespace {

// Hot: lists and feeds are asked for again and again, mostly conditionally. The body is
// copied only when it is sent.
Response conditional(const Request& req, std::string_view body, std::string content_type, site::Caching caching,
                     std::string etag) {
  Response r;
  r.headers.reserve(8);
  r.add("Cache-Control", site::cache_control(caching));
  if (req.has_header("if-none-match") && none_match(req.header("if-none-match"), etag)) {
    r.add("ETag", std::move(etag));
    r.status = 304;
    return r;
  }
  r.add("ETag", std::move(etag));
  r.add("Content-Type", std::move(content_type));
  r.body.assign(body.data(), body.size());
  r.head = req.method == "HEAD";
  return r;
}

}  // namespace

Response serve_document(const Request& req, std::string body, std::string content_type, site::Caching caching) {
  std::string etag = site::etag_of(body);
  Response r = conditional(req, std::string_view(), std::move(content_type), caching, std::move(etag));
  if (r.status == 200) r.body = std::move(body);
  return r;
}

Response serve_site_document(const Request& req, const site::Document& doc) {
  return conditional(req, doc.body, doc.media_type, doc.caching, doc.etag);
}

Response serve_negotiated(const Request& req, const site::Document& json, const site::Document& html) {
  Response r = serve_site_document(req, wants_html(req) ? html : json);
  r.add("Vary", "Accept");
  return r;
}

Response serve_negotiated(const Request& req, site::Caching caching, const std::function<std::string()>& json,
                          const std::function<std::string()>& html) {
  Response r = wants_html(req) ? serve_document(req, html(), site::kHtml, caching)
                               : serve_document(req, json(), "application/json", caching);
  r.add("Vary", "Accept");
  return r;
}

Response serve_artefact(const Request& req, const site::ServedRelease& release,
                        const site::ServedArtefact& art) {
  const bool gzip = art.gzip && accepts_gzip(req.header("accept-encoding"));
  const site::Representation& rep = gzip ? *art.gzip : art.identity;
  Response r;
  r.head = req.method == "HEAD";
  r.headers.reserve(10);
  r.add("ETag", rep.etag);
  r.add("Cache-Control", site::cache_control(site::Caching::immutable));  // a release's file
  r.add("Last-Modified", release.last_modified.empty() ? format_http_date(release.release.published_at)
                                                       : release.last_modified);
  r.add("Vary", "Accept-Encoding");
  // The meaning version of what it holds (model/release.hpp): a client can tell from a
  // download alone whether its meaning moved.
  r.add(site::kDatasetVersionHeader, release.release.version.str());
  if (req.has_header("if-none-match")) {
    if (none_match(req.header("if-none-match"), rep.etag)) {
      r.status = 304;
      return r;
    }
  } else if (req.has_header("if-modified-since")) {
    auto since = parse_http_date(trim(req.header("if-modified-since")));
    if (since.ok() && release.release.published_at <= *since) {
      r.status = 304;
      return r;
    }
  }
  r.add("Content-Type", art.artefact.media_type);
  if (gzip) r.add("Content-Encoding", "gzip");
  r.add("Content-Disposition", "attachment; filename=\"" + art.download_name + "\"");
  r.add("Repr-Digest", rep.repr_digest);
  r.add("Accept-Ranges", "bytes");
  r.file = FileSpan{rep.path, 0, rep.bytes};

  if (req.has_header("range")) {
    // If-Range takes strong validators only: an HTTP-date or a weak tag never matches.
    bool range_applies = true;
    if (req.has_header("if-range")) range_applies = trim(req.header("if-range")) == rep.etag;
    ByteRange br;
    switch (range_applies ? parse_range(req.header("range"), rep.bytes, br) : RangeResult::none) {
      case RangeResult::none:
        break;
      case RangeResult::ok:
        r.status = 206;
        r.set("Content-Range", "bytes " + std::to_string(br.first) + "-" +
                                   std::to_string(br.first + br.length - 1) + "/" +
                                   std::to_string(rep.bytes));
        r.file->offset = br.first;
        r.file->length = br.length;
        break;
      case RangeResult::unsatisfiable: {
        Response bad = problem(416, "the range is outside the " + std::to_string(rep.bytes) +
                                        " bytes of this representation", req.target);
        bad.set("Content-Range", "bytes */" + std::to_string(rep.bytes));
        bad.set("ETag", rep.etag);
        bad.head = r.head;
        return bad;
      }
    }
  }
  return r;
}

Response serve_rendered(const Request& req, Response r, const std::string& sha256, Queries* queries,
                        const RenderArtefact& render) {
  if (queries != nullptr) {
    if (auto kept = queries->cached_rendering(sha256)) {
      r.file->path = *kept;
      return r;
    }
  }
  r.streamed = true;
  r.stream_length = r.file->length;
  if (!r.head) {
    if (queries == nullptr) return problem(503, "live queries are not available", req.target);
    auto source = render(r.file->offset, r.file->length);
    if (!source.ok()) return problem(500, source.status().message(), req.target);
    r.stream = std::move(*source);
  }
  r.file.reset();
  return r;
}

namespace {

// A feed document: its own validators, short-lived (or immutable for an archive page), and the
// WebSub discovery links in headers as well as in the body. `subscription`: the path of the
// feed's subscription document, `what` names the feed in errors.
Response serve_feed(const Request& req, const site::ServedFeed& feed, const std::string& subscription,
                    const std::string& what, const Route& route) {
  const bool atom = route.extension == "atom";
  const auto& docs = atom ? feed.atom : feed.json;
  const std::size_t archives = docs.size() - 1;
  const bool archive = route.kind == RouteKind::feed_archive || route.kind == RouteKind::area_feed_archive;
  if (archive && route.page > archives) {
    // The page after the newest archive is linked (as next-archive) before it is full; until
    // then its entries are in the subscription document.
    if (route.page == archives + 1) return redirect(req, subscription, site::Caching::short_lived);
    return problem(404, "no archive page " + std::to_string(route.page) + " of feed " + what, req.target);
  }
  const site::FeedDoc& doc = docs[archive ? route.page : 0];
  Response r = serve_site_document(req, doc.doc);
  r.add("Link", feed.hub_link);
  r.add("Link", doc.self_link);
  return r;
}

Response serve_feed(const Request& req, const site::ServedFeed& feed, const std::string& id, const Route& route) {
  return serve_feed(req, feed, urls::feed(id, route.extension), id, route);
}

// One area's feed, rendered when first asked for after a release or notice (Queries keeps it).
Response serve_area_feed(const Request& req, const Route& route, const site::ServedDataset& ds,
                         const site::CatalogOptions& options, Queries* queries) {
  if (queries == nullptr) return problem(503, "live queries are not available", req.target);
  auto feed = queries->area_feed(ds, options, route.area);
  if (!feed.ok()) return problem(500, feed.status().message(), req.target);
  if (!*feed) return problem(404, ds.info.id + " has no area '" + route.area + "'", req.target);
  return serve_feed(req, **feed, urls::area_feed(ds.info.id, route.area, route.extension),
                    ds.info.id + " area " + route.area, route);
}

}  // namespace

namespace {

// What every answer gets on its way out: the route's name (for the access log and metrics),
// HEAD's empty body, and, on success, the deprecation notices of what it serves.
Response finish(Response r, const Request& req, const Route& route, const site::HeaderList* deprecations) {
  r.route = to_string(route.kind);
  if (req.method == "HEAD") r.head = true;
  if (r.status < 400 && deprecations != nullptr)
    for (const auto& [name, value] : *deprecations) r.add(name, value);
  return r;
}

// The hub's endpoint: form POSTs only, and only where this server runs the hub.
Response serve_websub(const Request& req, const site::Catalog& catalog, const WebSubHandler* websub) {
  if (websub == nullptr || !*websub)
    return problem(404, catalog.options.hub_url.empty() ? "this server runs no WebSub hub"
                                                        : "subscribe at " + catalog.options.hub_url,
                   req.target);
  if (req.method != "POST") {
    Response r = problem(405, "the hub takes subscriptions as a form POST (W3C WebSub)", req.target);
    r.set("Allow", "POST");
    return r;
  }
  return (*websub)(req);
}

Response plain(std::string content_type, std::string body) {
  Response r;
  r.set("Content-Type", std::move(content_type));
  r.set("Cache-Control", "no-store");
  r.body = std::move(body);
  return r;
}

// Resources of the whole site rather than of one dataset; nullopt for a dataset's.
std::optional<Response> serve_site(const Request& req, const Route& route, const site::Catalog& catalog,
                                   const Metrics& metrics) {
  switch (route.kind) {
    case RouteKind::index:
    case RouteKind::datasets:
      return serve_negotiated(req, catalog.datasets_json, catalog.index_html);
    case RouteKind::healthz:
      return plain("text/plain; charset=utf-8", "ok\n");
    case RouteKind::metrics: {
      std::map<std::string, std::size_t> releases;
      for (const auto& [id, d] : catalog.datasets) releases[id] = d.releases.size();
      return plain("text/plain; version=0.0.4; charset=utf-8", metrics.render(releases));
    }
    case RouteKind::feed:
    case RouteKind::feed_archive:
      if (route.dataset == "all") return serve_feed(req, catalog.all_feed, "all", route);
      return std::nullopt;
    case RouteKind::keys:
      return serve_site_document(req, catalog.keys_json);
    case RouteKind::key_file:
    case RouteKind::key_endorsement: {
      const auto& files = route.kind == RouteKind::key_file ? catalog.key_files : catalog.key_endorsements;
      auto it = files.find(route.key_id);
      if (it == files.end())
        return problem(404, route.kind == RouteKind::key_file ? "no key " + route.key_id
                                                              : "key " + route.key_id + " replaced no other key",
                       req.target);
      return serve_site_document(req, it->second);
    }
    case RouteKind::notice:
      if (!route.dataset.empty()) return std::nullopt;
      for (const auto& [id, d] : catalog.datasets)
        if (const site::ServedNotice* n = d.notice(route.notice)) return serve_negotiated(req, n->doc, n->html);
      return problem(404, "no notice '" + route.notice + "'", req.target);
    default:
      return std::nullopt;
  }
}

// The deprecation notices that apply to what `route` serves of `ds`: a key's own list (which
// holds the dataset's too), the dataset's, or none for news about the dataset (its feeds,
// notices, plans and reports), which is not the deprecated data itself.
const site::HeaderList* deprecations_for(const site::ServedDataset& ds, const Route& route) {
  switch (route.kind) {
    case RouteKind::feed:
    case RouteKind::feed_archive:
    case RouteKind::notices:
    case RouteKind::notice:
    case RouteKind::plan:
    case RouteKind::report:
    case RouteKind::manifest_signature:  // signatures vouch for documents; they are not the data
    case RouteKind::releases_signature:
    case RouteKind::changes_signature:
    case RouteKind::area_index:
    case RouteKind::area_signature:
      return nullptr;
    default:
      break;
  }
  if (route.kind == RouteKind::record || route.kind == RouteKind::record_history)
    if (auto it = ds.key_notice_headers.find(route.key); it != ds.key_notice_headers.end()) return &it->second;
  return ds.notice_headers.empty() ? nullptr : &ds.notice_headers;
}

// An artefact of a release: its file, the render cache's copy once its files are gone, or the
// same bytes rendered again from the release's records.
Response serve_release_artefact(const Request& req, const site::ServedRelease& rel, const site::ServedArtefact& art,
                                Queries* queries) {
  Response r = serve_artefact(req, rel, art);
  const bool evicted = art.artefact.evicted || req.artefact_files_gone;
  if (!evicted || !r.file) return r;
  return serve_rendered(req, std::move(r), art.artefact.sha256, queries, [&](std::uint64_t offset, std::uint64_t length) {
    return queries->rendered_artefact(rel, art, offset, length);
  });
}

// The manifest or an artefact of a named release.
Response serve_release_file(const Request& req, const Route& route, const site::ServedDataset& ds, Queries* queries) {
  const site::ServedRelease* rel = ds.release(route.release);
  if (rel == nullptr) return problem(404, "no release '" + route.release + "' of " + ds.info.id, req.target);
  if (route.kind == RouteKind::manifest)
    return serve_site_document(req, rel->manifest);
  const site::ServedArtefact* art = rel->artefact(route.extension);
  if (art == nullptr) return problem(404, "no such artefact", req.target);
  return serve_release_artefact(req, *rel, *art, queries);
}

// Whether a release has a file by that name: its manifest, or one of its artefacts.
bool release_has(const site::ServedRelease& rel, const std::string& file) {
  bool known = file == "manifest.json";
  for (const auto& a : rel.artefacts) known = known || a.artefact.name == file;
  return known;
}

// `latest/FILE`: a redirect to the newest release's file.
Response serve_latest(const Request& req, const Route& route, const site::ServedDataset& ds) {
  const site::ServedRelease* rel = ds.newest();
  if (rel == nullptr) return problem(404, ds.info.id + " has no release yet", req.target);
  if (!release_has(*rel, route.file)) return problem(404, "no such file in a release: " + route.file, req.target);
  return redirect(req, urls::release_file(ds.info.id, rel->release.id, route.file), site::Caching::short_lived);
}

// `as-of/INSTANT[/FILE]`: a redirect to the manifest (or FILE) of the release current then.
Response serve_as_of(const Request& req, const Route& route, const site::ServedDataset& ds) {
  auto t = parse_instant(route.instant);
  if (!t.ok()) return problem(400, t.status().message(), req.target);
  const site::ServedRelease* rel = ds.as_of(*t);
  if (rel == nullptr)
    return problem(404, "no release of " + ds.info.id + " was current at " + format_rfc3339(*t) + " (before the first)",
                   req.target);
  const std::string file = route.file.empty() ? "manifest.json" : route.file;
  if (!release_has(*rel, file))
    return problem(404, "no file '" + file + "' in release " + rel->release.id + " of " + ds.info.id, req.target);
  // Publication times only move forward, so the answer for an instant before the newest
  // release can never change.
  const bool settled = *t < ds.newest()->release.published_at;
  return redirect(req, urls::release_file(ds.info.id, rel->release.id, file),
                  settled ? site::Caching::immutable : site::Caching::short_lived);
}

// A detached signature, or why there is none.
Response serve_signature(const Request& req, const site::Document& signature, const std::string& what) {
  if (signature.body.empty())
    return problem(404, what + " is not signed yet: the next release (or gazette fsck --repair) signs it", req.target);
  return serve_site_document(req, signature);
}

// A release's whole changeset from its parent, and its signature: only that pair is kept signed.
Response serve_changes_file(const Request& req, const Route& route, const site::ServedDataset& ds, Queries* queries) {
  const site::ServedRelease* rel = ds.release(route.release);
  if (rel == nullptr) return problem(404, "no release '" + route.release + "' of " + ds.info.id, req.target);
  if (rel->release.parent != route.from)
    return problem(404,
                   rel->release.parent.empty()
                       ? route.release + " is the first release of " + ds.info.id + ": it has no changeset"
                       : "the changeset kept with " + route.release + " is from its parent: " +
                             urls::changes_file(ds.info.id, rel->release.parent, route.release) +
                             " (any other pair: " + urls::changes(ds.info.id, route.from, route.release) + ")",
                   req.target);
  const std::string what = "the changeset " + route.from + ".." + route.release;
  // The document is served under its signed size and hash, so only once it is signed.
  if (route.kind == RouteKind::changes_signature || rel->changes_signature.body.empty())
    return serve_signature(req, rel->changes_signature, what);
  const site::ServedRelease* parent = ds.release(route.from);
  if (parent == nullptr) return problem(404, "no release '" + route.from + "' of " + ds.info.id, req.target);
  // The same tag as /changes?from=PARENT&to=REL gives these bytes (and the export, both).
  const std::string etag = site::etag_of_sha256(rel->changes_sha256);
  Response r;
  r.head = req.method == "HEAD";
  r.add("ETag", etag);
  r.add("Cache-Control", site::cache_control(site::Caching::immutable));
  r.add("Last-Modified", rel->last_modified);
  if (req.has_header("if-none-match") && none_match(req.header("if-none-match"), etag)) {
    r.status = 304;
    return r;
  }
  r.add("Content-Type", site::kJson);
  // The same bytes answer /changes?from=PARENT&to=REL, which offers a person a page.
  r.add("Vary", "Accept");
  r.streamed = true;
  r.stream_length = rel->changes_bytes;
  if (!r.head) {
    if (queries == nullptr) return problem(503, "live queries are not available", req.target);
    auto source = queries->changeset_document(*parent, *rel);
    if (!source.ok()) return problem(500, source.status().message(), req.target);
    r.stream = std::move(*source);
  }
  return r;
}

// `v/MAJOR/latest/FILE`: a redirect to the file of the newest release of that major version.
Response serve_versioned_latest(const Request& req, const Route& route, const site::ServedDataset& ds) {
  const site::ServedRelease* rel = nullptr;
  for (const auto& sr : ds.releases)
    if (sr.release.version.major == route.major) rel = &sr;
  if (rel == nullptr)
    return problem(404, ds.info.id + " has no release of major version " + std::to_string(route.major), req.target);
  if (!release_has(*rel, route.file)) return problem(404, "no such file in a release: " + route.file, req.target);
  return redirect(req, urls::release_file(ds.info.id, rel->release.id, route.file), site::Caching::short_lived);
}

// Every resource of one dataset.
Response serve_dataset(const Request& req, const Route& route, const site::ServedDataset& ds, Queries* queries) {
  switch (route.kind) {
    case RouteKind::feed:
    case RouteKind::feed_archive:
      return serve_feed(req, ds.feed, ds.info.id, route);
    case RouteKind::dataset:
      return serve_negotiated(req, ds.metadata_json, ds.metadata_html);
    case RouteKind::releases:  // a person is shown the dataset's page, which lists them
      return serve_negotiated(req, ds.releases_json, ds.metadata_html);
    case RouteKind::release: {
      const site::ServedRelease* rel = ds.release(route.release);
      if (rel == nullptr) return problem(404, "no release '" + route.release + "' of " + ds.info.id, req.target);
      return serve_negotiated(req, rel->page_json, rel->page_html);
    }
    case RouteKind::contract:
      return serve_negotiated(req, ds.contract_json, ds.contract_html);
    case RouteKind::notices:
      return serve_negotiated(req, ds.notices_json, ds.notices_html);
    case RouteKind::notice: {
      const site::ServedNotice* n = ds.notice(route.notice);
      if (n == nullptr) return problem(404, "no notice '" + route.notice + "' for " + ds.info.id, req.target);
      return serve_negotiated(req, n->doc, n->html);
    }
    case RouteKind::plan: {
      const site::ServedPlan* p = ds.plan(route.plan);
      if (p == nullptr) return problem(404, "no plan '" + route.plan + "' for " + ds.info.id, req.target);
      return serve_negotiated(req, p->doc, p->html);
    }
    case RouteKind::report: {
      const site::ServedRelease* rel = ds.release(route.release);
      if (rel == nullptr || !rel->report)
        return problem(404, "no report for release '" + route.release + "' of " + ds.info.id, req.target);
      return serve_site_document(req, rel->report_doc);
    }
    case RouteKind::manifest:
    case RouteKind::artefact:
      return serve_release_file(req, route, ds, queries);
    case RouteKind::latest:
      return serve_latest(req, route, ds);
    case RouteKind::versioned_latest:
      return serve_versioned_latest(req, route, ds);
    case RouteKind::manifest_signature: {
      const site::ServedRelease* rel = ds.release(route.release);
      if (rel == nullptr) return problem(404, "no release '" + route.release + "' of " + ds.info.id, req.target);
      return serve_signature(req, rel->manifest_signature, "the manifest of " + route.release);
    }
    case RouteKind::releases_signature:
      if (ds.releases.empty()) return problem(404, ds.info.id + " has no release yet", req.target);
      return serve_signature(req, ds.releases_signature, "the release list of " + ds.info.id);
    case RouteKind::changes_file:
    case RouteKind::changes_signature:
      return serve_changes_file(req, route, ds, queries);
    case RouteKind::area_index:
    case RouteKind::area_signature:
    case RouteKind::area_page:
    case RouteKind::area_artefact:
      return serve_area(req, route, ds, queries);
    case RouteKind::changes:
    case RouteKind::record:
    case RouteKind::record_history:
      if (queries == nullptr) return problem(503, "live queries are not available", req.target);
      if (route.kind == RouteKind::changes) return serve_changes(req, route, ds, *queries);
      if (route.kind == RouteKind::record) return serve_record(req, route, ds, *queries);
      return serve_record_history(req, route, ds, *queries);
    case RouteKind::as_of:
      return serve_as_of(req, route, ds);
    default:
      return problem(404, "no such resource", req.target);
  }
}

// Routing, then the method, then the site's or a dataset's resource.
Response handle_request_unguarded(const Request& req, const site::Catalog& catalog, const Metrics& metrics,
                                  Queries* queries, const WebSubHandler* websub) {
  auto matched = match_route(req.target);
  if (!matched.ok()) {
    Response r = problem(400, matched.status().message(), req.target);
    r.route = "bad_request";
    return r;
  }
  const Route& route = *matched;
  auto done = [&](Response r, const site::HeaderList* deprecations = nullptr) {
    return finish(std::move(r), req, route, deprecations);
  };
  if (route.kind == RouteKind::not_found) return done(problem(404, "no such resource", req.target));
  if (route.kind == RouteKind::websub) return done(serve_websub(req, catalog, websub));
  if (req.method != "GET" && req.method != "HEAD") {
    Response r = problem(405, "only GET and HEAD are allowed here", req.target);
    r.set("Allow", "GET, HEAD");
    return done(std::move(r));
  }
  if (auto site = serve_site(req, route, catalog, metrics)) return done(std::move(*site));
  const site::ServedDataset* ds = catalog.dataset(route.dataset);
  if (ds == nullptr) return done(problem(404, "no dataset '" + route.dataset + "'", req.target));
  if (route.kind == RouteKind::area_feed || route.kind == RouteKind::area_feed_archive)
    return done(serve_area_feed(req, route, *ds, catalog.options, queries));
  return done(serve_dataset(req, route, *ds, queries), deprecations_for(*ds, route));
}

}  // namespace

Response handle_request(const Request& req, const site::Catalog& catalog, const Metrics& metrics,
                        Queries* queries, const WebSubHandler* websub) {
  // No exception leaves a request: one escaping into the event loop would stop the server for
  // everyone. What cannot be answered is a 500, logged by the caller like any other.
  try {
    return handle_request_unguarded(req, catalog, metrics, queries, websub);
  } catch (const std::exception& e) {
    return problem(500, std::string("internal error: ") + e.what(), req.target);
  } catch (...) {
    return problem(500, "internal error", req.target);
  }
}

}  // namespace gazette::http
