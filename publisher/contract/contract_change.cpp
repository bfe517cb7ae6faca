// Method: a proposed contract is compared with every contract version a release was published
// under (someone still holds a file of each), column by column and then rule by rule. A change
// that breaks a program already written against a published file is breaking: the key, a
// column removed, renamed, retyped or moved (positional CSV readers exist). A column appended
// at the end is new information, so a notice. A rule that promises consumers less than before
// (nullable now, a code list opened, a wider tolerance, a shorter lead time, another meaning
// of "retired") is a loosening, and consumers must be told of it. A definition whose version
// moves changes what values mean: a backfill's plan declares it, or a notice tells it.
// Tightening promises more, so it is routine and not reported.
#include <algorithm>
#include <set>

#include "publisher/contract/contract.hpp"

namespace gazette {

namespace {

std::vector<std::string> names_of(const Contract& c) {
  std::vector<std::string> out;
  for (const auto& col : c.columns) out.push_back(col.name);
  return out;
}

std::string column_name(const Contract& c, std::size_t i) {
  return i < c.columns.size() ? c.columns[i].name : std::string();
}

class Comparison {
 public:
  // Against an older published version only breaking rules are judged: consumers were told of
  // every notice-worthy step since, by the gate that published it.
  Comparison(const Contract& published, const Contract& proposed, bool newest,
             std::vector<ContractFinding>& out)
      : p_(published), n_(proposed), out_(out), breaking_only_(!newest),
        since_(newest ? std::string() : " (against v" + std::to_string(published.version) + ")") {}

  void run() {
    if (p_.key != n_.key) {
      add("key-changed", Severity::breaking, n_.key, "key " + join(p_.key) + " -> " + join(n_.key));
    }
    columns();
    loosened_columns();
    lifecycle();
    tolerances();
    detectors();
    definitions();
    partition();
  }

 private:
  // Returns false when the finding is not kept (known already, or not judged here).
  bool add(std::string rule, Severity s, std::vector<std::string> cols, std::string note) {
    if (breaking_only_ && s != Severity::breaking) return false;
    for (const auto& f : out_)
      if (f.rule == rule && f.note.rfind(note, 0) == 0) return false;  // known from a newer version
    out_.push_back({std::move(rule), s, std::move(cols), std::move(note) + since_, {}, 0, 0});
    return true;
  }

  static std::string join(const std::vector<std::string>& v) {
    std::string s;
    for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
    return "(" + s + ")";
  }

  void columns() {
    const auto old_names = names_of(p_), new_names = names_of(n_);
    auto in = [](const std::vector<std::string>& v, const std::string& x) {
      return std::find(v.begin(), v.end(), x) != v.end();
    };
    // Renamed: a column gone whose place is taken by a new column of the same type.
    std::vector<std::string> expected = old_names;  // the published layout, renames applied
    bool removed = false;
    for (std::size_t i = 0; i < old_names.size(); ++i) {
      if (in(new_names, old_names[i])) continue;
      const std::string successor = column_name(n_, i);
      if (!successor.empty() && !in(old_names, successor) &&
          n_.columns[i].type == p_.columns[i].type) {
        add("column-renamed", Severity::breaking, {old_names[i], successor},
            old_names[i] + " renamed " + successor);
        expected[i] = successor;
      } else {
        add("column-removed", Severity::breaking, {old_names[i]}, old_names[i] + " removed");
        removed = true;
      }
    }
    // Retyped: the same name with another type or unit.
    for (const auto& col : p_.columns) {
      std::size_t j = n_.column_index(col.name);
      if (j == kNotFound) continue;
      const Column& now = n_.columns[j];
      if (now.type != col.type)
        add("column-retyped", Severity::breaking, {col.name},
            col.name + " " + to_string(col.type) + " -> " + to_string(now.type));
      else if (now.unit != col.unit)
        add("column-retyped", Severity::breaking, {col.name},
            col.name + " unit '" + col.unit + "' -> '" + now.unit + "'");
    }
    if (removed) return;  // every later column has moved; the removal says it
    // Reordered: the published columns must keep their positions; new ones go at the end.
    std::vector<std::string> moved;
    for (std::size_t i = 0; i < expected.size(); ++i)
      if (column_name(n_, i) != expected[i]) moved.push_back(expected[i]);
    if (!moved.empty()) {
      std::string what;
      for (const auto& m : moved) what += (what.empty() ? "" : ", ") + m;
      add("column-reordered", Severity::breaking, moved, what + " no longer at the published position");
      return;
    }
    for (std::size_t i = expected.size(); i < new_names.size(); ++i)
      add("column-added", Severity::notice, {new_names[i]}, new_names[i] + " added at the end");
  }

  void loosened(const std::string& column, const std::string& what) {
    add("contract-loosened", Severity::notice, {column}, column + ": " + what);
  }

  void loosened_columns() {
    for (const auto& col : p_.columns) {
      std::size_t j = n_.column_index(col.name);
      if (j == kNotFound) continue;
      const Column& now = n_.columns[j];
      if (!col.nullable && now.nullable) loosened(col.name, "may now be null");
      if (!col.pattern.empty() && now.pattern != col.pattern)
        loosened(col.name, "pattern '" + col.pattern + "' -> '" + now.pattern + "'");
      if (now.max_length > col.max_length)
        loosened(col.name, "longest value " + std::to_string(col.max_length) + " -> " +
                               std::to_string(now.max_length) + " bytes");
      if (col.codes_closed && !now.codes_closed) loosened(col.name, "code list opened");
      if (col.codes_closed && now.codes_closed) {
        std::string added;
        for (const auto& code : now.codes)
          if (std::find(col.codes.begin(), col.codes.end(), code) == col.codes.end())
            added += (added.empty() ? "" : ", ") + code;
        if (!added.empty()) loosened(col.name, "closed code list extended with " + added);
      }
      const bool was_strict = col.role == ColumnRole::identity || col.role == ColumnRole::load_bearing;
      const bool is_strict = now.role == ColumnRole::identity || now.role == ColumnRole::load_bearing;
      if (was_strict && !is_strict)
        loosened(col.name, std::string("role ") + to_string(col.role) + " -> " + to_string(now.role));
      if (col.role == ColumnRole::identity && now.role == ColumnRole::load_bearing)
        loosened(col.name, "role identity -> load-bearing");
      if (col.moves != Moves::freely && now.moves != col.moves)
        loosened(col.name, "bookkeeping rule relaxed");
    }
    for (const auto& [column, threshold] : p_.drift_code_share) {
      auto it = n_.drift_code_share.find(column);
      if (it == n_.drift_code_share.end())
        loosened(column, "drift threshold removed");
      else if (it->second > threshold)
        loosened(column, "drift threshold " + std::to_string(threshold) + " -> " + std::to_string(it->second));
    }
    if (n_.notice_lead_days < p_.notice_lead_days)
      add("contract-loosened", Severity::notice, names_of(n_),
          "notice lead time " + std::to_string(p_.notice_lead_days) + " -> " +
              std::to_string(n_.notice_lead_days) + " days");
  }

  // Consumers who take one area at a time hold its URLs and its codes: a partition removed or
  // cut differently takes those away. One added, or its names changed, promises more.
  void partition() {
    if (!p_.partition) return;
    const Partition& was = *p_.partition;
    if (!n_.partition)
      add("contract-loosened", Severity::notice, {was.column}, was.column + ": partition into " + was.title + "s removed");
    else if (n_.partition->column != was.column || n_.partition->length != was.length)
      add("contract-loosened", Severity::notice, {was.column},
          was.column + ": partition cut from its first " + std::to_string(was.length) + " characters, now " +
              n_.partition->column + "'s first " + std::to_string(n_.partition->length));
  }

  void lifecycle() {
    if (p_.lifecycle.column.empty()) return;
    std::set<std::string> was(p_.lifecycle.retired_values.begin(), p_.lifecycle.retired_values.end());
    std::set<std::string> now(n_.lifecycle.retired_values.begin(), n_.lifecycle.retired_values.end());
    if (n_.lifecycle.column != p_.lifecycle.column || was != now)
      add("lifecycle-redefined", Severity::notice, {p_.lifecycle.column},
          "retired means " + p_.lifecycle.column + " in " + join({was.begin(), was.end()}) + ", now " +
              (n_.lifecycle.column.empty() ? std::string("nothing")
                                           : n_.lifecycle.column + " in " + join({now.begin(), now.end()})));
  }

  void tolerances() {
    if (!p_.position) return;
    std::vector<std::string> cols;
    for (std::size_t i : {p_.position->easting, p_.position->northing, p_.position->longitude, p_.position->latitude})
      if (i < p_.columns.size()) cols.push_back(p_.columns[i].name);
    if (!n_.position) {
      add("contract-loosened", Severity::notice, cols, "position tolerances removed");
      return;
    }
    auto metres = [](double m) { return std::to_string(static_cast<long long>(m)) + " m"; };
    if (n_.position->notice_m > p_.position->notice_m)
      add("contract-loosened", Severity::notice, cols,
          "position notice tolerance " + metres(p_.position->notice_m) + " -> " + metres(n_.position->notice_m));
    if (n_.position->different_place_m > p_.position->different_place_m)
      add("contract-loosened", Severity::notice, cols,
          "different-place distance " + metres(p_.position->different_place_m) + " -> " +
              metres(n_.position->different_place_m));
    if (n_.position->agreement_m > p_.position->agreement_m)
      add("contract-loosened", Severity::notice, cols,
          "agreement of the position's representations " + metres(p_.position->agreement_m) + " -> " +
              metres(n_.position->agreement_m));
  }

  // The detectors' thresholds: any that lets more through is a loosening consumers are told of.
  void detectors() {
    auto looser = [&](bool is_looser, const std::vector<std::string>& cols, const std::string& what, double was,
                      double now) {
      if (!is_looser) return;
      char note[160];
      std::snprintf(note, sizeof note, "%s %g -> %g", what.c_str(), was, now);
      add("contract-loosened", Severity::notice, cols, note);
    };
    const auto all = names_of(n_);
    const ShiftRules &a = p_.shift, &b = n_.shift;
    looser(b.min_records > a.min_records, all, "shift min_records", double(a.min_records), double(b.min_records));
    looser(b.min_share > a.min_share, all, "shift min_share", a.min_share, b.min_share);
    looser(b.spread_m < a.spread_m, all, "shift spread_m", a.spread_m, b.spread_m);
    looser(b.min_offset_m > a.min_offset_m, all, "shift min_offset_m", a.min_offset_m, b.min_offset_m);
    looser(b.time_min_records > a.time_min_records, all, "shift time_min_records", double(a.time_min_records),
           double(b.time_min_records));
    looser(b.time_min_share > a.time_min_share, all, "shift time_min_share", a.time_min_share, b.time_min_share);
    looser(b.time_spread_s < a.time_spread_s, all, "shift time_spread_s", double(a.time_spread_s),
           double(b.time_spread_s));
    looser(n_.max_vanished_share > p_.max_vanished_share, all, "max_vanished_share", p_.max_vanished_share,
           n_.max_vanished_share);
    const std::vector<std::string> lifecycle{p_.lifecycle.column};
    looser(n_.drift_lifecycle_share > p_.drift_lifecycle_share, lifecycle, "lifecycle drift share",
           p_.drift_lifecycle_share, n_.drift_lifecycle_share);
    looser(n_.drift_min_records > p_.drift_min_records, all, "drift min_records", double(p_.drift_min_records),
           double(n_.drift_min_records));
  }

  void definitions() {
    for (const auto& d : p_.definitions) {
      auto it = std::find_if(n_.definitions.begin(), n_.definitions.end(),
                             [&](const Definition& x) { return x.name == d.name; });
      if (it != n_.definitions.end() && it->version == d.version) continue;
      const int to = it == n_.definitions.end() ? 0 : it->version;
      if (!add("definition-changed", Severity::notice, d.columns,
               "definition " + d.name + " v" + std::to_string(d.version) + " -> " +
                   (to ? "v" + std::to_string(to) : std::string("withdrawn"))))
        continue;
      out_.back().definition = d.name;
      out_.back().from = d.version;
      out_.back().to = to;
    }
  }

  static constexpr std::size_t kNotFound = static_cast<std::size_t>(-1);
  const Contract& p_;
  const Contract& n_;
  std::vector<ContractFinding>& out_;
  bool breaking_only_;
  std::string since_;
};

}  // namespace

std::vector<ContractFinding> compare_contracts(const std::vector<Contract>& published,
                                               const Contract& proposed) {
  std::vector<ContractFinding> out;
  for (std::size_t i = published.size(); i-- > 0;)  // newest first
    Comparison(published[i], proposed, i + 1 == published.size(), out).run();
  return out;
}

bool keeps_column_layout(const std::vector<ContractFinding>& findings) {
  for (const auto& f : findings)
    if (f.rule == "column-removed" || f.rule == "column-renamed" || f.rule == "column-reordered" ||
        f.rule == "key-changed")
      return false;
  return true;
}

}  // namespace gazette
