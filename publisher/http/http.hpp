// The HTTP layer's own request and response values, independent of Boost.Beast, so that
// handle_request and everything it calls compiles without Beast's headers and can be tested
// without a socket. Only server.cpp, client.cpp and the body types (file_range_body.hpp,
// generated_body.hpp) see Beast.
//
// Thread-safety: plain values.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace gazette::http {

struct Request {
  std::string method;  // "GET"
  std::string target;  // as received: "/datasets/naptan-stops?x=1"
  std::vector<std::pair<std::string, std::string>> headers;  // names in lower case
  std::string body;  // POST /websub only (bounded by the server's body limit)
  std::string remote;  // the client's address ("127.0.0.1"), or empty
  // Set by the server when an artefact's file vanished between the snapshot and the open (an
  // eviction the snapshot has not seen yet): the handler renders it again instead.
  bool artefact_files_gone = false;

  // The first value of header `lower_name`, or empty.
  std::string_view header(std::string_view lower_name) const;
  bool has_header(std::string_view lower_name) const;
};

// A byte range of a file on disk, streamed by the server rather than loaded.
struct FileSpan {
  std::filesystem::path path;
  std::uint64_t offset = 0;
  std::uint64_t length = 0;
};

// Bytes produced while they are sent: an evicted artefact rendered again from the store.
class BodySource {
 public:
  virtual ~BodySource() = default;
  // Points `out` at the next bytes, valid until the next call; false when there are no more
  // (or on an error, which the source reports itself: the status line is long gone).
  virtual bool next(std::string_view& out) = 0;
};

struct Response {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;             // used when `file` is empty
  std::optional<FileSpan> file;
  // A body produced while it is sent: exactly stream_length bytes (no source for HEAD).
  bool streamed = false;
  std::shared_ptr<BodySource> stream;
  std::uint64_t stream_length = 0;
  bool head = false;            // a HEAD response: headers as for GET, no body
  std::string route = "none";   // metrics label

  void set(std::string name, std::string value);
  // Appends a header the response does not have yet (no search: the hot path).
  void add(std::string name, std::string value) { headers.emplace_back(std::move(name), std::move(value)); }
  std::string_view header(std::string_view name) const;  // case-insensitive
  std::uint64_t content_length() const { return streamed ? stream_length : file ? file->length : body.size(); }
};

}  // namespace gazette::http
