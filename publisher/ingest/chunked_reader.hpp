// A file read in large chunks through read(2), for the streaming readers. Internal to ingest.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "publisher/common/status.hpp"

namespace gazette::ingest_detail {

class ChunkedReader {
 public:
  ChunkedReader() = default;
  ~ChunkedReader();
  ChunkedReader(const ChunkedReader&) = delete;
  ChunkedReader& operator=(const ChunkedReader&) = delete;

  Status open(const std::filesystem::path& path);
  // Appends up to `max` bytes to `out`; returns the number appended (0 at end of file).
  Result<std::size_t> read_into(std::string& out, std::size_t max = 1u << 20);
  std::uint64_t size() const { return size_; }
  std::uint64_t consumed() const { return consumed_; }

 private:
  int fd_ = -1;
  std::filesystem::path path_;
  std::uint64_t size_ = 0;
  std::uint64_t consumed_ = 0;
};

}  // namespace gazette::ingest_detail
