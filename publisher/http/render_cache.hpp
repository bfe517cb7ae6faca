// Evicted artefacts rendered again are kept on disk, in DIR/cache/, named by their SHA-256 and
// checked against it before they are kept, so that the next download or range of them costs
// what a file costs: no rendering, no memory beyond a chunk. The least recently served files
// go first when the cache outgrows its budget. The cache is the server's own: deleting it at
// any time loses nothing.
//
// Thread-safety: every method may be called from any thread.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "publisher/common/sha256.hpp"
#include "publisher/common/status.hpp"

namespace gazette::http {

class RenderCache {
 public:
  RenderCache(std::filesystem::path dir, std::uint64_t budget_bytes);

  // The kept file for `sha256`, marked as just used; nullopt when there is none.
  std::optional<std::filesystem::path> find(const std::string& sha256);

  // A rendering on its way into the cache: bytes are appended as they are sent, and kept only
  // if they hash to the expected SHA-256. Abandoned (its temporary file removed) if destroyed
  // before keep().
  class Entry {
   public:
    ~Entry();
    Status append(std::string_view bytes);
    // Keeps the file if its bytes hash to `sha256`; returns whether they did.
    bool keep(const std::string& sha256);

   private:
    friend class RenderCache;
    Entry(RenderCache& cache, std::filesystem::path temp, int fd) : cache_(cache), temp_(std::move(temp)), fd_(fd) {}
    RenderCache& cache_;
    std::filesystem::path temp_;
    int fd_;
    Sha256 hash_;
    std::uint64_t bytes_ = 0;
  };
  // Starts an entry for an artefact of `bytes`; nullptr when it could never fit or the cache
  // cannot be written (the download goes on uncached).
  std::unique_ptr<Entry> start(std::uint64_t bytes);

  std::uint64_t budget() const { return budget_; }

 private:
  void trim();  // removes the least recently used files beyond the budget
  std::filesystem::path dir_;
  std::uint64_t budget_;
  std::mutex mutex_;
  std::uint64_t next_temp_ = 0;
};

}  // namespace gazette::http
