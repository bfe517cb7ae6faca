#include "publisher/release/release.hpp"
#include "tools/gazette/commands.hpp"
#include "tools/gazette/common.hpp"

namespace gazette::cli {

int cmd_key_generate(const Invocation& inv) {
  int code = kOk;
  auto store = open_store(inv, OpenMode::write, code);
  if (!store) return code;
  auto known = store->signing_keys();
  if (!known.ok()) return fail(inv, known.status());
  // A store's key file that is missing is publisher_key's to refuse.
  const auto path = signing_key_path(inv.data_dir);
  if (!known->empty() && std::filesystem::exists(path))
    return fail(inv, Status::conflict(path.string() + ": the store has a signing key (" + known->back().id +
                                      "); gazette key rotate replaces it"));
  std::vector<std::string> notes;
  auto key = publisher_key(*store, "gazette", notes);
  if (!key.ok()) return fail(inv, key.status());
  *inv.out << "signing key " << key->id_hex() << " in " << signing_key_path(inv.data_dir).string()
           << " (owner-only; keep it out of backups others can read)\npublic key, for minisign -V -p:\n"
           << key->public_key_file();
  return kOk;
}

int cmd_key_rotate(const Invocation& inv) {
  int code = kOk;
  auto store = open_store(inv, OpenMode::write, code);
  if (!store) return code;
  std::vector<std::string> notes;
  auto rotation = rotate_signing_key(*store, "gazette", notes);
  if (!rotation.ok()) return fail(inv, rotation.status());
  for (const auto& n : notes) *inv.out << n << "\n";
  *inv.out << "signing key " << rotation->key.id_hex() << " replaces " << rotation->old_id
           << "; its public key, signed by the old one, is at /keys/" << rotation->key.id_hex() << ".pub.minisig\n"
           << "signed " << rotation->lists_signed << " release list" << (rotation->lists_signed == 1 ? "" : "s")
           << " again with it\npublic key, for minisign -V -p:\n"
           << rotation->key.public_key_file();
  return kOk;
}

}  // namespace gazette::cli
