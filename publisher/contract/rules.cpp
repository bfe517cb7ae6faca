#include "publisher/contract/rules.hpp"

#include <array>

namespace gazette {

namespace {

constexpr NoticeKinds kNone = 0;
constexpr NoticeKinds kRestate = kind_bit(NoticeKind::restatement) | kind_bit(NoticeKind::meaning_change);
constexpr NoticeKinds kMeaning = kRestate | kind_bit(NoticeKind::deprecation);
constexpr NoticeKinds kWithdraw =
    kind_bit(NoticeKind::removal) | kind_bit(NoticeKind::deprecation) | kind_bit(NoticeKind::restatement);

constexpr const char* kNeedsMeaning =
    "a meaning-change or restatement notice whose scope names these columns, keys or records";
constexpr const char* kNeedsRestatement =
    "a restatement (or meaning-change) notice whose scope names these columns, keys or records";
constexpr const char* kNeedsPlan =
    "a backfill plan that declares the definition change, carried by the contract the candidate is staged "
    "under (stage --contract); a notice alone does not cover it";
constexpr const char* kRefused =
    "nothing: a breaking change is refused; publish a new dataset (new key space) and deprecate this one";

constexpr std::array<RuleInfo, 33> kRules = {{
    {Rule::key_added, "key-added", Severity::routine, true, kNone, false, ""},
    {Rule::retired_through_lifecycle, "retired-through-lifecycle", Severity::routine, true, kNone, false, ""},
    {Rule::revived_through_lifecycle, "revived-through-lifecycle", Severity::routine, true, kNone, false, ""},
    {Rule::descriptive_edit, "descriptive-edit", Severity::routine, true, kNone, false, ""},
    {Rule::bookkeeping_only, "bookkeeping-only", Severity::routine, true, kNone, false, ""},
    {Rule::moved_within_tolerance, "moved-within-tolerance", Severity::routine, true, kNone, false, ""},
    {Rule::key_vanished_without_tombstone, "key-vanished-without-tombstone", Severity::notice, true, kWithdraw, false,
     "a removal or deprecation notice scoped to these keys (or retire them through the lifecycle column instead)"},
    {Rule::key_restored, "key-restored", Severity::notice, true, kRestate, false, kNeedsRestatement},
    {Rule::version_restored, "version-restored", Severity::notice, true, kRestate, false, kNeedsRestatement},
    {Rule::moved_beyond_tolerance, "moved-beyond-tolerance", Severity::notice, true, kMeaning, false, kNeedsMeaning},
    {Rule::load_bearing_changed, "load-bearing-changed", Severity::notice, true, kMeaning, false, kNeedsMeaning},
    {Rule::lifecycle_changed, "lifecycle-changed", Severity::notice, true, kMeaning, false, kNeedsMeaning},
    {Rule::creation_time_restated, "creation-time-restated", Severity::notice, true, kRestate, false,
     kNeedsRestatement},
    {Rule::bookkeeping_moved_backwards, "bookkeeping-moved-backwards", Severity::notice, true, kRestate, false,
     kNeedsRestatement},
    {Rule::key_reused, "key-reused", Severity::breaking, true, kNone, false, kRefused},
    {Rule::keys_exchanged, "keys-exchanged", Severity::breaking, true, kNone, false, kRefused},
    {Rule::load_bearing_became_null, "load-bearing-became-null", Severity::breaking, true, kNone, false, kRefused},
    {Rule::identity_changed, "identity-changed", Severity::breaking, true, kNone, false, kRefused},
    {Rule::positions_disagree, "positions-disagree", Severity::breaking, true, kNone, false,
     "nothing: every representation of a position must name the same place (within the contract's agreement_m)"},
    {Rule::systematic_shift, "systematic-shift", Severity::breaking, true, kNone, true, kNeedsPlan},
    {Rule::systematic_time_shift, "systematic-time-shift", Severity::breaking, true, kNone, true, kNeedsPlan},
    {Rule::code_list_extended, "code-list-extended", Severity::notice, false, kMeaning, false, kNeedsMeaning},
    {Rule::distribution_drift, "distribution-drift", Severity::notice, false, kMeaning | kind_bit(NoticeKind::removal),
     false, kNeedsMeaning},
    {Rule::keys_lost, "keys-lost", Severity::breaking, false, kNone, false,
     "nothing: the candidate lost more than the contract's max_vanished_share of keys (a truncated export?)"},
    {Rule::column_added, "column-added", Severity::notice, false, kMeaning, false, kNeedsMeaning},
    {Rule::contract_loosened, "contract-loosened", Severity::notice, false, kMeaning, false, kNeedsMeaning},
    {Rule::lifecycle_redefined, "lifecycle-redefined", Severity::notice, false, kMeaning, false, kNeedsMeaning},
    {Rule::definition_changed, "definition-changed", Severity::notice, false, kind_bit(NoticeKind::meaning_change),
     true, "a plan that declares the definition change, or a meaning-change notice scoped to its columns"},
    {Rule::column_removed, "column-removed", Severity::breaking, false, kNone, false, kRefused},
    {Rule::column_renamed, "column-renamed", Severity::breaking, false, kNone, false, kRefused},
    {Rule::column_retyped, "column-retyped", Severity::breaking, false, kNone, false, kRefused},
    {Rule::column_reordered, "column-reordered", Severity::breaking, false, kNone, false, kRefused},
    {Rule::key_changed, "key-changed", Severity::breaking, false, kNone, false, kRefused},
}};

}  // namespace

const RuleInfo& rule_info(Rule rule) { return kRules[static_cast<std::size_t>(rule)]; }

std::optional<Rule> rule_by_id(std::string_view id) {
  for (const auto& r : kRules)
    if (id == r.id) return r.rule;
  return std::nullopt;
}

}  // namespace gazette
