// Method: a rollback is an ordinary release of old content: the old release's records become
// a candidate (same content, same id as when they were first staged), the gate judges it like
// any other, and the reason becomes the restatement notice consumers need.
#include <nlohmann/json.hpp>
#include <set>

#include "publisher/release/release.hpp"

namespace gazette {

Result<CutResult> rollback_release(Store& store, const std::string& dataset, const std::string& to,
                                   const RollbackOptions& options) {
  auto contract = load_contract(store, dataset);
  if (!contract.ok()) return contract.status();
  auto releases = store.releases(dataset);
  if (!releases.ok()) return releases.status();
  const Release* target = nullptr;
  for (const auto& r : *releases)
    if (r.id == to) target = &r;
  if (target == nullptr) return Status::not_found("no release '" + to + "' of " + dataset);
  if (options.reason.empty()) return Status::invalid_input("a rollback needs a --reason");
  auto records = store.release_records(dataset, target->seq);
  if (!records.ok()) return records.status();

  // The contract in force at the target comes back with its records: as a new version of the
  // contract when it differs from the one in force now (versions only ever grow).
  Contract restored = *contract;
  std::string restored_json;
  if (target->contract_version != contract->version) {
    auto then = release_contract(store, *target);
    if (!then.ok()) return then.status();
    auto doc = nlohmann::json::parse(then->canonical_json, nullptr, false);
    if (doc.is_discarded()) return Status::corruption("contract v" + std::to_string(target->contract_version) + " of " + dataset);
    doc["version"] = contract->version + 1;
    auto parsed = parse_contract(doc.dump(2), "contract of release " + to + " (restored)");
    if (!parsed.ok()) return parsed.status();
    restored = std::move(*parsed);
    restored_json = restored.canonical_json;
  }

  Candidate cand;
  cand.dataset = dataset;
  cand.id = candidate_id_for(dataset, restored, *records);
  cand.format = "release";
  cand.source = "release " + to;
  cand.record_count = records->size();
  cand.staged_at = now_utc();
  cand.contract_json = restored.canonical_json;
  GAZETTE_RETURN_IF_ERROR(store.write_candidate(cand, *records, options.owner));

  CutOptions cut_options;
  cut_options.owner = options.owner;
  cut_options.published_at = options.published_at.value_or(now_utc());
  cut_options.kind = ReleaseKind::rollback;
  cut_options.restores_release = true;
  cut_options.notices = options.notices;
  cut_options.plan = options.plan;
  auto verdict = verify_candidate(store, dataset, cand.id,
                                  {cut_options.notices, cut_options.plan, *cut_options.published_at, true});
  if (!verdict.ok()) return verdict.status();
  if (verdict->verdict.outcome == Outcome::notice_required) {
    auto cs = changeset_to_candidate(store, restored, dataset, &releases->back(), cand.id);
    if (!cs.ok()) return cs.status();
    nlohmann::json n;
    n["id"] = "rollback-to-" + to + "-" + std::to_string(*cut_options.published_at);
    n["kind"] = "restatement";
    n["title"] = "Rolled back to release " + to;
    n["text"] = options.reason;
    // Scoped exactly to what it restores: the keys it changes and the columns that change, so
    // that it covers nothing else (and, a restatement, nothing after this release).
    std::vector<std::string> keys;
    std::set<std::string> changed;
    for (const auto& ch : cs->changes) {
      keys.push_back(ch.key);
      for (const auto& f : ch.fields) changed.insert(f.column);
    }
    // Findings about the whole candidate (a drifting share) name their columns too.
    for (const auto& t : verdict->verdict.rules)
      if (t.uncovered && !rule_info(t.rule).per_record) changed.insert(t.columns.begin(), t.columns.end());
    std::vector<std::string> columns;
    for (const auto& col : restored.columns)
      if (changed.count(col.name)) columns.push_back(col.name);
    n["scope"] = {{"keys", keys}};
    if (!columns.empty()) n["scope"]["columns"] = columns;
    auto notice = parse_notice(n.dump(), "rollback notice", restored);
    if (!notice.ok()) return notice.status();
    cut_options.notices.push_back(std::move(*notice));
  }
  auto cut = cut_release(store, dataset, cand.id, cut_options);
  if (cut.ok() && cut->release)  // the ledger records rollbacks that happened, with their reason
    GAZETTE_RETURN_IF_ERROR(
        store.append_ledger(options.owner, LedgerAction::rollback, dataset, to + " -> " + cut->release->id, options.reason));
  return cut;
}

}  // namespace gazette
