#include "publisher/signing/signing.hpp"
#include "tools/gazette/commands.hpp"

namespace gazette::cli {

int cmd_key_generate(const Invocation& inv) {
  auto key = create_signing_key(inv.data_dir);
  if (!key.ok()) return fail(inv, key.status());
  *inv.out << "created signing key " << key->id_hex() << " in " << signing_key_path(inv.data_dir).string()
           << " (owner-only; keep it out of backups others can read)\npublic key, for minisign -V -p:\n"
           << key->public_key_file();
  return kOk;
}

}  // namespace gazette::cli
