#include "publisher/release/release.hpp"
#include "publisher/store/store.hpp"
#include "tools/gazette/commands.hpp"
#include "tools/gazette/common.hpp"

namespace gazette::cli {

int cmd_init(const Invocation& inv) {
  Status s = Store::init(inv.data_dir);
  if (!s.ok()) return fail(inv, s);
  *inv.out << "initialised an empty gazette store in " << inv.data_dir.string() << "\n";
  int code = kOk;
  auto store = open_store(inv, OpenMode::write, code);
  if (!store) return code;
  // The publisher's signing key, made and recorded with the store (kept if one is there).
  std::vector<std::string> notes;
  auto key = publisher_key(*store, "gazette", notes);
  if (!key.ok()) return fail(inv, key.status());
  *inv.out << "signing key " << key->id_hex() << " in " << signing_key_path(inv.data_dir).string() << "\n";
  return kOk;
}

}  // namespace gazette::cli
