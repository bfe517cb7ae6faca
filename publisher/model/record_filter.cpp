#include "publisher/model/record_filter.hpp"

#include "publisher/common/url.hpp"
#include "publisher/model/record.hpp"

namespace gazette {

bool RecordFilter::matches(const Contract& contract, std::string_view key, std::string_view body) const {
  if (!area.empty() && (!contract.partition || contract.partition->code_of(key) != area)) return false;
  if (where.empty()) return true;
  thread_local std::vector<std::string_view> values;
  decode_record(body, values);
  for (const auto& [column, accepted] : where)
    if (column >= values.size() || !accepted.count(values[column])) return false;
  return true;
}

std::string RecordFilter::query(const Contract& contract) const {
  std::string out;
  if (!area.empty()) out += "&area=" + percent_encode(area);
  std::string pairs;
  for (const auto& [column, accepted] : where)
    for (const auto& v : accepted) pairs += (pairs.empty() ? "" : ",") + contract.columns[column].name + ":" + v;
  if (!pairs.empty()) out += "&where=" + percent_encode(pairs, ":,");
  return out;
}

Result<RecordFilter> parse_record_filter(const Contract& contract, std::string_view area, std::string_view where) {
  RecordFilter f;
  if (!area.empty()) {
    if (!contract.partition)
      return Status::invalid_input("area: " + contract.dataset_id + " has no partition into areas");
    if (!is_area_code(*contract.partition, area))
      return Status::invalid_input("area: '" + std::string(area) + "' is not an area code (" +
                                   std::to_string(contract.partition->length) + " letters, digits, '-' or '_')");
    f.area = std::string(area);
  }
  while (!where.empty()) {
    const std::size_t comma = where.find(',');
    const std::string_view pair = where.substr(0, comma);
    where = comma == std::string_view::npos ? std::string_view() : where.substr(comma + 1);
    const std::size_t colon = pair.find(':');
    if (colon == std::string_view::npos || colon == 0)
      return Status::invalid_input("where: '" + std::string(pair) + "' is not COLUMN:VALUE");
    const std::string column(pair.substr(0, colon));
    const std::size_t index = contract.column_index(column);
    if (index == static_cast<std::size_t>(-1))
      return Status::invalid_input("where: '" + column + "' is not a column of " + contract.dataset_id);
    if (contract.columns[index].type != ColumnType::code)
      return Status::invalid_input("where: " + column + " is not a code column (filters take code columns)");
    auto it = f.where.begin();
    while (it != f.where.end() && it->first != index) ++it;
    if (it == f.where.end()) {
      f.where.push_back({index, {}});
      it = f.where.end() - 1;
    }
    it->second.emplace(pair.substr(colon + 1));
  }
  std::sort(f.where.begin(), f.where.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  return f;
}

}  // namespace gazette
