// The gate's passes, shared by gate*.cpp and classify.cpp inside the contract module (other
// modules include contract.hpp). Each pass emits rows of the rule table (rules.hpp).
//
// Thread-safety: a RecordJudge (through its PositionMeter) is used by one thread.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "publisher/contract/contract.hpp"
#include "publisher/contract/positions.hpp"
#include "publisher/contract/rules.hpp"

namespace gazette::gate {

inline constexpr std::size_t kNpos = static_cast<std::size_t>(-1);

inline std::string_view field(const std::vector<std::string_view>& r, std::size_t i) {
  return i < r.size() ? r[i] : std::string_view();
}

// One reason a record's change matters: a rule, the columns it is about (what a notice's
// scope must name) and, where useful, a note for people.
struct Aspect {
  Rule rule;
  std::vector<std::string> columns;
  std::string note;
  bool covered = false;
  std::string covered_by;
};

// Everything the gate found about one changed key.
struct RecordFinding {
  const Change* change = nullptr;
  std::vector<Aspect> aspects;
  bool restores_published = false;  // its new version is one already published
  // The most severe aspect's rule (ties: the later row of the table).
  Rule label() const;
  Aspect& add(Rule rule, std::vector<std::string> columns, std::string note = {});
};

// A finding about the candidate as a whole (code lists, drift, lost keys, the contract).
struct SetFinding {
  Rule rule;
  std::vector<std::string> columns;
  std::string note;
  bool covered = false;
  std::string covered_by;
};

// The record rules: one key's change judged against the newest release and, given its
// published versions, against what consumers hold.
class RecordJudge {
 public:
  RecordJudge(const Contract& contract, PositionMeter* meter);
  // `before`/`after` are the decoded versions (empty when absent); `history` may be null.
  void judge(const Change& change, const std::vector<std::string_view>& before,
             const std::vector<std::string_view>& after, const std::vector<PublishedVersion>* history,
             RecordFinding& out);

 private:
  bool position_changed(const Change& change) const;
  void judge_fields(const Change& change, RecordFinding& out);
  void judge_position(const Change& change, const std::vector<std::string_view>& before,
                      const std::vector<std::string_view>& after, const std::vector<PublishedVersion>* history,
                      RecordFinding& out);
  // Why `older` and `newer` are different entities, or "" when nothing says so. `withdrawn`:
  // the key comes back after a removal or retirement, when weaker evidence suffices.
  std::string different_entity(const std::vector<std::string_view>& older, const std::vector<std::string_view>& newer,
                               bool withdrawn);
  std::vector<std::string> position_columns(const Change& change) const;
  // positions-disagree when the record's representations name different places.
  void check_agreement(const std::vector<std::string_view>& after, RecordFinding& out);

  const Contract& c_;
  PositionMeter* meter_;
  std::size_t lifecycle_;
  std::vector<std::string_view> scratch_;
};

// Whether two versions denote one entity by the contract's evidence: close together and
// sharing a name or a public code.
bool same_entity(const Contract& c, PositionMeter& meter, const std::vector<std::string_view>& a,
                 const std::vector<std::string_view>& b);

// The set passes. Records' findings are in the changeset's key order.
struct SetContext {
  const Contract& contract;
  const GateInput& input;
  PositionMeter& meter;
  const BodyMap& before;
  const BodyMap& after;
  // The key's version before and after, decoded (left empty where the key is absent).
  void decode(const std::string& key, std::vector<std::string_view>& before_fields,
              std::vector<std::string_view>& after_fields) const {
    before_fields.clear();
    after_fields.clear();
    if (auto it = before.find(key); it != before.end()) decode_record(it->second, before_fields);
    if (auto it = after.find(key); it != after.end()) decode_record(it->second, after_fields);
  }
};
// Keys that exchanged entities with each other.
void find_exchanged_keys(const SetContext& ctx, std::vector<RecordFinding>& records);
// A common displacement of a group's positions; one common offset of a datetime column.
void find_systematic_shifts(const SetContext& ctx, std::vector<RecordFinding>& records);
void find_time_shifts(const SetContext& ctx, std::vector<RecordFinding>& records);
// New codes, drifting shares (the lifecycle column's included), lost keys.
void find_distribution_changes(const SetContext& ctx, const std::vector<RecordFinding>& records,
                               std::vector<SetFinding>& out);

// Coverage: notices (kind, scope, lead time, still in force) and the plan.
void cover_with_notices(const SetContext& ctx, std::vector<RecordFinding>& records, std::vector<SetFinding>& sets);
void check_plan(const SetContext& ctx, std::vector<RecordFinding>& records, std::vector<SetFinding>& sets,
                Verdict& v);

}  // namespace gazette::gate
