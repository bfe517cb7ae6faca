#include "publisher/common/ids.hpp"
#include "publisher/release/release.hpp"
#include "tools/gazette/commands.hpp"
#include "tools/gazette/common.hpp"
#include "tools/gazette/exit_codes.hpp"

namespace gazette::cli {

int cmd_release(const Invocation& inv) {
  const std::string& id = inv.args[0];
  if (!check_dataset_id(inv, id)) return kError;
  CutOptions opts;
  opts.owner = inv.get("--owner");
  if (opts.owner.empty()) return fail(inv, Status::invalid_input("--owner must name someone"));
  if (inv.has("--published-at")) {
    auto t = parse_instant(inv.get("--published-at"));
    if (!t.ok()) return fail(inv, t.status().with_context("--published-at"));
    if (*t > now_utc())
      return fail(inv, Status::invalid_input("--published-at " + inv.get("--published-at") +
                                             " is in the future"));
    opts.published_at = *t;
  }
  int code = kOk;
  auto store = open_store(inv, OpenMode::write, code);
  if (!store) return code;
  auto cand = candidate_arg(*store, id, inv.args[1]);
  if (!cand.ok()) return fail(inv, cand.status());
  auto contract = contract_for_candidate(*store, id, *cand);
  if (!contract.ok()) return fail(inv, contract.status());
  Status files = read_gate_files(inv, *contract, opts.notices, opts.plan);
  if (!files.ok()) return fail(inv, files);
  auto result = cut_release(*store, id, *cand, opts);
  if (!result.ok()) return fail(inv, result.status());
  if (result->verification && cli::exit_code_for(result->verification->verdict) != 0) {
    *inv.err << result->verification->text << "gazette: nothing was published\n";
    return cli::exit_code_for(result->verification->verdict);
  }
  if (!result->release) {
    *inv.out << "nothing to publish: candidate " << *cand
             << " is identical to the newest release, " << result->identical_to << "\n";
    for (const auto& note : result->notes) *inv.err << "gazette: note: " << note << "\n";
    return kOk;
  }
  const Release& r = *result->release;
  *inv.out << "published " << id << " " << r.id << " (" << to_string(r.kind) << ", "
           << r.record_count << " records, " << format_rfc3339(r.published_at) << ", version " << r.version.str()
           << ")\n";
  for (const auto& a : r.artefacts)
    *inv.out << "  " << a.name << "  " << human_bytes(a.bytes) << "  sha256:" << a.sha256 << "\n";
  for (const auto& n : opts.notices)
    *inv.out << "  with notice " << n.id << " (" << to_string(n.kind) << "): " << n.title << "\n";
  if (opts.plan) *inv.out << "  under plan " << opts.plan->id << " (owner " << opts.plan->owner << ")\n";
  for (const auto& note : result->notes) *inv.err << "gazette: note: " << note << "\n";
  return kOk;
}

}  // namespace gazette::cli
