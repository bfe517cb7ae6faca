#include "publisher/store/store.hpp"
#include "tools/gazette/commands.hpp"

namespace gazette::cli {

int cmd_init(const Invocation& inv) {
  Status s = Store::init(inv.data_dir);
  if (!s.ok()) return fail(inv, s);
  *inv.out << "initialised an empty gazette store in " << inv.data_dir.string() << "\n";
  return kOk;
}

}  // namespace gazette::cli
