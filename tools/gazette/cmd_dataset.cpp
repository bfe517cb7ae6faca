#include "publisher/common/file_io.hpp"
#include "publisher/contract/contract.hpp"
#include "tools/gazette/commands.hpp"
#include "tools/gazette/common.hpp"

namespace gazette::cli {

int cmd_dataset_create(const Invocation& inv) {
  const std::string& id = inv.args[0];
  if (!check_dataset_id(inv, id)) return kError;
  if (id == "all")  // /feeds/all.atom is every dataset's feed
    return fail(inv, Status::invalid_input("'all' is reserved for the feed of every dataset; choose another id"));
  const std::string file = inv.get("--contract");
  auto text = read_small_file(file);
  if (!text.ok()) return fail(inv, text.status());
  auto contract = parse_contract(*text, file);
  if (!contract.ok()) return fail(inv, contract.status());
  if (contract->dataset_id != id)
    return fail(inv, Status::invalid_input(file + ": $.dataset: the contract is for '" +
                                           contract->dataset_id + "', not '" + id + "'"));
  int code = kOk;
  auto store = open_store(inv, OpenMode::write, code);
  if (!store) return code;
  DatasetInfo info;
  info.id = id;
  info.title = contract->title;
  info.contract_version = contract->version;
  info.contract_json = contract->canonical_json;
  info.created_at = now_utc();
  Status s = store->create_dataset(info, "gazette");
  if (!s.ok()) return fail(inv, s);
  *inv.out << "created dataset " << id << " (contract v" << contract->version << ", "
           << contract->columns.size() << " columns, key " << contract->key.front() << ")\n";
  return kOk;
}

int cmd_dataset_list(const Invocation& inv) {
  int code = kOk;
  auto store = open_store(inv, OpenMode::read, code);
  if (!store) return code;
  auto all = store->list_datasets();
  if (!all.ok()) return fail(inv, all.status());
  if (all->empty()) *inv.out << "no datasets yet (gazette dataset create ID --contract FILE)\n";
  for (const auto& d : *all) {
    auto rels = store->releases(d.id);
    if (!rels.ok()) return fail(inv, rels.status());
    *inv.out << d.id << "\tcontract v" << d.contract_version << "\t" << rels->size()
             << " release(s)\t" << (rels->empty() ? "-" : rels->back().id) << "\t" << d.title
             << "\n";
  }
  return kOk;
}

}  // namespace gazette::cli
