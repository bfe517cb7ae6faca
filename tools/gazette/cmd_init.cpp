#include "publisher/signing/signing.hpp"
#include "publisher/store/store.hpp"
#include "tools/gazette/commands.hpp"

namespace gazette::cli {

int cmd_init(const Invocation& inv) {
  Status s = Store::init(inv.data_dir);
  if (!s.ok()) return fail(inv, s);
  *inv.out << "initialised an empty gazette store in " << inv.data_dir.string() << "\n";
  // The publisher's signing key, unless the store already has one (init run again).
  if (!std::filesystem::exists(signing_key_path(inv.data_dir))) {
    auto key = create_signing_key(inv.data_dir);
    if (!key.ok()) return fail(inv, key.status());
    *inv.out << "signing key " << key->id_hex() << " in " << signing_key_path(inv.data_dir).string() << "\n";
  }
  return kOk;
}

}  // namespace gazette::cli
