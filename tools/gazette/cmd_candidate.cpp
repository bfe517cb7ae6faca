// `gazette candidate list`: what has been staged, and whether it was released.
#include <map>

#include "publisher/contract/contract.hpp"
#include "tools/gazette/commands.hpp"
#include "tools/gazette/common.hpp"
#include "tools/gazette/exit_codes.hpp"

namespace gazette::cli {

int cmd_candidate_list(const Invocation& inv) {
  const std::string& id = inv.args[0];
  if (!check_dataset_id(inv, id)) return kError;
  int code = kOk;
  auto store = open_store(inv, OpenMode::read, code);
  if (!store) return code;
  auto dataset = store->dataset(id);
  if (!dataset.ok()) return fail(inv, dataset.status());
  auto candidates = store->candidates(id);
  if (!candidates.ok()) return fail(inv, candidates.status());
  auto releases = store->releases(id);
  if (!releases.ok()) return fail(inv, releases.status());
  std::map<std::string, std::string> released_as;  // candidate id -> release id
  for (const auto& r : *releases) released_as.emplace(r.candidate, r.id);
  if (candidates->empty()) *inv.out << id << " has no candidates\n";
  for (const auto& c : *candidates) {
    // The contract it was staged under: a newer version proposed with it, else the dataset's then.
    int version = dataset->contract_version;
    if (!c.contract_json.empty())
      if (auto contract = parse_contract(c.contract_json, "contract of candidate " + c.id); contract.ok())
        version = contract->version;
    *inv.out << c.id << "  " << c.record_count << " records  from " << c.source << "  staged "
             << format_rfc3339(c.staged_at) << "  contract v" << version;
    if (auto it = released_as.find(c.id); it != released_as.end()) *inv.out << "  released as " << it->second;
    *inv.out << "\n";
  }
  return kOk;
}

}  // namespace gazette::cli
