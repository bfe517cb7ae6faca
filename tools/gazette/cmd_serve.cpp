#include <cstdio>

#include "publisher/common/url.hpp"
#include "publisher/http/server.hpp"
#include "tools/gazette/commands.hpp"
#include "tools/gazette/common.hpp"

namespace gazette::cli {

Result<http::ServerOptions> server_options(const Invocation& inv) {
  http::ServerOptions o;
  o.data_dir = inv.data_dir;
  if (inv.has("--listen")) GAZETTE_RETURN_IF_ERROR(http::parse_listen(inv.get("--listen"), o));
  long v = 0;
  auto number = [&](const char* opt, auto apply) -> bool {
    v = 0;
    if (!positive_option(inv, opt, v)) return false;
    if (v > 0) apply(v);
    return true;
  };
  bool ok = number("--threads", [&](long n) { o.threads = static_cast<int>(n); }) &&
            number("--max-connections", [&](long n) { o.max_connections = static_cast<std::size_t>(n); }) &&
            number("--max-connections-per-address",
                   [&](long n) { o.max_connections_per_address = static_cast<std::size_t>(n); }) &&
            number("--render-cache-mb",
                   [&](long n) { o.render_cache_bytes = static_cast<std::uint64_t>(n) << 20; }) &&
            number("--max-header-bytes", [&](long n) { o.max_header_bytes = static_cast<std::size_t>(n); }) &&
            number("--request-timeout", [&](long n) { o.request_timeout = std::chrono::seconds(n); }) &&
            number("--feed-page-size", [&](long n) { o.feed_page_size = static_cast<std::size_t>(n); }) &&
            number("--delivery-retry", [&](long n) { o.delivery_retry = std::chrono::seconds(n); });
  if (!ok) return Status::invalid_input("");  // already reported
  o.access_log = !inv.has("--no-access-log");
  GAZETTE_RETURN_IF_ERROR(public_url_option(inv, o.public_url));
  if (inv.has("--hub")) {
    auto url = parse_url(inv.get("--hub"));
    if (!url.ok()) return url.status().with_context("--hub");
  }
  o.delegate_hub = inv.get("--hub");
  o.allow_private_callbacks = inv.has("--allow-private-callbacks");
  return o;
}

int serve(const Invocation& inv, const http::ServerOptions& o, const std::string& banner) {
  Status s = http::run_server(o, [&](std::uint16_t port) {
    std::string host = o.host.find(':') != std::string::npos ? "[" + o.host + "]" : o.host;
    *inv.out << banner << "serving " << inv.data_dir.string() << " at http://" << host << ":"
             << port << "/" << std::endl;
    // Feeds carry absolute links; an address that means "every interface" is none a reader can use.
    if (o.public_url.empty() && (o.host == "0.0.0.0" || o.host == "::"))
      *inv.err << "gazette: note: feeds will link http://" << host << ":" << port
               << "/...; pass --public-url with the address consumers use" << std::endl;
    if (!banner.empty()) {
      const std::string base = "http://" + host + ":" + std::to_string(port);
      *inv.out << "Try:\n"
               << "  curl " << base << "/datasets/naptan-stops\n"
               << "  curl -I " << base << "/datasets/naptan-stops/latest/naptan-stops.csv\n"
               << "  curl -L " << base << "/datasets/naptan-stops/as-of/2025-01-01T00:00:00Z\n"
               << "  curl " << base << "/feeds/naptan-stops.atom\n"
               << "  curl " << base << "/metrics\n"
               << "Stop with Ctrl-C." << std::endl;
    }
  });
  if (!s.ok()) return fail(inv, s);
  *inv.out << "stopped" << std::endl;
  return kOk;
}

int cmd_serve(const Invocation& inv) {
  auto o = server_options(inv);
  if (!o.ok()) return o.status().message().empty() ? kError : fail(inv, o.status());
  return serve(inv, *o, "");
}

}  // namespace gazette::cli
