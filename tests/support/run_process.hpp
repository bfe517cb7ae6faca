// Test support: run a program, wait for it, and collect its exit status and output.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace gazette::testing {

struct ProcessResult {
  int exit_code = -1;  // -1 when killed by a signal
  int signal = 0;
  long max_rss_kb = 0;  // peak resident memory of the child
  std::string out, err;
};

// Starts `argv` (argv[0] is a path) with extra environment variables, stdin /dev/null, and
// stdout and stderr on pipes whose read ends are returned. Returns the child's pid.
int spawn(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env,
          int& out_fd, int& err_fd);

// Runs `argv` (argv[0] is a path) with extra environment variables; stdin is /dev/null.
ProcessResult run_process(const std::vector<std::string>& argv,
                          const std::map<std::string, std::string>& env = {});

}  // namespace gazette::testing
