// Method: the first rules of the gate, from the contract's roles alone. A change takes the
// most severe rule any of its fields triggers. The full gate (tolerances, code lists, drift,
// systematic shifts, transitive history, plans and notices) builds on this.
#include <algorithm>

#include "publisher/contract/contract.hpp"

namespace gazette {

namespace {

struct Label {
  const char* rule;
  Severity severity;
};

void raise(Label& v, const char* rule, Severity s) {
  if (static_cast<int>(s) > static_cast<int>(v.severity)) v = {rule, s};
}

}  // namespace

void classify_change(const Contract& contract, Change& change) {
  switch (change.kind) {
    case ChangeKind::added:
      change.rule = "key-added";
      change.severity = Severity::routine;
      return;
    case ChangeKind::removed:
      change.rule = "key-vanished-without-tombstone";
      change.severity = Severity::notice;
      return;
    case ChangeKind::retired:
    case ChangeKind::modified:
      break;
  }
  Label v{change.kind == ChangeKind::retired ? "retired-through-lifecycle" : "descriptive-edit",
            Severity::routine};
  bool only_bookkeeping = true;
  for (const auto& f : change.fields) {
    std::size_t i = contract.column_index(f.column);
    if (i == static_cast<std::size_t>(-1)) continue;
    const Column& col = contract.columns[i];
    if (col.role != ColumnRole::bookkeeping) only_bookkeeping = false;
    switch (col.role) {
      case ColumnRole::identity:
        raise(v, "identity-changed", Severity::breaking);
        break;
      case ColumnRole::load_bearing:
        if (change.kind == ChangeKind::retired && col.name == contract.lifecycle.column) break;
        if (!f.old_value.empty() && f.new_value.empty())
          raise(v, "load-bearing-became-null", Severity::breaking);
        else
          raise(v, "load-bearing-changed", Severity::notice);
        break;
      case ColumnRole::descriptive:
        break;
      case ColumnRole::bookkeeping:
        break;
    }
  }
  if (only_bookkeeping && change.kind == ChangeKind::modified && v.severity == Severity::routine)
    v.rule = "bookkeeping-only";
  change.rule = v.rule;
  change.severity = v.severity;
}

}  // namespace gazette
