#include "tools/gazette/cli.hpp"
#include "tools/gazette/terminal_stream.hpp"

#include <algorithm>
#include <cstdlib>
#include <functional>
#include <set>
#include <sstream>

#include "tools/gazette/commands.hpp"

namespace gazette::cli {

namespace {

struct OptionSpec {
  std::string name;   // "--owner"
  std::string value;  // placeholder, empty for a flag without a value
  std::string help;   // what it does, for `gazette help COMMAND`
  bool repeatable = false;
};

struct CommandSpec {
  std::string name;                   // "dataset create"
  std::vector<std::string> args;      // positional placeholders, in order
  std::vector<OptionSpec> options;
  std::vector<std::string> required;  // options that must be given
  std::string summary;
  std::function<int(const Invocation&)> run;
  std::string example;                // one command line a maintainer would type
};

const OptionSpec kNotice = {"--notice", "FILE", "a notice to publish with it (JSON; may be given again)", true};
const OptionSpec kPlan = {"--plan", "FILE", "the reviewed plan of a backfill (JSON)"};
const OptionSpec kPublishedAt = {"--published-at", "ISO8601",
                                 "its publication time, for loading a back catalogue (default: now)"};

const std::vector<OptionSpec> kServerOptions = {
    {"--listen", "HOST:PORT", "where to listen (default 127.0.0.1:8080)"},
    {"--threads", "N", "I/O threads (default: one per core)"},
    {"--max-connections", "N", "open connections at most; the idlest is closed for a new one"},
    {"--max-connections-per-address", "N", "open connections from one client address at most"},
    {"--render-cache-mb", "MB", "disk kept for evicted artefacts rendered again"},
    {"--max-header-bytes", "BYTES", "the largest request header accepted"},
    {"--request-timeout", "SECONDS", "time to receive a whole request"},
    {"--no-access-log", "", "no line per request on stderr"},
    {"--public-url", "URL", "how consumers reach this server, for the links in feeds"},
    {"--hub", "URL", "advertise and ping this WebSub hub instead of running one"},
    {"--allow-private-callbacks", "", "let WebSub subscribers use private addresses (tests)"},
    {"--feed-page-size", "N", "feed entries per page (default 50)"},
    {"--delivery-retry", "SECONDS", "the first wait before a failed WebSub delivery is tried again"}};

const std::vector<CommandSpec>& commands() {
  static const std::vector<CommandSpec> kCommands = {
      {"init", {}, {}, {}, "create an empty store in the data directory", cmd_init, "gazette --data /srv/gazette init"},
      {"key generate", {}, {}, {},
       "make the publisher's Ed25519 signing key (init makes one; a store keeps one)", cmd_key_generate,
       "gazette key generate"},
      {"key rotate", {}, {}, {},
       "replace the signing key: the new public key is signed by the old, release lists signed again",
       cmd_key_rotate, "gazette key rotate"},
      {"dataset create", {"ID"}, {{"--contract", "FILE", "the dataset's contract (JSON)"}}, {"--contract"},
       "register a dataset and its contract", cmd_dataset_create,
       "gazette dataset create naptan-stops --contract schemas/naptan-stops.contract.json"},
      {"dataset list", {}, {}, {}, "list datasets", cmd_dataset_list, "gazette dataset list"},
      {"stage", {"ID", "FILE"},
       {{"--format", "csv|naptan-xml|json", "the file's format (default: from its name)"},
        {"--contract", "FILE", "a new contract version to stage it under"}},
       {}, "validate a file and store it as a candidate; prints the candidate id", cmd_stage,
       "gazette stage naptan-stops Stops.csv"},
      {"candidate list", {"ID"}, {}, {}, "list staged candidates: id, records, source, time, contract version",
       cmd_candidate_list, "gazette candidate list naptan-stops"},
      {"verify", {"ID", "CAND"}, {kPlan, kNotice, {"--json", "", "print the report as JSON"}}, {},
       "judge a candidate against every release: exit 0, 3 (notice needed) or 4 (refused)", cmd_verify,
       "gazette verify naptan-stops 3f9c --notice notes-withdrawn.json"},
      {"notice add", {"ID", "FILE"}, {}, {}, "publish a notice to consumers", cmd_notice_add,
       "gazette notice add naptan-stops notes-withdrawn.json"},
      {"notice list", {"ID"}, {}, {}, "list a dataset's notices: kind, publication, effective time",
       cmd_notice_list, "gazette notice list naptan-stops"},
      {"release", {"ID", "CAND"},
       {{"--owner", "NAME", "who publishes it (kept in the release and the ledger)"}, kPlan, kNotice, kPublishedAt},
       {"--owner"}, "publish a candidate as a dated, immutable release", cmd_release,
       "gazette release naptan-stops 3f9c --owner alice"},
      {"diff", {"ID"},
       {{"--from", "REL", "the older side (default: the parent of --to, or the newest for --candidate)"},
        {"--to", "REL", "the newer side (default: the newest release)"},
        {"--candidate", "CAND", "compare with a staged candidate instead of a release"},
        {"--json", "", "print the whole changeset as JSON"}},
       {}, "what changed between two releases, or a release and a candidate", cmd_diff,
       "gazette diff naptan-stops --from 2024-10-13 --to 2024-10-24"},
      {"rollback", {"ID"},
       {{"--to", "REL", "the release whose records to publish again"},
        {"--owner", "NAME", "who publishes the rollback"},
        {"--reason", "TEXT", "why, for the ledger and the feed"},
        kPublishedAt, kPlan, {"--notice", "FILE", "a notice to publish with it (JSON)"}},
       {"--to", "--owner", "--reason"}, "publish a new release equal to an old one", cmd_rollback,
       "gazette rollback naptan-stops --to 2024-10-13 --owner alice --reason \"bad import\""},
      {"history", {"ID"}, {}, {}, "list a dataset's releases", cmd_history, "gazette history naptan-stops"},
      {"fsck", {"ID"}, {{"--repair", "", "remove files no release references"}}, {},
       "check every artefact against its manifest, the record counts and the ledger; --repair removes "
       "files no release references",
       cmd_fsck, "gazette fsck naptan-stops"},
      {"record", {"ID", "KEY"}, {}, {}, "one record now, and every version of it", cmd_record,
       "gazette record naptan-stops 0100053316"},
      {"as-of", {"ID", "ISO8601"}, {}, {}, "the release current at an instant", cmd_as_of,
       "gazette as-of naptan-stops 2025-01-01T00:00:00Z"},
      {"export", {"ID"},
       {{"--to", "DIR", "where to write the tree (and DIR/nginx.conf)"},
        {"--public-url", "URL", "how consumers will reach it, for the links in feeds"},
        {"--feed-page-size", "N", "feed entries per page (default 50)"}},
       {"--to"}, "write the public tree and an nginx server block, to serve it as the origin does", cmd_export,
       "gazette export naptan-stops --to /srv/www --public-url https://stops.example.org"},
      {"mirror", {"URL", "ID"},
       {{"--into", "DIR", "where the copy lives: DIR/ID.sqlite (and DIR/ID.csv with --csv)"},
        {"--key", "PUBKEY", "the publisher's minisign public key (file or base64); default: pinned on first use"},
        {"--csv", "", "keep the release's CSV beside the table"},
        {"--area", "CODE", "one area of the dataset only: DIR/ID-CODE.sqlite (and .csv)"},
        {"--max-version", "MAJOR", "stay at this major version"}},
       {"--into"},
       "keep a verified copy of a dataset's newest release (exit 3: a new major version arrived)", cmd_mirror,
       "gazette mirror https://stops.example.org naptan-stops --into /srv/stops --max-version 2"},
      {"serve", {}, kServerOptions, {}, "serve the store over HTTP until SIGINT/SIGTERM", cmd_serve,
       "gazette serve --listen 0.0.0.0:8080 --public-url https://stops.example.org"},
      {"demo", {}, kServerOptions, {},
       "build a store from the bundled NaPTAN excerpt, cut its releases, then serve it", cmd_demo,
       "gazette --data /tmp/demo demo"},
  };
  return kCommands;
}

std::string usage_line(const CommandSpec& c) {
  std::string s = "gazette " + c.name;
  for (const auto& a : c.args) s += " " + a;
  for (const auto& o : c.options) {
    bool req = std::find(c.required.begin(), c.required.end(), o.name) != c.required.end();
    std::string part = o.name + (o.value.empty() ? "" : " " + o.value);
    s += req ? " " + part : " [" + part + "]" + (o.repeatable ? "..." : "");
  }
  return s;
}

// `gazette help COMMAND`: its synopsis, what it does, each option, and an example.
std::string command_help(const CommandSpec& c) {
  std::ostringstream h;
  h << "usage: " << usage_line(c) << "\n\n" << c.summary << "\n";
  if (!c.options.empty()) {
    h << "\noptions:\n";
    for (const auto& o : c.options) {
      std::string left = o.name + (o.value.empty() ? "" : " " + o.value);
      h << "  " << left << std::string(left.size() < 32 ? 32 - left.size() : 1, ' ') << o.help;
      if (std::find(c.required.begin(), c.required.end(), o.name) != c.required.end()) h << " (required)";
      h << "\n";
    }
  }
  h << "\nexample:\n  " << c.example << "\n";
  return h.str();
}

std::string usage() {
  std::ostringstream u;
  u << "usage: gazette [--data DIR] COMMAND ...\n\n";
  for (const auto& c : commands()) {
    std::string line = usage_line(c);
    u << "  " << line;
    if (line.size() < 62) u << std::string(62 - line.size(), ' ');
    else u << "\n  " << std::string(62, ' ');
    u << "  " << c.summary << "\n";
  }
  u << "\n--data DIR defaults to $GAZETTE_DATA, else ./gazette-data.\n"
    << "Exit status: 0 ok, 1 error, 2 usage, 3 notice required (mirror: a new major version), 4 refused as breaking.\n"
    << "gazette help COMMAND (or COMMAND --help): that command's options and an example.\n";
  return u.str();
}

int usage_error(std::ostream& err, const std::string& what, const CommandSpec* c) {
  err << "gazette: " << what << "\n";
  if (c) err << "usage: " << usage_line(*c) << "\n";
  else err << usage();
  return kUsage;
}

}  // namespace

int fail(const Invocation& inv, const Status& s) {
  *inv.err << "gazette: " << s.message() << "\n";
  return kError;
}

namespace {

int run_command(const std::vector<std::string>& argv, std::ostream& out, std::ostream& err) {
  Invocation inv;
  inv.out = &out;
  inv.err = &err;
  const char* env = std::getenv("GAZETTE_DATA");
  inv.data_dir = env && *env ? env : "gazette-data";

  // Pull out the global --data (and a request for help) wherever it stands.
  std::vector<std::string> rest;
  bool help = false;
  for (std::size_t i = 0; i < argv.size(); ++i) {
    if (argv[i] == "--data") {
      if (i + 1 >= argv.size()) return usage_error(err, "--data needs a directory", nullptr);
      inv.data_dir = argv[++i];
    } else if (argv[i].rfind("--data=", 0) == 0) {
      inv.data_dir = argv[i].substr(7);
    } else if (argv[i] == "--help" || argv[i] == "-h") {
      help = true;
    } else {
      rest.push_back(argv[i]);
    }
  }
  if (!rest.empty() && rest[0] == "help") {
    help = true;
    rest.erase(rest.begin());
  }
  if (rest.empty()) {
    if (!help) return usage_error(err, "no command given", nullptr);
    out << usage();
    return kOk;
  }

  // Longest command name that matches the leading words.
  const CommandSpec* cmd = nullptr;
  std::size_t used = 0;
  for (const auto& c : commands()) {
    std::istringstream words(c.name);
    std::string w;
    std::size_t n = 0;
    bool match = true;
    while (words >> w) {
      if (n >= rest.size() || rest[n] != w) {
        match = false;
        break;
      }
      ++n;
    }
    if (match && n > used) {
      cmd = &c;
      used = n;
    }
  }
  if (cmd == nullptr) {
    // The first word of commands that have several ("notice" of "notice add", "notice list").
    std::vector<const CommandSpec*> begun;
    for (const auto& c : commands())
      if (c.name.rfind(rest[0] + " ", 0) == 0) begun.push_back(&c);
    if (begun.empty()) return usage_error(err, "unknown command '" + rest[0] + "'", nullptr);
    std::string names;
    for (const auto* c : begun) names += (names.empty() ? "" : ", ") + c->name;
    std::ostream& to = help ? out : err;
    if (!help) to << "gazette: '" << rest[0] << "' needs a subcommand: " << names << "\n";
    for (const auto* c : begun) to << "usage: " << usage_line(*c) << "\n";
    return help ? kOk : kUsage;
  }
  if (help) {
    out << command_help(*cmd);
    return kOk;
  }

  for (std::size_t i = used; i < rest.size(); ++i) {
    const std::string& a = rest[i];
    if (a.size() > 2 && a.rfind("--", 0) == 0) {
      std::string name = a, value;
      bool inline_value = false;
      if (auto eq = a.find('='); eq != std::string::npos) {
        name = a.substr(0, eq);
        value = a.substr(eq + 1);
        inline_value = true;
      }
      auto spec = std::find_if(cmd->options.begin(), cmd->options.end(),
                               [&](const OptionSpec& o) { return o.name == name; });
      if (spec == cmd->options.end()) return usage_error(err, "unknown option " + name, cmd);
      if (!spec->value.empty() && !inline_value) {
        if (i + 1 >= rest.size()) return usage_error(err, name + " needs a value", cmd);
        value = rest[++i];
      }
      auto& slot = inv.options[name];
      if (!slot.empty() && !spec->repeatable)
        return usage_error(err, name + " given more than once", cmd);
      slot.push_back(value);
    } else {
      inv.args.push_back(a);
    }
  }
  if (inv.args.size() != cmd->args.size())
    return usage_error(err, "expected " + std::to_string(cmd->args.size()) +
                                " argument(s), got " + std::to_string(inv.args.size()),
                       cmd);
  for (const auto& r : cmd->required)
    if (!inv.has(r)) return usage_error(err, "missing " + r, cmd);
  return cmd->run(inv);
}

}  // namespace

int run(const std::vector<std::string>& argv, std::ostream& out, std::ostream& err) {
  TerminalSafeBuf safe_out(out), safe_err(err);
  std::ostream escaped_out(&safe_out), escaped_err(&safe_err);
  const int code = run_command(argv, escaped_out, escaped_err);
  escaped_out.flush();
  escaped_err.flush();
  return code;
}

}  // namespace gazette::cli
