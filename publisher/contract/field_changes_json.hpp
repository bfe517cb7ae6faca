// The JSON of a record's changed fields, as every document gazette publishes writes it
// (changesets, the gate's report and its samples, a record's history):
//   [{"column": "CommonName", "old": "Pasture Lane", "new": null}, ...]   ("" is null)
// Only the forward declaration of nlohmann's types here, so that includers do not pay for it.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <vector>

#include "publisher/model/changeset.hpp"

namespace gazette {

nlohmann::ordered_json field_changes_json(const std::vector<FieldChange>& fields);

}  // namespace gazette
