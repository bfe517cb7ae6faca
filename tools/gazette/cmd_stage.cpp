#include <unistd.h>

#include <cstdio>

#include "publisher/common/file_io.hpp"
#include "publisher/release/release.hpp"
#include "tools/gazette/commands.hpp"
#include "tools/gazette/common.hpp"

namespace gazette::cli {

int cmd_stage(const Invocation& inv) {
  const std::string& id = inv.args[0];
  const std::filesystem::path file = inv.args[1];
  if (!check_dataset_id(inv, id)) return kError;
  StageOptions opts;
  if (inv.has("--format")) {
    auto f = parse_input_format(inv.get("--format"));
    if (!f.ok()) return fail(inv, f.status());
    opts.format = *f;
  } else {
    opts.format = guess_input_format(file);
  }
  if (inv.has("--contract")) {  // a new contract version, judged with the candidate
    auto text = read_small_file(inv.get("--contract"));
    if (!text.ok()) return fail(inv, text.status());
    opts.contract_json = std::move(*text);
    opts.contract_source = inv.get("--contract");
  }
  int code = kOk;
  auto store = open_store(inv, OpenMode::write, code);
  if (!store) return code;

  // Long imports show progress, but only to a person at a terminal.
  const bool tty = ::isatty(STDERR_FILENO) == 1;
  int last_percent = -1;
  if (tty) {
    opts.progress = [&](std::uint64_t done, std::uint64_t total) {
      int percent = total ? static_cast<int>(done * 100 / total) : 100;
      if (percent == last_percent) return;
      last_percent = percent;
      std::fprintf(stderr, "\rstaging %s: %3d%% (%s of %s)", file.filename().c_str(), percent,
                   human_bytes(done).c_str(), human_bytes(total).c_str());
      std::fflush(stderr);
    };
  }
  auto result = stage(*store, id, file, opts);
  if (tty && last_percent >= 0) std::fprintf(stderr, "\r\033[K");
  if (!result.ok()) return fail(inv, result.status());
  for (const auto& note : result->notes) *inv.err << "gazette: note: " << note << "\n";
  *inv.err << "staged " << result->candidate.record_count << " records from "
           << file.filename().string() << " (" << result->candidate.format << ")"
           << (result->already_staged ? "; the same content was staged before" : "") << "\n";
  *inv.out << result->candidate.id << "\n";
  return kOk;
}

}  // namespace gazette::cli
