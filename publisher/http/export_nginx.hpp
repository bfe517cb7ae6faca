// The nginx `server` block of an export (see export.hpp).
#pragma once

#include <filesystem>
#include <string>

#include "publisher/http/catalog.hpp"

namespace gazette::http {

// For the tree of `ds` written under `root` (an absolute path).
std::string nginx_conf(const Catalog& catalog, const ServedDataset& ds, const std::filesystem::path& root);

}  // namespace gazette::http
