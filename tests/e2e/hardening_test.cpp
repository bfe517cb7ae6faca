// Attacks on the running server, each a regression test: what a hostile client sends must
// cost it a refusal, not cost the server its memory, its process or its other clients.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/e2e/e2e_support.hpp"

using namespace gazette::testing;

namespace {

// The server's resident memory in KiB, from /proc.
long resident_kib(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  return -1;
}

const std::string kChunkedPost =
    "POST /websub HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
    "Content-Type: application/x-www-form-urlencoded\r\n\r\n1\r\na\r\n0\r\n";

std::string get_healthz(int fd) {
  const std::string get = "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
  if (!send_all(fd, get)) return "";
  return read_all(fd, 5);
}

}  // namespace

TEST_CASE("chunked trailers count against the header limit: one long line or endless lines get 431",
          "[e2e][hardening]") {
  Served s;
  // One 70 KB trailer line ended the process (Beast throws for a field of 64 KiB or more).
  int fd = connect_to(s.base);
  REQUIRE(send_all(fd, kChunkedPost));
  send_all(fd, "X-T: " + std::string(70000, 'a') + "\r\n\r\n");
  CHECK_THAT(read_all(fd, 5), Catch::StartsWith("HTTP/1.1 431"));
  ::close(fd);

  // Trailer lines under the field limit were kept without limit: 20 MB of them grew the server
  // by hundreds of MB. Now the connection is answered and closed within the header limit.
  const long before = resident_kib(s.server->pid());
  fd = connect_to(s.base);
  REQUIRE(send_all(fd, kChunkedPost));
  std::size_t sent = 0;
  for (int i = 0; i < 20000; ++i) {
    const std::string line = "X-T" + std::to_string(i) + ": " + std::string(1000, 'a') + "\r\n";
    if (!send_all(fd, line)) break;
    sent += line.size();
  }
  CHECK(sent < 20'000'000);  // the server stopped reading long before the end
  CHECK_THAT(read_all(fd, 5), Catch::StartsWith("HTTP/1.1 431"));
  ::close(fd);
  const long after = resident_kib(s.server->pid());
  INFO("resident before " << before << " KiB, after " << after << " KiB");
  CHECK(after - before < 20 * 1024);

  CHECK(curl(s.dir, s.base + "/healthz").status == 200);
}

TEST_CASE("one client address cannot hold every connection", "[e2e][hardening]") {
  Served s({"--max-connections", "8", "--max-connections-per-address", "3"});
  std::vector<int> held;
  for (int i = 0; i < 3; ++i) held.push_back(connect_to(s.base, "127.0.0.2"));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));

  // The fourth from the same address is closed at once, not kept waiting.
  int extra = connect_to(s.base, "127.0.0.2");
  const auto t0 = std::chrono::steady_clock::now();
  CHECK(get_healthz(extra).empty());
  CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(2));
  ::close(extra);

  // Another client is served, and so is each of the first client's held connections.
  int other = connect_to(s.base, "127.0.0.3");
  CHECK_THAT(get_healthz(other), Catch::StartsWith("HTTP/1.1 200"));
  ::close(other);
  for (int fd : held) {
    CHECK_THAT(get_healthz(fd), Catch::StartsWith("HTTP/1.1 200"));
    ::close(fd);
  }
}

TEST_CASE("a full server closes the connection idle longest to admit a new client", "[e2e][hardening]") {
  Served s({"--max-connections", "4"});
  std::vector<int> held;
  for (const char* from : {"127.0.0.4", "127.0.0.5", "127.0.0.6", "127.0.0.7"}) {
    held.push_back(connect_to(s.base, from));
    std::this_thread::sleep_for(std::chrono::milliseconds(50));  // an order of idleness
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(200));

  int newcomer = connect_to(s.base, "127.0.0.8");
  CHECK_THAT(get_healthz(newcomer), Catch::StartsWith("HTTP/1.1 200"));
  ::close(newcomer);

  // The oldest idle connection was closed (end of stream at once, not a timeout) ...
  const auto t0 = std::chrono::steady_clock::now();
  CHECK(read_all(held[0], 3).empty());
  CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(2));
  // ... and the others still work.
  for (std::size_t i = 1; i < held.size(); ++i) CHECK_THAT(get_healthz(held[i]), Catch::StartsWith("HTTP/1.1 200"));
  for (int fd : held) ::close(fd);
}

TEST_CASE("the store is its owner's alone, and the server cannot write to release data", "[e2e][hardening]") {
  Served s;
  namespace fs = std::filesystem;
  const fs::path store = data_of(s.dir);
  auto mode = [](const fs::path& p) { return fs::status(p).permissions() & fs::perms::all; };
  for (const char* sub : {"", "objects", "candidates", "tmp"}) {
    INFO(sub);
    CHECK(mode(store / sub) == fs::perms::owner_all);
  }
  CHECK(mode(store / "gazette.db") == (fs::perms::owner_read | fs::perms::owner_write));
  if (fs::exists(store / "gazette.db-wal"))
    CHECK(mode(store / "gazette.db-wal") == (fs::perms::owner_read | fs::perms::owner_write));

  // Every descriptor the server holds on the release database is open for reading only.
  REQUIRE(curl(s.dir, s.base + "/datasets/naptan-stops/records/66806210056").status == 200);
  const fs::path fds = "/proc/" + std::to_string(s.server->pid()) + "/fd";
  int release_db_fds = 0;
  for (const auto& fd : fs::directory_iterator(fds)) {
    std::error_code ec;
    const fs::path target = fs::read_symlink(fd.path(), ec);
    if (ec || target.filename() != "gazette.db") continue;
    ++release_db_fds;
    std::ifstream info("/proc/" + std::to_string(s.server->pid()) + "/fdinfo/" + fd.path().filename().string());
    std::string key, flags;
    while (info >> key >> flags)
      if (key == "flags:") break;
    INFO("flags " << flags);
    CHECK((std::stoul(flags, nullptr, 8) & O_ACCMODE) == O_RDONLY);
  }
  CHECK(release_db_fds > 0);
}

TEST_CASE("a log nobody reads does not hold up a request", "[e2e][hardening]") {
  // The server's stderr is a pipe whose reader never reads (a stuck log shipper): once its
  // 64 KiB fill, a write to it blocks. Each request's line was written by the request itself,
  // under a lock, so every request then hung.
  Served s;
  s.server->stop(SIGTERM);
  const auto fifo = s.dir / "log.fifo";
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  BackgroundProcess stuck_reader({"/bin/sh", "-c", "exec sleep 600 < '" + fifo.string() + "'"});
  BackgroundProcess server({"/bin/sh", "-c",
                            "exec \"$0\" \"$@\" 2> '" + fifo.string() + "'", GAZETTE_BINARY, "--data", data_of(s.dir),
                            "serve", "--listen", "127.0.0.1:0", "--threads", "2"});
  const int port = port_from_banner(server.wait_for_line("serving"));
  REQUIRE(port > 0);
  const std::string base = "http://127.0.0.1:" + std::to_string(port);
  // Some 3,000 requests: several hundred KiB of log lines, far past what the pipe holds.
  std::vector<std::string> argv = {"/usr/bin/curl", "-s", "--max-time", "60", "-w", "%{http_code}\\n"};
  for (int i = 0; i < 3000; ++i) argv.insert(argv.end(), {"-o", "/dev/null", base + "/datasets/naptan-stops?n=" + std::to_string(i)});
  auto many = run_process(argv);
  CHECK(many.exit_code == 0);
  CHECK(std::count(many.out.begin(), many.out.end(), '\n') == 3000);
  // And the server still answers, promptly.
  auto after = run_process({"/usr/bin/curl", "-s", "-o", "/dev/null", "--max-time", "5", "-w", "%{http_code}",
                            base + "/healthz"});
  CHECK(after.out == "200");
  CHECK(server.stop(SIGTERM) == 0);  // and stops, though its last lines cannot be written
}
