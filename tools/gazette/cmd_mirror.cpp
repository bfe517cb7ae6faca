// gazette mirror: the consumer's command, meant for cron. Its output is for a person reading
// a cron mail: one line of what happened, one per notice that touches the copy; a line on
// stderr and exit 3 when a new major version arrived, so a script can stop for a person.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>

#include "publisher/common/file_io.hpp"
#include "publisher/mirror/mirror.hpp"
#include "tools/gazette/commands.hpp"
#include "tools/gazette/common.hpp"

namespace gazette::cli {

namespace {

// A progress line on a terminal, rewritten in place a few times a second; nothing elsewhere
// (cron mails and logs want the outcome, not the way there). Only our own numbers and names
// checked as identifiers reach it.
class ProgressLine {
 public:
  ProgressLine() : on_(::isatty(STDERR_FILENO) == 1) {}
  ~ProgressLine() { clear(); }
  void show(std::string_view what, std::uint64_t done, std::uint64_t total) {
    if (!on_) return;
    const auto now = std::chrono::steady_clock::now();
    if (now - last_ < std::chrono::milliseconds(200) && done != total) return;
    last_ = now;
    std::string line = "\r" + std::string(what.substr(0, 60)) + ": " + human_bytes(done);
    if (total) line += " of " + human_bytes(total) + " (" + std::to_string(done * 100 / total) + "%)";
    for (char& c : line)
      if (static_cast<unsigned char>(c) < 0x20 && c != '\r') c = '?';
    line += "\x1b[K";
    (void)!::write(STDERR_FILENO, line.data(), line.size());
    shown_ = true;
  }
  void clear() {
    if (shown_) (void)!::write(STDERR_FILENO, "\r\x1b[K", 4);
    shown_ = false;
  }

 private:
  bool on_;
  bool shown_ = false;
  std::chrono::steady_clock::time_point last_{};
};

}  // namespace

int cmd_mirror(const Invocation& inv) {
  MirrorOptions o;
  if (inv.has("--area")) o.area = inv.get("--area");
  o.source = inv.args[0];
  o.dataset = inv.args[1];
  if (!check_dataset_id(inv, o.dataset)) return kUsage;
  o.dir = inv.get("--into");
  o.keep_csv = inv.has("--csv");
  if (inv.has("--max-version")) {
    long major = 0;
    if (!positive_option(inv, "--max-version", major)) return kUsage;
    o.max_major = static_cast<int>(major);
  }
  if (inv.has("--key")) {
    const std::string given = inv.get("--key");
    std::error_code ec;
    if (std::filesystem::is_regular_file(given, ec)) {
      auto text = read_small_file(given, 4096);
      if (!text.ok()) return fail(inv, text.status());
      o.key = *text;
    } else {
      o.key = given;
    }
  }
  ProgressLine progress;
  o.progress = [&](std::string_view what, std::uint64_t done, std::uint64_t total) { progress.show(what, done, total); };
  o.note = [&](const std::string& line) {
    progress.clear();
    *inv.err << "gazette mirror: " << line << "\n";
  };
  auto outcome = run_mirror(o);
  progress.clear();
  if (!outcome.ok()) return fail(inv, outcome.status());

  const auto& r = *outcome;
  const std::string name = o.area.empty() ? o.dataset : o.dataset + "-" + o.area;
  const std::string copy = (o.dir / (name + ".sqlite")).string();
  if (!r.updated) {
    *inv.out << o.dataset << ": " << copy << " is release " << r.release << " (version " << r.version
             << "), the newest" << (r.held_back.empty() ? "" : " of major " + std::to_string(*o.max_major)) << "\n";
  } else if (r.from_release.empty()) {
    *inv.out << o.dataset << ": " << copy << " is release " << r.release << " (version " << r.version << "), from "
             << r.method << "; " << human_bytes(r.bytes_received) << " received; proven against the signed manifest\n";
  } else {
    *inv.out << o.dataset << ": " << copy << " went from release " << r.from_release << " (" << r.from_version
             << ") to " << r.release << " (" << r.version << ") by " << r.method << ": " << r.changes_applied
             << " change" << (r.changes_applied == 1 ? "" : "s") << ", " << human_bytes(r.bytes_received)
             << " received; proven against the signed manifest\n";
  }
  if (!r.held_back.empty())
    *inv.out << o.dataset << ": held at major version " << *o.max_major << " (--max-version); release " << r.held_back
             << " (version " << r.held_back_version << ") is newer\n";
  for (const auto& n : r.notices)
    *inv.out << "notice " << n.kind << " " << n.id
             << (n.effective_at.empty() ? std::string() : " (effective " + n.effective_at + ")") << ": " << n.title
             << " <" << n.url << ">\n";
  if (r.new_major) {
    *inv.err << "gazette mirror: " << o.dataset << " is now version " << r.version << ", a new major version (was "
             << r.from_version << "): a definition changed. Read the release's plan and notices before relying on it\n";
    return kNewMajorVersion;
  }
  return kOk;
}

}  // namespace gazette::cli
