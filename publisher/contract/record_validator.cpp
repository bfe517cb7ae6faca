#include <algorithm>
#include <cstdio>

#include "publisher/common/time.hpp"
#include "publisher/common/utf8.hpp"
#include "publisher/contract/contract.hpp"

namespace gazette {

namespace {
bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}
}  // namespace

bool is_integer_text(std::string_view v) {
  if (!v.empty() && v[0] == '-') v.remove_prefix(1);
  return all_digits(v) && (v.size() == 1 || v[0] != '0');
}

bool is_decimal_text(std::string_view v) {
  std::size_t dot = v.find('.');
  if (dot == std::string_view::npos) return is_integer_text(v);
  std::string_view whole = v.substr(0, dot);
  return (is_integer_text(whole) || whole == "-0") && all_digits(v.substr(dot + 1));
}

bool is_datetime_text(std::string_view v) {
  // A full date and time: YYYY-MM-DDTHH:MM:SS[.frac][Z|±HH:MM]; dates alone are not times.
  return v.size() >= 19 && v[10] == 'T' && parse_instant(v).ok();
}

RecordValidator::RecordValidator(const Contract& contract) : contract_(contract) {
  for (const auto& c : contract.columns)
    patterns_.push_back(c.pattern.empty()
                            ? nullptr
                            : std::make_unique<std::regex>(c.pattern, std::regex::ECMAScript |
                                                                          std::regex::optimize));
}

RecordValidator::~RecordValidator() = default;

Status RecordValidator::validate(std::vector<std::string>& values, const std::string& source,
                                 const std::vector<ValueOrigin>& origins) const {
  const auto& cols = contract_.columns;
  for (std::size_t i = 0; i < cols.size(); ++i) {
    const Column& col = cols[i];
    std::string& v = values[i];
    auto fail = [&](const std::string& what) {
      ValueOrigin o = i < origins.size() ? origins[i] : ValueOrigin{};
      return Status::invalid_input(describe_origin(source, o) + " " + col.name + ": " + what);
    };
    if (std::size_t bad = find_invalid_utf8(v); bad != std::string::npos)
      return fail("invalid UTF-8 at byte " + std::to_string(bad) + " of the value");
    if (auto bad = find_unpublishable(v))
      return fail(bad->describe() + " at byte " + std::to_string(bad->offset) +
                  " cannot be published (XML 1.0 and its readers refuse it)");
    if (v.size() > col.max_length)
      return fail("value of " + std::to_string(v.size()) + " bytes is longer than the " +
                  std::to_string(col.max_length) + " the contract allows");
    if (v.empty()) {
      if (!col.nullable) return fail("a value is required");
      continue;
    }
    switch (col.type) {
      case ColumnType::string:
        break;
      case ColumnType::integer:
        if (!is_integer_text(v)) return fail("'" + v + "' is not an integer");
        break;
      case ColumnType::decimal:
        if (!is_decimal_text(v)) return fail("'" + v + "' is not a decimal number");
        break;
      case ColumnType::datetime:
        if (!is_datetime_text(v)) return fail("'" + v + "' is not a date and time (YYYY-MM-DDTHH:MM:SS)");
        break;
      case ColumnType::code: {
        if (auto a = col.code_aliases.find(v); a != col.code_aliases.end()) v = a->second;
        if (col.codes_closed && std::find(col.codes.begin(), col.codes.end(), v) == col.codes.end()) {
          // Name what would do: the whole list when it is short enough to read on one line.
          std::string allowed;
          for (std::size_t k = 0; k < col.codes.size() && k < 24; ++k) allowed += (k ? ", " : "") + col.codes[k];
          if (col.codes.size() > 24) allowed += ", ... (" + std::to_string(col.codes.size()) + " in all)";
          return fail("'" + v + "' is not in the closed code list (" + allowed + ")");
        }
        break;
      }
    }
    if (patterns_[i] && !std::regex_match(v, *patterns_[i]))
      return fail("'" + v + "' does not match the pattern " + col.pattern);
    // Its first characters name the record's area, which is a path segment of its downloads.
    if (contract_.partition && col.name == contract_.partition->column &&
        !is_area_code(*contract_.partition, std::string_view(v).substr(0, contract_.partition->length)))
      return fail("'" + v + "' does not begin with an area code (" + std::to_string(contract_.partition->length) +
                  " letters, digits, '-' or '_'), which the contract's partition cuts from it");
  }
  return {};
}

}  // namespace gazette
