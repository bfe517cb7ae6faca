// A subset of a dataset's records, as consumers ask for one: an area of the contract's
// partition, and values of code columns (`where=StopType:BCT,StopType:BCS,Status:active`:
// values of one column are alternatives, columns must all match). A changeset of a subset
// shows a record that enters it as added and one that leaves it as removed.
//
// Thread-safety: plain values; matches() is const and may be called from any thread.
#pragma once

#include <algorithm>
#include <cstddef>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "publisher/common/status.hpp"
#include "publisher/model/contract.hpp"

namespace gazette {

struct RecordFilter {
  std::string area;  // a partition code; empty for every area
  // (column index, accepted values), by column index.
  std::vector<std::pair<std::size_t, std::set<std::string, std::less<>>>> where;

  bool empty() const { return area.empty() && where.empty(); }
  // Whether the record (its stored key and encoded body) is in the subset. The area is read
  // from the key; the caller passes only keys of the area when it pages by key range.
  bool matches(const Contract& contract, std::string_view key, std::string_view body) const;
  // The filter as a query string's parameters ("&area=668&where=StopType:BCT,StopType:BCS"),
  // in one order whatever order it was asked in: for links to the next page, and caches.
  std::string query(const Contract& contract) const;
};

// Reads `area` and `where` as a request gives them (decoded). One clear line for anything
// the contract cannot answer: no partition, a malformed code, an unknown or non-code column.
Result<RecordFilter> parse_record_filter(const Contract& contract, std::string_view area, std::string_view where);

}  // namespace gazette
