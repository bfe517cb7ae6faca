// Method: a merge walk over keys in byte order. For a key on both sides with different
// bodies, the decoded values are compared column by column; the change is `retired` when the
// lifecycle column moved from a live value to a retired one, `modified` otherwise.
#include "publisher/diff/diff.hpp"

#include <algorithm>
#include <map>

namespace gazette {

ChangesetBuilder::ChangesetBuilder(const Contract& contract, AddedValues added)
    : contract_(contract), added_(added) {
  if (!contract.lifecycle.column.empty()) lifecycle_ = contract.column_index(contract.lifecycle.column);
}

void ChangesetBuilder::add(std::string_view key, std::optional<std::string_view> before,
                           std::optional<std::string_view> after) {
  if (before == after) return;  // both absent, or equal bodies
  Change ch;
  ch.key = std::string(key);
  const auto& cols = contract_.columns;
  if (!before) {
    ch.kind = ChangeKind::added;
    if (added_ == AddedValues::spelled_out) {
      decode_record(*after, b_);
      for (std::size_t i = 0; i < cols.size() && i < b_.size(); ++i)
        if (!b_[i].empty()) ch.fields.push_back({cols[i].name, "", std::string(b_[i])});
    }
    ++out_.summary.added;
  } else if (!after) {
    ch.kind = ChangeKind::removed;
    ++out_.summary.removed;
  } else {
    decode_record(*before, a_);
    decode_record(*after, b_);
    for (std::size_t i = 0; i < cols.size(); ++i) {
      std::string_view o = i < a_.size() ? a_[i] : std::string_view();
      std::string_view n = i < b_.size() ? b_[i] : std::string_view();
      if (o != n) ch.fields.push_back({cols[i].name, std::string(o), std::string(n)});
    }
    // Bodies can differ with equal values: a record published before a column was appended
    // has fewer fields, and the new column is null. Nothing a consumer could see changed.
    if (ch.fields.empty()) return;
    const bool retired = lifecycle_ < cols.size() && lifecycle_ < b_.size() &&
                         contract_.is_retired(b_[lifecycle_]) &&
                         !(lifecycle_ < a_.size() && contract_.is_retired(a_[lifecycle_]));
    ch.kind = retired ? ChangeKind::retired : ChangeKind::modified;
    ++(retired ? out_.summary.retired : out_.summary.modified);
  }
  out_.changes.push_back(std::move(ch));
}

Changeset ChangesetBuilder::take() {
  Changeset c = std::move(out_);
  out_ = Changeset{};
  return c;
}

Changeset diff_sets(const Contract& contract, const RecordSet& a, const RecordSet& b) {
  ChangesetBuilder builder(contract);
  const auto& ra = a.records();
  const auto& rb = b.records();
  std::size_t i = 0, j = 0;
  while (i < ra.size() || j < rb.size()) {
    if (j == rb.size() || (i < ra.size() && ra[i].key < rb[j].key)) {
      builder.add(ra[i].key, ra[i].body, std::nullopt);
      ++i;
    } else if (i == ra.size() || rb[j].key < ra[i].key) {
      builder.add(rb[j].key, std::nullopt, rb[j].body);
      ++j;
    } else {
      builder.add(ra[i].key, ra[i].body, rb[j].body);
      ++i;
      ++j;
    }
  }
  return builder.take();
}

RecordSet apply_changeset(const Contract& contract, const RecordSet& a, const Changeset& cs) {
  std::map<std::string, const Change*> by_key;
  for (const auto& ch : cs.changes) by_key[ch.key] = &ch;
  std::vector<EncodedRecord> out;
  std::vector<std::string> values;
  std::vector<std::string_view> fields;
  auto column_of = [&](const std::string& name) { return contract.column_index(name); };
  for (const auto& r : a.records()) {
    auto it = by_key.find(r.key);
    if (it == by_key.end()) {
      out.push_back(r);
      continue;
    }
    const Change& ch = *it->second;
    by_key.erase(it);
    if (ch.kind == ChangeKind::removed) continue;
    decode_record(r.body, fields);
    values.assign(fields.begin(), fields.end());
    values.resize(contract.columns.size());
    for (const auto& f : ch.fields) values[column_of(f.column)] = f.new_value;
    out.push_back({r.key, encode_record(values)});
  }
  for (const auto& [key, ch] : by_key) {  // added keys
    if (ch->kind != ChangeKind::added) continue;
    values.assign(contract.columns.size(), std::string());
    for (const auto& f : ch->fields) values[column_of(f.column)] = f.new_value;
    out.push_back({key, encode_record(values)});
  }
  RecordSet result(std::move(out));
  result.sort_and_find_duplicate();
  return result;
}

}  // namespace gazette
