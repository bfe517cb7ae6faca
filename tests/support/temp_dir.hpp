// Test support: a fresh temporary directory, removed when the test ends; paths to fixtures.
#pragma once

#include <filesystem>
#include <string>

namespace gazette::testing {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

// Writes `text` to `path` (creating folders) and returns the path.
std::filesystem::path write_text(const std::filesystem::path& path, const std::string& text);
std::string read_text(const std::filesystem::path& path);

// The repository's root, for fixtures (data/, schemas/).
std::filesystem::path source_dir();
std::filesystem::path naptan_dir();          // data/naptan
std::filesystem::path naptan_contract();     // schemas/naptan-stops.contract.json

}  // namespace gazette::testing
