// Changesets: the record- and field-level difference between two releases (or a release and a
// candidate), as consumers receive it from `changes` (render/changeset.cpp writes it; README,
// "The server").
//
// Kinds are disjoint: `retired` is a record whose lifecycle column moved to a retired value
// (whatever else changed with it); `modified` is any other changed record. A null value is the
// empty string, as everywhere in gazette. Thread-safety: plain values.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gazette {

enum class ChangeKind { added, removed, retired, modified };
enum class Severity { routine, notice, breaking };

const char* to_string(ChangeKind k);
const char* to_string(Severity s);
Severity severity_from_string(std::string_view s);  // what to_string wrote; routine otherwise

struct FieldChange {
  std::string column;
  std::string old_value;  // "" is null
  std::string new_value;
  bool operator==(const FieldChange&) const = default;
};

struct Change {
  std::string key;
  ChangeKind kind = ChangeKind::modified;
  std::vector<FieldChange> fields;  // added: every non-null value; modified/retired: what moved
  std::string rule;                 // the rule that classified it
  Severity severity = Severity::routine;
  bool operator==(const Change&) const = default;
};

struct ChangeSummary {
  std::uint64_t added = 0, removed = 0, retired = 0, modified = 0;
  std::uint64_t total() const { return added + removed + retired + modified; }
  bool operator==(const ChangeSummary&) const = default;
};

struct Changeset {
  std::string dataset;
  std::string from;  // release id, or "" for "nothing" (before the first release)
  std::string to;    // release id or "candidate:<id>"
  ChangeSummary summary;
  std::vector<Change> changes;  // in key order
};

}  // namespace gazette
