// `gazette export`: the public tree of a dataset as files, so that nginx, object storage or
// any CDN serves it byte for byte as the origin does. The tree mirrors the URL paths; a path
// that is also a folder gets index.json and index.html inside it. DIR/nginx.conf is a
// `server` block carrying the origin's headers. The origin keeps what cannot be a file: the
// store, the gate, the hub, record lookups and paged or arbitrary changesets.
//
// Thread-safety: one call at a time per store.
#pragma once

#include <filesystem>
#include <string>

#include "publisher/site/catalog.hpp"

namespace gazette::site {

struct ExportSummary {
  std::size_t files = 0;
  std::uint64_t bytes = 0;
  std::size_t linked = 0;    // artefacts hard-linked from the store instead of copied
  std::size_t rendered = 0;  // evicted artefacts rendered again
};

// Writes the tree of `dataset` (and the catalogue-wide documents: /, /datasets, the feeds of
// every dataset) under `dir`, and `dir`/nginx.conf. Files are written whole, then renamed.
Result<ExportSummary> export_tree(Store& store, const std::string& dataset, const std::filesystem::path& dir,
                                  const CatalogOptions& options);

}  // namespace gazette::site
