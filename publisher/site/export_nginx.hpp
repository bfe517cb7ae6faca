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

// For the tree of `ds` written under `root` (an absolute path), with the changeset files
// written (URL path, and the document's headers).
std::string nginx_conf(const Catalog& catalog, const ServedDataset& ds, const std::filesystem::path& root,
                       const std::vector<std::pair<std::string, Document>>& changesets);

}  // namespace gazette::site
