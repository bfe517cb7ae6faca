// The hub's outbound client against real servers on loopback: it never follows a redirect,
// refuses private addresses unless allowed, and refuses an https peer it cannot trust.
#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include "publisher/http/client.hpp"
#include "tests/support/background_process.hpp"
#include "tests/support/run_process.hpp"
#include "tests/support/silent_server.hpp"
#include "tests/support/temp_dir.hpp"

using namespace gazette;
using namespace gazette::testing;

namespace {

// A callback server in the background; returns its base URL.
std::string start_server(const TempDir& dir, std::unique_ptr<BackgroundProcess>& process,
                         std::vector<std::string> tls = {}) {
  const auto port_file = dir / (tls.empty() ? "port" : "tls-port");
  std::vector<std::string> argv = {"/usr/bin/python3", (source_dir() / "tests/support/callback_server.py").string(),
                                   port_file.string()};
  argv.insert(argv.end(), tls.begin(), tls.end());
  process = std::make_unique<BackgroundProcess>(argv);
  for (int i = 0; i < 100 && !std::filesystem::exists(port_file); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  REQUIRE(std::filesystem::exists(port_file));
  return std::string(tls.empty() ? "http" : "https") + "://127.0.0.1:" + read_text(port_file);
}

}  // namespace

TEST_CASE("client: loopback is refused unless allowed, and redirects are answers, not followed", "[websub][http]") {
  TempDir dir;
  std::unique_ptr<BackgroundProcess> server;
  const std::string base = start_server(dir, server);
  auto refused = http::http_call({"GET", base + "/ok", {}, {}, false});
  CHECK(refused.status == 0);
  CHECK_THAT(refused.error, Catch::Contains("private, loopback or link-local"));
  auto ok = http::http_call({"GET", base + "/ok", {}, {}, true});
  CHECK(ok.status == 200);
  CHECK(ok.body == "ok");
  auto redirect = http::http_call({"GET", base + "/redirect", {}, {}, true});
  CHECK(redirect.status == 302);
  CHECK(redirect.body.empty());
  auto posted = http::http_call({"POST", base + "/ok", {{"Content-Type", "text/plain"}}, "hello", true});
  CHECK(posted.status == 200);
  CHECK(http::http_call({"GET", "ftp://127.0.0.1/", {}, {}, true}).status == 0);
  // A name is judged by the addresses it resolves to, when the call is made: the hub accepts
  // a callback's name without a lookup and relies on this.
  const std::string by_name = "http://localhost:" + base.substr(base.rfind(':') + 1) + "/ok";
  auto named = http::http_call({"GET", by_name, {}, {}, false});
  CHECK(named.status == 0);
  CHECK_THAT(named.error, Catch::Contains("localhost resolves only to private, loopback or link-local"));
  CHECK(http::http_call({"GET", by_name, {}, {}, true}).status == 200);
}

TEST_CASE("client: an https callback with a certificate nobody vouches for is refused", "[websub][http]") {
  TempDir dir;
  const auto cert = dir / "cert.pem", key = dir / "key.pem";
  auto made = run_process({"/usr/bin/openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                           "-subj", "/CN=127.0.0.1", "-keyout", key.string(), "-out", cert.string()});
  INFO(made.err);
  REQUIRE(made.exit_code == 0);
  std::unique_ptr<BackgroundProcess> server;
  const std::string base = start_server(dir, server, {cert.string(), key.string()});
  auto answer = http::http_call({"GET", base + "/ok", {}, {}, true});
  CHECK(answer.status == 0);
  CHECK_THAT(answer.error, Catch::Contains("certificate verify failed"));
}

TEST_CASE("client: a callback that accepts and never answers costs the call its deadline, no more",
          "[websub][http][hardening]") {
  SilentServer silent;
  for (const char* scheme : {"http", "https"}) {  // a read that never ends, a handshake that never ends
    websub::OutboundRequest r{"POST", silent.url(scheme), {}, "x", true};
    r.deadline = std::chrono::milliseconds(700);
    const auto t0 = std::chrono::steady_clock::now();
    auto answer = http::http_call(r);
    const auto took = std::chrono::steady_clock::now() - t0;
    CHECK(answer.status == 0);
    CHECK_THAT(answer.error, Catch::Contains("no complete answer within"));
    CHECK(took >= std::chrono::milliseconds(650));
    CHECK(took < std::chrono::milliseconds(2000));
  }
  // Stopping the hub cuts a call short, whatever its deadline.
  std::atomic<bool> stop{false};
  websub::OutboundRequest r{"GET", silent.url(), {}, {}, true};
  r.deadline = std::chrono::seconds(60);
  r.cancelled = &stop;
  std::thread stopper([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    stop = true;
  });
  const auto t0 = std::chrono::steady_clock::now();
  auto answer = http::http_call(r);
  stopper.join();
  CHECK(answer.error == "stopped");
  CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(2));
}

TEST_CASE("client: a body of any size goes to the sink whole, after the head, and without a sink stops at max_body",
          "[http][mirror]") {
  TempDir dir;
  std::unique_ptr<BackgroundProcess> server;
  const std::string base = start_server(dir, server);
  http::ClientRequest r;
  r.url = base + "/big";
  r.allow_private = true;
  std::string received;
  int head_status = 0;
  r.on_head = [&](int status, const auto& headers) -> Status {
    head_status = status;
    CHECK(received.empty());
    bool has_length = false;
    for (const auto& [k, v] : headers) has_length = has_length || (k == "Content-Length" && v == "1048576");
    CHECK(has_length);
    return {};
  };
  r.on_body = [&](std::string_view bytes) -> Status {
    received += bytes;
    return {};
  };
  auto whole = http::http_request(r);
  CHECK(whole.error.empty());
  CHECK(whole.status == 200);
  CHECK(head_status == 200);
  CHECK(received.size() == 1048576);
  CHECK(received.substr(1048560) == "0123456789abcdef");
  CHECK(whole.header("content-length") == "1048576");

  // A sink that refuses stops the call with its reason.
  r.on_head = nullptr;
  r.on_body = [](std::string_view) -> Status { return Status::io_error("disk full"); };
  CHECK(http::http_request(r).error == "disk full");

  http::ClientRequest kept;
  kept.url = base + "/big";
  kept.allow_private = true;
  kept.max_body = 1000;
  auto first = http::http_request(kept);
  CHECK(first.status == 200);
  CHECK(first.body.size() == 1000);
}

TEST_CASE("client: an answer that stops moving ends at its idle timeout, long before its deadline", "[http][mirror]") {
  TempDir dir;
  std::unique_ptr<BackgroundProcess> server;
  const std::string base = start_server(dir, server);
  http::ClientRequest r;
  r.url = base + "/stall";
  r.allow_private = true;
  r.deadline = std::chrono::seconds(30);
  r.idle_timeout = std::chrono::milliseconds(500);
  std::size_t received = 0;
  r.on_body = [&](std::string_view bytes) -> Status {
    received += bytes.size();
    return {};
  };
  const auto started = std::chrono::steady_clock::now();
  auto stalled = http::http_request(r);
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(5));
  CHECK(received == 524288);
  CHECK_THAT(stalled.error, Catch::Contains("no byte from 127.0.0.1 for 0 s"));
}
