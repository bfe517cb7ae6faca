// Pieces more than one page shows. Internal to site/.
#pragma once

#include <string>

#include "publisher/site/catalog.hpp"

namespace gazette::site {

// A plan's owner, reviewers, intent, blast radius and definition changes.
std::string plan_details_html(const ServedDataset& d, const ServedPlan& plan);
// A notice in a box: title (linking its page), kind, text, effective date.
std::string notice_summary_html(const ServedDataset& d, const Notice& notice);
// A scope: columns, where-clauses, keys.
std::string scope_html(const ServedDataset& d, const Scope& scope);

}  // namespace gazette::site
