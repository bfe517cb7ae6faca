// Method: a rollback is an ordinary release of old content: the old release's records become
// a candidate (same content, same id as when they were first staged), the gate judges it like
// any other, and the reason becomes the restatement notice consumers need.
#include <nlohmann/json.hpp>
#include <set>

#include "publisher/release/release.hpp"

namespace gazette {

Result<CutResult> rollback_release(Store& store, const std::string& dataset, const std::string& to,
                                   const std::string& owner, const std::string& reason,
                                   std::optional<UnixSeconds> published_at) {
  auto contract = load_contract(store, dataset);
  if (!contract.ok()) return contract.status();
  auto releases = store.releases(dataset);
  if (!releases.ok()) return releases.status();
  const Release* target = nullptr;
  for (const auto& r : *releases)
    if (r.id == to) target = &r;
  if (target == nullptr) return Status::not_found("no release '" + to + "' of " + dataset);
  if (reason.empty()) return Status::invalid_input("a rollback needs a --reason");
  auto records = store.release_records(dataset, target->seq);
  if (!records.ok()) return records.status();

  Candidate cand;
  cand.dataset = dataset;
  cand.id = candidate_id_for(dataset, *contract, *records);
  cand.format = "release";
  cand.source = "release " + to;
  cand.record_count = records->size();
  cand.staged_at = now_utc();
  GAZETTE_RETURN_IF_ERROR(store.write_candidate(cand, *records, owner));

  CutOptions options;
  options.owner = owner;
  options.published_at = published_at.value_or(now_utc());
  options.kind = ReleaseKind::rollback;
  auto verdict = verify_candidate(store, dataset, cand.id, {{}, {}, *options.published_at});
  if (!verdict.ok()) return verdict.status();
  if (verdict->verdict.outcome == Outcome::notice_required) {
    // The notice speaks for every key the rollback touches and every column.
    auto cs = changeset_to_candidate(store, *contract, dataset, &releases->back(), cand.id);
    if (!cs.ok()) return cs.status();
    nlohmann::json n;
    n["id"] = "rollback-to-" + to + "-" + std::to_string(*options.published_at);
    n["kind"] = "restatement";
    n["title"] = "Rolled back to release " + to;
    n["text"] = reason;
    // Scoped exactly to what it restores: the keys it changes and the columns that change, so
    // that it covers nothing else (and, a restatement, nothing after this release).
    std::vector<std::string> keys;
    std::set<std::string> changed;
    for (const auto& ch : cs->changes) {
      keys.push_back(ch.key);
      for (const auto& f : ch.fields) changed.insert(f.column);
    }
    std::vector<std::string> columns;
    for (const auto& col : contract->columns)
      if (changed.count(col.name)) columns.push_back(col.name);
    n["scope"] = {{"keys", keys}};
    if (!columns.empty()) n["scope"]["columns"] = columns;
    auto notice = parse_notice(n.dump(), "rollback notice", *contract);
    if (!notice.ok()) return notice.status();
    options.notices.push_back(std::move(*notice));
  }
  auto cut = cut_release(store, dataset, cand.id, options);
  if (cut.ok() && cut->release)  // the ledger records rollbacks that happened, with their reason
    GAZETTE_RETURN_IF_ERROR(store.append_ledger(owner, "rollback", dataset, to + " -> " + cut->release->id, reason));
  return cut;
}

}  // namespace gazette
