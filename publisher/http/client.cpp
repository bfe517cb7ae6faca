// Method: each call runs on its own small io_context as a chain of asynchronous steps (connect,
// TLS handshake, write, read), and the caller drives that context in short slices until the
// call ends, its total deadline passes, no byte has come for its idle time, or the caller asks it to stop. Whatever is unfinished then is
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

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <array>
#include <condition_variable>
#include <limits>
#include <memory>
#include <mutex>
#include <optional>
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

constexpr auto kSlice = std::chrono::milliseconds(50);  // how often a call looks at `cancelled`

bool cancelled(const ClientRequest& r) { return r.cancelled != nullptr && r.cancelled->load(); }

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

Result<std::vector<tcp::endpoint>> resolve(const ClientRequest& r, const Url& url, Clock::time_point deadline) {
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

// One exchange on a connected stream (plain or TLS): write the request, read the answer's head,
// then its body a chunk at a time into the caller's sink (or the answer, up to max_body), each
// step continuing in the completion of the one before. `done` runs once, at the end or at the
// first error; the Exchange keeps itself alive through its handlers.
template <class Stream>
class Exchange : public std::enable_shared_from_this<Exchange<Stream>> {
 public:
  Exchange(Stream& stream, const ClientRequest& r, const Url& url, ClientResponse& out, Clock::time_point& last_byte,
           std::function<void()> done)
      : stream_(stream), request_(r), out_(out), last_byte_(last_byte), done_(std::move(done)) {
    const auto verb = r.method == "POST" ? bhttp::verb::post : r.method == "HEAD" ? bhttp::verb::head : bhttp::verb::get;
    req_ = {verb, url.target, 11};
    const bool default_port = (url.scheme == "http" && url.port == 80) || (url.scheme == "https" && url.port == 443);
    const std::string host = url.host.find(':') != std::string::npos ? "[" + url.host + "]" : url.host;
    req_.set(bhttp::field::host, default_port ? host : host + ":" + std::to_string(url.port));
    req_.set(bhttp::field::user_agent, r.user_agent);
    for (const auto& [k, v] : r.headers) req_.insert(k, v);
    req_.body() = r.body;
    req_.prepare_payload();
    // Reads as large as the chunk: the buffer starts small, and a 512-byte read per call cost a
    // national CSV 180,000 system calls.
    buffer_.reserve(chunk_.size());
    parser_.header_limit(16 * 1024);
    parser_.body_limit(std::numeric_limits<std::uint64_t>::max());  // the sink or max_body decides
    if (verb == bhttp::verb::head) parser_.skip(true);
  }

  void start() {
    bhttp::async_write(stream_, req_, [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return self->finish("cannot send: " + ec.message());
      bhttp::async_read_header(self->stream_, self->buffer_, self->parser_,
                               [self](beast::error_code ec2, std::size_t) { self->on_head(ec2); });
    });
  }

 private:
  void on_head(beast::error_code ec) {
    if (ec) return finish("no answer: " + ec.message());
    last_byte_ = Clock::now();
    out_.status = static_cast<int>(parser_.get().result_int());
    for (const auto& field : parser_.get().base())
      out_.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    if (request_.on_head) {
      auto accepted = request_.on_head(out_.status, out_.headers);
      if (!accepted.ok()) return finish(accepted.message());
    }
    read_some();
  }
  void read_some() {
    if (parser_.is_done()) return finish("");
    parser_.get().body().data = chunk_.data();
    parser_.get().body().size = chunk_.size();
    // read_some: whatever has arrived, so that a slow answer still counts as moving.
    bhttp::async_read_some(stream_, buffer_, parser_,
                           [self = this->shared_from_this()](beast::error_code ec, std::size_t) { self->on_chunk(ec); });
  }
  void on_chunk(beast::error_code ec) {
    if (ec == bhttp::error::need_buffer) ec = {};
    if (ec) return finish("answer cut short: " + ec.message());
    last_byte_ = Clock::now();
    const std::string_view got(chunk_.data(), chunk_.size() - parser_.get().body().size);
    if (request_.on_body) {
      auto taken = request_.on_body(got);
      if (!taken.ok()) return finish(taken.message());
    } else {
      out_.body.append(got.substr(0, request_.max_body - std::min(request_.max_body, out_.body.size())));
      if (out_.body.size() >= request_.max_body) return finish("");  // the rest is not wanted
    }
    read_some();
  }
  void finish(const std::string& error) {
    if (!error.empty()) out_.error = error;
    done_();
  }

  Stream& stream_;
  const ClientRequest& request_;
  ClientResponse& out_;
  Clock::time_point& last_byte_;
  std::function<void()> done_;
  bhttp::request<bhttp::string_body> req_;
  beast::flat_buffer buffer_{1 << 20};  // a limit; reserved below
  bhttp::response_parser<bhttp::buffer_body> parser_;
  std::array<char, 64 * 1024> chunk_{};
};

// Connects (and for https, shakes hands), then runs an Exchange. Owns the stream, so that
// destroying the io_context with the call unfinished closes the socket.
struct Connection : std::enable_shared_from_this<Connection> {
  Connection(net::io_context& ioc, const ClientRequest& r, const Url& u, ClientResponse& o, Clock::time_point& lb,
             std::function<void()> d)
      : request(r), url(u), out(o), last_byte(lb), done(std::move(d)), tls(ssl::context::tls_client), plain(ioc) {
    if (url.scheme == "https") {
      tls.set_default_verify_paths();
      tls.set_verify_mode(ssl::verify_peer);
      secure.emplace(ioc, tls);
    }
  }

  void start(const std::vector<tcp::endpoint>& endpoints) {
    auto self = shared_from_this();
    auto on_connect = [self](beast::error_code ec, const tcp::endpoint&) {
      if (ec) {
        self->out.error = "cannot connect to " + self->url.host + ": " + ec.message();
        return self->done();
      }
      if (!self->secure) {
        return std::make_shared<Exchange<beast::tcp_stream>>(self->plain, self->request, self->url, self->out,
                                                             self->last_byte, [self] { self->done(); })
            ->start();
      }
      self->secure->async_handshake(ssl::stream_base::client, [self](beast::error_code hec) {
        if (hec) {
          self->out.error = "TLS: " + hec.message();
          return self->done();
        }
        // No TLS close_notify afterwards: a peer that does not answer it would hold the call.
        std::make_shared<Exchange<beast::ssl_stream<beast::tcp_stream>>>(
            *self->secure, self->request, self->url, self->out, self->last_byte, [self] { self->done(); })
            ->start();
      });
    };
    if (!secure) return plain.async_connect(endpoints, on_connect);
    if (!SSL_set_tlsext_host_name(secure->native_handle(), url.host.c_str())) {
      out.error = "TLS: cannot set the server name";
      return done();
    }
    secure->set_verify_callback(ssl::host_name_verification(url.host));
    beast::get_lowest_layer(*secure).async_connect(endpoints, on_connect);
  }

  const ClientRequest& request;
  const Url& url;
  ClientResponse& out;
  Clock::time_point& last_byte;
  std::function<void()> done;
  ssl::context tls;
  beast::tcp_stream plain;
  std::optional<beast::ssl_stream<beast::tcp_stream>> secure;
};

}  // namespace

std::optional<std::string> ClientResponse::header(std::string_view name) const {
  for (const auto& [k, v] : headers)
    if (beast::iequals(k, name)) return v;
  return std::nullopt;
}

ClientResponse http_request(const ClientRequest& r) {
  ClientResponse out;
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
  auto seconds = [](std::chrono::milliseconds d) {
    return std::to_string(std::chrono::duration_cast<std::chrono::seconds>(d).count()) + " s";
  };
  try {
    net::io_context ioc(1);
    bool finished = false;
    auto last_byte = Clock::now();
    auto stalled = [&] { return r.idle_timeout.count() > 0 && Clock::now() - last_byte >= r.idle_timeout; };
    std::make_shared<Connection>(ioc, r, *url, out, last_byte, [&finished] { finished = true; })->start(endpoints);
    while (!finished && !cancelled(r) && Clock::now() < deadline && !stalled()) {
      ioc.run_for(std::min<Clock::duration>(kSlice, deadline - Clock::now()));
      if (ioc.stopped() && !finished) ioc.restart();
    }
    if (!finished) {
      // The unfinished call is destroyed with `ioc`, which closes its socket.
      out = {};
      out.error = cancelled(r) ? "stopped"
                  : stalled()  ? "no byte from " + url->host + " for " + seconds(r.idle_timeout)
                               : "no complete answer within " + seconds(r.deadline);
    }
  } catch (const std::exception& e) {
    out = {};
    out.error = e.what();
  }
  return out;
}

websub::OutboundResponse http_call(const websub::OutboundRequest& r) {
  ClientRequest request;
  request.method = r.method;
  request.url = r.url;
  request.headers = r.headers;
  request.body = r.body;
  request.user_agent = "gazette-websub/1";
  request.allow_private = r.allow_private;
  request.deadline = r.deadline;
  request.cancelled = r.cancelled;
  auto answer = http_request(request);
  return {answer.status, std::move(answer.body), std::move(answer.error)};
}

}  // namespace gazette::http
