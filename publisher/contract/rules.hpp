// The gate's rules as one table: each rule's id, severity, what may cover it and what a
// maintainer is told it needs. The gate's passes emit rows of this table; reports, changesets
// and feeds read the same rows, so a rule's name and severity are written once.
//
// Pure data. Thread-safety: immutable.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "publisher/model/changeset.hpp"
#include "publisher/model/notice.hpp"

namespace gazette {

enum class Rule : std::uint8_t {
  // Records.
  key_added,
  retired_through_lifecycle,
  revived_through_lifecycle,
  descriptive_edit,
  bookkeeping_only,
  moved_within_tolerance,
  key_vanished_without_tombstone,
  key_restored,
  version_restored,
  moved_beyond_tolerance,
  load_bearing_changed,
  lifecycle_changed,
  creation_time_restated,
  bookkeeping_moved_backwards,
  key_reused,
  keys_exchanged,
  load_bearing_became_null,
  identity_changed,
  positions_disagree,
  systematic_shift,
  systematic_time_shift,
  // The candidate as a whole.
  code_list_extended,
  distribution_drift,
  keys_lost,
  // The contract it is staged under.
  column_added,
  contract_loosened,
  lifecycle_redefined,
  definition_changed,
  column_removed,
  column_renamed,
  column_retyped,
  column_reordered,
  key_changed,
};

// Which notice kinds may cover a rule (a bit per NoticeKind).
using NoticeKinds = std::uint8_t;
constexpr NoticeKinds kind_bit(NoticeKind k) { return static_cast<NoticeKinds>(1u << static_cast<unsigned>(k)); }

struct RuleInfo {
  Rule rule;
  const char* id;             // "moved-beyond-tolerance"
  Severity severity;
  bool per_record;            // labels records (and so changesets); else about the whole candidate
  NoticeKinds covered_by;     // notice kinds that cover it (0: none)
  bool plan_covers;           // a plan declaring the definition change covers it
  const char* needs;          // what covers it, for a maintainer
};

// The row of `rule`.
const RuleInfo& rule_info(Rule rule);
// The rule named `id`, if any.
std::optional<Rule> rule_by_id(std::string_view id);
inline const char* rule_id(Rule r) { return rule_info(r).id; }
inline Severity rule_severity(Rule r) { return rule_info(r).severity; }

}  // namespace gazette
