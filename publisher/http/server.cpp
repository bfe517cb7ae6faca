// Method (after Beast's advanced and async server examples): one acceptor; each accepted
// socket gets its own strand and a Session that owns stream, buffer and a fresh parser per
// request, with header and body limits and a deadline before every read and write. A request
// becomes an http::Request, handle_request answers it from the current catalogue snapshot,
// and the response goes out as a string or as a file range. SIGINT/SIGTERM stop the
// acceptor, close idle connections, let in-flight responses finish, and return.
#include "publisher/http/server.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/version.hpp>
#include <cstdio>
#include <ctime>
#include <iostream>
#include <mutex>
#include <thread>
#include <vector>

#include "publisher/common/time.hpp"
#include "publisher/common/utf8.hpp"
#include "publisher/site/catalog.hpp"
#include "publisher/http/access_log.hpp"
#include "publisher/http/client.hpp"
#include "publisher/http/connection_limits.hpp"
#include "publisher/common/url.hpp"
#include "publisher/http/router.hpp"
#include "publisher/http/file_range_body.hpp"
#include "publisher/http/generated_body.hpp"
#include "publisher/http/handler.hpp"
#include "publisher/http/queries.hpp"
#include "publisher/urls/urls.hpp"

namespace gazette::http {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

Status parse_listen(const std::string& text, ServerOptions& options) {
  std::size_t colon = text.rfind(':');
  if (colon == std::string::npos) return Status::invalid_input("--listen wants HOST:PORT, got '" + text + "'");
  std::string host = text.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  if (host.empty()) host = "127.0.0.1";
  const std::string port = text.substr(colon + 1);
  if (port.empty() || port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos ||
      std::stoul(port) > 65535)
    return Status::invalid_input("--listen: '" + port + "' is not a port number");
  boost::system::error_code ec;
  net::ip::make_address(host, ec);
  if (ec) return Status::invalid_input("--listen: '" + host + "' is not an IP address");
  options.host = host;
  options.port = static_cast<std::uint16_t>(std::stoul(port));
  return {};
}

namespace {

class Session;

struct ServerContext {
  ServerContext(const ServerOptions& o, site::CatalogSource& c)
      : options(o), catalog(c), queries(o.data_dir, o.render_cache_bytes), limits(o.max_connections, o.max_connections_per_address) {}
  const ServerOptions& options;
  site::CatalogSource& catalog;
  Queries queries;
  Metrics metrics;
  WebSubHandler websub;  // empty when the hub is delegated
  ConnectionLimits limits;
  std::atomic<bool> stopping{false};
  std::mutex sessions_mutex;
  std::vector<std::weak_ptr<Session>> sessions;
  LogWriter log;  // stderr: the access log and the server's own messages
};

// The Date header, formatted once per second per thread.
const std::string& http_date_now() {
  thread_local UnixSeconds formatted_at = -1;
  thread_local std::string value;
  const UnixSeconds now = static_cast<UnixSeconds>(std::time(nullptr));
  if (now != formatted_at) {
    formatted_at = now;
    value = format_http_date(now);
  }
  return value;
}

// The request headers handle_request reads; the rest are not copied out of Beast's parser.
std::string_view wanted_header(bhttp::field f) {
  switch (f) {
    case bhttp::field::accept: return "accept";
    case bhttp::field::accept_encoding: return "accept-encoding";
    case bhttp::field::if_none_match: return "if-none-match";
    case bhttp::field::if_modified_since: return "if-modified-since";
    case bhttp::field::range: return "range";
    case bhttp::field::if_range: return "if-range";
    case bhttp::field::content_type: return "content-type";
    default: return {};
  }
}

class Session : public std::enable_shared_from_this<Session> {
 public:
  // `remote` has been admitted by ctx.limits; the session gives its place back when it ends.
  Session(tcp::socket&& socket, std::string remote, ServerContext& ctx)
      : stream_(std::move(socket)),
        // The buffer holds at most a header and a little of what follows it, so chunked
        // trailers (which Beast keeps whole until the last one) count against the header limit.
        buffer_(ctx.options.max_header_bytes + 8192),
        ctx_(ctx),
        remote_(std::move(remote)) {
    boost::system::error_code ec;
    stream_.socket().set_option(tcp::no_delay(true), ec);
  }
  ~Session() { ctx_.limits.release(remote_); }

  // Waiting for a request (the first, or the next on a keep-alive connection) since when;
  // nullopt while a request is being answered. Read from the acceptor's strand.
  std::optional<std::chrono::steady_clock::time_point> idle_since() const {
    if (busy_.load() || closing_.load()) return std::nullopt;
    return std::chrono::steady_clock::time_point(std::chrono::steady_clock::duration(idle_since_.load()));
  }

  void run() {
    net::dispatch(stream_.get_executor(), beast::bind_front_handler(&Session::do_read, shared_from_this()));
  }

  // Called on shutdown: a connection waiting for a request is closed; one in the middle of a
  // response finishes it first (on_write sees `stopping`).
  void close_if_idle() {
    closing_ = true;
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] {
      if (!self->busy_) self->close();
    });
  }

 private:
  void do_read() {
    if (ctx_.stopping) return close();
    idle_since_ = std::chrono::steady_clock::now().time_since_epoch().count();
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(ctx_.options.max_header_bytes));
    parser_->body_limit(ctx_.options.max_body_bytes);
    stream_.expires_after(ctx_.options.request_timeout);
    bhttp::async_read(stream_, buffer_, *parser_,
                      beast::bind_front_handler(&Session::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec == bhttp::error::end_of_stream || ec == beast::error::timeout ||
        ec == net::error::operation_aborted || ec == net::error::connection_reset ||
        ec == net::error::eof) {
      return close();
    }
    started_ = std::chrono::steady_clock::now();
    received_at_ = now_utc();
    busy_ = true;
    if (ec) {
      // Malformed or oversized requests get one answer and the connection is closed.
      const bool header_too_large = ec == bhttp::error::header_limit || ec == bhttp::error::buffer_overflow;
      int status = header_too_large ? 431 : ec == bhttp::error::body_limit ? 413 : 400;
      Response r = problem(status, header_too_large ? "request header fields (trailers included) too large"
                                                    : ec.message(), "");
      r.route = "bad_request";
      log_method_ = "-";
      log_target_ = "-";
      log_version_ = 11;
      return send(std::move(r), false, 11);
    }
    auto& msg = parser_->get();
    Request req;
    req.method = std::string(msg.method_string());
    req.target = std::string(msg.target());
    for (const auto& f : msg) {
      std::string_view name = wanted_header(f.name());
      if (!name.empty()) req.headers.emplace_back(std::string(name), std::string(f.value()));
    }
    if (msg.method() == bhttp::verb::post) req.body = std::move(msg.body());
    req.remote = remote_;
    log_method_ = req.method;
    log_target_ = req.target;
    log_version_ = msg.version();
    // Each thread keeps the snapshot it last saw and asks for a fresh one only now and then:
    // sharing one atomic pointer between threads on every request costs more than the request.
    thread_local std::shared_ptr<const site::Catalog> catalog;
    thread_local std::chrono::steady_clock::time_point checked;
    thread_local const ServerContext* owner = nullptr;  // a snapshot belongs to one server
    const auto now = std::chrono::steady_clock::now();
    if (!catalog || owner != &ctx_ || now - checked > std::chrono::milliseconds(100)) {
      catalog = ctx_.catalog.current();
      checked = now;
      owner = &ctx_;
    }
    Response r = handle_request(req, *catalog, ctx_.metrics, &ctx_.queries, &ctx_.websub);
    if (r.file) {  // kept for a second answer if the file has gone by the time it is opened
      request_ = std::move(req);
      snapshot_ = catalog;
    }
    send(std::move(r), msg.keep_alive() && !ctx_.stopping, msg.version());
  }

  template <class Body>
  void finish_headers(bhttp::response<Body>& res, const Response& r, bool keep_alive, unsigned version) {
    res.result(static_cast<unsigned>(r.status));
    res.version(version);
    for (const auto& [k, v] : r.headers) res.insert(k, v);
    res.set(bhttp::field::date, http_date_now());
    res.keep_alive(keep_alive);
  }

  void send(Response r, bool keep_alive, unsigned version) {
    status_ = r.status;
    route_ = r.route;
    std::uint64_t length = r.content_length();
    if (r.file) {
      int fd = ::open(r.file->path.c_str(), O_RDONLY | O_CLOEXEC);
      if (fd < 0 && snapshot_ && !request_.artefact_files_gone) {
        // The snapshot names a file that is gone: an eviction it has not seen yet (the store
        // renders an artefact the same before it removes its files). The same bytes, rendered.
        request_.artefact_files_gone = true;
        Response again = handle_request(request_, *snapshot_, ctx_.metrics, &ctx_.queries, &ctx_.websub);
        snapshot_.reset();
        return send(std::move(again), keep_alive, version);
      }
      snapshot_.reset();
      if (fd < 0) {
        // Never serve something else.
        Response missing = problem(503, "artefact file moved; try again", log_target_);
        missing.set("Retry-After", "1");
        missing.route = r.route;
        missing.head = r.head;
        return send(std::move(missing), keep_alive, version);
      }
      fd_.reset(new int(fd), [](int* p) {
        ::close(*p);
        delete p;
      });
    }
    body_bytes_ = r.head ? 0 : length;
    std::optional<bhttp::message_generator> gen;
    if (r.head) {
      bhttp::response<bhttp::empty_body> res;
      finish_headers(res, r, keep_alive, version);
      res.content_length(length);
      gen.emplace(std::move(res));
    } else if (r.stream) {
      bhttp::response<GeneratedBody> res;
      finish_headers(res, r, keep_alive, version);
      res.body().source = std::move(r.stream);
      res.body().length = r.stream_length;
      res.content_length(r.stream_length);
      gen.emplace(std::move(res));
    } else if (r.file) {
      bhttp::response<FileRangeBody> res;
      finish_headers(res, r, keep_alive, version);
      res.body().fd = fd_;
      res.body().offset = r.file->offset;
      res.body().length = r.file->length;
      res.content_length(r.file->length);
      gen.emplace(std::move(res));
    } else {
      bhttp::response<bhttp::string_body> res;
      finish_headers(res, r, keep_alive, version);
      res.body() = std::move(r.body);
      res.prepare_payload();
      gen.emplace(std::move(res));
    }
    // A slow reader may take a while over a large file, but not forever.
    stream_.expires_after(ctx_.options.min_write_timeout + std::chrono::seconds(length / 65536));
    beast::async_write(stream_, std::move(*gen),
                       beast::bind_front_handler(&Session::on_write, shared_from_this(), keep_alive));
  }

  void on_write(bool keep_alive, beast::error_code ec, std::size_t) {
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
    ctx_.metrics.record(route_, status_, ec ? 0 : body_bytes_, seconds);
    if (ctx_.options.access_log) {
      const std::string entry = access_log_line({remote_, received_at_, log_method_, log_target_, log_version_,
                                                 status_, body_bytes_, seconds, bool(ec)});
      ctx_.log.write(entry);
    }
    busy_ = false;
    fd_.reset();
    if (ec || !keep_alive || ctx_.stopping) return close();
    do_read();
  }

  void close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream_.socket().close(ec);
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  ServerContext& ctx_;
  std::string remote_, log_method_, log_target_, route_;
  int status_ = 0;
  std::uint64_t body_bytes_ = 0;
  std::atomic<bool> busy_{false}, closing_{false};
  std::atomic<std::chrono::steady_clock::rep> idle_since_{std::chrono::steady_clock::now().time_since_epoch().count()};
  std::shared_ptr<int> fd_;
  std::chrono::steady_clock::time_point started_;
  UnixSeconds received_at_ = 0;
  unsigned log_version_ = 11;
  Request request_;                          // the request being answered from a file
  std::shared_ptr<const site::Catalog> snapshot_;  // and the snapshot that answered it
};

class Listener : public std::enable_shared_from_this<Listener> {
 public:
  Listener(net::io_context& ioc, ServerContext& ctx) : ioc_(ioc), acceptor_(net::make_strand(ioc)), ctx_(ctx) {}

  Status open(const tcp::endpoint& ep) {
    beast::error_code ec;
    acceptor_.open(ep.protocol(), ec);
    if (!ec) acceptor_.set_option(net::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(ep, ec);
    if (!ec) acceptor_.listen(net::socket_base::max_listen_connections, ec);
    if (ec) return Status::io_error("cannot listen on " + ep.address().to_string() + ":" +
                                    std::to_string(ep.port()) + ": " + ec.message());
    return {};
  }
  std::uint16_t port() const { return acceptor_.local_endpoint().port(); }
  void run() { do_accept(); }
  void stop() {
    net::dispatch(acceptor_.get_executor(), [self = shared_from_this()] {
      beast::error_code ec;
      self->acceptor_.close(ec);
    });
  }

 private:
  void do_accept() {
    acceptor_.async_accept(net::make_strand(ioc_),
                           beast::bind_front_handler(&Listener::on_accept, shared_from_this()));
  }
  void on_accept(beast::error_code ec, tcp::socket socket) {
    if (ec == net::error::operation_aborted || !acceptor_.is_open()) return;
    if (!ec) admit(std::move(socket));
    do_accept();
  }

  void admit(tcp::socket socket) {
    beast::error_code ignored;
    auto ep = socket.remote_endpoint(ignored);
    std::string remote = ignored ? "-" : ep.address().to_string();
    bool admitted = false;
    switch (ctx_.limits.admit(remote)) {
      case ConnectionLimits::Admission::admitted: admitted = true; break;
      case ConnectionLimits::Admission::address_full: break;  // one client may not starve the rest
      case ConnectionLimits::Admission::server_full:
        // Full: the connection idle longest makes room; if every one is busy, refuse this one
        // rather than slow every other client down.
        admitted = close_longest_idle() && ctx_.limits.admit_over_total(remote);
        break;
    }
    if (!admitted) {
      socket.close(ignored);
      return;
    }
    auto session = std::make_shared<Session>(std::move(socket), std::move(remote), ctx_);
    {
      std::lock_guard lock(ctx_.sessions_mutex);
      // Drop registrations of finished sessions now and then.
      if (ctx_.sessions.size() > 2 * ctx_.options.max_connections)
        std::erase_if(ctx_.sessions, [](const auto& w) { return w.expired(); });
      ctx_.sessions.push_back(session);
    }
    session->run();
  }

  bool close_longest_idle() {
    std::shared_ptr<Session> victim;
    std::chrono::steady_clock::time_point oldest = std::chrono::steady_clock::time_point::max();
    std::lock_guard lock(ctx_.sessions_mutex);
    for (const auto& w : ctx_.sessions) {
      auto s = w.lock();
      if (!s) continue;
      auto since = s->idle_since();
      if (since && *since < oldest) {
        oldest = *since;
        victim = std::move(s);
      }
    }
    if (!victim) return false;
    victim->close_if_idle();
    return true;
  }

  net::io_context& ioc_;
  tcp::acceptor acceptor_;
  ServerContext& ctx_;
};

}  // namespace

namespace {

// The hub, fed by the catalogue: a topic is one of our feed URLs, whatever host it was named by.
// The status each outcome of a subscription request is answered with.
int http_status(websub::HubOutcome outcome) {
  switch (outcome) {
    case websub::HubOutcome::accepted: return 202;
    case websub::HubOutcome::malformed: return 400;
    case websub::HubOutcome::unsupported_media_type: return 415;
    case websub::HubOutcome::forbidden_callback: return 403;
    case websub::HubOutcome::over_limit: return 429;
    case websub::HubOutcome::unavailable: return 503;
  }
  return 500;
}

Result<std::unique_ptr<websub::Hub>> open_hub(const ServerOptions& options, const site::CatalogOptions& co,
                                              site::CatalogSource& catalog, Queries& queries, LogWriter& log) {
  websub::HubOptions ho;
  ho.db_path = options.data_dir / "hub.db";
  ho.hub_url = co.hub_url.empty() ? co.base_url + "/websub" : co.hub_url;
  ho.delegate_hub = options.delegate_hub;
  ho.allow_private_callbacks = options.allow_private_callbacks;
  ho.first_retry = options.delivery_retry;
  if (options.access_log)
    ho.log = [&log](const std::string& line) { log.write(escape_for_terminal(line) + "\n"); };
  auto topic_of = [&catalog, &queries, base = co.base_url](const std::string& topic) -> std::optional<websub::TopicDocument> {
    auto url = parse_url(topic);
    if (!url.ok()) return std::nullopt;
    auto route = match_route(url->target);
    if (!route.ok() || (route->kind != RouteKind::feed && route->kind != RouteKind::area_feed)) return std::nullopt;
    auto snapshot = catalog.current();
    const site::ServedFeed* feed = nullptr;
    std::shared_ptr<const site::ServedFeed> area_feed;  // keeps an area's feed alive while read
    const site::ServedDataset* ds = snapshot->dataset(route->dataset);
    if (route->dataset == "all") {
      feed = &snapshot->all_feed;
    } else if (ds != nullptr && route->kind == RouteKind::feed) {
      feed = &ds->feed;
    } else if (ds != nullptr) {
      auto got = queries.area_feed(*ds, snapshot->options, route->area);
      if (!got.ok() || !*got) return std::nullopt;
      area_feed = std::move(*got);
      feed = area_feed.get();
    }
    if (feed == nullptr) return std::nullopt;
    const bool atom = route->extension == "atom";
    websub::TopicDocument doc;
    const site::Document& current = (atom ? feed->atom : feed->json).front().doc;
    doc.body = current.body;
    doc.content_type = current.media_type;
    doc.self_url = base + (route->kind == RouteKind::feed ? urls::feed(route->dataset, route->extension)
                                                          : urls::area_feed(route->dataset, route->area, route->extension));
    doc.entries = feed->entries;
    return doc;
  };
  if (!options.delegate_hub.empty()) {
    ho.delegate_topics = [&catalog, base = co.base_url] {
      std::vector<std::string> topics;
      auto snapshot = catalog.current();
      std::vector<std::string> ids = {"all"};
      for (const auto& [id, ds] : snapshot->datasets) ids.push_back(id);
      for (const auto& id : ids)
        for (const char* ext : {"atom", "json"}) topics.push_back(base + urls::feed(id, ext));
      return topics;
    };
  }
  return websub::Hub::open(ho, http_call, topic_of);
}

}  // namespace

Status run_server(const ServerOptions& options,
                  const std::function<void(std::uint16_t port)>& on_listening) {
  if (options.max_header_bytes > kMaxHeaderBytes)
    return Status::invalid_input("--max-header-bytes: at most " + std::to_string(kMaxHeaderBytes));
  auto catalog = site::CatalogSource::open(options.data_dir, options.catalog_check_every);
  if (!catalog.ok()) return catalog.status();
  const int threads = options.threads > 0 ? options.threads
                                          : std::max(1u, std::thread::hardware_concurrency());
  net::io_context ioc(threads);
  ServerContext ctx(options, **catalog);
  beast::error_code ec;
  auto address = net::ip::make_address(options.host, ec);
  if (ec) return Status::invalid_input("'" + options.host + "' is not an IP address");
  auto listener = std::make_shared<Listener>(ioc, ctx);
  GAZETTE_RETURN_IF_ERROR(listener->open(tcp::endpoint(address, options.port)));
  // Now that the port is known, so are the absolute URLs feeds carry.
  site::CatalogOptions co;
  co.base_url = options.public_url.empty()
                    ? "http://" + (address.is_v6() ? "[" + options.host + "]" : options.host) + ":" +
                          std::to_string(listener->port())
                    : options.public_url;
  while (!co.base_url.empty() && co.base_url.back() == '/') co.base_url.pop_back();
  co.hub_url = options.delegate_hub;
  co.feed_page_size = options.feed_page_size;
  GAZETTE_RETURN_IF_ERROR((*catalog)->reconfigure(co));
  auto hub = open_hub(options, co, **catalog, ctx.queries, ctx.log);
  if (!hub.ok()) return hub.status();
  if (options.delegate_hub.empty()) {
    ctx.websub = [h = hub->get()](const Request& req) {
      auto answer = h->request(req.header("content-type"), req.body, req.remote);
      if (answer.outcome != websub::HubOutcome::accepted) {
        Response refused = problem(http_status(answer.outcome), answer.detail, "/websub");
        if (answer.retry_after > 0) refused.set("Retry-After", std::to_string(answer.retry_after));
        return refused;
      }
      Response r;
      r.status = 202;
      r.set("Content-Type", "text/plain; charset=utf-8");
      r.set("Cache-Control", "no-store");
      r.body = answer.detail + "\n";
      return r;
    };
  }
  ctx.metrics.set_extra([h = hub->get()] {
    const auto c = h->counts();
    return "# HELP gazette_websub_subscriptions Active WebSub subscriptions.\n"
           "# TYPE gazette_websub_subscriptions gauge\n"
           "gazette_websub_subscriptions " + std::to_string(c.subscriptions) + "\n"
           "# HELP gazette_websub_pending Intents to verify and deliveries to make (or retry).\n"
           "# TYPE gazette_websub_pending gauge\n"
           "gazette_websub_pending{kind=\"intent\"} " + std::to_string(c.pending_intents) + "\n"
           "gazette_websub_pending{kind=\"delivery\"} " + std::to_string(c.pending_deliveries) + "\n";
  });
  (*hub)->start();
  on_listening(listener->port());
  listener->run();

  net::signal_set signals(ioc, SIGINT, SIGTERM);
  net::steady_timer hard_stop(ioc);
  signals.async_wait([&](const beast::error_code& e, int) {
    if (e) return;
    ctx.stopping = true;
    listener->stop();
    std::vector<std::shared_ptr<Session>> live;
    {
      std::lock_guard lock(ctx.sessions_mutex);
      for (auto& w : ctx.sessions)
        if (auto s = w.lock()) live.push_back(std::move(s));
    }
    for (auto& s : live) s->close_if_idle();
    // In-flight responses get a bounded time to finish.
    hard_stop.expires_after(std::chrono::seconds(30));
    hard_stop.async_wait([&](const beast::error_code& te) {
      if (!te) ioc.stop();
    });
  });

  // A handler that throws is a bug, but it must not end the process: the exception unwinds
  // that one connection (its session is freed with the handler), is logged, and the thread
  // goes back to serving.
  auto serve_thread = [&ioc, &ctx] {
    for (;;) {
      try {
        ioc.run();
        return;
      } catch (const std::exception& e) {
        ctx.log.write(escape_for_terminal(std::string("gazette: a connection ended by an internal error: ") + e.what()) +
                      "\n");
      }
    }
  };
  std::vector<std::thread> pool;
  for (int i = 1; i < threads; ++i) pool.emplace_back(serve_thread);
  // Once stopping, the only work left that is not a connection is the hard-stop timer: cancel
  // it when the connections are gone, so that run() returns promptly.
  std::thread watcher([&] {
    while (!ctx.stopping) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    while (ctx.limits.total() > 0) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    net::post(ioc, [&] { hard_stop.cancel(); });
  });
  serve_thread();
  for (auto& t : pool) t.join();
  ctx.stopping = true;
  watcher.join();
  (*hub)->stop();
  return {};
}

}  // namespace gazette::http
