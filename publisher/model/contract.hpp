// The data contract of a dataset, as values: columns with types, roles and code lists, the
// key, the lifecycle column, tolerances and named definitions.
//
// Parsed and checked by publisher/contract (parse_contract); read by ingest (column order,
// XML mapping), render (types) and, later, the gate. Thread-safety: immutable after parsing.
#pragma once

#include <cstddef>
#include <cstdint>
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
  // Read from the first that a record has; written at the first that the record's layout
  // allows (see render/naptan_xml.cpp), else in the record's extension (kXmlExtensionPath).
  std::vector<std::string> xml_paths;
  // Columns that are a lookup through another column (LocalityName through
  // NptgLocalityCode): a format that does not carry them takes them from the newest release
  // that pairs the two. Empty when the column is not derived.
  std::string derived_from;
  std::string description;
  Moves moves = Moves::freely;
};

// One column pair that represents a record's position, and its coordinate reference system:
// fixed (`crs`, "EPSG:4326"), or chosen per record by the value of `crs_column` (NaPTAN's
// GridType: UKOS is EPSG:27700, IrishOS EPSG:29903), `crs` when that value is unlisted.
struct PositionRepresentation {
  std::size_t x = static_cast<std::size_t>(-1);  // easting or longitude
  std::size_t y = static_cast<std::size_t>(-1);  // northing or latitude
  std::string crs;
  std::size_t crs_column = static_cast<std::size_t>(-1);
  std::map<std::string, std::string> crs_by_value;
};

// How far a position may move before consumers must be told, and before it is another place;
// how far its representations may disagree.
struct PositionTolerance {
  std::vector<PositionRepresentation> representations;
  // The first projected and the geographic representation's columns (for readers that want
  // "the grid" or "longitude/latitude"), npos where there is none.
  std::size_t easting = static_cast<std::size_t>(-1), northing = static_cast<std::size_t>(-1);
  std::size_t longitude = static_cast<std::size_t>(-1), latitude = static_cast<std::size_t>(-1);
  double notice_m = 50;
  double different_place_m = 1000;
  double agreement_m = 25;  // largest distance between two representations of one record
  std::size_t group_by = static_cast<std::size_t>(-1);  // groups for systematic shifts
  // Whether column `i` is part of some representation.
  bool holds(std::size_t i) const {
    for (const auto& r : representations)
      if (r.x == i || r.y == i) return true;
    return false;
  }
};

// Thresholds of the systematic-shift detectors (DESIGN: "found robustly despite jitter,
// partial application or new keys in the group").
struct ShiftRules {
  std::uint64_t min_records = 10;  // records sharing one displacement before it is a pattern
  double min_share = 0.3;          // of the group's moved records
  double spread_m = 5;             // how far a record may stray from the common displacement
  double min_offset_m = 1;         // smaller common displacements are noise
  std::uint64_t time_min_records = 10;
  double time_min_share = 0.5;     // of a datetime column's changed values
  long long time_spread_s = 60;    // how far a value may stray from the common offset
};

// The evidence that a key still names the same entity, beside kind and distance.
struct IdentityEvidence {
  std::size_t name = static_cast<std::size_t>(-1);         // CommonName
  std::size_t public_code = static_cast<std::size_t>(-1);  // NaptanCode
  std::size_t created = static_cast<std::size_t>(-1);      // CreationDateTime
  double same_place_m = 5;  // two records this close with one name or code are one entity
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

// How the records are cut into areas that consumers can take one at a time (NaPTAN: the ATCO
// area code, the first three characters of ATCOCode). The code is the first `length`
// characters of the first key column, so an area is a run of keys in key order, and a key
// range finds it. Codes are letters, digits, '-' and '_' (checked at staging), so a code is
// always a safe path segment.
struct Partition {
  std::string column;      // the first key column
  std::size_t length = 3;  // leading characters of its value
  std::string title;       // what one area is called ("ATCO area")
  std::map<std::string, std::string> names;  // code -> a human name, where the data has one

  // The area of a stored key (its first `length` bytes).
  std::string_view code_of(std::string_view key) const { return key.substr(0, length); }
  // The name of `code`, or "" when the contract gives none.
  std::string name_of(const std::string& code) const;
};

// Whether `code` could name an area of `p`: `length` letters, digits, '-' or '_'.
bool is_area_code(const Partition& p, std::string_view code);
// Whether `code` could name an area of some partition: 1 to 16 letters, digits, '-' or '_'
// (what a URL or a command line may carry before the contract is at hand).
bool is_area_code_text(std::string_view code);

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
  std::string xml_namespace;       // "http://www.naptan.org.uk/"
  std::optional<PositionTolerance> position;
  std::optional<KindRule> kind;
  std::map<std::string, double> drift_code_share;  // column -> largest share move, 0..1
  // The lifecycle column as a distribution: the largest share of keys retired or vanishing
  // at once before consumers must be told.
  double drift_lifecycle_share = 0.05;
  // A share that moves past its threshold counts only if this many records moved with it.
  std::uint64_t drift_min_records = 50;
  // The largest share of the newest release's keys a candidate may lose (a truncated export).
  double max_vanished_share = 0.2;
  ShiftRules shift;
  IdentityEvidence identity;
  int notice_lead_days = 0;
  std::optional<Partition> partition;
  std::string canonical_json;      // the contract as registered, normalised

  // Index of a column by name, or npos.
  std::size_t column_index(const std::string& name) const;
  // Whether `value` is one of the lifecycle column's retired values.
  bool is_retired(std::string_view value) const;
  // Indices of the key columns (resolved at parse time).
  std::vector<std::size_t> key_indices;
};

// Where gazette's NaPTAN XML carries a value the NaPTAN layout has no place for in that record
// (a language code the CSV gives, a bus stop type on an off-street bay): in the StopPoint's
// Extensions, as an element named after its column inside one Columns element of this
// namespace (schemas/gazette-naptan-extensions.xsd). Readers look there after a column's own
// paths, so what gazette writes reads back the same. Derived columns are never put there:
// they are lookups, filled on staging (Column::derived_from), as for DfT's own files.
inline constexpr const char* kXmlExtensionNamespace = "urn:gazette:naptan-extensions:1";
inline constexpr const char* kXmlExtensionPath = "Extensions/Columns/";

// "Place/Location/Easting" as its steps {"Place", "Location", "Easting"}.
std::vector<std::string> xml_path_steps(std::string_view path);
// Where a reader of NaPTAN XML looks for `column`, in order, each path split into its steps:
// the column's own paths, then its extension (none for a derived column).
std::vector<std::vector<std::string>> xml_read_paths(const Column& column);

}  // namespace gazette
