// Method: a changeset's labels come from the gate's own record rules (gate_records.cpp),
// applied to one pair of versions: the same rule names and severities as a report, without
// what only the gate knows (history, patterns over the set, notices).
#include "publisher/contract/contract.hpp"
#include "publisher/contract/gate_internal.hpp"

namespace gazette {

struct ChangeClassifier::Impl {
  explicit Impl(const Contract& c) : meter(c.position), judge(c, &meter) {}
  PositionMeter meter;
  gate::RecordJudge judge;
  std::vector<std::string_view> before, after;
};

ChangeClassifier::ChangeClassifier(const Contract& contract) : impl_(new Impl(contract)) {}
ChangeClassifier::~ChangeClassifier() = default;

void ChangeClassifier::classify(Change& change, std::optional<std::string_view> before,
                                std::optional<std::string_view> after) {
  impl_->before.clear();
  impl_->after.clear();
  if (before) decode_record(*before, impl_->before);
  if (after) decode_record(*after, impl_->after);
  gate::RecordFinding f;
  impl_->judge.judge(change, impl_->before, impl_->after, nullptr, f);
  const Rule label = f.label();
  change.rule = rule_id(label);
  change.severity = rule_severity(label);
}

}  // namespace gazette
