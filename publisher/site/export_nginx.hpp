// The nginx `server` block of an export (see export.hpp).
#pragma once

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "publisher/site/catalog.hpp"

namespace gazette::site {

// Whether `value` can stand in an nginx directive (quoted): no `$`, which nginx expands as a
// variable even inside quotes, and no control characters. `what` names it in the error.
Status check_nginx_value(const std::string& value, const std::string& what);

// Where the page of a resource that is not a folder is kept: beside its JSON, with ".html".
std::string page_file(const std::string& url_path);

// A file of the export that the catalogue does not hold (areas): its URL path, its headers,
// and the file that answers it when that is not the path itself.
struct ExportedFile {
  std::string path;
  Document headers;  // media type, caching, ETag (no body)
  HeaderList extra;
  std::string file;
};

// A resource with a JSON document and a page, exported as a folder (index.json, index.html):
// the documents' headers (their bodies are on disk), and headers of its own.
struct ExportedPage {
  std::string path;
  Document json, html;
  HeaderList extra;
};

// An area's feed as exported: its subscription path without extension, and its documents.
struct ExportedFeed {
  std::string base;  // "/feeds/{ds}/areas/{code}"
  ServedFeed feed;
};

// For the tree of `ds` written under `root` (an absolute path), with the changeset files
// written (URL path, and the document's headers), and the areas' files and feeds.
std::string nginx_conf(const Catalog& catalog, const ServedDataset& ds, const std::filesystem::path& root,
                       const std::vector<std::pair<std::string, Document>>& changesets,
                       const std::vector<ExportedFile>& area_files, const std::vector<ExportedPage>& area_pages,
                       const std::vector<ExportedFeed>& area_feeds);

}  // namespace gazette::site
