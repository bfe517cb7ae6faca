// Streaming gzip compression (zlib), for the precompressed copies of artefacts.
//
// Thread-safety: one GzipStream per thread.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "publisher/common/status.hpp"

namespace gazette {

class GzipStream {
 public:
  // `level` is zlib's 1 (fast) .. 9 (small). The output is deterministic for a given input,
  // level and zlib version (no file name or time in the header).
  explicit GzipStream(int level = 6);
  ~GzipStream();
  GzipStream(const GzipStream&) = delete;
  GzipStream& operator=(const GzipStream&) = delete;

  // Compresses `in`, appending compressed bytes to `out`.
  Status write(std::string_view in, std::string& out);
  // Flushes the rest and the gzip trailer into `out`.
  Status finish(std::string& out);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Decompresses a whole gzip member (tests, checks).
Result<std::string> gunzip(std::string_view in);

}  // namespace gazette
