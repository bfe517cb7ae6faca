// Where in a JSON file a mistake is. The contract, notice and plan readers name a mistake by
// its JSON path ("$.columns[3].codes"); a person fixing the file wants its line and column.
// Internal to contract/.
//
// Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "publisher/common/status.hpp"

namespace gazette {

// "LINE:COLUMN" (1-based; columns count characters, not bytes) of byte `pos` of `text`.
std::string line_col_of(std::string_view text, std::size_t pos);

// The byte offset where the value at `path` ("$", "$.a.b", "$.a[2].c") begins in `text`: the
// deepest member of the path that the text has (a path may name a member that is missing).
// nullopt when `text` is not JSON the walk can follow.
std::optional<std::size_t> locate_json_path(std::string_view text, std::string_view path);

// A reader's "SOURCE: $.path: what" becomes "SOURCE:LINE:COLUMN: $.path: what"; other
// statuses are returned as they are.
Status with_json_location(Status status, std::string_view text, const std::string& source);

}  // namespace gazette
