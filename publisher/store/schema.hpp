// The store's schema as an ordered list of migrations. Migration i (0-based) takes a database
// at user_version i to i + 1. Never edit a released migration: append a new one.
#pragma once

#include <string>
#include <vector>

namespace gazette::store_detail {

const std::vector<std::string>& migrations();
// The triggers the migrations leave in place (those that keep releases immutable and the
// ledger append-only), by name.
std::vector<std::string> required_triggers();

}  // namespace gazette::store_detail
