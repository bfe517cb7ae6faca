// Method: every changed key is judged on its own, against the newest release and against
// each older version of it ever published (someone still holds each one): identity and kind
// of entity, distance moved, values made null, bookkeeping that moves backwards, keys that
// vanish or come back. Then the set is judged as a whole: groups of records moved by one
// offset, datetimes moved by whole hours, codes never published before, shares of code values
// that drift. Each finding that needs a notice looks for one that covers it; a plan is checked
// for review, declared definitions and its blast radius. The most severe uncovered finding
// decides the outcome.
#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "publisher/contract/contract.hpp"

namespace gazette {

namespace {

constexpr std::size_t kSamples = 5;
constexpr std::size_t kNpos = static_cast<std::size_t>(-1);
constexpr std::uint64_t kMinShiftGroup = 10;
// Drift is a property of many records: a share that moves past its threshold counts only if
// at least this many records moved with it (small areas swing by a few stops).
constexpr double kMinDriftRecords = 50;

struct Finding {
  std::string rule;
  Severity severity;
  const Change* change = nullptr;  // null for whole-set findings
  std::vector<std::string> columns;  // what it is about, for notice scopes
  std::string note;                  // for whole-set findings: what moved
  bool covered = false;
  std::string covered_by;
};

double to_number(std::string_view v, bool& ok) {
  ok = !v.empty();
  if (!ok) return 0;
  try {
    return std::stod(std::string(v));
  } catch (...) {
    ok = false;
    return 0;
  }
}

// Metres between two records' positions: grid distance where both have one, else
// great-circle distance; NaN when neither can be computed.
double distance_m(const PositionTolerance& p, const std::vector<std::string_view>& a,
                  const std::vector<std::string_view>& b) {
  auto at = [](const std::vector<std::string_view>& r, std::size_t i) {
    return i < r.size() ? r[i] : std::string_view();
  };
  bool k1, k2, k3, k4;
  double ea = to_number(at(a, p.easting), k1), na = to_number(at(a, p.northing), k2);
  double eb = to_number(at(b, p.easting), k3), nb = to_number(at(b, p.northing), k4);
  if (k1 && k2 && k3 && k4) return std::hypot(ea - eb, na - nb);
  if (p.latitude == kNpos || p.longitude == kNpos) return NAN;
  double la = to_number(at(a, p.latitude), k1), lo = to_number(at(a, p.longitude), k2);
  double lb = to_number(at(b, p.latitude), k3), lob = to_number(at(b, p.longitude), k4);
  if (!(k1 && k2 && k3 && k4)) return NAN;
  constexpr double kR = 6371008.8, kRad = M_PI / 180;
  double dphi = (lb - la) * kRad, dl = (lob - lo) * kRad;
  double h = std::sin(dphi / 2) * std::sin(dphi / 2) +
             std::cos(la * kRad) * std::cos(lb * kRad) * std::sin(dl / 2) * std::sin(dl / 2);
  return 2 * kR * std::asin(std::sqrt(h));
}

int family_of(const KindRule& k, std::string_view v) {
  for (std::size_t i = 0; i < k.families.size(); ++i)
    if (std::find(k.families[i].begin(), k.families[i].end(), v) != k.families[i].end())
      return static_cast<int>(i);
  return -1;
}

std::string_view field(const std::vector<std::string_view>& r, std::size_t i) {
  return i < r.size() ? r[i] : std::string_view();
}

// Whether `older` and `newer` denote different entities: another kind, or another place.
const char* different_entity(const Contract& c, const std::vector<std::string_view>& older,
                             const std::vector<std::string_view>& newer, double& moved) {
  moved = NAN;
  if (c.kind) {
    int fa = family_of(*c.kind, field(older, c.kind->column));
    int fb = family_of(*c.kind, field(newer, c.kind->column));
    if (fa != fb) return "another kind of entity";
  }
  if (c.position) {
    moved = distance_m(*c.position, older, newer);
    if (!std::isnan(moved) && moved > c.position->different_place_m) return "another place";
  }
  return nullptr;
}

bool allowed_kind(const std::string& rule, NoticeKind k) {
  if (rule == "key-vanished-without-tombstone")
    return k == NoticeKind::removal || k == NoticeKind::deprecation || k == NoticeKind::restatement;
  if (rule == "key-restored" || rule == "revived" || rule == "creation-time-restated" ||
      rule == "bookkeeping-moved-backwards")
    return k == NoticeKind::restatement || k == NoticeKind::meaning_change;
  return k == NoticeKind::meaning_change || k == NoticeKind::restatement || k == NoticeKind::deprecation;
}

bool where_matches(const Contract& c, const std::map<std::string, std::vector<std::string>>& where,
                   const std::vector<std::string_view>& rec) {
  if (rec.empty()) return false;
  for (const auto& [col, values] : where) {
    std::string_view v = field(rec, c.column_index(col));
    if (std::find(values.begin(), values.end(), v) == values.end()) return false;
  }
  return true;
}

}  // namespace

ValueCounter::ValueCounter(const Contract& contract) {
  for (std::size_t i = 0; i < contract.columns.size(); ++i)
    if (contract.columns[i].type == ColumnType::code ||
        i == (contract.position ? contract.position->group_by : kNpos))
      columns_.push_back({i, contract.columns[i].name, {}});
}

void ValueCounter::add(std::string_view body) {
  // Hot: every record of a national candidate passes here. Split once, look values up without
  // allocating (heterogeneous lookup), allocate only for a value never seen before.
  ++records_;
  std::size_t col = 0, start = 0;
  for (auto& c : columns_) {
    while (col < c.index) {
      std::size_t sep = body.find(kFieldSeparator, start);
      start = sep == std::string_view::npos ? body.size() : sep + 1;
      ++col;
    }
    std::size_t sep = body.find(kFieldSeparator, start);
    std::string_view v = body.substr(start, sep == std::string_view::npos ? std::string_view::npos : sep - start);
    auto it = c.counts.find(v);
    if (it == c.counts.end()) it = c.counts.emplace(std::string(v), 0).first;
    ++it->second;
  }
}

ValueCounts ValueCounter::take() {
  ValueCounts out;
  out.records = records_;
  for (auto& c : columns_) {
    auto& dest = out.by_column[c.name];
    for (auto& [v, n] : c.counts) dest.emplace(v, n);
  }
  return out;
}

Verdict run_gate(const Contract& c, const GateInput& in) {
  std::vector<Finding> findings;
  std::vector<std::string_view> before, after, older;
  static const std::map<std::string, std::string> kEmpty;
  static const std::map<std::string, std::vector<std::string>> kNoHistory;
  const auto& befores = in.before ? *in.before : kEmpty;
  const auto& afters = in.after ? *in.after : kEmpty;
  const auto& history = in.history ? *in.history : kNoHistory;
  const std::size_t lifecycle = c.column_index(c.lifecycle.column);
  const bool first_release = in.newest_counts == nullptr;

  // Systematic shifts: changes grouped by (group, offset) and datetime moves by whole hours.
  std::map<std::tuple<std::string, long long, long long>, std::vector<const Change*>> offsets;
  std::map<std::string, std::pair<std::uint64_t, std::vector<const Change*>>> hour_moves;  // column -> (changes, whole-hour ones)

  Verdict v;
  for (const Change& ch : in.changes->changes) {
    if (first_release) {
      findings.push_back({"key-added", Severity::routine, &ch, {}, {}, false, {}});
      continue;
    }
    auto bit = befores.find(ch.key);
    auto ait = afters.find(ch.key);
    before.clear();
    after.clear();
    if (bit != befores.end()) decode_record(bit->second, before);
    if (ait != afters.end()) decode_record(ait->second, after);
    auto hist = history.find(ch.key);
    const std::vector<std::string>* older_versions = hist == history.end() ? nullptr : &hist->second;
    bool non_bookkeeping = false;
    for (const auto& f : ch.fields) {
      std::size_t i = c.column_index(f.column);
      if (i != kNpos && c.columns[i].role != ColumnRole::bookkeeping) non_bookkeeping = true;
    }
    if (ch.kind == ChangeKind::added || ch.kind == ChangeKind::removed || non_bookkeeping) ++v.changed_records;

    if (ch.kind == ChangeKind::removed) {
      findings.push_back({"key-vanished-without-tombstone", Severity::notice, &ch, {}, {}, false, {}});
      continue;
    }
    if (ch.kind == ChangeKind::added) {
      if (older_versions == nullptr || older_versions->empty()) {
        findings.push_back({"key-added", Severity::routine, &ch, {}, {}, false, {}});
        continue;
      }
      // A key withdrawn before and back now: the same entity restored, or a key reused.
      bool reused = false;
      for (const auto& body : *older_versions) {
        decode_record(body, older);
        double moved;
        if (different_entity(c, older, after, moved)) reused = true;
      }
      findings.push_back(reused ? Finding{"key-reused", Severity::breaking, &ch, {}, {}, false, {}}
                                : Finding{"key-restored", Severity::notice, &ch, {}, {}, false, {}});
      continue;
    }

    // Modified or retired: field by field against the newest, then against all history.
    bool any = false;
    const std::size_t first_finding = findings.size();
    auto add = [&](const char* rule, Severity s, std::vector<std::string> cols) {
      any = true;
      // One finding per rule and key: a second column under the same rule joins the first.
      for (std::size_t k = first_finding; k < findings.size(); ++k) {
        if (findings[k].rule == rule) {
          findings[k].columns.insert(findings[k].columns.end(), cols.begin(), cols.end());
          return;
        }
      }
      findings.push_back({rule, s, &ch, std::move(cols), {}, false, {}});
    };
    if (ch.kind == ChangeKind::retired) add("retired-through-lifecycle", Severity::routine, {c.lifecycle.column});
    bool position_reported = false;
    for (const auto& f : ch.fields) {
      std::size_t i = c.column_index(f.column);
      if (i == kNpos) continue;
      const Column& col = c.columns[i];
      const bool is_position = c.position && (i == c.position->easting || i == c.position->northing ||
                                              i == c.position->longitude || i == c.position->latitude);
      if (col.role == ColumnRole::identity) {
        add("identity-changed", Severity::breaking, {col.name});
      } else if (c.kind && i == c.kind->column &&
                 family_of(*c.kind, f.old_value) != family_of(*c.kind, f.new_value)) {
        add("key-reused", Severity::breaking, {col.name});  // now another kind of entity
      } else if (col.role == ColumnRole::load_bearing && !f.old_value.empty() && f.new_value.empty()) {
        add("load-bearing-became-null", Severity::breaking, {col.name});
      } else if (i == lifecycle) {
        // Back in use: as routine as a new key; whether it is still the same entity is judged
        // below, against every version ever published.
        if (c.is_retired(f.old_value) && !c.is_retired(f.new_value))
          add("revived-through-lifecycle", Severity::routine, {col.name});
      } else if (is_position) {
        if (position_reported) continue;
        position_reported = true;
        double moved = distance_m(*c.position, before, after);
        std::vector<std::string> cols;
        for (const auto& g : ch.fields) {
          std::size_t gi = c.column_index(g.column);
          if (gi == c.position->easting || gi == c.position->northing || gi == c.position->longitude ||
              gi == c.position->latitude)
            cols.push_back(g.column);
        }
        if (std::isnan(moved) || moved <= c.position->notice_m) {
          add("moved-within-tolerance", Severity::routine, cols);
        } else if (moved <= c.position->different_place_m) {
          add("moved-beyond-tolerance", Severity::notice, cols);
        } else {
          add("key-reused", Severity::breaking, cols);
        }
        bool k1, k2, k3, k4;
        double de = to_number(field(after, c.position->easting), k1) - to_number(field(before, c.position->easting), k2);
        double dn = to_number(field(after, c.position->northing), k3) - to_number(field(before, c.position->northing), k4);
        if (k1 && k2 && k3 && k4 && (de != 0 || dn != 0)) {
          std::string group(c.position->group_by != kNpos ? field(after, c.position->group_by) : "");
          offsets[{group, std::llround(de), std::llround(dn)}].push_back(&ch);
        }
      } else if (col.role == ColumnRole::load_bearing) {
        add("load-bearing-changed", Severity::notice, {col.name});
      } else if (col.role == ColumnRole::bookkeeping) {
        if (col.moves == Moves::never) {
          add("creation-time-restated", Severity::notice, {col.name});
        } else if (col.moves == Moves::forward && !f.old_value.empty()) {
          bool backwards = false;
          if (col.type == ColumnType::datetime) {
            auto a = parse_instant(f.old_value), b = parse_instant(f.new_value);
            backwards = a.ok() && b.ok() ? *b < *a : f.new_value < f.old_value;
          } else {
            bool ka, kb;
            double a = to_number(f.old_value, ka), b = to_number(f.new_value, kb);
            backwards = ka && kb ? b < a : f.new_value < f.old_value;
          }
          if (backwards) add("bookkeeping-moved-backwards", Severity::notice, {col.name});
        }
      }
      if (col.type == ColumnType::datetime && !f.old_value.empty() && !f.new_value.empty()) {
        auto a = parse_instant(f.old_value), b = parse_instant(f.new_value);
        auto& slot = hour_moves[col.name];
        ++slot.first;
        if (a.ok() && b.ok() && *a != *b && (*b - *a) % 3600 == 0) slot.second.push_back(&ch);
      }
    }
    // Transitively: against every older version of this key (someone still holds each).
    if (older_versions != nullptr) {
      for (const auto& body : *older_versions) {
        decode_record(body, older);
        double moved;
        if (different_entity(c, older, after, moved)) {
          add("key-reused", Severity::breaking, {});
          break;
        }
      }
    }
    if (!any) add("descriptive-edit", Severity::routine, {});
  }

  // Whole-set rules.
  auto declared = [&](const std::string& column) {
    if (in.plan == nullptr) return std::string();
    for (const auto& d : in.plan->definitions)
      for (const auto& def : c.definitions)
        if (def.name == d.name && std::find(def.columns.begin(), def.columns.end(), column) != def.columns.end())
          return "plan " + in.plan->id + " (definition " + d.name + " v" + std::to_string(d.from) + " -> v" +
                 std::to_string(d.to) + ")";
    return std::string();
  };
  if (c.position && in.candidate_counts) {
    for (const auto& [k, changes] : offsets) {
      const auto& [group, de, dn] = k;
      std::uint64_t group_size = 0;
      if (c.position->group_by != kNpos) {
        auto col = in.candidate_counts->by_column.find(c.columns[c.position->group_by].name);
        if (col != in.candidate_counts->by_column.end()) {
          auto g = col->second.find(group);
          if (g != col->second.end()) group_size = g->second;
        }
      }
      if (changes.size() < kMinShiftGroup || (group_size && changes.size() * 2 < group_size)) continue;
      Finding f{"systematic-shift", Severity::breaking, changes.front(),
                {c.columns[c.position->easting].name, c.columns[c.position->northing].name},
                std::to_string(changes.size()) + " records" + (group.empty() ? "" : " of group " + group) +
                    " moved by (" + std::to_string(de) + ", " + std::to_string(dn) + ") m",
                false, {}};
      if (auto by = declared(f.columns[0]); !by.empty()) {
        f.covered = true;
        f.covered_by = by;
      }
      findings.push_back(std::move(f));
    }
  }
  for (const auto& [column, moves] : hour_moves) {
    const auto& [total, whole_hours] = moves;
    if (whole_hours.size() < kMinShiftGroup || whole_hours.size() * 10 < total * 9) continue;
    Finding f{"systematic-time-shift", Severity::breaking, whole_hours.front(), {column},
              std::to_string(whole_hours.size()) + " values of " + column + " moved by whole hours", false, {}};
    if (auto by = declared(column); !by.empty()) {
      f.covered = true;
      f.covered_by = by;
    }
    findings.push_back(std::move(f));
  }
  if (!first_release && in.candidate_counts) {
    for (const auto& [column, values] : in.candidate_counts->by_column) {
      std::size_t ci = c.column_index(column);
      // Fail closed on load-bearing codes; a new code in a descriptive or bookkeeping column is
      // routine.
      if (ci == kNpos || c.columns[ci].type != ColumnType::code || !c.columns[ci].codes_closed ||
          (c.columns[ci].role != ColumnRole::load_bearing && c.columns[ci].role != ColumnRole::identity))
        continue;
      const std::set<std::string>* seen = nullptr;
      if (in.published_codes) {
        auto it = in.published_codes->find(column);
        if (it != in.published_codes->end()) seen = &it->second;
      }
      for (const auto& [value, n] : values) {
        if (value.empty() || (seen && seen->count(value))) continue;
        if (ci == lifecycle && c.is_retired(value)) continue;  // retiring is declared lifecycle
        findings.push_back({"code-list-extended", Severity::notice, nullptr, {column},
                            column + " = '" + value + "' (" + std::to_string(n) + " records) was never published before",
                            false, {}});
      }
    }
    for (const auto& [column, threshold] : c.drift_code_share) {
      auto cand = in.candidate_counts->by_column.find(column);
      auto old = in.newest_counts->by_column.find(column);
      if (cand == in.candidate_counts->by_column.end() || old == in.newest_counts->by_column.end()) continue;
      std::set<std::string> values;
      for (const auto& [val, n] : cand->second) values.insert(val);
      for (const auto& [val, n] : old->second) values.insert(val);
      for (const auto& val : values) {
        auto share = [&](const std::map<std::string, std::uint64_t>& m, std::uint64_t total) {
          auto it = m.find(val);
          return total == 0 || it == m.end() ? 0.0 : static_cast<double>(it->second) / static_cast<double>(total);
        };
        double a = share(old->second, in.newest_counts->records);
        double b = share(cand->second, in.candidate_counts->records);
        const double moved_records = std::fabs(b * static_cast<double>(in.candidate_counts->records) -
                                               a * static_cast<double>(in.newest_counts->records));
        if (std::fabs(b - a) > threshold && moved_records >= kMinDriftRecords) {
          char note[160];
          std::snprintf(note, sizeof note, "share of %s = '%s' moved from %.1f%% to %.1f%% (threshold %.1f%%)",
                        column.c_str(), val.c_str(), a * 100, b * 100, threshold * 100);
          findings.push_back({"distribution-drift", Severity::notice, nullptr, {column}, note, false, {}});
        }
      }
    }
  }

  // A new contract version: each difference a consumer would notice is a whole-set finding. A
  // definition change that the plan declares (same versions) is covered by the plan.
  if (in.contract_changes) {
    for (const auto& cf : *in.contract_changes) {
      Finding f{cf.rule, cf.severity, nullptr, cf.columns, cf.note, false, {}};
      if (cf.rule == "definition-changed" && in.plan)
        for (const auto& d : in.plan->definitions)
          if (d.name == cf.definition && d.from == cf.from && d.to == cf.to) {
            f.covered = true;
            f.covered_by = "plan " + in.plan->id;
          }
      findings.push_back(std::move(f));
    }
  }

  // Coverage by notices: kind, scope and lead time.
  for (auto& f : findings) {
    if (f.severity != Severity::notice || f.covered) continue;
    std::vector<std::string_view> b, a;
    if (f.change) {
      if (auto it = befores.find(f.change->key); it != befores.end()) decode_record(it->second, b);
      if (auto it = afters.find(f.change->key); it != afters.end()) decode_record(it->second, a);
    }
    for (const auto& n : in.notices) {
      if (!allowed_kind(f.rule, n.kind)) continue;
      if (n.published_at + static_cast<UnixSeconds>(c.notice_lead_days) * 86400 > in.publish_at) continue;
      bool scoped = false;
      if (f.change && std::find(n.scope.keys.begin(), n.scope.keys.end(), f.change->key) != n.scope.keys.end())
        scoped = true;
      for (const auto& col : f.columns)
        scoped = scoped || std::find(n.scope.columns.begin(), n.scope.columns.end(), col) != n.scope.columns.end();
      if (!n.scope.where.empty() && (where_matches(c, n.scope.where, b) || where_matches(c, n.scope.where, a)))
        scoped = true;
      if (scoped) {
        f.covered = true;
        f.covered_by = "notice " + n.id;
        break;
      }
    }
  }

  // The plan: reviewed by someone else, declared definitions current, reality within radius.
  if (in.plan) {
    const Plan& p = *in.plan;
    if (p.reviewed_by.empty()) v.plan_problems.push_back("plan " + p.id + " has no reviewer");
    for (const auto& r : p.reviewed_by)
      if (r == p.owner) v.plan_problems.push_back("plan " + p.id + " is reviewed by its own owner, " + p.owner);
    const Contract& published = in.published_contract ? *in.published_contract : c;
    for (const auto& d : p.definitions) {
      for (const auto& def : published.definitions)
        if (def.name == d.name && def.version != d.from)
          v.plan_problems.push_back("plan " + p.id + " changes definition " + d.name + " from v" +
                                    std::to_string(d.from) + ", but the contract has v" + std::to_string(def.version));
      if (in.published_contract)  // the candidate's new contract is where the definition goes
        for (const auto& def : c.definitions)
          if (def.name == d.name && def.version != d.to)
            v.plan_problems.push_back("plan " + p.id + " changes definition " + d.name + " to v" +
                                      std::to_string(d.to) + ", but the candidate's contract has v" +
                                      std::to_string(def.version));
    }
    if (in.contract_changes)
      for (const auto& cf : *in.contract_changes) {
        if (cf.rule != "definition-changed") continue;
        bool declared_here = false;
        for (const auto& d : p.definitions) declared_here = declared_here || d.name == cf.definition;
        if (!declared_here)
          v.plan_problems.push_back("the candidate's contract changes " + cf.note + ", which plan " + p.id +
                                    " does not declare");
      }
    for (const Change& ch : in.changes->changes) {
      bool inside = true;
      for (const auto& f : ch.fields) {
        std::size_t i = c.column_index(f.column);
        if (i != kNpos && c.columns[i].role == ColumnRole::bookkeeping) continue;
        if (ch.kind == ChangeKind::added) break;  // columns of a new key are all "changed"
        if (std::find(p.blast_radius.columns.begin(), p.blast_radius.columns.end(), f.column) ==
            p.blast_radius.columns.end())
          inside = false;
      }
      if (inside && !p.blast_radius.where.empty()) {
        std::vector<std::string_view> b, a;
        if (auto it = befores.find(ch.key); it != befores.end()) decode_record(it->second, b);
        if (auto it = afters.find(ch.key); it != afters.end()) decode_record(it->second, a);
        inside = where_matches(c, p.blast_radius.where, b) || where_matches(c, p.blast_radius.where, a);
      }
      if (!inside) v.offending_keys.push_back(ch.key);
    }
    if (!v.offending_keys.empty())
      v.plan_problems.push_back(std::to_string(v.offending_keys.size()) +
                                " changed record(s) lie outside the blast radius of plan " + p.id);
    if (v.changed_records > p.max_records)
      v.plan_problems.push_back("plan " + p.id + " allows " + std::to_string(p.max_records) +
                                " records, but " + std::to_string(v.changed_records) + " changed");
  }

  // Tally by rule; the outcome is the most severe uncovered finding.
  std::map<std::string, std::size_t> index;
  for (auto& f : findings) {
    if (f.change && !first_release) {
      auto [slot, fresh] = v.key_rules.emplace(f.change->key, std::make_pair(f.rule, f.severity));
      if (!fresh && static_cast<int>(f.severity) > static_cast<int>(slot->second.second))
        slot->second = {f.rule, f.severity};
    }
    auto [it, fresh] = index.emplace(f.rule, v.rules.size());
    if (fresh) v.rules.push_back({f.rule, f.severity, 0, 0, {}, {}});
    RuleTally& t = v.rules[it->second];
    ++t.count;
    const bool needs = f.severity != Severity::routine;
    if (needs && !f.covered) ++t.uncovered;
    if (f.covered && std::find(t.covered_by.begin(), t.covered_by.end(), f.covered_by) == t.covered_by.end())
      t.covered_by.push_back(f.covered_by);
    if (t.samples.size() < kSamples) {
      Change sample = f.change ? *f.change : Change{};
      sample.rule = f.note;  // the sample's own label: a note for whole-set findings
      if (!f.columns.empty())  // show the values the rule is about, not every edit of the record
        std::erase_if(sample.fields, [&](const FieldChange& fc) {
          return std::find(f.columns.begin(), f.columns.end(), fc.column) == f.columns.end();
        });
      t.samples.push_back(std::move(sample));
    }
    if (needs && !f.covered) {
      Outcome o = f.severity == Severity::breaking ? Outcome::refused : Outcome::notice_required;
      if (static_cast<int>(o) > static_cast<int>(v.outcome)) v.outcome = o;
    }
  }
  if (!v.plan_problems.empty()) v.outcome = Outcome::refused;
  v.records_compared = in.records_compared;
  std::stable_sort(v.rules.begin(), v.rules.end(), [](const RuleTally& a, const RuleTally& b) {
    return static_cast<int>(a.severity) > static_cast<int>(b.severity);
  });
  return v;
}

}  // namespace gazette
