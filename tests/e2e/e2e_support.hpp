// Shared by the end-to-end tests: a store built with the real `gazette` binary, a server on
// it over loopback, and curl as the client.
#pragma once

#include <functional>

#include <arpa/inet.h>
#include <signal.h>
#include <catch2/catch.hpp>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <memory>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/background_process.hpp"
#include "tests/support/run_process.hpp"
#include "tests/support/temp_dir.hpp"

namespace gazette::testing {

// Polls `done` every 100 ms for up to `seconds`.
template <class F>
bool eventually(F done, int seconds = 20) {
  for (int i = 0; i < seconds * 10; ++i) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return done();
}

inline std::string data_of(const TempDir& d) { return (d / "store").string(); }

inline ProcessResult run_gazette(const TempDir& d, std::vector<std::string> args) {
  args.insert(args.begin(), {GAZETTE_BINARY, "--data", data_of(d)});
  auto r = run_process(args);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  return r;
}

// Stages `path` and returns the candidate id.
inline std::string stage_path(const TempDir& d, const std::filesystem::path& path) {
  auto out = run_gazette(d, {"stage", "naptan-stops", path.string()}).out;
  return out.substr(0, out.size() - 1);
}
inline std::string stage(const TempDir& d, const std::string& file) { return stage_path(d, naptan_dir() / file); }

// A store with two releases of Clackmannanshire, and a server on it.
struct Served {
  TempDir dir;
  std::unique_ptr<BackgroundProcess> server;
  std::string base;
  explicit Served(std::vector<std::string> flags = {}) {
    run_gazette(dir, {"init"});
    run_gazette(dir, {"dataset", "create", "naptan-stops", "--contract", naptan_contract().string()});
    run_gazette(dir, {"release", "naptan-stops", stage(dir, "csv/668Stops_2024-10-13.csv"), "--owner",
                  "alice", "--published-at", "2024-10-13T06:00:00Z"});
    run_gazette(dir, {"release", "naptan-stops", stage(dir, "csv/668Stops_2024-10-24.csv"), "--owner",
                  "alice", "--published-at", "2024-10-24T06:00:00Z"});
    start(std::move(flags));
  }
  // A server on the store `fill` makes in `dir`.
  explicit Served(const std::function<void(const TempDir&)>& fill, std::vector<std::string> flags = {}) {
    fill(dir);
    start(std::move(flags));
  }
  // Starts a server on the store (on `port`, or any free one), replacing a stopped one.
  void start(std::vector<std::string> flags, int port = 0) {
    std::vector<std::string> argv = {GAZETTE_BINARY, "--data", data_of(dir), "serve", "--listen",
                                     "127.0.0.1:" + std::to_string(port), "--threads", "2"};
    argv.insert(argv.end(), flags.begin(), flags.end());
    server = std::make_unique<BackgroundProcess>(argv);
    int bound = port_from_banner(server->wait_for_line("serving"));
    REQUIRE(bound > 0);
    base = "http://127.0.0.1:" + std::to_string(bound);
  }
  int port() const { return std::stoi(base.substr(base.rfind(':') + 1)); }
};

struct Fetched {
  int status = 0;
  std::string headers, body;
  std::string header(const std::string& name) const {
    std::smatch m;
    std::regex re("(^|\\n)" + name + ": ([^\\r\\n]*)", std::regex::icase);
    return std::regex_search(headers, m, re) ? m[2].str() : "";
  }
};

inline Fetched curl(const TempDir& dir, const std::string& url, std::vector<std::string> extra = {}) {
  auto hdr = (dir / "headers.txt").string();
  auto body = (dir / "body.bin").string();
  std::vector<std::string> argv = {"/usr/bin/curl", "-s", "-S", "-D", hdr, "-o", body, "--path-as-is"};
  argv.insert(argv.end(), extra.begin(), extra.end());
  argv.push_back(url);
  auto r = run_process(argv);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  Fetched f;
  f.headers = read_text(hdr);
  f.body = read_text(body);
  std::smatch m;
  std::string h = f.headers;
  // The status of the last response (after redirects, if followed).
  static const std::regex kStatus("HTTP/1\\.1 ([0-9]{3})");
  for (std::sregex_iterator it(h.begin(), h.end(), kStatus), end; it != end; ++it)
    f.status = std::stoi((*it)[1]);
  return f;
}

// Whether Debian's minisign, a client no one here wrote, accepts `sig` as `pub`'s signature of `doc`.
inline bool minisign_accepts(const TempDir& d, const std::string& pub, const std::string& doc, const std::string& sig) {
  write_text(d / "check.pub", pub);
  write_text(d / "check.doc", doc);
  write_text(d / "check.doc.minisig", sig);
  return run_process({"/usr/bin/minisign", "-V", "-q", "-p", (d / "check.pub").string(), "-m",
                      (d / "check.doc").string()})
             .exit_code == 0;
}

// Opens a raw TCP connection to the server, from `source` (any 127.0.0.0/8 address works on
// Linux loopback, so tests can be several clients).
inline int connect_to(const std::string& base, const char* source = nullptr) {
  int port = std::stoi(base.substr(base.rfind(':') + 1));
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (source != nullptr) {
    sockaddr_in from{};
    from.sin_family = AF_INET;
    REQUIRE(::inet_pton(AF_INET, source, &from.sin_addr) == 1);
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&from), sizeof from) == 0);
  }
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<std::uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
  return fd;
}

// Everything the peer sends until it closes or `timeout_s` passes without a byte.
inline std::string read_all(int fd, int timeout_s) {
  timeval tv{timeout_s, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  std::string out;
  char buf[4096];
  for (;;) {
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    out.append(buf, static_cast<std::size_t>(n));
  }
  return out;
}

inline bool send_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

// A port nothing listens on now (the kernel's pick for an unbound socket).
inline int free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

// Debian's nginx serving an exported tree with the server block the export wrote (but for
// its port), its files in `work`.
struct NginxOnExport {
  std::unique_ptr<BackgroundProcess> nginx;
  std::string base;
  std::filesystem::path tree, work;
  int port = 0;
  NginxOnExport(const std::filesystem::path& exported, const std::filesystem::path& folder)
      : tree(exported), work(folder), port(free_port()) {
    base = "http://127.0.0.1:" + std::to_string(port);
    start();
  }
  // After an export into the same tree: nginx again on its new server block, as an operator
  // would reload it. (Stopped and started: a reload's old worker may still answer a moment.)
  void restart() {
    REQUIRE(nginx->stop(SIGTERM) == 0);
    start();
  }

 private:
  void start() {
    write_server_block();
    // Workers as the test's own user: the tree lives in a private temporary folder.
    write_text(work / "nginx.conf", std::string(::geteuid() == 0 ? "user root; " : "") +
                                        "worker_processes 1; pid " + (work / "nginx.pid").string() +
                                        "; error_log " + (work / "nginx-error.log").string() +
                                        "; events { worker_connections 64; } http { access_log off; include " +
                                        (work / "server.conf").string() + "; }\n");
    nginx = std::make_unique<BackgroundProcess>(
        std::vector<std::string>{"/usr/sbin/nginx", "-c", (work / "nginx.conf").string(), "-g", "daemon off;"});
    const bool up = eventually([&] {  // connection refused until nginx listens: not a failure yet
      return run_process({"/usr/bin/curl", "-s", "-f", "-o", "/dev/null", base + "/datasets"}).exit_code == 0;
    });
    INFO(nginx->error_output());
    REQUIRE(up);
  }
  void write_server_block() {
    std::string conf = read_text(tree / "nginx.conf");
    conf = std::regex_replace(conf, std::regex("listen 8080;"), "listen 127.0.0.1:" + std::to_string(port) + ";");
    write_text(work / "server.conf", conf);
  }
};

}  // namespace gazette::testing
