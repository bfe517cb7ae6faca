// Method: the gate runs as passes over the rule table (rules.hpp). First each changed key on
// its own (gate_records.cpp): its fields against the newest release, its position and
// identity against the versions consumers hold. Then patterns over the set (gate_shifts.cpp):
// keys that exchanged entities, systematic shifts of positions and datetimes, new codes,
// drifting shares, lost keys; and the contract's own changes. Then coverage (gate_cover.cpp):
// notices still in force, and the plan with its checks. Each key is labelled with its most
// severe rule, which is what its changeset says; the most severe uncovered finding decides.
#include <algorithm>

#include "publisher/contract/contract.hpp"
#include "publisher/contract/gate_internal.hpp"

namespace gazette {

namespace {

constexpr std::size_t kSamples = 5;

RuleTally& tally_for(Verdict& v, std::map<Rule, std::size_t>& index, Rule rule) {
  auto [it, fresh] = index.emplace(rule, v.rules.size());
  if (fresh) {
    RuleTally t;
    t.rule = rule;
    v.rules.push_back(std::move(t));
  }
  return v.rules[it->second];
}

void add_unique(std::vector<std::string>& to, const std::string& s) {
  if (std::find(to.begin(), to.end(), s) == to.end()) to.push_back(s);
}

// An added key's values, which the gate's changeset leaves out (AddedValues::omitted), for a
// sample in the report.
void spell_out_added(const gate::SetContext& ctx, Change& ch) {
  auto it = ctx.after.find(ch.key);
  if (it == ctx.after.end()) return;
  std::vector<std::string_view> values;
  decode_record(it->second, values);
  const auto& cols = ctx.contract.columns;
  for (std::size_t i = 0; i < cols.size() && i < values.size(); ++i)
    if (!values[i].empty()) ch.fields.push_back({cols[i].name, "", std::string(values[i])});
}

// Decides the outcome and builds the tallies: a key counts under its label; an aspect left
// uncovered makes its key uncovered under that label.
void tally(const gate::SetContext& ctx, std::vector<gate::RecordFinding>& records,
           std::vector<gate::SetFinding>& sets, bool label_keys, Verdict& v) {
  std::map<Rule, std::size_t> index;
  auto raise = [&](Severity s) {
    Outcome o = s == Severity::breaking ? Outcome::refused : Outcome::notice_required;
    if (static_cast<int>(o) > static_cast<int>(v.outcome)) v.outcome = o;
  };
  for (auto& f : records) {
    const Rule label = f.label();
    RuleTally& t = tally_for(v, index, label);
    ++t.count;
    t.keys.push_back(f.change->key);
    if (label_keys) v.key_rules[f.change->key] = {rule_id(label), rule_severity(label)};
    bool uncovered = false, covered = false;
    std::vector<std::string> columns, notes;
    for (const auto& a : f.aspects) {
      const Severity s = rule_severity(a.rule);
      if (!a.note.empty()) notes.push_back(std::string(rule_id(a.rule)) + ": " + a.note);
      for (const auto& col : a.columns) add_unique(columns, col);
      if (a.rule == Rule::systematic_shift || a.rule == Rule::systematic_time_shift) add_unique(t.notes, a.note);
      if (s == Severity::routine) continue;
      if (a.covered) {
        covered = true;
        add_unique(t.covered_by, a.covered_by);
      } else {
        uncovered = true;
        raise(s);
        for (const auto& col : a.columns) add_unique(t.columns, col);
      }
    }
    if (uncovered) {
      ++t.uncovered;
      t.uncovered_keys.push_back(f.change->key);
    }
    if (covered && !uncovered) v.announced_keys.push_back(f.change->key);
    if (t.samples.size() < kSamples) {
      Change sample = *f.change;
      if (sample.kind == ChangeKind::added && sample.fields.empty()) spell_out_added(ctx, sample);
      // Show the values the rules are about, not every edit of the record.
      if (!columns.empty())
        std::erase_if(sample.fields, [&](const FieldChange& fc) {
          return std::find(columns.begin(), columns.end(), fc.column) == columns.end();
        });
      std::string joined;
      for (const auto& n : notes) joined += (joined.empty() ? "" : "; ") + n;
      sample.rule = joined;
      t.samples.push_back(std::move(sample));
    }
  }
  for (auto& f : sets) {
    RuleTally& t = tally_for(v, index, f.rule);
    ++t.count;
    t.notes.push_back(f.note);
    Change sample;
    sample.rule = f.note;
    if (t.samples.size() < kSamples) t.samples.push_back(std::move(sample));
    if (f.covered) {
      add_unique(t.covered_by, f.covered_by);
    } else if (t.severity() != Severity::routine) {
      ++t.uncovered;
      for (const auto& col : f.columns) add_unique(t.columns, col);
      raise(t.severity());
    }
  }
  if (!v.plan_problems.empty()) v.outcome = Outcome::refused;
  std::stable_sort(v.rules.begin(), v.rules.end(), [](const RuleTally& a, const RuleTally& b) {
    if (a.severity() != b.severity()) return static_cast<int>(a.severity()) > static_cast<int>(b.severity());
    return a.rule > b.rule;
  });
}

}  // namespace

ValueCounter::ValueCounter(const Contract& contract) {
  for (std::size_t i = 0; i < contract.columns.size(); ++i)
    if (contract.columns[i].type == ColumnType::code ||
        i == (contract.position ? contract.position->group_by : gate::kNpos))
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
  static const BodyMap kEmpty;
  static const std::map<std::string, std::vector<PublishedVersion>> kNoHistory;
  const auto& befores = in.before ? *in.before : kEmpty;
  const auto& afters = in.after ? *in.after : kEmpty;
  const auto& history = in.history ? *in.history : kNoHistory;
  const bool first_release = in.newest_counts == nullptr;

  Verdict v;
  v.records_compared = in.records_compared;
  v.notice_lead_days = c.notice_lead_days;
  PositionMeter meter(c.position);
  gate::RecordJudge judge(c, &meter);
  gate::SetContext ctx{c, in, meter, befores, afters};
  std::vector<gate::RecordFinding> records;
  records.reserve(in.changes->changes.size());
  std::vector<std::string_view> before, after;
  for (const Change& ch : in.changes->changes) {
    ctx.decode(ch.key, before, after);
    auto h = history.find(ch.key);
    records.emplace_back();
    judge.judge(ch, before, after, h == history.end() ? nullptr : &h->second, records.back());
    bool non_bookkeeping = ch.kind == ChangeKind::added || ch.kind == ChangeKind::removed;
    for (const auto& f : ch.fields) {
      std::size_t i = c.column_index(f.column);
      if (i != gate::kNpos && c.columns[i].role != ColumnRole::bookkeeping) non_bookkeeping = true;
    }
    if (non_bookkeeping) ++v.changed_records;
  }

  std::vector<gate::SetFinding> sets;
  if (!first_release) {
    gate::find_exchanged_keys(ctx, records);
    gate::find_systematic_shifts(ctx, records);
    gate::find_time_shifts(ctx, records);
    gate::find_distribution_changes(ctx, records, sets);
  }
  if (in.contract_changes)
    for (const auto& cf : *in.contract_changes)
      if (auto rule = rule_by_id(cf.rule)) sets.push_back({*rule, cf.columns, cf.note, false, {}});

  gate::cover_with_notices(ctx, records, sets);
  gate::check_plan(ctx, records, sets, v);
  tally(ctx, records, sets, !first_release, v);
  if (in.plan && v.plan_problems.empty()) {  // a reviewed plan announces everything it changed
    v.announced_keys.clear();
    for (const auto& f : records) v.announced_keys.push_back(f.change->key);
  }
  return v;
}

}  // namespace gazette
