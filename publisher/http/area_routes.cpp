// Areas of a release (the contract's partition), read from the store when asked for: the
// catalogue holds none of them.
#include "publisher/http/data_routes.hpp"
#include "publisher/http/handler.hpp"
#include "publisher/site/html.hpp"

namespace gazette::http {

// A release's area index, its signature, or an area's artefact: read from the store when asked
// for (the catalogue holds no area), artefacts rendered from the release that last changed the area.
Response serve_area(const Request& req, const Route& route, const site::ServedDataset& ds, Queries* queries) {
  const site::ServedRelease* rel = ds.release(route.release);
  if (rel == nullptr) return problem(404, "no release '" + route.release + "' of " + ds.info.id, req.target);
  if (queries == nullptr) return problem(503, "live queries are not available", req.target);
  if (route.kind == RouteKind::area_index || route.kind == RouteKind::area_signature) {
    auto index = queries->area_index(ds.info.id, rel->release.id);
    if (!index.ok()) return problem(500, index.status().message(), req.target);
    if (!*index)
      return problem(404, "release " + rel->release.id + " of " + ds.info.id + " has no areas (its contract has no partition)",
                     req.target);
    if (route.kind == RouteKind::area_signature)
      return serve_document(req, (*index)->signature, site::kSignature, site::Caching::immutable);
    // The index as signed to programs; a page listing the areas to people.
    return serve_negotiated(
        req, site::Caching::immutable, [&] { return (*index)->document; },
        [&] {
          auto areas = queries->areas(ds.info.id, rel->release.id);
          return areas.ok() ? site::render_area_index_html(ds, *rel, *areas) : std::string();
        });
  }
  auto area = queries->area(ds.info.id, rel->release.id, route.area);
  if (!area.ok()) return problem(500, area.status().message(), req.target);
  if (!*area) return problem(404, "release " + rel->release.id + " of " + ds.info.id + " has no area '" + route.area + "'", req.target);
  if (route.kind == RouteKind::area_page) {
    auto history = queries->area_history(ds.info.id, route.area);
    if (!history.ok()) return problem(500, history.status().message(), req.target);
    const site::AreaPage page{rel, std::move(**area), std::move(*history)};
    // Short-lived: the list of releases that changed it grows.
    return serve_negotiated(
        req, site::Caching::short_lived, [&] { return site::area_page_json(ds, page); },
        [&] { return site::render_area_html(ds, page); });
  }
  const site::ServedRelease* since = ds.release((*area)->since);
  if (since == nullptr) return problem(500, "area " + route.area + " names an unknown release", req.target);
  const Artefact* found = nullptr;
  for (const auto& a : (*area)->artefacts)
    if (a.name == route.file) found = &a;
  if (found == nullptr) return problem(404, "no such artefact", req.target);
  const site::ServedArtefact art = site::served_area_artefact(ds.info.id, **area, *found);
  // Its bytes were published by `since`: that is when they were last modified. The meaning
  // version is the release asked for.
  site::ServedRelease view;
  view.release.published_at = since->release.published_at;
  view.release.version = rel->release.version;
  view.last_modified = since->last_modified;
  Response r = serve_artefact(req, view, art);
  if (!r.file) return r;  // 304, 416
  return serve_rendered(req, std::move(r), found->sha256, queries, [&](std::uint64_t offset, std::uint64_t length) {
    return queries->rendered_area_artefact(*since, **area, art, offset, length);
  });
}

}  // namespace gazette::http
