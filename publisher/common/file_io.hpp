// Files: durable writes (temp name, write, fsync, rename, fsync the folder), whole small
// reads, and the seams that fault and crash tests use.
//
// Every file gazette publishes is written through DurableFile so that a crash at any instant
// leaves either no file or a complete one under its final name. Thread-safety: a DurableFile
// belongs to one thread; the fault seam is process-global and meant for single-threaded tests.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "publisher/common/status.hpp"

namespace gazette {

// Reads a whole (small) file: contracts, plans, notices. Errors name the path.
Result<std::string> read_small_file(const std::filesystem::path& path,
                                    std::size_t max_bytes = 16u << 20);

// The SHA-256 (hex) and size of a file, read a megabyte at a time.
struct FileDigest {
  std::string sha256;
  std::uint64_t bytes = 0;
};
Result<FileDigest> digest_file(const std::filesystem::path& path);

// Writes bytes to `final_path` durably and atomically.
Status write_file_durably(const std::filesystem::path& final_path, std::string_view bytes);

// fsync a directory so that a rename inside it survives power loss.
Status sync_directory(const std::filesystem::path& dir);

// A file written under a temporary name and moved into place by commit().
// Destroying an uncommitted DurableFile removes the temporary file.
class DurableFile {
 public:
  DurableFile() = default;
  ~DurableFile();
  DurableFile(const DurableFile&) = delete;
  DurableFile& operator=(const DurableFile&) = delete;

  // Creates `temp_path` (which must not exist) for writing.
  Status open(const std::filesystem::path& temp_path);
  Status write(std::string_view bytes);
  // fsync, close, rename to `final_path`, fsync its folder.
  Status commit(const std::filesystem::path& final_path);
  // Closes and deletes the temporary file.
  void abandon();
  std::uint64_t bytes_written() const { return written_; }
  const std::filesystem::path& temp_path() const { return temp_; }

 private:
  Status flush_buffer();
  int fd_ = -1;
  std::filesystem::path temp_;
  std::string buffer_;
  std::uint64_t written_ = 0;
};

// Fault seam: when armed with N > 0, the N-th write, fsync or rename from now fails with an
// io_error, as a full disk or a dying device would. Used by fault-loop tests.
void arm_io_fault(int nth_operation);
void disarm_io_fault();

// Crash seam: if the environment variable GAZETTE_CRASH_AT equals `name`, the process kills
// itself with SIGKILL here. Crash tests use it to stop `gazette release` at named points.
void crash_point(std::string_view name);

}  // namespace gazette
