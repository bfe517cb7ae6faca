// Shared by the libFuzzer targets: the input as a file the readers can open (a memfd, so no
// disk is touched per run), and the NaPTAN contract that the real data is read under.
#pragma once

#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>

#include "publisher/common/file_io.hpp"
#include "publisher/contract/contract.hpp"

namespace gazette::fuzz {

inline const Contract& naptan_contract() {
  static const Contract contract = [] {
    auto text = read_small_file(std::filesystem::path(GAZETTE_SOURCE_DIR) / "schemas/naptan-stops.contract.json");
    if (!text.ok()) std::abort();
    auto c = parse_contract(*text, "naptan-stops.contract.json");
    if (!c.ok()) std::abort();
    return *c;
  }();
  return contract;
}

// A path whose content is exactly `bytes`, valid until the next call.
inline std::filesystem::path as_file(const std::uint8_t* data, std::size_t size) {
  static const int fd = ::memfd_create("gazette-fuzz", 0);
  if (fd < 0) std::abort();
  if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, data, size, 0) != static_cast<ssize_t>(size)) std::abort();
  return "/proc/self/fd/" + std::to_string(fd);
}

}  // namespace gazette::fuzz
