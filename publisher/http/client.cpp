// Method: each call runs on its own small io_context as one coroutine (resolve, connect, TLS
// handshake, write, read), and the caller drives that context in short slices until the call
// ends, its total deadline passes, or the hub asks it to stop. Whatever is unfinished then is
// destroyed with the context, which closes its socket: a callback that accepts and never
// answers costs one call its deadline and nothing more. Names that are not IP addresses are
// resolved on a thread of their own, since getaddrinfo cannot be interrupted; a resolution
// that outlives its call is abandoned, not waited for.
//
// Every address a name resolves to is checked before connecting, so a callback host cannot
// pass the subscription check and then resolve to our own network. Redirects are answers like
// any other (not followed). https verifies the peer's certificate and name against the
// system's trust store.
#include "publisher/http/client.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "publisher/common/url.hpp"

namespace gazette::http {

namespace {

namespace beast = boost::beast;
namespace bhttp = beast::http;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

constexpr std::size_t kMaxAnswerBytes = 64 * 1024;
constexpr auto kSlice = std::chrono::milliseconds(50);  // how often a call looks at `cancelled`

bool cancelled(const websub::OutboundRequest& r) { return r.cancelled != nullptr && r.cancelled->load(); }

// The addresses of `host`, looked up on a thread that may outlive the call.
struct Lookup {
  std::mutex mutex;
  std::condition_variable done_cv;
  bool done = false;
  std::vector<tcp::endpoint> endpoints;
  std::string error;
};

std::shared_ptr<Lookup> start_lookup(const std::string& host, std::uint16_t port) {
  auto lookup = std::make_shared<Lookup>();
  std::thread([lookup, host, port] {
    net::io_context ioc;
    tcp::resolver resolver(ioc);
    beast::error_code ec;
    auto found = resolver.resolve(host, std::to_string(port), ec);
    std::lock_guard lock(lookup->mutex);
    if (ec) lookup->error = "cannot resolve " + host + ": " + ec.message();
    for (const auto& e : found) lookup->endpoints.push_back(e.endpoint());
    lookup->done = true;
    lookup->done_cv.notify_all();
  }).detach();
  return lookup;
}

Result<std::vector<tcp::endpoint>> resolve(const websub::OutboundRequest& r, const Url& url, Clock::time_point deadline) {
  beast::error_code ec;
  auto literal = net::ip::make_address(url.host, ec);
  if (!ec) return std::vector<tcp::endpoint>{tcp::endpoint(literal, url.port)};
  auto lookup = start_lookup(url.host, url.port);
  std::unique_lock lock(lookup->mutex);
  while (!lookup->done) {
    if (cancelled(r)) return Status::io_error("stopped");
    if (Clock::now() >= deadline) return Status::io_error("cannot resolve " + url.host + " in time");
    lookup->done_cv.wait_until(lock, std::min(deadline, Clock::now() + kSlice));
  }
  if (!lookup->error.empty()) return Status::io_error(lookup->error);
  return lookup->endpoints;
}

template <class Stream>
net::awaitable<void> exchange(Stream& stream, const websub::OutboundRequest& r, const Url& url,
                              websub::OutboundResponse& out) {
  bhttp::request<bhttp::string_body> req{r.method == "POST" ? bhttp::verb::post : bhttp::verb::get, url.target, 11};
  const bool default_port = (url.scheme == "http" && url.port == 80) || (url.scheme == "https" && url.port == 443);
  const std::string host = url.host.find(':') != std::string::npos ? "[" + url.host + "]" : url.host;
  req.set(bhttp::field::host, default_port ? host : host + ":" + std::to_string(url.port));
  req.set(bhttp::field::user_agent, "gazette-websub/1");
  for (const auto& [k, v] : r.headers) req.insert(k, v);
  req.body() = r.body;
  req.prepare_payload();
  beast::error_code ec;
  co_await bhttp::async_write(stream, req, net::redirect_error(net::use_awaitable, ec));
  if (ec) {
    out.error = "cannot send: " + ec.message();
    co_return;
  }
  beast::flat_buffer buffer(16 * 1024 + kMaxAnswerBytes);
  bhttp::response_parser<bhttp::string_body> parser;
  parser.header_limit(16 * 1024);
  parser.body_limit(kMaxAnswerBytes);
  co_await bhttp::async_read(stream, buffer, parser, net::redirect_error(net::use_awaitable, ec));
  if (ec && ec != bhttp::error::body_limit) {
    out.error = "no answer: " + ec.message();
    co_return;
  }
  out.status = static_cast<int>(parser.get().result_int());
  out.body = parser.get().body();
}

net::awaitable<void> call(const websub::OutboundRequest& r, const Url& url, std::vector<tcp::endpoint> endpoints,
                          websub::OutboundResponse& out) {
  auto executor = co_await net::this_coro::executor;
  beast::error_code ec;
  if (url.scheme == "http") {
    beast::tcp_stream stream(executor);
    co_await stream.async_connect(endpoints, net::redirect_error(net::use_awaitable, ec));
    if (ec) {
      out.error = "cannot connect to " + url.host + ": " + ec.message();
      co_return;
    }
    co_await exchange(stream, r, url, out);
    stream.socket().shutdown(tcp::socket::shutdown_both, ec);
    co_return;
  }
  ssl::context tls(ssl::context::tls_client);
  tls.set_default_verify_paths();
  tls.set_verify_mode(ssl::verify_peer);
  beast::ssl_stream<beast::tcp_stream> stream(executor, tls);
  if (!SSL_set_tlsext_host_name(stream.native_handle(), url.host.c_str())) {
    out.error = "TLS: cannot set the server name";
    co_return;
  }
  stream.set_verify_callback(ssl::host_name_verification(url.host));
  co_await beast::get_lowest_layer(stream).async_connect(endpoints, net::redirect_error(net::use_awaitable, ec));
  if (ec) {
    out.error = "cannot connect to " + url.host + ": " + ec.message();
    co_return;
  }
  co_await stream.async_handshake(ssl::stream_base::client, net::redirect_error(net::use_awaitable, ec));
  if (ec) {
    out.error = "TLS: " + ec.message();
    co_return;
  }
  co_await exchange(stream, r, url, out);
  // No TLS close_notify: a peer that does not answer it would hold the call to its deadline.
}

}  // namespace

websub::OutboundResponse http_call(const websub::OutboundRequest& r) {
  websub::OutboundResponse out;
  const auto deadline = Clock::now() + r.deadline;
  auto url = parse_url(r.url);
  if (!url.ok()) {
    out.error = url.status().message();
    return out;
  }
  auto found = resolve(r, *url, deadline);
  if (!found.ok()) {
    out.error = found.status().message();
    return out;
  }
  std::vector<tcp::endpoint> endpoints;
  for (const auto& e : *found)
    if (r.allow_private || !websub::is_private_address(e.address().to_string())) endpoints.push_back(e);
  if (endpoints.empty()) {
    out.error = "refused: " + url->host + " resolves only to private, loopback or link-local addresses";
    return out;
  }
  try {
    net::io_context ioc(1);
    bool finished = false;
    net::co_spawn(ioc, call(r, *url, std::move(endpoints), out), [&](std::exception_ptr e) {
      finished = true;
      if (!e) return;
      try {
        std::rethrow_exception(e);
      } catch (const std::exception& x) {
        out.status = 0;
        out.error = x.what();
      }
    });
    while (!finished && !cancelled(r) && Clock::now() < deadline) {
      ioc.run_for(std::min<Clock::duration>(kSlice, deadline - Clock::now()));
      if (ioc.stopped() && !finished) ioc.restart();
    }
    if (!finished) {
      // The unfinished call is destroyed with `ioc`, which closes its socket.
      out = {};
      out.error = cancelled(r) ? "stopped" : "no complete answer within " +
                                                 std::to_string(std::chrono::duration_cast<std::chrono::seconds>(r.deadline).count()) +
                                                 " s";
    }
  } catch (const std::exception& e) {
    out = {};
    out.error = e.what();
  }
  return out;
}

}  // namespace gazette::http
