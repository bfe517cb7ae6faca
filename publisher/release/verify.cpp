// Method: gather what the gate needs, all read in one snapshot of the store: the changeset
// from the newest release with both bodies of each changed key; every older version of those
// keys; value counts of the candidate, of the newest release, and the codes ever published;
// and the notices already out. Then run the (pure) gate.
#include <nlohmann/json.hpp>

#include "publisher/release/release.hpp"

namespace gazette {

std::string counts_json(const ValueCounts& c) {
  nlohmann::json j;
  j["records"] = c.records;
  j["columns"] = c.by_column;
  return j.dump();
}

Status check_notice(Store& store, const std::string& dataset, const Notice& n, UnixSeconds publish_at) {
  const bool withdrawal = n.kind == NoticeKind::deprecation || n.kind == NoticeKind::removal;
  if (!withdrawal) return {};
  if (n.effective_at && *n.effective_at < publish_at)
    return Status::invalid_input("notice " + n.id + ": effective_at " + format_rfc3339(*n.effective_at) +
                                 " is already past at its publication (" + format_rfc3339(publish_at) +
                                 "); a " + to_string(n.kind) + " announces what is still to come");
  for (const auto& key : n.scope.keys) {
    auto versions = store.key_history(dataset, key);
    if (!versions.ok()) return versions.status();
    if (versions->empty())
      return Status::invalid_input("notice " + n.id + ": scope.keys names '" + key + "', which " + dataset +
                                   " never published");
  }
  return {};
}

namespace {

bool parse_counts(const std::string& text, ValueCounts& out) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (!j.is_object() || !j.contains("columns")) return false;
  out.records = j.value("records", 0ull);
  out.by_column = j["columns"].get<std::map<std::string, std::map<std::string, std::uint64_t>>>();
  return true;
}

}  // namespace

Result<VerifyResult> verify_candidate(Store& store, const std::string& dataset,
                                      const std::string& candidate_id, const VerifyOptions& options) {
  Store::ReadSnapshot snapshot(store);
  auto releases = store.releases(dataset);
  if (!releases.ok()) return releases.status();
  const Release* newest = releases->empty() ? nullptr : &releases->back();

  auto cand = store.candidate(dataset, candidate_id);
  if (!cand.ok()) return cand.status();
  if (!cand->has_value())
    return Status::not_found("no candidate '" + candidate_id + "' for dataset '" + dataset + "'");
  auto contract = candidate_contract(store, **cand);
  if (!contract.ok()) return contract.status();
  const Contract& c = *contract;

  // A candidate that brings a new contract version is judged on that too, against every
  // contract a release was published under.
  std::vector<ContractFinding> contract_changes;
  std::optional<Contract> published_contract;
  bool records_compared = true;
  auto in_force = store.dataset(dataset);
  if (!in_force.ok()) return in_force.status();
  if (c.version < in_force->contract_version)
    return Status::conflict("candidate " + candidate_id + " was staged under contract v" + std::to_string(c.version) +
                            ", but v" + std::to_string(in_force->contract_version) + " is in force now; stage it again");
  if (newest && c.version != newest->contract_version) {
    auto versions = store.contract_versions(dataset);
    if (!versions.ok()) return versions.status();
    std::vector<Contract> published;
    for (const auto& [version, json] : *versions) {
      bool used = false;
      for (const auto& r : *releases) used = used || r.contract_version == version;
      if (!used) continue;
      auto pc = parse_contract(json, "contract v" + std::to_string(version) + " of " + dataset);
      if (!pc.ok()) return pc.status();
      published.push_back(std::move(*pc));
    }
    for (auto& pc : published)
      if (pc.version == newest->contract_version) published_contract = pc;
    contract_changes = compare_contracts(published, c);
    records_compared = keeps_column_layout(contract_changes);
  }

  auto view = store.read_candidate_view(dataset, candidate_id);
  if (!view.ok()) return view.status();
  ChangedBodies bodies;
  Result<Changeset> cs = Changeset{};
  if (records_compared) cs = changeset_to_candidate(store, c, dataset, newest, candidate_id, &bodies, view->get(),
                                                    ChangesetFor::gate);
  if (!cs.ok()) return cs.status();

  // Value counts of the candidate (kept when it was staged) and of the newest release (kept
  // when it was cut).
  ValueCounts candidate_counts;
  if (!parse_counts((*cand)->stats_json, candidate_counts)) {
    ValueCounter counter(c);
    for (const auto& [key, body] : (*view)->records) counter.add(body);
    candidate_counts = counter.take();
  }
  ValueCounts newest_counts;
  std::map<std::string, std::set<std::string>> published_codes;
  if (newest) {
    auto stats = store.release_stats(dataset, newest->id);
    if (!stats.ok()) return stats.status();
    if (!parse_counts(*stats, newest_counts)) {  // released before counts were kept
      ValueCounter counter(c);
      GAZETTE_RETURN_IF_ERROR(store.for_each_record(dataset, newest->seq, [&](std::string_view, std::string_view b) {
        counter.add(b);
        return Status{};
      }));
      newest_counts = counter.take();
    }
    auto all = store.all_release_stats(dataset);
    if (!all.ok()) return all.status();
    for (const auto& text : *all) {
      ValueCounts vc;
      if (!parse_counts(text, vc)) continue;
      for (const auto& [col, values] : vc.by_column)
        for (const auto& [val, n] : values) published_codes[col].insert(val);
    }
    for (const auto& [col, values] : newest_counts.by_column)
      for (const auto& [val, n] : values) published_codes[col].insert(val);
  }

  // Every version ever published of each changed or added key, with the release that first
  // published it and whether that change was announced.
  std::map<std::string, std::vector<PublishedVersion>> history;
  std::map<std::int64_t, std::string> release_ids;
  for (const auto& r : *releases) release_ids[r.seq] = r.id;
  if (newest) {
    for (const auto& ch : cs->changes) {
      if (ch.kind == ChangeKind::removed) continue;
      auto versions = store.key_history(dataset, ch.key);
      if (!versions.ok()) return versions.status();
      // A key whose only version is the newest release's has no history beyond what the gate
      // is given as `before`: keep nothing (a backfill that changes every key would otherwise
      // hold every body twice).
      if (versions->empty() || (versions->size() == 1 && ch.kind != ChangeKind::added)) continue;
      auto& out = history[ch.key];
      for (auto& v : *versions) out.push_back({std::move(v.body), release_ids[v.first_seq], v.announced});
    }
  }

  // Notices to be published with this release come first; then those already out.
  for (const auto& n : options.notices) GAZETTE_RETURN_IF_ERROR(check_notice(store, dataset, n, options.publish_at));
  std::vector<Notice> notices = options.notices;
  for (auto& n : notices) {
    n.published_at = options.publish_at;
    n.release.clear();
  }
  const std::size_t with_release = notices.size();
  auto stored = store.notices(dataset);
  if (!stored.ok()) return stored.status();
  for (const auto& sn : *stored) {
    auto n = parse_notice(sn.json, "notice " + sn.id, c);
    if (!n.ok()) continue;  // a notice the contract no longer understands covers nothing
    n->published_at = sn.published_at;
    n->release = sn.release;
    notices.push_back(std::move(*n));
  }
  auto used_plans = store.used_plans(dataset);
  if (!used_plans.ok()) return used_plans.status();

  GateInput in;
  in.changes = &*cs;
  in.before = &bodies.before;
  in.after = &bodies.after;
  in.history = &history;
  in.newest_counts = newest ? &newest_counts : nullptr;
  in.candidate_counts = &candidate_counts;
  in.published_codes = &published_codes;
  in.notices = std::move(notices);
  in.notices_with_release = with_release;
  in.plan = options.plan ? &*options.plan : nullptr;
  in.used_plans = std::move(*used_plans);
  in.publish_at = options.publish_at;
  in.restores_release = options.restores_release;
  in.newest_published_at = newest ? newest->published_at : 0;
  std::optional<Contract> in_force_contract;
  if (published_contract) {
    in.contract_changes = &contract_changes;
    in.published_contract = &*published_contract;
  } else if (newest) {
    in_force_contract = c;  // the candidate is staged under the contract in force
    in.published_contract = &*in_force_contract;
  }
  in.records_compared = records_compared;

  VerifyResult r;
  r.verdict = run_gate(c, in);
  r.from = newest ? newest->id : "";
  r.to = "candidate:" + candidate_id;
  r.text = render_verdict_text(r.verdict, dataset, r.from, r.to);
  r.json = render_verdict_json(r.verdict, dataset, r.from, r.to);
  r.stats_json = counts_json(candidate_counts);
  for (auto& ch : cs->changes)
    if (auto it = r.verdict.key_rules.find(ch.key); it != r.verdict.key_rules.end()) {
      ch.rule = it->second.first;
      ch.severity = it->second.second;
    }
  r.changes = std::move(*cs);
  return r;
}

}  // namespace gazette
