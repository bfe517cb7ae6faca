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

std::vector<std::string> xml_path_steps(std::string_view path) {
  std::vector<std::string> steps;
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) slash = path.size();
    if (slash > start) steps.emplace_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  return steps;
}

std::vector<std::vector<std::string>> xml_read_paths(const Column& column) {
  std::vector<std::vector<std::string>> out;
  auto add = [&](std::string_view p) {
    auto steps = xml_path_steps(p);
    if (!steps.empty()) out.push_back(std::move(steps));
  };
  for (const auto& p : column.xml_paths) add(p);
  if (column.derived_from.empty()) add(std::string(kXmlExtensionPath) + column.name);
  return out;
}

std::size_t Contract::column_index(const std::string& name) const {
  for (std::size_t i = 0; i < columns.size(); ++i)
    if (columns[i].name == name) return i;
  return static_cast<std::size_t>(-1);
}

}  // namespace gazette

namespace gazette {

std::string Partition::name_of(const std::string& code) const {
  auto it = names.find(code);
  return it == names.end() ? std::string() : it->second;
}

bool is_area_code_text(std::string_view code) {
  if (code.empty() || code.size() > 16) return false;
  for (char c : code)
    if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '-' || c == '_'))
      return false;
  return true;
}

bool is_area_code(const Partition& p, std::string_view code) { return code.size() == p.length && is_area_code_text(code); }

}  // namespace gazette
