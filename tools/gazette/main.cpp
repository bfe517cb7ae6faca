// gazette: the admin tool. Everything lives in the shared library; this only adapts argv.
#include <iostream>
#include <string>
#include <vector>

#include "tools/gazette/cli.hpp"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  return gazette::cli::run(args, std::cout, std::cerr);
}
