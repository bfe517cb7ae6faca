// Method: one blocking HTTP/1.1 exchange per call on the hub's worker thread, with a deadline
// on every step. Names are resolved here and every address is checked before connecting, so
// a callback host cannot pass the subscription check and then resolve to our own network.
// Redirects are answers like any other (not followed). https verifies the peer's certificate
// and name against the system's trust store.
#include "publisher/http/client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include "publisher/common/url.hpp"

namespace gazette::http {

namespace {

namespace beast = boost::beast;
namespace bhttp = beast::http;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;

constexpr auto kTimeout = std::chrono::seconds(10);
constexpr std::size_t kMaxAnswerBytes = 64 * 1024;

template <class Stream>
websub::OutboundResponse exchange(Stream& stream, const websub::OutboundRequest& r, const Url& url) {
  bhttp::request<bhttp::string_body> req{r.method == "POST" ? bhttp::verb::post : bhttp::verb::get, url.target, 11};
  const bool default_port = (url.scheme == "http" && url.port == 80) || (url.scheme == "https" && url.port == 443);
  const std::string host = url.host.find(':') != std::string::npos ? "[" + url.host + "]" : url.host;
  req.set(bhttp::field::host, default_port ? host : host + ":" + std::to_string(url.port));
  req.set(bhttp::field::user_agent, "gazette-websub/1");
  for (const auto& [k, v] : r.headers) req.insert(k, v);
  req.body() = r.body;
  req.prepare_payload();
  beast::get_lowest_layer(stream).expires_after(kTimeout);
  bhttp::write(stream, req);
  beast::flat_buffer buffer;
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(kMaxAnswerBytes);
  beast::error_code ec;
  beast::get_lowest_layer(stream).expires_after(kTimeout);
  bhttp::read(stream, buffer, parser, ec);
  websub::OutboundResponse out;
  if (ec && ec != bhttp::error::body_limit) {
    out.error = ec.message();
    return out;
  }
  out.status = static_cast<int>(parser.get().result_int());
  out.body = parser.get().body();
  return out;
}

}  // namespace

websub::OutboundResponse http_call(const websub::OutboundRequest& r) {
  websub::OutboundResponse out;
  auto url = parse_url(r.url);
  if (!url.ok()) {
    out.error = url.status().message();
    return out;
  }
  try {
    net::io_context ioc;
    tcp::resolver resolver(ioc);
    beast::error_code ec;
    auto found = resolver.resolve(url->host, std::to_string(url->port), ec);
    if (ec) {
      out.error = "cannot resolve " + url->host + ": " + ec.message();
      return out;
    }
    std::vector<tcp::endpoint> endpoints;
    for (const auto& e : found)
      if (r.allow_private || !websub::is_private_address(e.endpoint().address().to_string()))
        endpoints.push_back(e.endpoint());
    if (endpoints.empty()) {
      out.error = "refused: " + url->host + " resolves only to private, loopback or link-local addresses";
      return out;
    }
    if (url->scheme == "http") {
      beast::tcp_stream stream(ioc);
      stream.expires_after(kTimeout);
      stream.connect(endpoints);
      out = exchange(stream, r, *url);
      stream.socket().shutdown(tcp::socket::shutdown_both, ec);
      return out;
    }
    ssl::context ctx(ssl::context::tls_client);
    ctx.set_default_verify_paths();
    ctx.set_verify_mode(ssl::verify_peer);
    beast::ssl_stream<beast::tcp_stream> stream(ioc, ctx);
    if (!SSL_set_tlsext_host_name(stream.native_handle(), url->host.c_str())) {
      out.error = "TLS: cannot set the server name";
      return out;
    }
    stream.set_verify_callback(ssl::host_name_verification(url->host));
    beast::get_lowest_layer(stream).expires_after(kTimeout);
    beast::get_lowest_layer(stream).connect(endpoints);
    stream.handshake(ssl::stream_base::client);
    out = exchange(stream, r, *url);
    stream.shutdown(ec);
    return out;
  } catch (const std::exception& e) {
    out.status = 0;
    out.error = e.what();
    return out;
  }
}

}  // namespace gazette::http
