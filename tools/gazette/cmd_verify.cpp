#include "publisher/common/file_io.hpp"
#include "publisher/common/ids.hpp"
#include "publisher/release/release.hpp"
#include "tools/gazette/commands.hpp"
#include "tools/gazette/common.hpp"
#include "tools/gazette/exit_codes.hpp"

namespace gazette::cli {

Status read_gate_files(const Invocation& inv, const Contract& contract, std::vector<Notice>& notices,
                       std::optional<Plan>& plan) {
  auto it = inv.options.find("--notice");
  if (it != inv.options.end()) {
    for (const auto& file : it->second) {
      auto text = read_small_file(file);
      if (!text.ok()) return text.status();
      auto n = parse_notice(*text, file, contract);
      if (!n.ok()) return n.status();
      notices.push_back(std::move(*n));
    }
  }
  if (inv.has("--plan")) {
    auto text = read_small_file(inv.get("--plan"));
    if (!text.ok()) return text.status();
    auto p = parse_plan(*text, inv.get("--plan"), contract);
    if (!p.ok()) return p.status();
    plan = std::move(*p);
  }
  return {};
}

Result<Contract> contract_for_candidate(Store& store, const std::string& dataset, const std::string& candidate) {
  auto cand = store.candidate(dataset, candidate);
  if (!cand.ok()) return cand.status();
  if (!cand->has_value()) return load_contract(store, dataset);  // the gate says it is missing
  return candidate_contract(store, **cand);
}

int cmd_verify(const Invocation& inv) {
  const std::string& id = inv.args[0];
  if (!check_dataset_id(inv, id)) return kError;
  int code = kOk;
  auto store = open_store(inv, OpenMode::read, code);
  if (!store) return code;
  auto cand = candidate_arg(*store, id, inv.args[1]);
  if (!cand.ok()) return fail(inv, cand.status());
  auto contract = contract_for_candidate(*store, id, *cand);
  if (!contract.ok()) return fail(inv, contract.status());
  VerifyOptions vo;
  Status s = read_gate_files(inv, *contract, vo.notices, vo.plan);
  if (!s.ok()) return fail(inv, s);
  vo.publish_at = now_utc();
  auto r = verify_candidate(*store, id, *cand, vo);
  if (!r.ok()) return fail(inv, r.status());
  *inv.out << (inv.has("--json") ? r->json : r->text);
  return cli::exit_code_for(r->verdict);
}

}  // namespace gazette::cli

namespace gazette::cli {

int cmd_rollback(const Invocation& inv) {
  const std::string& id = inv.args[0];
  if (!check_dataset_id(inv, id)) return kError;
  auto to = ReleaseId::parse(inv.get("--to"));
  if (!to.ok()) return fail(inv, to.status());
  std::optional<UnixSeconds> when;
  if (inv.has("--published-at")) {
    auto t = parse_instant(inv.get("--published-at"));
    if (!t.ok()) return fail(inv, t.status().with_context("--published-at"));
    when = *t;
  }
  int code = kOk;
  auto store = open_store(inv, OpenMode::write, code);
  if (!store) return code;
  RollbackOptions options;
  options.owner = inv.get("--owner");
  options.reason = inv.get("--reason");
  options.published_at = when;
  auto contract = load_contract(*store, id);
  if (!contract.ok()) return fail(inv, contract.status());
  Status files = read_gate_files(inv, *contract, options.notices, options.plan);
  if (!files.ok()) return fail(inv, files);
  auto result = rollback_release(*store, id, to->str(), options);
  if (!result.ok()) return fail(inv, result.status());
  if (result->verification && cli::exit_code_for(result->verification->verdict) != 0) {
    *inv.err << result->verification->text << "gazette: nothing was published\n";
    return cli::exit_code_for(result->verification->verdict);
  }
  if (!result->release) {
    *inv.out << "nothing to publish: release " << to->str() << " is what the newest release already holds\n";
    return kOk;
  }
  const Release& r = *result->release;
  *inv.out << "published " << id << " " << r.id << " (rollback to " << to->str() << ", " << r.record_count
           << " records)\n";
  return kOk;
}

}  // namespace gazette::cli
