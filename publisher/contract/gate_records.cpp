// Method: one changed key at a time. Field by field against the newest release (identity,
// nulls, lifecycle, load-bearing values, bookkeeping that must not move or only move
// forward); its position measured in every representation with PROJ, against every version
// published since the key's last announced change (so small steps add up as consumers see
// them) and, for identity, against every version ever published. A new version equal to one
// already published is a restatement, never breaking, so that every release can be returned to.
#include <algorithm>
#include <charconv>
#include <cmath>

#include "publisher/common/time.hpp"
#include "publisher/contract/gate_internal.hpp"

namespace gazette::gate {

namespace {

int family_of(const KindRule& k, std::string_view v) {
  for (std::size_t i = 0; i < k.families.size(); ++i)
    if (std::find(k.families[i].begin(), k.families[i].end(), v) != k.families[i].end()) return static_cast<int>(i);
  return -1;
}

bool to_number(std::string_view v, double& out) {
  if (v.empty()) return false;
  auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
  return ec == std::errc() && end == v.data() + v.size();
}

// Whether `newer` is before `older` as the column's type orders them.
bool moved_backwards(const Column& col, std::string_view older, std::string_view newer) {
  if (col.type == ColumnType::datetime) {
    auto a = parse_instant(older), b = parse_instant(newer);
    if (a.ok() && b.ok()) return *b < *a;
  } else {
    double a, b;
    if (to_number(older, a) && to_number(newer, b)) return b < a;
  }
  return newer < older;
}

std::string metres(double m) { return std::to_string(static_cast<long long>(std::llround(m))) + " m"; }

}  // namespace

Rule RecordFinding::label() const {
  Rule best = Rule::descriptive_edit;
  bool any = false;
  for (const auto& a : aspects) {
    if (!any || static_cast<int>(rule_severity(a.rule)) > static_cast<int>(rule_severity(best)) ||
        (rule_severity(a.rule) == rule_severity(best) && a.rule > best))
      best = a.rule;
    any = true;
  }
  return best;
}

Aspect& RecordFinding::add(Rule rule, std::vector<std::string> columns, std::string note) {
  for (auto& a : aspects)
    if (a.rule == rule) {  // one aspect per rule: a second column joins the first
      for (auto& col : columns)
        if (std::find(a.columns.begin(), a.columns.end(), col) == a.columns.end()) a.columns.push_back(col);
      if (a.note.empty()) a.note = std::move(note);
      return a;
    }
  aspects.push_back({rule, std::move(columns), std::move(note), false, {}});
  return aspects.back();
}

bool same_entity(const Contract& c, PositionMeter& meter, const std::vector<std::string_view>& a,
                 const std::vector<std::string_view>& b) {
  const IdentityEvidence& e = c.identity;
  const bool named = e.name != kNpos && !field(a, e.name).empty() && field(a, e.name) == field(b, e.name);
  const bool coded =
      e.public_code != kNpos && !field(a, e.public_code).empty() && field(a, e.public_code) == field(b, e.public_code);
  if (!named && !coded) return false;
  if (!c.position) return true;
  double d = meter.moved_m(a, b);
  return !std::isnan(d) && d <= e.same_place_m;
}

RecordJudge::RecordJudge(const Contract& contract, PositionMeter* meter)
    : c_(contract), meter_(meter), lifecycle_(contract.column_index(contract.lifecycle.column)) {}

bool RecordJudge::position_changed(const Change& change) const {
  if (!c_.position) return false;
  for (const auto& f : change.fields) {
    std::size_t i = c_.column_index(f.column);
    if (c_.position->holds(i)) return true;
    for (const auto& r : c_.position->representations)
      if (r.crs_column == i) return true;
  }
  return false;
}

std::vector<std::string> RecordJudge::position_columns(const Change& change) const {
  std::vector<std::string> cols;
  for (const auto& f : change.fields)
    if (c_.position && c_.position->holds(c_.column_index(f.column))) cols.push_back(f.column);
  return cols;
}

std::string RecordJudge::different_entity(const std::vector<std::string_view>& older,
                                          const std::vector<std::string_view>& newer, bool withdrawn) {
  if (c_.kind && family_of(*c_.kind, field(older, c_.kind->column)) != family_of(*c_.kind, field(newer, c_.kind->column)))
    return "another kind of entity (" + c_.columns[c_.kind->column].name + " " +
           std::string(field(older, c_.kind->column)) + " -> " + std::string(field(newer, c_.kind->column)) + ")";
  if (c_.position && meter_) {
    double moved = meter_->moved_m(older, newer);
    if (!std::isnan(moved) && moved > c_.position->different_place_m) return "another place (" + metres(moved) + " away)";
  }
  const IdentityEvidence& e = c_.identity;
  bool restarted = false;
  if (e.created != kNpos) {
    auto a = parse_instant(field(older, e.created)), b = parse_instant(field(newer, e.created));
    restarted = a.ok() && b.ok() && *b > *a;
  }
  const bool renamed = e.name != kNpos && field(older, e.name) != field(newer, e.name);
  const bool recoded = e.public_code != kNpos && field(older, e.public_code) != field(newer, e.public_code);
  const bool new_name_and_code = renamed && recoded;
  // A key back from withdrawal names a new entity on any evidence; a key in use on both.
  if (withdrawn ? (restarted || new_name_and_code) : (restarted && new_name_and_code))
    return restarted ? "a new entity (its creation time restarted" + std::string(new_name_and_code ? ", with a new name and code)" : ")")
                     : "a new entity (a new name and a new code)";
  return {};
}

void RecordJudge::judge(const Change& ch, const std::vector<std::string_view>& before,
                        const std::vector<std::string_view>& after, const std::vector<PublishedVersion>* history,
                        RecordFinding& out) {
  out.change = &ch;
  const bool has_history = history != nullptr && !history->empty();
  if (ch.kind == ChangeKind::removed) {
    out.add(Rule::key_vanished_without_tombstone, {});
    return;
  }
  // A version already published: returning to it is a restatement, whatever else it is.
  if (has_history && ch.kind != ChangeKind::added) {
    for (const auto& v : *history) {
      if (before.empty()) break;
      decode_record(v.body, scratch_);
      if (scratch_ == after) {
        out.restores_published = true;
        std::vector<std::string> cols;
        for (const auto& f : ch.fields) cols.push_back(f.column);
        out.add(Rule::version_restored, std::move(cols), "restores the version first published in " + v.release);
        return;
      }
    }
  }
  if (ch.kind == ChangeKind::added) {
    if (!has_history) {
      out.add(Rule::key_added, {});
      check_agreement(after, out);
      return;
    }
    // Withdrawn before and back now: the same entity restored, or a key given to another.
    for (const auto& v : *history) {
      decode_record(v.body, scratch_);
      if (scratch_ == after) {
        out.restores_published = true;
        out.add(Rule::key_restored, {}, "restores the version first published in " + v.release);
        return;
      }
    }
    for (std::size_t i = history->size(); i-- > 0;) {
      decode_record((*history)[i].body, scratch_);
      std::string why = different_entity(scratch_, after, /*withdrawn=*/true);
      if (!why.empty()) {
        out.add(Rule::key_reused, {}, why + " than the version published in " + (*history)[i].release);
        return;
      }
    }
    out.add(Rule::key_restored, {});
    return;
  }

  if (ch.kind == ChangeKind::retired) out.add(Rule::retired_through_lifecycle, {c_.lifecycle.column});
  judge_fields(ch, out);
  judge_position(ch, before, after, history, out);

  // Identity against every version ever published (someone still holds each one).
  const bool revived = lifecycle_ != kNpos && c_.is_retired(field(before, lifecycle_)) &&
                       !c_.is_retired(field(after, lifecycle_));
  std::string why = different_entity(before, after, revived);
  std::string contradicted = why.empty() ? "" : "the newest release";
  if (why.empty() && history)
    for (const auto& v : *history) {
      decode_record(v.body, scratch_);
      why = different_entity(scratch_, after, false);
      if (!why.empty()) {
        contradicted = v.release;
        break;
      }
    }
  if (!why.empty()) out.add(Rule::key_reused, {}, why + " than the version published in " + contradicted);

  if (out.aspects.empty()) {
    bool only_bookkeeping = true;
    for (const auto& f : ch.fields) {
      std::size_t i = c_.column_index(f.column);
      if (i != kNpos && c_.columns[i].role != ColumnRole::bookkeeping) only_bookkeeping = false;
    }
    out.add(only_bookkeeping ? Rule::bookkeeping_only : Rule::descriptive_edit, {});
  }
}

void RecordJudge::judge_fields(const Change& ch, RecordFinding& out) {
  for (const auto& f : ch.fields) {
    std::size_t i = c_.column_index(f.column);
    if (i == kNpos) continue;
    const Column& col = c_.columns[i];
    if (col.role == ColumnRole::identity) {
      out.add(Rule::identity_changed, {col.name});
    } else if (c_.kind && i == c_.kind->column &&
               family_of(*c_.kind, f.old_value) != family_of(*c_.kind, f.new_value)) {
      // Now another kind of entity: judged with identity below.
    } else if (col.role == ColumnRole::load_bearing && !f.old_value.empty() && f.new_value.empty()) {
      out.add(Rule::load_bearing_became_null, {col.name});
    } else if (i == lifecycle_) {
      const bool was = c_.is_retired(f.old_value), now = c_.is_retired(f.new_value);
      if (was && !now)
        out.add(Rule::revived_through_lifecycle, {col.name});
      else if (!was && !now)
        out.add(Rule::lifecycle_changed, {col.name});  // active -> pending is news to consumers
    } else if (c_.position && c_.position->holds(i)) {
      // Judged with the whole position below.
    } else if (col.role == ColumnRole::load_bearing) {
      out.add(Rule::load_bearing_changed, {col.name});
    } else if (col.role == ColumnRole::bookkeeping && !f.old_value.empty()) {
      if (col.moves == Moves::never)
        out.add(Rule::creation_time_restated, {col.name});
      else if (col.moves == Moves::forward && moved_backwards(col, f.old_value, f.new_value))
        out.add(Rule::bookkeeping_moved_backwards, {col.name});
    }
  }
}

void RecordJudge::check_agreement(const std::vector<std::string_view>& after, RecordFinding& out) {
  if (!c_.position || !meter_ || c_.position->representations.size() < 2) return;
  double apart = meter_->disagreement_m(after);
  if (apart <= c_.position->agreement_m) return;
  std::vector<std::string> cols;
  for (const auto& r : c_.position->representations) {
    cols.push_back(c_.columns[r.x].name);
    cols.push_back(c_.columns[r.y].name);
  }
  out.add(Rule::positions_disagree, std::move(cols),
          "its representations are " + metres(apart) + " apart (agreement " + metres(c_.position->agreement_m) + ")");
}

void RecordJudge::judge_position(const Change& ch, const std::vector<std::string_view>& before,
                                 const std::vector<std::string_view>& after,
                                 const std::vector<PublishedVersion>* history, RecordFinding& out) {
  if (!c_.position || !position_changed(ch)) return;
  std::vector<std::string> cols = position_columns(ch);
  if (cols.empty()) cols = {c_.columns[c_.position->representations.front().x].name};
  for (const auto& a : out.aspects)
    if (a.rule == Rule::load_bearing_became_null) return;  // refused already
  double moved = meter_ ? meter_->moved_m(before, after) : NAN;
  std::string from = "the newest release";
  // Against every version since the key's last announced change: the largest move any
  // consumer who took one of them would see.
  if (history && meter_) {
    std::size_t first = 0;
    for (std::size_t i = 0; i < history->size(); ++i)
      if ((*history)[i].announced) first = i;
    for (std::size_t i = first; i < history->size(); ++i) {
      decode_record((*history)[i].body, scratch_);
      double d = meter_->moved_m(scratch_, after);
      if (!std::isnan(d) && (std::isnan(moved) || d > moved + 1e-9)) {
        moved = d;
        from = (*history)[i].release;
      }
    }
  }
  check_agreement(after, out);
  if (std::isnan(moved) || moved <= c_.position->notice_m) {
    out.add(Rule::moved_within_tolerance, cols);
  } else if (moved <= c_.position->different_place_m) {
    out.add(Rule::moved_beyond_tolerance, cols, metres(moved) + " from the version published in " + from);
  }
  // Beyond different_place_m: another place, judged as identity.
}

}  // namespace gazette::gate
