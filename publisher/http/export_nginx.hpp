// The nginx `server` block of an export (see export.hpp).
#pragma once

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "publisher/http/catalog.hpp"

namespace gazette::http {

// For the tree of `ds` written under `root` (an absolute path), with the changeset files
// written (URL path, ETag).
std::string nginx_conf(const Catalog& catalog, const ServedDataset& ds, const std::filesystem::path& root,
                       const std::vector<std::pair<std::string, std::string>>& changesets);

}  // namespace gazette::http
