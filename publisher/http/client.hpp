// Outbound HTTP: one request that returns by its deadline (or when cancelled), over http or
// https, never following redirects, refusing private addresses unless the request allows them.
// The WebSub hub delivers with it (http_call); `gazette mirror` downloads with it, streaming
// bodies of any size to a sink. Beast stays inside client.cpp.
//
// Thread-safety: reentrant.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "feeds/websub/hub.hpp"
#include "publisher/common/status.hpp"

namespace gazette::http {

struct ClientRequest {
  std::string method = "GET";  // GET, HEAD or POST
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string user_agent = "gazette/1";
  bool allow_private = false;
  // The whole call (name lookup, connect, TLS, write, read) ends by this deadline, or as soon
  // as *cancelled becomes true, or when no byte arrives for `idle_timeout` (zero: no such
  // limit), with an error.
  std::chrono::milliseconds deadline{10000};
  std::chrono::milliseconds idle_timeout{0};
  const std::atomic<bool>* cancelled = nullptr;
  // Without a sink, the body is kept in ClientResponse::body up to this many bytes; the rest is
  // not read.
  std::size_t max_body = 64 * 1024;
  // With a sink, every byte of the body is handed to it as it arrives (the answer's status and
  // headers are known by then: the sink is called after `on_head`). A failed Status stops the call with it.
  std::function<Status(std::string_view)> on_body;
  // Called once the status and headers are in, before any body byte.
  std::function<Status(int status, const std::vector<std::pair<std::string, std::string>>& headers)> on_head;
};

struct ClientResponse {
  int status = 0;  // 0: no HTTP answer (see error)
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string error;
  // The first header named `name` (case-insensitive), if any.
  std::optional<std::string> header(std::string_view name) const;
};

ClientResponse http_request(const ClientRequest& request);

// The hub's transport: http_request with the hub's request and answer types.
websub::OutboundResponse http_call(const websub::OutboundRequest& request);

}  // namespace gazette::http
