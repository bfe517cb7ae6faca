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
  std::string name;  // "--owner"
  std::string value;  // placeholder, empty for a flag without a value
  bool repeatable = false;
};

struct CommandSpec {
  std::string name;                   // "dataset create"
  std::vector<std::string> args;      // positional placeholders, in order
  std::vector<OptionSpec> options;
  std::vector<std::string> required;  // options that must be given
  std::string summary;
  std::function<int(const Invocation&)> run;
};

const std::vector<OptionSpec> kServerOptions = {
    {"--listen", "HOST:PORT"},       {"--threads", "N"},         {"--max-connections", "N"},
    {"--max-connections-per-address", "N"}, {"--render-cache-mb", "MB"},
    {"--max-header-bytes", "BYTES"}, {"--request-timeout", "SECONDS"}, {"--no-access-log", ""},
    {"--public-url", "URL"},         {"--hub", "URL"},           {"--allow-private-callbacks", ""},
    {"--feed-page-size", "N"},       {"--delivery-retry", "SECONDS"}};

const std::vector<CommandSpec>& commands() {
  static const std::vector<CommandSpec> kCommands = {
      {"init", {}, {}, {}, "create an empty store in the data directory", cmd_init},
      {"dataset create", {"ID"}, {{"--contract", "FILE"}}, {"--contract"},
       "register a dataset and its contract", cmd_dataset_create},
      {"dataset list", {}, {}, {}, "list datasets", cmd_dataset_list},
      {"stage", {"ID", "FILE"}, {{"--format", "csv|naptan-xml|json"}, {"--contract", "FILE"}}, {},
       "validate a file and store it as a candidate; prints the candidate id", cmd_stage},
      {"verify", {"ID", "CAND"},
       {{"--plan", "FILE"}, {"--notice", "FILE", true}, {"--json", ""}},
       {},
       "judge a candidate against every release: exit 0, 3 (notice needed) or 4 (refused)",
       cmd_verify},
      {"notice add", {"ID", "FILE"}, {}, {}, "publish a notice to consumers", cmd_notice_add},
      {"release", {"ID", "CAND"},
       {{"--owner", "NAME"}, {"--plan", "FILE"}, {"--notice", "FILE", true}, {"--published-at", "ISO8601"}},
       {"--owner"},
       "publish a candidate as a dated, immutable release",
       cmd_release},
      {"diff", {"ID"},
       {{"--from", "REL"}, {"--to", "REL"}, {"--candidate", "CAND"}, {"--json", ""}},
       {},
       "what changed between two releases, or a release and a candidate",
       cmd_diff},
      {"rollback", {"ID"},
       {{"--to", "REL"}, {"--owner", "NAME"}, {"--reason", "TEXT"}, {"--published-at", "ISO8601"},
        {"--plan", "FILE"}, {"--notice", "FILE"}},
       {"--to", "--owner", "--reason"},
       "publish a new release equal to an old one",
       cmd_rollback},
      {"history", {"ID"}, {}, {}, "list a dataset's releases", cmd_history},
      {"fsck", {"ID"}, {{"--repair", ""}}, {},
       "check every artefact against its manifest, the record counts and the ledger; --repair removes "
       "files no release references",
       cmd_fsck},
      {"record", {"ID", "KEY"}, {}, {}, "one record now, and every version of it", cmd_record},
      {"as-of", {"ID", "ISO8601"}, {}, {}, "the release current at an instant", cmd_as_of},
      {"export", {"ID"}, {{"--to", "DIR"}, {"--public-url", "URL"}, {"--feed-page-size", "N"}}, {"--to"},
       "write the public tree and an nginx server block, to serve it as the origin does", cmd_export},
      {"serve", {}, kServerOptions, {}, "serve the store over HTTP until SIGINT/SIGTERM", cmd_serve},
      {"demo", {}, kServerOptions, {},
       "build a store from the bundled NaPTAN excerpt, cut its releases, then serve it",
       cmd_demo},
  };
  return kCommands;
}

std::string usage_line(const CommandSpec& c) {
  std::string s = "gazette " + c.name;
  for (const auto& a : c.args) s += " " + a;
  for (const auto& o : c.options) {
    bool req = std::find(c.required.begin(), c.required.end(), o.name) != c.required.end();
    std::string part = o.name + (o.value.empty() ? "" : " " + o.value);
    s += req ? " " + part : " [" + part + "]";
  }
  return s;
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
    << "Exit status: 0 ok, 1 error, 2 usage, 3 notice required, 4 refused as breaking.\n";
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

  // Pull out the global --data wherever it stands.
  std::vector<std::string> rest;
  for (std::size_t i = 0; i < argv.size(); ++i) {
    if (argv[i] == "--data") {
      if (i + 1 >= argv.size()) return usage_error(err, "--data needs a directory", nullptr);
      inv.data_dir = argv[++i];
    } else if (argv[i].rfind("--data=", 0) == 0) {
      inv.data_dir = argv[i].substr(7);
    } else if (argv[i] == "--help" || argv[i] == "-h" || argv[i] == "help") {
      out << usage();
      return kOk;
    } else {
      rest.push_back(argv[i]);
    }
  }
  if (rest.empty()) return usage_error(err, "no command given", nullptr);

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
  if (cmd == nullptr) return usage_error(err, "unknown command '" + rest[0] + "'", nullptr);

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
