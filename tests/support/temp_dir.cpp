#include "tests/support/temp_dir.hpp"

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace gazette::testing {

TempDir::TempDir() {
  std::string templ = (std::filesystem::temp_directory_path() / "gazette-test-XXXXXX").string();
  if (::mkdtemp(templ.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = templ;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::filesystem::path write_text(const std::filesystem::path& path, const std::string& text) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream f(path, std::ios::binary);
  f << text;
  return path;
}

std::string read_text(const std::filesystem::path& path) {
  std::ifstream f(path, std::ios::binary);
  std::ostringstream s;
  s << f.rdbuf();
  return s.str();
}

std::filesystem::path source_dir() { return GAZETTE_SOURCE_DIR; }
std::filesystem::path naptan_dir() { return source_dir() / "data" / "naptan"; }
std::filesystem::path naptan_contract() {
  return source_dir() / "schemas" / "naptan-stops.contract.json";
}

}  // namespace gazette::testing
