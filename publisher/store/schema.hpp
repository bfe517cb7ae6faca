// The store's schema as an ordered list of migrations. Migration i (0-based) takes a database
// at user_version i to i + 1. Never edit a released migration: append a new one.
#pragma once

#include <string>
#include <vector>

namespace gazette::store_detail {

const std::vector<std::string>& migrations();

}  // namespace gazette::store_detail
