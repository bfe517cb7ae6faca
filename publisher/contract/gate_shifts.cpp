// Method: patterns over many records.
// - Positions: per group (the contract's group_by) and per representation, the displacement
//   of every moved record (east and north metres, from PROJ's geodesic). Displacements are
//   binned in cells of spread_m; around the densest cells a robust centre is taken (the
//   component-wise median, twice, keeping records within spread_m of it). A centre shared by
//   min_records records and min_share of the group's moved records, further from zero than
//   min_offset_m and than three standard errors of the median, and with no mirror cluster
//   around its opposite (moves in all directions are symmetric), is a systematic shift. So a
//   few metres of jitter, a shift applied to part of a group, and new keys in the group do not
//   hide it; a routine week of moves in all directions has its centre at zero.
// - Datetimes: each changed value's offset, rounded to whole hours when within time_spread_s
//   of them; one offset shared by time_min_records values and time_min_share of the column's
//   changed values is a systematic time shift, unless those values all went to one new time (a
//   batch stamp).
// - Keys that exchanged entities: A's new version is B's old one and B's new is A's old.
// - Distributions: codes never published in a closed list, shares of codes (and of keys
//   retired or vanishing) that move past their thresholds, and a candidate that lost more keys
//   than the contract allows.
#include <algorithm>
#include <cmath>
#include <map>
#include <unordered_map>

#include "publisher/common/time.hpp"
#include "publisher/contract/gate_internal.hpp"

namespace gazette::gate {

namespace {

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  auto mid = v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2);
  std::nth_element(v.begin(), mid, v.end());
  double m = *mid;
  if (v.size() % 2 == 0) m = (m + *std::max_element(v.begin(), mid)) / 2;
  return m;
}

struct Moved {
  std::size_t record;  // index into the records' findings
  double east, north;
};

struct Centre {
  double east = 0, north = 0;
  std::vector<std::size_t> members;  // indices into the Moved list
};

// The records within `radius` of (e, n), and their median as the new centre.
Centre refine(const std::vector<Moved>& moved, double e, double n, double radius) {
  Centre c{e, n, {}};
  for (int pass = 0; pass < 2; ++pass) {
    std::vector<double> es, ns;
    std::vector<std::size_t> members;
    for (std::size_t i = 0; i < moved.size(); ++i)
      if (std::hypot(moved[i].east - c.east, moved[i].north - c.north) <= radius) {
        members.push_back(i);
        es.push_back(moved[i].east);
        ns.push_back(moved[i].north);
      }
    if (members.empty()) return c;
    c = {median(es), median(ns), std::move(members)};
  }
  c.members.clear();
  for (std::size_t i = 0; i < moved.size(); ++i)
    if (std::hypot(moved[i].east - c.east, moved[i].north - c.north) <= radius) c.members.push_back(i);
  return c;
}

// The standard error of a median centre: 1.2533 * sigma / sqrt(n), sigma from the MAD.
double standard_error(const std::vector<Moved>& moved, const Centre& c) {
  if (c.members.size() < 2) return INFINITY;
  std::vector<double> de, dn;
  for (std::size_t i : c.members) {
    de.push_back(std::fabs(moved[i].east - c.east));
    dn.push_back(std::fabs(moved[i].north - c.north));
  }
  const double k = 1.2533 * 1.4826 / std::sqrt(static_cast<double>(c.members.size()));
  return std::hypot(k * median(de), k * median(dn));
}

// The strongest common displacement among `moved`, if it passes the contract's thresholds.
std::optional<Centre> common_displacement(const std::vector<Moved>& moved, const ShiftRules& rules) {
  if (moved.size() < rules.min_records) return std::nullopt;
  const double cell = std::max(rules.spread_m, 0.5);
  std::map<std::pair<long long, long long>, std::size_t> counts;
  for (const auto& m : moved) ++counts[{std::llround(std::floor(m.east / cell)), std::llround(std::floor(m.north / cell))}];
  // Neighbourhood counts, densest first; try a few so that a dense cloud at zero (records
  // moved a little each way) does not mask a shifted cluster.
  std::vector<std::pair<std::size_t, std::pair<long long, long long>>> dense;
  for (const auto& [c, n] : counts) {
    std::size_t around = 0;
    for (long long dx = -1; dx <= 1; ++dx)
      for (long long dy = -1; dy <= 1; ++dy) {
        auto it = counts.find({c.first + dx, c.second + dy});
        if (it != counts.end()) around += it->second;
      }
    if (around >= rules.min_records) dense.push_back({around, c});
  }
  std::sort(dense.begin(), dense.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  for (std::size_t k = 0; k < dense.size() && k < 8; ++k) {
    const auto& cellxy = dense[k].second;
    Centre c = refine(moved, (static_cast<double>(cellxy.first) + 0.5) * cell,
                      (static_cast<double>(cellxy.second) + 0.5) * cell, rules.spread_m);
    const double size = std::hypot(c.east, c.north);
    if (c.members.size() < rules.min_records) continue;
    if (static_cast<double>(c.members.size()) < rules.min_share * static_cast<double>(moved.size())) continue;
    if (size < rules.min_offset_m || size < 3 * standard_error(moved, c)) continue;
    // A shift has no mirror image: records moved a little each way (a routine week) crowd
    // around -c as much as around c; records shifted together leave -c empty.
    const double r = std::min(rules.spread_m, size / 2);
    std::size_t near = 0, mirror = 0;
    for (const auto& m : moved) {
      if (std::hypot(m.east - c.east, m.north - c.north) <= r) ++near;
      if (std::hypot(m.east + c.east, m.north + c.north) <= r) ++mirror;
    }
    if (near < rules.min_records || near < 3 * mirror + 1) continue;
    return c;
  }
  return std::nullopt;
}

std::string signed_metres(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%+.1f", v);
  return buf;
}

std::vector<std::string> representation_columns(const Contract& c, const PositionRepresentation& r) {
  return {c.columns[r.x].name, c.columns[r.y].name};
}

}  // namespace

void find_systematic_shifts(const SetContext& ctx, std::vector<RecordFinding>& records) {
  const Contract& c = ctx.contract;
  if (!c.position) return;
  const PositionTolerance& p = *c.position;
  std::vector<std::string_view> b, a;
  for (std::size_t rep = 0; rep < p.representations.size(); ++rep) {
    std::map<std::string, std::vector<Moved>> groups;
    for (std::size_t i = 0; i < records.size(); ++i) {
      const RecordFinding& f = records[i];
      if (f.change->kind == ChangeKind::added || f.change->kind == ChangeKind::removed || f.restores_published) continue;
      auto bi = ctx.before.find(f.change->key);
      auto ai = ctx.after.find(f.change->key);
      if (bi == ctx.before.end() || ai == ctx.after.end()) continue;
      decode_record(bi->second, b);
      decode_record(ai->second, a);
      auto from = ctx.meter.point(rep, b), to = ctx.meter.point(rep, a);
      if (!from || !to || (from->lon == to->lon && from->lat == to->lat)) continue;
      Displacement d = ctx.meter.between(*from, *to);
      if (std::isnan(d.metres)) continue;
      std::string group(p.group_by != kNpos ? field(a, p.group_by) : std::string_view());
      groups[group].push_back({i, d.east_m, d.north_m});
    }
    for (const auto& [group, moved] : groups) {
      auto centre = common_displacement(moved, c.shift);
      if (!centre) continue;
      const std::string note = std::to_string(centre->members.size()) + " of " + std::to_string(moved.size()) +
                               " moved records" + (group.empty() ? "" : " of group " + group) + " shifted by (" +
                               signed_metres(centre->east) + " m east, " + signed_metres(centre->north) +
                               " m north) in " + c.columns[p.representations[rep].x].name + "/" +
                               c.columns[p.representations[rep].y].name;
      for (std::size_t m : centre->members)
        records[moved[m].record].add(Rule::systematic_shift, representation_columns(c, p.representations[rep]), note);
    }
  }
}

void find_time_shifts(const SetContext& ctx, std::vector<RecordFinding>& records) {
  const Contract& c = ctx.contract;
  const ShiftRules& rules = c.shift;
  for (std::size_t col = 0; col < c.columns.size(); ++col) {
    if (c.columns[col].type != ColumnType::datetime) continue;
    const std::string& name = c.columns[col].name;
    struct Offset {
      std::size_t record;
      long long hours;
      std::string_view new_value;
    };
    std::vector<Offset> offsets;
    std::uint64_t changed = 0;
    for (std::size_t i = 0; i < records.size(); ++i) {
      const RecordFinding& f = records[i];
      if (f.restores_published) continue;
      for (const auto& fc : f.change->fields) {
        if (fc.column != name || fc.old_value.empty() || fc.new_value.empty() || f.change->kind == ChangeKind::added)
          continue;
        ++changed;
        auto t0 = parse_instant(fc.old_value), t1 = parse_instant(fc.new_value);
        if (!t0.ok() || !t1.ok()) continue;
        const long long d = *t1 - *t0;
        const long long hours = (d >= 0 ? d + 1800 : d - 1800) / 3600;
        if (hours == 0 || std::llabs(d - hours * 3600) > rules.time_spread_s) continue;
        offsets.push_back({i, hours, fc.new_value});
      }
    }
    if (offsets.size() < rules.time_min_records) continue;
    std::unordered_map<long long, std::uint64_t> by_offset;
    for (const auto& o : offsets) ++by_offset[o.hours];
    auto best = std::max_element(by_offset.begin(), by_offset.end(),
                                 [](const auto& x, const auto& y) { return x.second < y.second; });
    const long long hours = best->first;
    const std::uint64_t shared = best->second;
    if (shared < rules.time_min_records ||
        static_cast<double>(shared) < rules.time_min_share * static_cast<double>(changed))
      continue;
    // One new time for most of them is a batch stamp (an editing tool's), not a shift.
    std::unordered_map<std::string_view, std::uint64_t> new_values;
    std::uint64_t most = 0;
    for (const auto& o : offsets)
      if (o.hours == hours) most = std::max(most, ++new_values[o.new_value]);
    if (most * 2 >= shared) continue;
    const std::string amount = hours % 24 == 0 ? std::to_string(hours / 24) + " day(s)" : std::to_string(hours) + " hour(s)";
    const std::string note = std::to_string(shared) + " of " + std::to_string(changed) + " changed values of " + name +
                             " moved by " + amount;
    for (const auto& o : offsets)
      if (o.hours == hours) records[o.record].add(Rule::systematic_time_shift, {name}, note);
  }
}

void find_exchanged_keys(const SetContext& ctx, std::vector<RecordFinding>& records) {
  const Contract& c = ctx.contract;
  const IdentityEvidence& e = c.identity;
  if (e.name == kNpos && e.public_code == kNpos) return;
  // Old versions of modified keys, indexed by public code, and by name within a cell of about
  // 100 m (names repeat across the country: "Church", "High Street"), so that each key is
  // compared with a handful of others, never with every key of a backfill. Records are
  // decoded again when needed, so that a backfill of every key holds no decoded copy.
  auto bodies = [&](std::size_t i, std::string_view& before, std::string_view& after) {
    const Change& ch = *records[i].change;
    if (ch.kind == ChangeKind::added || ch.kind == ChangeKind::removed) return false;
    auto bi = ctx.before.find(ch.key);
    auto ai = ctx.after.find(ch.key);
    if (bi == ctx.before.end() || ai == ctx.after.end()) return false;
    before = bi->second;
    after = ai->second;
    return true;
  };
  auto cell = [&](const std::vector<std::string_view>& rec) -> std::pair<long long, long long> {
    if (!c.position) return {0, 0};
    auto p = ctx.meter.point(0, rec);
    if (!p) return {0, 0};
    return {std::llround(std::floor(p->lon * 1000)), std::llround(std::floor(p->lat * 1000))};
  };
  auto name_key = [](std::string_view name, std::pair<long long, long long> at) {
    return "n:" + std::string(name) + "@" + std::to_string(at.first) + "," + std::to_string(at.second);
  };
  std::vector<std::string_view> bi_f, ai_f, bj_f, aj_f;
  std::string_view bi_body, ai_body, bj_body, aj_body;
  // Only a key that no longer names the entity it named can have taken another's.
  std::vector<std::size_t> suspects;
  for (std::size_t i = 0; i < records.size(); ++i) {
    if (!bodies(i, bi_body, ai_body)) continue;
    decode_record(bi_body, bi_f);
    decode_record(ai_body, ai_f);
    if (!same_entity(c, ctx.meter, bi_f, ai_f)) suspects.push_back(i);
  }
  if (suspects.size() < 2) return;
  // Both keys of an exchange are suspects: index those alone.
  std::unordered_map<std::string, std::vector<std::size_t>> index;
  for (std::size_t i : suspects) {
    if (!bodies(i, bi_body, ai_body)) continue;
    decode_record(bi_body, bi_f);
    if (e.public_code != kNpos && !field(bi_f, e.public_code).empty())
      index["c:" + std::string(field(bi_f, e.public_code))].push_back(i);
    if (e.name != kNpos && !field(bi_f, e.name).empty()) index[name_key(field(bi_f, e.name), cell(bi_f))].push_back(i);
  }
  if (index.empty()) return;
  for (std::size_t i : suspects) {
    if (!bodies(i, bi_body, ai_body)) continue;
    decode_record(bi_body, bi_f);
    decode_record(ai_body, ai_f);
    std::vector<std::string> probes;
    if (e.public_code != kNpos && !field(ai_f, e.public_code).empty())
      probes.push_back("c:" + std::string(field(ai_f, e.public_code)));
    if (e.name != kNpos && !field(ai_f, e.name).empty()) {
      auto at = cell(ai_f);
      for (long long dx = -1; dx <= 1; ++dx)
        for (long long dy = -1; dy <= 1; ++dy)
          probes.push_back(name_key(field(ai_f, e.name), {at.first + dx, at.second + dy}));
    }
    bool found = false;
    for (const auto& probe : probes) {
      auto it = index.find(probe);
      if (it == index.end() || found) continue;
      for (std::size_t j : it->second) {
        if (j == i || !bodies(j, bj_body, aj_body)) continue;
        decode_record(bj_body, bj_f);
        decode_record(aj_body, aj_f);
        if (same_entity(c, ctx.meter, bj_f, ai_f) && same_entity(c, ctx.meter, bi_f, aj_f)) {
          records[i].add(Rule::keys_exchanged, {}, "now the entity " + records[j].change->key + " was, and " +
                                                       records[j].change->key + " this one");
          found = true;
          break;
        }
      }
    }
  }
}

void find_distribution_changes(const SetContext& ctx, const std::vector<RecordFinding>& records,
                               std::vector<SetFinding>& out) {
  const Contract& c = ctx.contract;
  const GateInput& in = ctx.input;
  if (in.newest_counts == nullptr || in.candidate_counts == nullptr) return;
  const std::size_t lifecycle = c.column_index(c.lifecycle.column);
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
      out.push_back({Rule::code_list_extended, {column},
                     column + " = '" + value + "' (" + std::to_string(n) + " records) was never published before", false, {}});
    }
  }
  const auto newest_records = static_cast<double>(in.newest_counts->records);
  for (const auto& [column, threshold] : c.drift_code_share) {
    auto cand = in.candidate_counts->by_column.find(column);
    auto old = in.newest_counts->by_column.find(column);
    if (cand == in.candidate_counts->by_column.end() || old == in.newest_counts->by_column.end()) continue;
    std::set<std::string> values;
    for (const auto& [val, n] : cand->second) values.insert(val);
    for (const auto& [val, n] : old->second) values.insert(val);
    for (const auto& val : values) {
      auto count = [&](const std::map<std::string, std::uint64_t>& m) {
        auto it = m.find(val);
        return it == m.end() ? 0.0 : static_cast<double>(it->second);
      };
      const double cand_records = static_cast<double>(in.candidate_counts->records);
      double a = newest_records ? count(old->second) / newest_records : 0;
      double b = cand_records ? count(cand->second) / cand_records : 0;
      const double moved_records = std::fabs(count(cand->second) - count(old->second));
      if (std::fabs(b - a) > threshold && moved_records >= static_cast<double>(c.drift_min_records)) {
        char note[200];
        std::snprintf(note, sizeof note, "share of %s = '%s' moved from %.1f%% to %.1f%% (threshold %.1f%%)",
                      column.c_str(), val.c_str(), a * 100, b * 100, threshold * 100);
        out.push_back({Rule::distribution_drift, {column}, note, false, {}});
      }
    }
  }
  // The lifecycle as a distribution: many keys retired or vanishing at once.
  std::uint64_t retired = 0, vanished = 0;
  for (const auto& f : records) {
    if (f.change->kind == ChangeKind::retired) ++retired;
    if (f.change->kind == ChangeKind::removed) ++vanished;
  }
  if (newest_records > 0 && lifecycle != kNpos) {
    const double share = static_cast<double>(retired + vanished) / newest_records;
    if (share > c.drift_lifecycle_share && retired + vanished >= c.drift_min_records) {
      char note[200];
      std::snprintf(note, sizeof note, "%llu of %.0f keys retired (%llu) or vanished (%llu) at once: %.1f%% (threshold %.1f%%)",
                    static_cast<unsigned long long>(retired + vanished), newest_records,
                    static_cast<unsigned long long>(retired), static_cast<unsigned long long>(vanished), share * 100,
                    c.drift_lifecycle_share * 100);
      out.push_back({Rule::distribution_drift, {c.lifecycle.column}, note, false, {}});
    }
  }
  // A rollback brings back a state consumers already held: keys added since go again.
  if (!in.restores_release && newest_records > 0 &&
      static_cast<double>(vanished) > c.max_vanished_share * newest_records) {
    char note[200];
    std::snprintf(note, sizeof note, "%llu of %.0f keys vanished (%.1f%%; the contract allows %.1f%% at once)",
                  static_cast<unsigned long long>(vanished), newest_records,
                  100.0 * static_cast<double>(vanished) / newest_records, c.max_vanished_share * 100);
    out.push_back({Rule::keys_lost, {}, note, false, {}});
  }
}

}  // namespace gazette::gate
