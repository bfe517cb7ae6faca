// Method: what covers a finding. A notice covers an aspect of a record, or a finding about the
// whole candidate, when its kind is one the rule's row allows, its scope names the key, one of
// the columns, or a `where` the record matches (before or after), it was published the
// contract's lead time before, and it is still in force: a restatement or meaning-change
// covers one release (the one it is published with, or the first after it), a deprecation or
// removal covers until its effective_at. A plan covers what its declared definition changes
// explain, and only when those changes are carried by the candidate's contract; its checks
// (reviewers, definitions, first use, blast radius) are made here too.
#include <algorithm>
#include <cctype>

#include "publisher/contract/gate_internal.hpp"

namespace gazette::gate {

namespace {

bool where_matches(const Contract& c, const std::map<std::string, std::vector<std::string>>& where,
                   const std::vector<std::string_view>& rec) {
  if (rec.empty()) return false;
  for (const auto& [col, values] : where) {
    std::string_view v = field(rec, c.column_index(col));
    if (std::find(values.begin(), values.end(), v) == values.end()) return false;
  }
  return true;
}

bool names_a_column(const Scope& s, const std::vector<std::string>& columns) {
  for (const auto& col : columns)
    if (std::find(s.columns.begin(), s.columns.end(), col) != s.columns.end()) return true;
  return false;
}

// Whether notice `n` may cover anything in the release being judged.
bool in_force(const Notice& n, bool with_this_release, const GateInput& in, int lead_days) {
  if (n.published_at + static_cast<UnixSeconds>(lead_days) * 86400 > in.publish_at) return false;
  const bool until_sunset =
      (n.kind == NoticeKind::deprecation || n.kind == NoticeKind::removal) && n.effective_at.has_value();
  if (until_sunset) return in.publish_at <= *n.effective_at;
  if (with_this_release) return true;
  // One release only: spent once published with one, or once a release followed it.
  if (!n.release.empty()) return false;
  return in.newest_published_at < n.published_at;
}

std::string normalised_name(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  std::string out(s);
  for (char& ch : out) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return out;
}

}  // namespace

void cover_with_notices(const SetContext& ctx, std::vector<RecordFinding>& records, std::vector<SetFinding>& sets) {
  const Contract& c = ctx.contract;
  const GateInput& in = ctx.input;
  std::vector<const Notice*> usable;
  for (std::size_t i = 0; i < in.notices.size(); ++i)
    if (in_force(in.notices[i], i < in.notices_with_release, in, c.notice_lead_days)) usable.push_back(&in.notices[i]);
  if (usable.empty()) return;
  std::vector<std::string_view> b, a;
  for (auto& f : records) {
    bool decoded = false;
    for (auto& asp : f.aspects) {
      const RuleInfo& info = rule_info(asp.rule);
      if (info.severity == Severity::routine || asp.covered || info.covered_by == 0) continue;
      if (!decoded) {
        ctx.decode(f.change->key, b, a);
        decoded = true;
      }
      for (const Notice* n : usable) {
        if ((info.covered_by & kind_bit(n->kind)) == 0) continue;
        const Scope& s = n->scope;
        bool scoped = std::find(s.keys.begin(), s.keys.end(), f.change->key) != s.keys.end() ||
                      names_a_column(s, asp.columns) ||
                      (!s.where.empty() && (where_matches(c, s.where, b) || where_matches(c, s.where, a)));
        if (scoped) {
          asp.covered = true;
          asp.covered_by = "notice " + n->id;
          break;
        }
      }
    }
  }
  for (auto& f : sets) {
    const RuleInfo& info = rule_info(f.rule);
    if (info.severity == Severity::routine || f.covered || info.covered_by == 0) continue;
    for (const Notice* n : usable)
      if ((info.covered_by & kind_bit(n->kind)) && names_a_column(n->scope, f.columns)) {
        f.covered = true;
        f.covered_by = "notice " + n->id;
        break;
      }
  }
}

void check_plan(const SetContext& ctx, std::vector<RecordFinding>& records, std::vector<SetFinding>& sets, Verdict& v) {
  const Contract& c = ctx.contract;
  const GateInput& in = ctx.input;
  if (in.plan == nullptr) return;
  const Plan& p = *in.plan;
  v.plan_id = p.id;
  auto problem = [&](std::string text) { v.plan_problems.push_back("plan " + p.id + ": " + std::move(text)); };

  // Review: someone other than the owner, names compared as people write them.
  const std::string owner = normalised_name(p.owner);
  if (owner.empty()) problem("names no owner");
  bool reviewed = false;
  for (const auto& r : p.reviewed_by) {
    const std::string who = normalised_name(r);
    if (who == owner) problem("is reviewed by its own owner, " + p.owner);
    else if (!who.empty()) reviewed = true;
  }
  if (!reviewed) problem("has no reviewer other than its owner");
  for (const auto& [id, release] : in.used_plans)
    if (id == p.id) problem("was already used by release " + release + "; a plan is used by one release only");

  // Definitions: each declared change must be the one the candidate's contract carries, from
  // the version in force.
  const Contract& published = in.published_contract ? *in.published_contract : c;
  for (const auto& d : p.definitions) {
    const std::string what = "definition " + d.name + " v" + std::to_string(d.from) + " -> v" + std::to_string(d.to);
    for (const auto& def : published.definitions)
      if (def.name == d.name && def.version != d.from)
        problem("declares " + what + ", but v" + std::to_string(def.version) + " is in force");
    bool carried = false;
    for (const auto& def : c.definitions)
      if (def.name == d.name) {
        carried = def.version == d.to;
        if (!carried)
          problem("declares " + what + ", but the candidate's contract (v" + std::to_string(c.version) + ") carries " +
                  d.name + " v" + std::to_string(def.version) +
                  (def.version == d.from ? "; stage the candidate with --contract naming the new definition" : ""));
      }
    if (!carried && std::none_of(c.definitions.begin(), c.definitions.end(),
                                 [&](const Definition& def) { return def.name == d.name; }))
      problem("declares " + what + ", which the candidate's contract does not define");
  }
  if (in.contract_changes)
    for (const auto& cf : *in.contract_changes) {
      if (cf.rule != "definition-changed") continue;
      bool declared = false;
      for (const auto& d : p.definitions) declared = declared || (d.name == cf.definition && d.from == cf.from && d.to == cf.to);
      if (!declared) problem("the candidate's contract changes " + cf.note + ", which the plan does not declare");
    }

  // What the declared definitions explain: shifts of their columns, and their own changes.
  auto explained_by = [&](const std::vector<std::string>& columns) -> std::string {
    for (const auto& d : p.definitions)
      for (const auto& def : c.definitions)
        if (def.name == d.name && def.version == d.to)
          for (const auto& col : columns)
            if (std::find(def.columns.begin(), def.columns.end(), col) != def.columns.end())
              return "plan " + p.id + " (definition " + d.name + " v" + std::to_string(d.from) + " -> v" +
                     std::to_string(d.to) + ")";
    return {};
  };
  for (auto& f : records)
    for (auto& asp : f.aspects)
      if (rule_info(asp.rule).plan_covers && !asp.covered)
        if (auto by = explained_by(asp.columns); !by.empty()) {
          asp.covered = true;
          asp.covered_by = by;
        }
  for (auto& f : sets) {
    if (f.rule != Rule::definition_changed || f.covered) continue;
    if (auto by = explained_by(f.columns); !by.empty()) {
      f.covered = true;
      f.covered_by = by;
    }
  }

  // The blast radius must contain every actual change but bookkeeping.
  std::vector<std::string_view> b, a;
  for (const auto& f : records) {
    const Change& ch = *f.change;
    bool inside = true;
    for (const auto& fc : ch.fields) {
      std::size_t i = c.column_index(fc.column);
      if (i != kNpos && c.columns[i].role == ColumnRole::bookkeeping) continue;
      if (ch.kind == ChangeKind::added) break;  // columns of a new key are all "changed"
      if (std::find(p.blast_radius.columns.begin(), p.blast_radius.columns.end(), fc.column) ==
          p.blast_radius.columns.end())
        inside = false;
    }
    if (inside && !p.blast_radius.where.empty()) {
      ctx.decode(ch.key, b, a);
      inside = where_matches(c, p.blast_radius.where, b) || where_matches(c, p.blast_radius.where, a);
    }
    if (!inside) v.offending_keys.push_back(ch.key);
  }
  if (!v.offending_keys.empty())
    problem(std::to_string(v.offending_keys.size()) + " changed record(s) lie outside its blast radius");
  if (v.changed_records > p.max_records)
    problem("allows " + std::to_string(p.max_records) + " records, but " + std::to_string(v.changed_records) +
            " changed");
}

}  // namespace gazette::gate
