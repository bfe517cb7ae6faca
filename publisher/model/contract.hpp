// The data contract of a dataset, as values: columns with types, roles and code lists, the
// key, the lifecycle column, tolerances and named definitions.
//
// Parsed and checked by publisher/contract (parse_contract); read by ingest (column order,
// XML mapping), render (types) and, later, the gate. Thread-safety: immutable after parsing.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace gazette {

enum class ColumnType { string, integer, decimal, datetime, code };
// How a bookkeeping value may move: not at all (creation times) or only forward (revisions).
enum class Moves { freely, never, forward };
enum class ColumnRole { identity, load_bearing, descriptive, bookkeeping };

const char* to_string(ColumnType t);
const char* to_string(ColumnRole r);

struct Column {
  std::string name;
  ColumnType type = ColumnType::string;
  ColumnRole role = ColumnRole::descriptive;
  bool nullable = true;
  std::string pattern;  // ECMAScript regex the whole value must match; empty for none
  std::string unit;     // "m", "degree", ... (informative)
  std::size_t max_length = 4096;  // bytes; oversized fields are refused at import
  // Code lists: the allowed values, and whether the list is closed (others refused at
  // import, and later a notice) or open (new values are routine).
  std::vector<std::string> codes;
  bool codes_closed = false;
  // Spellings accepted at import and replaced by their canonical code (legacy NaPTAN CSV
  // wrote `act` for `active`). Declared in the contract, so the rewrite is reviewed.
  std::map<std::string, std::string> code_aliases;
  // Where the NaPTAN XML carries the value: alternative paths relative to StopPoint,
  // `@Attr` for attributes, `*` for any one element. Empty: the format does not carry it.
  std::vector<std::string> xml_paths;
  // Columns that are a lookup through another column (LocalityName through
  // NptgLocalityCode): a format that does not carry them takes them from the newest release
  // that pairs the two. Empty when the column is not derived.
  std::string derived_from;
  std::string description;
  Moves moves = Moves::freely;
};

// How far a position may move before consumers must be told, and before it is another place.
struct PositionTolerance {
  std::size_t easting = static_cast<std::size_t>(-1), northing = static_cast<std::size_t>(-1);
  std::size_t longitude = static_cast<std::size_t>(-1), latitude = static_cast<std::size_t>(-1);
  double notice_m = 50;
  double different_place_m = 1000;
  std::size_t group_by = static_cast<std::size_t>(-1);  // groups for systematic shifts
};

// Kinds of entity: a key whose `column` moves to another family now denotes something else.
struct KindRule {
  std::size_t column = static_cast<std::size_t>(-1);
  std::vector<std::vector<std::string>> families;
};

struct Definition {
  std::string name;
  int version = 1;
  std::vector<std::string> columns;
  std::string text;
};

struct Lifecycle {
  std::string column;                     // "Status"
  std::vector<std::string> retired_values;  // {"inactive"}
};

struct Contract {
  std::string dataset_id;
  int version = 1;
  std::string title;
  std::string publisher;
  std::string licence;
  std::vector<std::string> key;  // key column names, in order
  std::vector<Column> columns;   // in publication order
  Lifecycle lifecycle;
  std::vector<Definition> definitions;
  std::string xml_record_element;  // "StopPoint" for NaPTAN XML
  std::optional<PositionTolerance> position;
  std::optional<KindRule> kind;
  std::map<std::string, double> drift_code_share;  // column -> largest share move, 0..1
  int notice_lead_days = 0;
  std::string canonical_json;      // the contract as registered, normalised

  // Index of a column by name, or npos.
  std::size_t column_index(const std::string& name) const;
  // Whether `value` is one of the lifecycle column's retired values.
  bool is_retired(std::string_view value) const;
  // Indices of the key columns (resolved at parse time).
  std::vector<std::size_t> key_indices;
};

}  // namespace gazette
