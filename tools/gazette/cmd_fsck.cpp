#include "publisher/release/release.hpp"
#include "tools/gazette/commands.hpp"
#include "tools/gazette/common.hpp"

namespace gazette::cli {

// Problems go to stdout, one per line, so that a script can count or grep them; the summary
// follows; the exit status is 1 when there is any problem.
int cmd_fsck(const Invocation& inv) {
  const std::string& id = inv.args[0];
  if (!check_dataset_id(inv, id)) return kError;
  FsckOptions options;
  options.repair = inv.has("--repair");
  int code = kOk;
  auto store = open_store(inv, options.repair ? OpenMode::write : OpenMode::read, code);
  if (!store) return code;
  auto report = fsck(*store, id, options);
  if (!report.ok()) return fail(inv, report.status());
  for (const auto& p : report->problems) *inv.out << p << "\n";
  if (report->signed_now > 0) *inv.out << "signed " << report->signed_now << " document(s) that were unsigned or stale\n";
  for (const auto& f : report->removed)
    *inv.out << "removed " << std::filesystem::relative(f, inv.data_dir).string() << " (no release references it)\n";
  *inv.out << "fsck " << id << ": " << report->releases << " releases, " << report->artefacts << " artefacts ("
           << report->rendered << " rendered again), " << report->records << " records, " << report->bytes
           << " bytes of files checked; " << report->problems.size()
           << (report->problems.size() == 1 ? " problem" : " problems") << "\n";
  return report->problems.empty() ? kOk : kError;
}

}  // namespace gazette::cli
