// The publication server: `gazette serve`. An asynchronous Boost.Beast server on a pool of
// threads, serving a store read-only through handle_request. Beast and Asio headers stay in
// server.cpp (and the body types it includes); this header is plain.
//
// Thread-safety: run_server blocks the calling thread until SIGINT or SIGTERM (or stop()).
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>

#include "publisher/common/status.hpp"

namespace gazette::http {

// Beast refuses (by throwing) a single header field of 64 KiB or more, so the header limit,
// which also bounds chunked trailers, stays below it.
inline constexpr std::size_t kMaxHeaderBytes = 60 * 1024;

struct ServerOptions {
  std::filesystem::path data_dir;
  std::string host = "127.0.0.1";
  std::uint16_t port = 8080;  // 0: any free port (reported through on_listening)
  int threads = 0;            // 0: one per core
  std::size_t max_header_bytes = 16 * 1024;  // at most kMaxHeaderBytes
  std::size_t max_body_bytes = 64 * 1024;
  std::chrono::seconds request_timeout{15};  // to receive a whole request, idle included
  std::chrono::seconds min_write_timeout{60};  // plus one second per 64 KiB of body
  std::size_t max_connections = 1024;
  std::size_t max_connections_per_address = 64;
  std::uint64_t render_cache_bytes = 2ull << 30;  // evicted artefacts rendered again, kept in DIR/cache
  bool access_log = true;  // one line per request on stderr
  // How often the catalogue's builder thread asks the store whether the admin tool changed it.
  std::chrono::milliseconds catalog_check_every{250};
  // Feeds and WebSub.
  std::string public_url;  // how consumers reach us ("https://stops.example.org"); default http://HOST:PORT
  std::string delegate_hub;  // --hub: advertise and ping this hub instead of fanning out
  bool allow_private_callbacks = false;
  std::size_t feed_page_size = 50;
  std::chrono::seconds delivery_retry{30};  // first retry of a failed delivery; then doubling
};

// Parses "HOST:PORT" ("127.0.0.1:8080", "[::1]:0", ":8080").
Status parse_listen(const std::string& text, ServerOptions& options);

// Serves until SIGINT/SIGTERM, then stops accepting, lets in-flight responses finish and
// returns. `on_listening(port)` is called once the socket is bound.
Status run_server(const ServerOptions& options,
                  const std::function<void(std::uint16_t port)>& on_listening);

}  // namespace gazette::http
