// Where gazette mirror reads from: a gazette origin or a static copy of its export (nginx,
// object storage, a CDN), by URL paths alone. Every call has a deadline; an answer other than
// the one asked for (a 404, a redirect, a cut-off body) is an error naming the URL, never data.
// Internal to publisher/mirror.
//
// Thread-safety: one Remote per thread.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>

#include "publisher/common/status.hpp"

namespace gazette::mirror_detail {

// (what, bytes so far, bytes expected or 0)
using Progress = std::function<void(std::string_view, std::uint64_t, std::uint64_t)>;

class Remote {
 public:
  // `base`: "http://host:port" or with a path prefix; the paths asked for are appended to it.
  Remote(std::string base, Progress progress);

  std::string url(std::string_view path) const;
  // A small document (a list, a manifest, a signature), whole; at most `max_bytes`.
  Result<std::string> text(std::string_view path, std::size_t max_bytes = 16u << 20);
  // The first bytes of a document (a Range request; a server that ignores it is read no further).
  Result<std::string> head_bytes(std::string_view path, std::size_t bytes);
  // A document of any size, handed to `sink` as it arrives.
  Status stream(std::string_view path, const std::function<Status(std::string_view)>& sink,
                std::uint64_t expected_bytes = 0);
  // A document of any size into `file`. A partial `file` left by an earlier call is continued
  // (Range with If-Range on `etag`) when the server agrees, else written again from the start.
  Status download(std::string_view path, const std::filesystem::path& file, std::uint64_t expected_bytes,
                  const std::string& etag);

  // Body bytes received by this Remote so far.
  std::uint64_t bytes_received() const { return received_; }

 private:
  std::string base_;
  Progress progress_;
  std::uint64_t received_ = 0;
};

}  // namespace gazette::mirror_detail
