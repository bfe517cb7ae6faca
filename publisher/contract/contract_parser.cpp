// Method: parse with nlohmann's non-throwing parser, then walk the document checking each
// part against schemas/contract.schema.json by hand (we carry no JSON Schema engine), with
// messages that name the JSON path. Cross-references (key, lifecycle, derived_from,
// definitions) are resolved last, once every column is known.
#include <nlohmann/json.hpp>
#include <algorithm>
#include <set>

#include "publisher/common/ids.hpp"
#include "publisher/contract/contract.hpp"
#include "publisher/contract/json_location.hpp"

namespace gazette {

namespace {

using json = nlohmann::json;

// A threshold for a message: "0.3", "1000000".
std::string format_number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

class Checker {
 public:
  explicit Checker(const std::string& source) : source_(source) {}

  Status fail(const std::string& path, const std::string& what) const {
    return Status::invalid_input(source_ + ": " + path + ": " + what);
  }

  Status string_at(const json& j, const char* name, const std::string& path, std::string& out,
                   bool required) const {
    auto it = j.find(name);
    if (it == j.end()) return required ? fail(path, std::string("missing \"") + name + "\"") : Status{};
    if (!it->is_string()) return fail(path + "." + name, "must be a string");
    out = it->get<std::string>();
    return {};
  }

  Status strings_at(const json& j, const char* name, const std::string& path,
                    std::vector<std::string>& out, bool required) const {
    auto it = j.find(name);
    if (it == j.end()) return required ? fail(path, std::string("missing \"") + name + "\"") : Status{};
    if (!it->is_array()) return fail(path + "." + name, "must be an array of strings");
    for (const auto& e : *it) {
      if (!e.is_string()) return fail(path + "." + name, "must be an array of strings");
      out.push_back(e.get<std::string>());
    }
    return {};
  }

  // An optional number in [lo, hi]; `out` keeps its default when absent.
  Status number_at(const json& j, const char* name, const std::string& path, double lo, double hi,
                   double& out) const {
    auto it = j.find(name);
    if (it == j.end()) return {};
    if (!it->is_number() || it->get<double>() < lo || it->get<double>() > hi)
      return fail(path + "." + name, "must be a number from " + format_number(lo) + " to " + format_number(hi));
    out = it->get<double>();
    return {};
  }

  // A field naming a column of `c`: its index in `out` (left as it is when optional and absent).
  Status column_ref(const Contract& c, const json& j, const char* name, const std::string& path, std::size_t& out,
                    bool required) const {
    std::string col;
    GAZETTE_RETURN_IF_ERROR(string_at(j, name, path, col, required));
    if (col.empty()) return {};
    out = c.column_index(col);
    if (out == static_cast<std::size_t>(-1)) return fail(path + "." + name, "'" + col + "' is not a column");
    return {};
  }

  Status only_keys(const json& j, const std::string& path,
                   std::initializer_list<const char*> allowed) const {
    for (auto it = j.begin(); it != j.end(); ++it) {
      bool known = false;
      for (const char* a : allowed) known = known || it.key() == a;
      if (!known) return fail(path, "unknown property \"" + it.key() + "\"");
    }
    return {};
  }

 private:
  const std::string& source_;
};

Status parse_column(const Checker& ck, const json& j, const std::string& path, Column& c) {
  if (!j.is_object()) return ck.fail(path, "must be an object");
  GAZETTE_RETURN_IF_ERROR(ck.only_keys(j, path,
                                       {"name", "type", "role", "nullable", "pattern", "unit",
                                        "max_length", "codes", "xml", "derived_from",
                                        "description", "moves"}));
  GAZETTE_RETURN_IF_ERROR(ck.string_at(j, "name", path, c.name, true));
  if (c.name.empty()) return ck.fail(path + ".name", "must not be empty");
  std::string type, role;
  GAZETTE_RETURN_IF_ERROR(ck.string_at(j, "type", path, type, true));
  GAZETTE_RETURN_IF_ERROR(ck.string_at(j, "role", path, role, true));
  if (type == "string") c.type = ColumnType::string;
  else if (type == "integer") c.type = ColumnType::integer;
  else if (type == "decimal") c.type = ColumnType::decimal;
  else if (type == "datetime") c.type = ColumnType::datetime;
  else if (type == "code") c.type = ColumnType::code;
  else return ck.fail(path + ".type", "'" + type + "' is not one of string, integer, decimal, datetime, code");
  if (role == "identity") c.role = ColumnRole::identity;
  else if (role == "load-bearing") c.role = ColumnRole::load_bearing;
  else if (role == "descriptive") c.role = ColumnRole::descriptive;
  else if (role == "bookkeeping") c.role = ColumnRole::bookkeeping;
  else return ck.fail(path + ".role", "'" + role + "' is not one of identity, load-bearing, descriptive, bookkeeping");
  if (auto it = j.find("nullable"); it != j.end()) {
    if (!it->is_boolean()) return ck.fail(path + ".nullable", "must be true or false");
    c.nullable = it->get<bool>();
  }
  GAZETTE_RETURN_IF_ERROR(ck.string_at(j, "pattern", path, c.pattern, false));
  if (!c.pattern.empty()) {
    try {
      std::regex probe(c.pattern, std::regex::ECMAScript);
    } catch (const std::regex_error& e) {
      return ck.fail(path + ".pattern", std::string("not a valid regular expression: ") + e.what());
    }
  }
  GAZETTE_RETURN_IF_ERROR(ck.string_at(j, "unit", path, c.unit, false));
  GAZETTE_RETURN_IF_ERROR(ck.string_at(j, "description", path, c.description, false));
  GAZETTE_RETURN_IF_ERROR(ck.string_at(j, "derived_from", path, c.derived_from, false));
  GAZETTE_RETURN_IF_ERROR(ck.strings_at(j, "xml", path, c.xml_paths, false));
  if (auto it = j.find("max_length"); it != j.end()) {
    if (!it->is_number_integer() || it->get<long long>() < 1)
      return ck.fail(path + ".max_length", "must be a positive integer");
    c.max_length = it->get<std::size_t>();
  }
  if (auto it = j.find("codes"); it != j.end()) {
    const std::string cp = path + ".codes";
    if (!it->is_object()) return ck.fail(cp, "must be an object");
    GAZETTE_RETURN_IF_ERROR(ck.only_keys(*it, cp, {"closed", "values", "aliases"}));
    auto closed = it->find("closed");
    if (closed == it->end() || !closed->is_boolean()) return ck.fail(cp + ".closed", "must be true or false");
    c.codes_closed = closed->get<bool>();
    GAZETTE_RETURN_IF_ERROR(ck.strings_at(*it, "values", cp, c.codes, true));
    std::set<std::string> seen(c.codes.begin(), c.codes.end());
    if (seen.size() != c.codes.size()) return ck.fail(cp + ".values", "lists a code twice");
    if (auto al = it->find("aliases"); al != it->end()) {
      if (!al->is_object()) return ck.fail(cp + ".aliases", "must be an object");
      for (auto a = al->begin(); a != al->end(); ++a) {
        if (!a->is_string() || !seen.count(a->get<std::string>()))
          return ck.fail(cp + ".aliases." + a.key(), "must name one of the codes");
        c.code_aliases[a.key()] = a->get<std::string>();
      }
    }
  }
  if (auto it = j.find("moves"); it != j.end()) {
    if (*it == "never") c.moves = Moves::never;
    else if (*it == "forward") c.moves = Moves::forward;
    else return ck.fail(path + ".moves", "must be \"never\" or \"forward\"");
  }
  if (c.type == ColumnType::code && c.codes.empty())
    return ck.fail(path + ".codes", "a column of type code needs a code list");
  return {};
}

// Where the JSON syntax broke, as "SOURCE:LINE:COL: not valid JSON: …" (nlohmann's non-throwing
// parse says only that it failed; its SAX error path says where).
Status json_syntax_error(std::string_view text, const std::string& source) {
  struct Where : nlohmann::json_sax<json> {
    std::size_t pos = 0;
    std::string what;
    bool null() override { return true; }
    bool boolean(bool) override { return true; }
    bool number_integer(number_integer_t) override { return true; }
    bool number_unsigned(number_unsigned_t) override { return true; }
    bool number_float(number_float_t, const string_t&) override { return true; }
    bool string(string_t&) override { return true; }
    bool binary(binary_t&) override { return true; }
    bool start_object(std::size_t) override { return true; }
    bool key(string_t&) override { return true; }
    bool end_object() override { return true; }
    bool start_array(std::size_t) override { return true; }
    bool end_array() override { return true; }
    bool parse_error(std::size_t p, const std::string&, const nlohmann::detail::exception& e) override {
      pos = p;
      what = e.what();
      return false;
    }
  } where;
  json::sax_parse(text.begin(), text.end(), &where, nlohmann::detail::input_format_t::json, false);
  std::string msg = where.what;
  if (auto k = msg.find("syntax error"); k != std::string::npos) msg = msg.substr(k);
  return Status::invalid_input(source + ":" + line_col_of(text, where.pos ? where.pos - 1 : 0) +
                               ": not valid JSON: " + msg);
}

// The dataset's identity: id, version, title, publisher, licence and key (names only).
Status parse_header(const Checker& ck, const json& doc, Contract& c) {
  GAZETTE_RETURN_IF_ERROR(ck.string_at(doc, "dataset", "$", c.dataset_id, true));
  auto id = DatasetId::parse(c.dataset_id);
  if (!id.ok()) return ck.fail("$.dataset", id.status().message());
  auto ver = doc.find("version");
  if (ver == doc.end() || !ver->is_number_integer() || ver->get<long long>() < 1)
    return ck.fail("$.version", "must be a positive integer");
  c.version = ver->get<int>();
  GAZETTE_RETURN_IF_ERROR(ck.string_at(doc, "title", "$", c.title, true));
  GAZETTE_RETURN_IF_ERROR(ck.string_at(doc, "publisher", "$", c.publisher, false));
  GAZETTE_RETURN_IF_ERROR(ck.string_at(doc, "licence", "$", c.licence, false));
  GAZETTE_RETURN_IF_ERROR(ck.strings_at(doc, "key", "$", c.key, true));
  if (c.key.empty()) return ck.fail("$.key", "names no column");
  return {};
}

// The columns, then what refers to them by name: the key and derived_from.
Status parse_columns(const Checker& ck, const json& doc, Contract& c, std::set<std::string>& names) {
  auto cols = doc.find("columns");
  if (cols == doc.end() || !cols->is_array() || cols->empty())
    return ck.fail("$.columns", "must be a non-empty array");
  for (std::size_t i = 0; i < cols->size(); ++i) {
    Column col;
    const std::string path = "$.columns[" + std::to_string(i) + "]";
    GAZETTE_RETURN_IF_ERROR(parse_column(ck, (*cols)[i], path, col));
    if (!names.insert(col.name).second) return ck.fail(path + ".name", "'" + col.name + "' is declared twice");
    c.columns.push_back(std::move(col));
  }
  for (const auto& k : c.key) {
    std::size_t idx = c.column_index(k);
    if (idx == static_cast<std::size_t>(-1)) return ck.fail("$.key", "'" + k + "' is not a column");
    if (c.columns[idx].nullable) return ck.fail("$.key", "key column '" + k + "' must not be nullable");
    c.key_indices.push_back(idx);
  }
  for (std::size_t i = 0; i < c.columns.size(); ++i) {
    const auto& col = c.columns[i];
    if (!col.derived_from.empty() && !names.count(col.derived_from))
      return ck.fail("$.columns[" + std::to_string(i) + "].derived_from",
                     "'" + col.derived_from + "' is not a column");
  }
  return {};
}

Status parse_lifecycle(const Checker& ck, const json& lc, Contract& c) {
  if (!lc.is_object()) return ck.fail("$.lifecycle", "must be an object");
  GAZETTE_RETURN_IF_ERROR(ck.only_keys(lc, "$.lifecycle", {"column", "retired"}));
  GAZETTE_RETURN_IF_ERROR(ck.string_at(lc, "column", "$.lifecycle", c.lifecycle.column, true));
  GAZETTE_RETURN_IF_ERROR(ck.strings_at(lc, "retired", "$.lifecycle", c.lifecycle.retired_values, true));
  std::size_t idx = c.column_index(c.lifecycle.column);
  if (idx == static_cast<std::size_t>(-1))
    return ck.fail("$.lifecycle.column", "'" + c.lifecycle.column + "' is not a column");
  const auto& lcol = c.columns[idx];
  for (const auto& v : c.lifecycle.retired_values)
    if (lcol.type == ColumnType::code && std::find(lcol.codes.begin(), lcol.codes.end(), v) == lcol.codes.end())
      return ck.fail("$.lifecycle.retired", "'" + v + "' is not a code of " + lcol.name);
  return {};
}

Status parse_definitions(const Checker& ck, const json& defs, const std::set<std::string>& names, Contract& c) {
  if (!defs.is_array()) return ck.fail("$.definitions", "must be an array");
  std::set<std::string> def_names;
  for (std::size_t i = 0; i < defs.size(); ++i) {
    const auto& d = defs[i];
    const std::string path = "$.definitions[" + std::to_string(i) + "]";
    if (!d.is_object()) return ck.fail(path, "must be an object");
    GAZETTE_RETURN_IF_ERROR(ck.only_keys(d, path, {"name", "version", "columns", "text"}));
    Definition def;
    GAZETTE_RETURN_IF_ERROR(ck.string_at(d, "name", path, def.name, true));
    GAZETTE_RETURN_IF_ERROR(ck.string_at(d, "text", path, def.text, true));
    GAZETTE_RETURN_IF_ERROR(ck.strings_at(d, "columns", path, def.columns, true));
    auto v = d.find("version");
    if (v == d.end() || !v->is_number_integer() || v->get<long long>() < 1)
      return ck.fail(path + ".version", "must be a positive integer");
    def.version = v->get<int>();
    for (const auto& col : def.columns)
      if (!names.count(col)) return ck.fail(path + ".columns", "'" + col + "' is not a column");
    if (!def_names.insert(def.name).second) return ck.fail(path + ".name", "'" + def.name + "' is defined twice");
    c.definitions.push_back(std::move(def));
  }
  return {};
}

// tolerances.position: the position's representations (or the first form of the section: a
// grid pair and, optionally, WGS84 longitude and latitude) and its distances.
Status parse_position(const Checker& ck, const json& pos, Contract& c) {
  const std::string path = "$.tolerances.position";
  if (!pos.is_object()) return ck.fail(path, "must be an object");
  GAZETTE_RETURN_IF_ERROR(ck.only_keys(pos, path,
                                       {"representations", "easting", "northing", "longitude", "latitude",
                                        "notice_m", "different_place_m", "agreement_m", "group_by"}));
  PositionTolerance p;
  if (auto reps = pos.find("representations"); reps != pos.end()) {
    if (!reps->is_array() || reps->empty()) return ck.fail(path + ".representations", "must be a non-empty array");
    for (std::size_t i = 0; i < reps->size(); ++i) {
      const json& r = (*reps)[i];
      const std::string rp = path + ".representations[" + std::to_string(i) + "]";
      if (!r.is_object()) return ck.fail(rp, "must be an object");
      GAZETTE_RETURN_IF_ERROR(ck.only_keys(r, rp, {"x", "y", "crs", "crs_column", "crs_by_value"}));
      PositionRepresentation rep;
      GAZETTE_RETURN_IF_ERROR(ck.column_ref(c, r, "x", rp, rep.x, true));
      GAZETTE_RETURN_IF_ERROR(ck.column_ref(c, r, "y", rp, rep.y, true));
      GAZETTE_RETURN_IF_ERROR(ck.string_at(r, "crs", rp, rep.crs, true));
      GAZETTE_RETURN_IF_ERROR(ck.column_ref(c, r, "crs_column", rp, rep.crs_column, false));
      if (auto by = r.find("crs_by_value"); by != r.end()) {
        if (!by->is_object()) return ck.fail(rp + ".crs_by_value", "must map values to CRS names");
        for (auto it = by->begin(); it != by->end(); ++it) {
          if (!it->is_string() || it->get<std::string>().empty())
            return ck.fail(rp + ".crs_by_value." + it.key(), "must be a CRS name such as EPSG:27700");
          rep.crs_by_value[it.key()] = it->get<std::string>();
        }
      }
      p.representations.push_back(std::move(rep));
    }
  } else {
    PositionRepresentation grid, geo;
    grid.crs = "EPSG:27700";
    geo.crs = "EPSG:4326";
    GAZETTE_RETURN_IF_ERROR(ck.column_ref(c, pos, "easting", path, grid.x, true));
    GAZETTE_RETURN_IF_ERROR(ck.column_ref(c, pos, "northing", path, grid.y, true));
    GAZETTE_RETURN_IF_ERROR(ck.column_ref(c, pos, "longitude", path, geo.x, false));
    GAZETTE_RETURN_IF_ERROR(ck.column_ref(c, pos, "latitude", path, geo.y, false));
    p.representations.push_back(grid);
    if (geo.x != static_cast<std::size_t>(-1) && geo.y != static_cast<std::size_t>(-1))
      p.representations.push_back(geo);
  }
  for (const auto& rep : p.representations) {
    const bool geographic = rep.crs == "EPSG:4326" || rep.crs == "OGC:CRS84";
    if (geographic && p.longitude == static_cast<std::size_t>(-1)) {
      p.longitude = rep.x;
      p.latitude = rep.y;
    } else if (!geographic && p.easting == static_cast<std::size_t>(-1)) {
      p.easting = rep.x;
      p.northing = rep.y;
    }
  }
  GAZETTE_RETURN_IF_ERROR(ck.column_ref(c, pos, "group_by", path, p.group_by, false));
  for (const char* m : {"notice_m", "different_place_m"}) {
    auto it = pos.find(m);
    if (it == pos.end() || !it->is_number() || it->get<double>() < 0)
      return ck.fail(path + "." + m, "must be a non-negative number of metres");
  }
  p.notice_m = pos["notice_m"].get<double>();
  p.different_place_m = pos["different_place_m"].get<double>();
  GAZETTE_RETURN_IF_ERROR(ck.number_at(pos, "agreement_m", path, 0, 1e7, p.agreement_m));
  if (p.different_place_m < p.notice_m) return ck.fail(path + ".different_place_m", "must not be smaller than notice_m");
  c.position = p;
  return {};
}

// tolerances.shift: when many moves, or time stamps, are one systematic shift.
Status parse_shift(const Checker& ck, const json& sh, Contract& c) {
  const std::string path = "$.tolerances.shift";
  if (!sh.is_object()) return ck.fail(path, "must be an object");
  GAZETTE_RETURN_IF_ERROR(ck.only_keys(sh, path,
                                       {"min_records", "min_share", "spread_m", "min_offset_m", "time_min_records",
                                        "time_min_share", "time_spread_s"}));
  ShiftRules& r = c.shift;
  double v = static_cast<double>(r.min_records);
  GAZETTE_RETURN_IF_ERROR(ck.number_at(sh, "min_records", path, 2, 1e9, v));
  r.min_records = static_cast<std::uint64_t>(v);
  GAZETTE_RETURN_IF_ERROR(ck.number_at(sh, "min_share", path, 0, 1, r.min_share));
  GAZETTE_RETURN_IF_ERROR(ck.number_at(sh, "spread_m", path, 0, 1e6, r.spread_m));
  GAZETTE_RETURN_IF_ERROR(ck.number_at(sh, "min_offset_m", path, 0, 1e6, r.min_offset_m));
  v = static_cast<double>(r.time_min_records);
  GAZETTE_RETURN_IF_ERROR(ck.number_at(sh, "time_min_records", path, 2, 1e9, v));
  r.time_min_records = static_cast<std::uint64_t>(v);
  GAZETTE_RETURN_IF_ERROR(ck.number_at(sh, "time_min_share", path, 0, 1, r.time_min_share));
  v = static_cast<double>(r.time_spread_s);
  GAZETTE_RETURN_IF_ERROR(ck.number_at(sh, "time_spread_s", path, 0, 86400, v));
  r.time_spread_s = static_cast<long long>(v);
  return {};
}

// tolerances.kind: families of kinds an entity may move between and stay itself.
Status parse_kind(const Checker& ck, const json& kind, Contract& c) {
  const std::string path = "$.tolerances.kind";
  if (!kind.is_object()) return ck.fail(path, "must be an object");
  KindRule k;
  GAZETTE_RETURN_IF_ERROR(ck.column_ref(c, kind, "column", path, k.column, true));
  auto fam = kind.find("families");
  if (fam == kind.end() || !fam->is_array()) return ck.fail(path + ".families", "must be an array of arrays");
  for (const auto& f : *fam) {
    if (!f.is_array()) return ck.fail(path + ".families", "must be an array of arrays");
    std::vector<std::string> family;
    for (const auto& v : f) {
      if (!v.is_string()) return ck.fail(path + ".families", "must hold strings");
      family.push_back(v.get<std::string>());
    }
    k.families.push_back(std::move(family));
  }
  c.kind = k;
  return {};
}

Status parse_tolerances(const Checker& ck, const json& tol, Contract& c) {
  GAZETTE_RETURN_IF_ERROR(
      ck.only_keys(tol, "$.tolerances", {"position", "kind", "shift", "identity", "max_vanished_share"}));
  if (auto pos = tol.find("position"); pos != tol.end()) GAZETTE_RETURN_IF_ERROR(parse_position(ck, *pos, c));
  if (auto sh = tol.find("shift"); sh != tol.end()) GAZETTE_RETURN_IF_ERROR(parse_shift(ck, *sh, c));
  if (auto idn = tol.find("identity"); idn != tol.end()) {
    const std::string path = "$.tolerances.identity";
    if (!idn->is_object()) return ck.fail(path, "must be an object");
    GAZETTE_RETURN_IF_ERROR(ck.only_keys(*idn, path, {"name", "public_code", "created", "same_place_m"}));
    GAZETTE_RETURN_IF_ERROR(ck.column_ref(c, *idn, "name", path, c.identity.name, false));
    GAZETTE_RETURN_IF_ERROR(ck.column_ref(c, *idn, "public_code", path, c.identity.public_code, false));
    GAZETTE_RETURN_IF_ERROR(ck.column_ref(c, *idn, "created", path, c.identity.created, false));
    GAZETTE_RETURN_IF_ERROR(ck.number_at(*idn, "same_place_m", path, 0, 1e6, c.identity.same_place_m));
  }
  GAZETTE_RETURN_IF_ERROR(ck.number_at(tol, "max_vanished_share", "$.tolerances", 0, 1, c.max_vanished_share));
  if (auto kind = tol.find("kind"); kind != tol.end()) GAZETTE_RETURN_IF_ERROR(parse_kind(ck, *kind, c));
  return {};
}

Status parse_drift(const Checker& ck, const json& drift, const std::set<std::string>& names, Contract& c) {
  GAZETTE_RETURN_IF_ERROR(ck.only_keys(drift, "$.drift", {"code_share", "lifecycle_share", "min_records"}));
  GAZETTE_RETURN_IF_ERROR(ck.number_at(drift, "lifecycle_share", "$.drift", 0, 1, c.drift_lifecycle_share));
  double min_records = static_cast<double>(c.drift_min_records);
  GAZETTE_RETURN_IF_ERROR(ck.number_at(drift, "min_records", "$.drift", 0, 1e9, min_records));
  c.drift_min_records = static_cast<std::uint64_t>(min_records);
  if (auto cs = drift.find("code_share"); cs != drift.end()) {
    if (!cs->is_object()) return ck.fail("$.drift.code_share", "must be an object");
    for (auto it = cs->begin(); it != cs->end(); ++it) {
      if (!names.count(it.key())) return ck.fail("$.drift.code_share." + it.key(), "is not a column");
      if (!it->is_number() || it->get<double>() < 0 || it->get<double>() > 1)
        return ck.fail("$.drift.code_share." + it.key(), "must be a share between 0 and 1");
      c.drift_code_share[it.key()] = it->get<double>();
    }
  }
  return {};
}

// The partition: cut from the first key column, so that an area is a run of keys.
Status parse_partition(const Checker& ck, const json& j, Contract& c) {
  const std::string path = "$.partition";
  if (!j.is_object()) return ck.fail(path, "must be an object");
  GAZETTE_RETURN_IF_ERROR(ck.only_keys(j, path, {"column", "length", "title", "names"}));
  Partition p;
  GAZETTE_RETURN_IF_ERROR(ck.string_at(j, "column", path, p.column, true));
  if (c.column_index(p.column) == static_cast<std::size_t>(-1))
    return ck.fail(path + ".column", "'" + p.column + "' is not a column");
  if (c.key.empty() || c.key.front() != p.column)
    return ck.fail(path + ".column", "an area is cut from the first key column ('" +
                                         (c.key.empty() ? std::string() : c.key.front()) + "'), not '" + p.column + "'");
  auto len = j.find("length");
  if (len == j.end() || !len->is_number_integer() || len->get<long long>() < 1 || len->get<long long>() > 16)
    return ck.fail(path + ".length", "must be an integer from 1 to 16 (leading characters of the key)");
  p.length = len->get<std::size_t>();
  GAZETTE_RETURN_IF_ERROR(ck.string_at(j, "title", path, p.title, false));
  if (p.title.empty()) p.title = "area";
  if (auto names = j.find("names"); names != j.end()) {
    if (!names->is_object()) return ck.fail(path + ".names", "must be an object of code: name");
    for (auto it = names->begin(); it != names->end(); ++it) {
      if (!is_area_code(p, it.key()))
        return ck.fail(path + ".names", "'" + it.key() + "' is not an area code (" + std::to_string(p.length) +
                                            " letters, digits, '-' or '_')");
      if (!it->is_string() || it->get<std::string>().empty())
        return ck.fail(path + ".names." + it.key(), "must be a non-empty string");
      p.names[it.key()] = it->get<std::string>();
    }
  }
  c.partition = std::move(p);
  return {};
}

}  // namespace

namespace {
Result<Contract> read_contract(std::string_view text, const std::string& source) {
  json doc = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return json_syntax_error(text, source);
  Checker ck(source);
  if (!doc.is_object()) return ck.fail("$", "a contract is a JSON object");
  GAZETTE_RETURN_IF_ERROR(ck.only_keys(doc, "$",
                                       {"$schema", "dataset", "version", "title", "publisher", "licence", "key",
                                        "lifecycle", "xml", "columns", "tolerances", "drift", "definitions",
                                        "notice_lead_days", "partition"}));
  Contract c;
  std::set<std::string> names;
  GAZETTE_RETURN_IF_ERROR(parse_header(ck, doc, c));
  GAZETTE_RETURN_IF_ERROR(parse_columns(ck, doc, c, names));
  if (auto lc = doc.find("lifecycle"); lc != doc.end()) GAZETTE_RETURN_IF_ERROR(parse_lifecycle(ck, *lc, c));
  if (auto x = doc.find("xml"); x != doc.end()) {
    if (!x->is_object()) return ck.fail("$.xml", "must be an object");
    GAZETTE_RETURN_IF_ERROR(ck.only_keys(*x, "$.xml", {"record_element", "namespace"}));
    GAZETTE_RETURN_IF_ERROR(ck.string_at(*x, "record_element", "$.xml", c.xml_record_element, true));
    GAZETTE_RETURN_IF_ERROR(ck.string_at(*x, "namespace", "$.xml", c.xml_namespace, false));
  }
  if (auto defs = doc.find("definitions"); defs != doc.end())
    GAZETTE_RETURN_IF_ERROR(parse_definitions(ck, *defs, names, c));
  for (const char* obj : {"tolerances", "drift"})
    if (auto it = doc.find(obj); it != doc.end() && !it->is_object())
      return ck.fail(std::string("$.") + obj, "must be an object");
  if (auto tol = doc.find("tolerances"); tol != doc.end()) GAZETTE_RETURN_IF_ERROR(parse_tolerances(ck, *tol, c));
  if (auto drift = doc.find("drift"); drift != doc.end()) GAZETTE_RETURN_IF_ERROR(parse_drift(ck, *drift, names, c));
  if (auto it = doc.find("notice_lead_days"); it != doc.end()) {
    if (!it->is_number_integer() || it->get<long long>() < 0)
      return ck.fail("$.notice_lead_days", "must be a non-negative integer");
    c.notice_lead_days = it->get<int>();
  }
  if (auto part = doc.find("partition"); part != doc.end()) GAZETTE_RETURN_IF_ERROR(parse_partition(ck, *part, c));
  c.canonical_json = doc.dump(2);
  return c;
}
}  // namespace

Result<Contract> parse_contract(std::string_view text, const std::string& source) {
  auto c = read_contract(text, source);
  if (!c.ok()) return with_json_location(c.status(), text, source);
  return c;
}

}  // namespace gazette
