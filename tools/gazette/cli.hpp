// The admin tool's command line: one table of subcommands drives parsing, usage text and
// exit status 2, so every subcommand is declared once and checked the same way.
//
// Exit statuses (README, "The admin tool"): 0 success; 1 error (bad input, I/O); 2 usage; 3 a notice is
// required; 4 refused as breaking. Only this layer maps Status to exit codes.
#pragma once

#include <filesystem>
#include <map>
#include <ostream>
#include <string>
#include <vector>

#include "publisher/common/status.hpp"

namespace gazette::cli {

// kNewMajorVersion: `mirror` brought a copy to a new major version (a person should look).
enum ExitCode : int { kOk = 0, kError = 1, kUsage = 2, kNoticeRequired = 3, kNewMajorVersion = 3, kBreaking = 4 };

// What a subcommand receives: its positional arguments and options, already checked against
// its declaration, plus the data directory and the streams to write to.
struct Invocation {
  std::vector<std::string> args;
  std::map<std::string, std::vector<std::string>> options;  // "--owner" -> {"alice"}
  std::filesystem::path data_dir;
  std::ostream* out;
  std::ostream* err;

  bool has(const std::string& opt) const { return options.count(opt) != 0; }
  std::string get(const std::string& opt, const std::string& fallback = "") const {
    auto it = options.find(opt);
    return it == options.end() || it->second.empty() ? fallback : it->second.back();
  }
};

// Prints `s` as one line on stderr ("gazette: ...") and returns the exit code for it.
int fail(const Invocation& inv, const Status& s);

// Runs the admin tool with argv-style arguments (without the program name).
int run(const std::vector<std::string>& argv, std::ostream& out, std::ostream& err);

}  // namespace gazette::cli
