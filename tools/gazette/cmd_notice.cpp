// `gazette notice add` and `gazette notice list`: the notices a dataset's consumers are given.
#include "publisher/common/file_io.hpp"
#include "publisher/release/release.hpp"
#include "tools/gazette/commands.hpp"
#include "tools/gazette/common.hpp"
#include "tools/gazette/exit_codes.hpp"

namespace gazette::cli {

int cmd_notice_add(const Invocation& inv) {
  const std::string& id = inv.args[0];
  if (!check_dataset_id(inv, id)) return kError;
  int code = kOk;
  auto store = open_store(inv, OpenMode::write, code);
  if (!store) return code;
  auto contract = load_contract(*store, id);
  if (!contract.ok()) return fail(inv, contract.status());
  auto text = read_small_file(inv.args[1]);
  if (!text.ok()) return fail(inv, text.status());
  auto n = parse_notice(*text, inv.args[1], *contract);
  if (!n.ok()) return fail(inv, n.status());
  Store::StoredNotice sn{n->id, to_string(n->kind), n->json, "", now_utc()};
  if (Status checked = check_notice(*store, id, *n, sn.published_at); !checked.ok())
    return fail(inv, checked.with_context(inv.args[1]));
  Status s = store->put_notice(id, sn, "gazette");
  if (!s.ok()) return fail(inv, s);
  *inv.out << "published notice " << n->id << " (" << to_string(n->kind) << ") for " << id << "\n";
  return kOk;
}

int cmd_notice_list(const Invocation& inv) {
  const std::string& id = inv.args[0];
  if (!check_dataset_id(inv, id)) return kError;
  int code = kOk;
  auto store = open_store(inv, OpenMode::read, code);
  if (!store) return code;
  auto notices = store->notices(id);
  if (!notices.ok()) return fail(inv, notices.status());
  if (notices->empty()) *inv.out << id << " has no notices\n";
  const UnixSeconds now = now_utc();
  for (const auto& stored : *notices) {
    auto n = read_published_notice(stored.json, "notice " + stored.id + " of " + id);
    if (!n.ok()) return fail(inv, n.status());
    *inv.out << stored.id << "  " << to_string(n->kind) << "  published " << format_rfc3339(stored.published_at);
    if (!stored.release.empty()) *inv.out << " with release " << stored.release;
    if (n->effective_at)
      *inv.out << (*n->effective_at > now ? "  effective " : "  in effect since ") << format_rfc3339(*n->effective_at);
    *inv.out << "\n  " << n->title << "\n";
  }
  return kOk;
}

}  // namespace gazette::cli
