#include "publisher/model/contract.hpp"

#include <algorithm>

namespace gazette {

const char* to_string(ColumnType t) {
  switch (t) {
    case ColumnType::string: return "string";
    case ColumnType::integer: return "integer";
    case ColumnType::decimal: return "decimal";
    case ColumnType::datetime: return "datetime";
    case ColumnType::code: return "code";
  }
  return "string";
}

const char* to_string(ColumnRole r) {
  switch (r) {
    case ColumnRole::identity: return "identity";
    case ColumnRole::load_bearing: return "load-bearing";
    case ColumnRole::descriptive: return "descriptive";
    case ColumnRole::bookkeeping: return "bookkeeping";
  }
  return "descriptive";
}

bool Contract::is_retired(std::string_view value) const {
  return std::find(lifecycle.retired_values.begin(), lifecycle.retired_values.end(), value) !=
         lifecycle.retired_values.end();
}

std::size_t Contract::column_index(const std::string& name) const {
  for (std::size_t i = 0; i < columns.size(); ++i)
    if (columns[i].name == name) return i;
  return static_cast<std::size_t>(-1);
}

}  // namespace gazette
