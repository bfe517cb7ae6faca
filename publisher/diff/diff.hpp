// The diff module: record sets in, changesets out. Key-based and field-level; pure.
//
// Callers feed pairs of record versions (a key's body before and after, either possibly
// absent) in key order, from a merge of two sorted record sets or from the store's list of
// keys whose version changed between two releases; the builder keeps only real differences.
// Classification (rule, severity) is the contract module's job: see ChangeClassifier.
//
// Thread-safety: a ChangesetBuilder is used by one thread.
#pragma once

#include <optional>
#include <string_view>

#include "publisher/model/changeset.hpp"
#include "publisher/model/contract.hpp"
#include "publisher/model/record.hpp"

namespace gazette {

// What the change of an added key carries.
enum class AddedValues {
  spelled_out,  // every non-null value, as consumers read it in a changeset
  omitted,      // the key alone: for the gate, which reads the body itself. A first release of
                // 435,000 records would otherwise hold each of its values a second time.
};

class ChangesetBuilder {
 public:
  // The contract is borrowed and must outlive the builder.
  explicit ChangesetBuilder(const Contract& contract, AddedValues added = AddedValues::spelled_out);

  // Records the difference for `key` between `before` and `after` (encoded bodies; nullopt
  // when the key is absent on that side). Equal bodies record nothing. Keys must arrive in
  // increasing order.
  void add(std::string_view key, std::optional<std::string_view> before,
           std::optional<std::string_view> after);

  // Hands over the changeset built so far (dataset, from and to are the caller's).
  Changeset take();

 private:
  const Contract& contract_;
  AddedValues added_;
  std::size_t lifecycle_ = static_cast<std::size_t>(-1);
  Changeset out_;
  std::vector<std::string_view> a_, b_;
};

// diff(a, b) over two sorted record sets.
Changeset diff_sets(const Contract& contract, const RecordSet& a, const RecordSet& b);

// Applies `changes` to `a`: what a consumer holding `a` does with a changeset. Returns b.
RecordSet apply_changeset(const Contract& contract, const RecordSet& a, const Changeset& changes);

}  // namespace gazette
