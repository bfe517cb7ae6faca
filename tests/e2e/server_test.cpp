// The real server over loopback, driven by a real HTTP client (curl) and raw sockets.
#include <arpa/inet.h>
#include <catch2/catch.hpp>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "publisher/common/gzip.hpp"
#include "publisher/common/sha256.hpp"
#include "tests/support/background_process.hpp"
#include "tests/support/run_process.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/e2e/e2e_support.hpp"

using namespace gazette;
using namespace gazette::testing;

namespace {

nlohmann::json manifest(const Served& s, const std::string& rel) {
  return nlohmann::json::parse(
      curl(s.dir, s.base + "/datasets/naptan-stops/releases/" + rel + "/manifest.json").body);
}

}  // namespace

TEST_CASE("every artefact body hashes to its manifest's SHA-256, plain and gzip", "[e2e][server]") {
  Served s;
  for (const char* rel : {"2024-10-13", "2024-10-24"}) {
    auto m = manifest(s, rel);
    REQUIRE(m["artefacts"].size() == 4);
    for (const auto& a : m["artefacts"]) {
      const std::string url = s.base + "/datasets/naptan-stops/releases/" + rel + "/" + a["name"].get<std::string>();
      INFO(url);
      auto plain = curl(s.dir, url);
      CHECK(plain.status == 200);
      CHECK(to_hex(sha256(plain.body)) == a["sha256"]);
      CHECK(plain.body.size() == a["bytes"].get<std::size_t>());
      CHECK(plain.header("Content-Type") == a["media_type"]);
      auto gz = curl(s.dir, url, {"-H", "Accept-Encoding: gzip"});
      CHECK(gz.header("Content-Encoding") == "gzip");
      auto unzipped = gunzip(gz.body);
      REQUIRE(unzipped.ok());
      CHECK(to_hex(sha256(*unzipped)) == a["sha256"]);
    }
  }
}

TEST_CASE("GDAL reads the GeoJSON artefact: every stop a point where the CSV puts it", "[e2e][server][geojson]") {
  Served s;
  auto geo = curl(s.dir, s.base + "/datasets/naptan-stops/releases/2024-10-24/naptan-stops.geojson");
  REQUIRE(geo.status == 200);
  CHECK(geo.header("Content-Type") == "application/geo+json");
  CHECK_THAT(geo.header("Content-Disposition"), Catch::Contains("naptan-stops-2024-10-24.geojson"));
  const auto file = write_text(s.dir / "stops.geojson", geo.body);
  // GDAL's own reader, which no one here wrote.
  auto summary = run_process({"/usr/bin/ogrinfo", "-ro", "-so", "-al", file.string()});
  INFO(summary.err);
  REQUIRE(summary.exit_code == 0);
  CHECK_THAT(summary.out, Catch::Contains("Geometry: Point") && Catch::Contains("Feature Count: 356"));
  auto all = run_process({"/usr/bin/ogrinfo", "-ro", "-al", "-q", file.string()});
  REQUIRE(all.exit_code == 0);
  std::size_t points = 0;
  for (std::size_t p = all.out.find("POINT ("); p != std::string::npos; p = all.out.find("POINT (", p + 1)) ++points;
  CHECK(points == 356);
  // The first stop of the CSV, at its longitude and latitude.
  CHECK_THAT(all.out, Catch::Contains("ATCOCode (String) = 668029684") && Catch::Contains("POINT (-3.845999 56.151329)"));
  // latest/ leads to it, like any artefact.
  CHECK(curl(s.dir, s.base + "/datasets/naptan-stops/latest/naptan-stops.geojson").header("Location") ==
        "/datasets/naptan-stops/releases/2024-10-24/naptan-stops.geojson");
}

TEST_CASE("conditional, range and HEAD requests over the wire", "[e2e][server]") {
  Served s;
  const std::string url = s.base + "/datasets/naptan-stops/releases/2024-10-24/naptan-stops.csv";
  auto full = curl(s.dir, url);
  const std::string etag = full.header("ETag");
  CHECK(curl(s.dir, url, {"-H", "If-None-Match: " + etag}).status == 304);
  auto part = curl(s.dir, url, {"-r", "100-199"});
  CHECK(part.status == 206);
  CHECK(part.body == full.body.substr(100, 100));
  auto resumed = curl(s.dir, url, {"-r", "100-", "-H", "If-Range: " + etag});
  CHECK(resumed.body == full.body.substr(100));
  CHECK(curl(s.dir, url, {"-r", "99999999-"}).status == 416);
  auto head = curl(s.dir, url, {"-I"});
  CHECK(head.status == 200);
  CHECK(head.body == head.headers);  // with -I curl writes the headers and nothing else
  CHECK(head.header("Content-Length") == std::to_string(full.body.size()));
}

TEST_CASE("curl -C - resumes an interrupted download to the right SHA-256", "[e2e][server]") {
  Served s;
  const std::string url = s.base + "/datasets/naptan-stops/releases/2024-10-24/naptan-stops.xml";
  const std::string sha = manifest(s, "2024-10-24")["artefacts"][1]["sha256"];
  // An interrupted download: the first 10,000 bytes only.
  auto partial = s.dir / "partial.xml";
  REQUIRE(run_process({"/usr/bin/curl", "-s", "-r", "0-9999", "-o", partial.string(), url}).exit_code == 0);
  REQUIRE(std::filesystem::file_size(partial) == 10000);
  auto r = run_process({"/usr/bin/curl", "-s", "-S", "-C", "-", "-o", partial.string(), url});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(to_hex(sha256(read_text(partial))) == sha);
}

TEST_CASE("redirects, problem+json and traversal over the wire", "[e2e][server]") {
  Served s;
  auto latest = curl(s.dir, s.base + "/datasets/naptan-stops/latest/naptan-stops.json");
  CHECK(latest.status == 302);
  CHECK(latest.header("Location") == "/datasets/naptan-stops/releases/2024-10-24/naptan-stops.json");
  auto followed = curl(s.dir, s.base + "/datasets/naptan-stops/as-of/2024-10-20T00:00:00Z", {"-L"});
  CHECK(followed.status == 200);
  CHECK(nlohmann::json::parse(followed.body)["release"] == "2024-10-13");
  CHECK(curl(s.dir, s.base + "/datasets/naptan-stops/as-of/2000-01-01T00:00:00Z").status == 404);
  auto artefact = curl(s.dir, s.base + "/datasets/naptan-stops/as-of/2024-10-20T00:00:00Z/naptan-stops.csv", {"-L"});
  CHECK(artefact.status == 200);
  CHECK(artefact.header("Content-Disposition") == "attachment; filename=\"naptan-stops-2024-10-13.csv\"");
  for (const char* t : {"/datasets/../../etc/passwd", "/datasets/%2e%2e/%2e%2e/etc/passwd",
                        "/datasets/naptan-stops/releases/..%2f..%2fgazette.db"}) {
    auto r = curl(s.dir, s.base + t);
    INFO(t);
    CHECK(r.status == 400);
    CHECK(r.header("Content-Type") == "application/problem+json");
    CHECK(r.body.find("root:") == std::string::npos);
  }
  auto missing = curl(s.dir, s.base + "/datasets/naptan-stops/releases/2001-01-01/naptan-stops.csv");
  CHECK(missing.status == 404);
  CHECK(nlohmann::json::parse(missing.body)["status"] == 404);
  CHECK(curl(s.dir, s.base + "/datasets", {"-X", "PUT"}).status == 405);
  CHECK(curl(s.dir, s.base + "/healthz").body == "ok\n");
}

TEST_CASE("a release cut while the server runs appears without a restart", "[e2e][server]") {
  Served s;
  auto before = nlohmann::json::parse(curl(s.dir, s.base + "/datasets/naptan-stops/releases").body);
  REQUIRE(before["releases"].size() == 2);
  run_gazette(s.dir, {"release", "naptan-stops", stage(s.dir, "csv/668Stops_2024-12-03.csv"),
                  "--owner", "alice", "--published-at", "2024-12-03T06:00:00Z"});
  std::string newest;
  for (int i = 0; i < 50 && newest != "2024-12-03"; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    newest = nlohmann::json::parse(curl(s.dir, s.base + "/datasets/naptan-stops/releases").body)["releases"][0]["id"];
  }
  CHECK(newest == "2024-12-03");
  CHECK(curl(s.dir, s.base + "/datasets/naptan-stops/latest/naptan-stops.csv").header("Location") ==
        "/datasets/naptan-stops/releases/2024-12-03/naptan-stops.csv");
  auto metrics = curl(s.dir, s.base + "/metrics").body;
  CHECK_THAT(metrics, Catch::Contains("gazette_releases_published{dataset=\"naptan-stops\"} 3"));
}

TEST_CASE("oversized headers get 431 and bodies 413, slow and broken clients are cut off",
          "[e2e][server]") {
  Served s({"--request-timeout", "1", "--max-header-bytes", "4096"});
  auto big = curl(s.dir, s.base + "/datasets", {"-H", "X-Big: " + std::string(8000, 'a')});
  CHECK(big.status == 431);
  auto body = write_text(s.dir / "body.txt", std::string(200 * 1024, 'x'));
  CHECK(curl(s.dir, s.base + "/datasets", {"--data-binary", "@" + body.string()}).status == 413);

  // A client that sends half a request and stalls is dropped after the request timeout.
  int fd = connect_to(s.base);
  const char* half = "GET /datasets HTTP/1.1\r\nHost: x\r\n";
  REQUIRE(::send(fd, half, std::strlen(half), 0) > 0);
  auto t0 = std::chrono::steady_clock::now();
  std::string got = read_all(fd, 10);
  auto waited = std::chrono::steady_clock::now() - t0;
  ::close(fd);
  CHECK(got.empty());
  CHECK(waited < std::chrono::seconds(5));

  // Garbage gets a 400 and a closed connection; the server keeps serving.
  fd = connect_to(s.base);
  const char* junk = "\x16\x03\x01 not http at all\r\n\r\n";
  REQUIRE(::send(fd, junk, std::strlen(junk), 0) > 0);
  CHECK_THAT(read_all(fd, 5), Catch::StartsWith("HTTP/1.1 400"));
  ::close(fd);
  CHECK(curl(s.dir, s.base + "/healthz").status == 200);
}

TEST_CASE("keep-alive serves several requests on one connection, and the access log has one line each",
          "[e2e][server]") {
  Served s;
  auto r = run_process({"/usr/bin/curl", "-s", "-o", "/dev/null", "-o", "/dev/null", "-w", "%{num_connects}\n",
                        s.base + "/datasets", s.base + "/healthz"});
  CHECK(r.out == "1\n0\n");
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  auto log = s.server->error_output();
  CHECK_THAT(log, Catch::Contains("\"GET /datasets HTTP/1.1\" 200") && Catch::Contains("\"GET /healthz HTTP/1.1\" 200"));
  // The Common Log Format: the client, two unknown identities, and the time in brackets.
  static const std::regex kLine(R"((^|\n)127\.0\.0\.1 - - \[\d\d/[A-Z][a-z]{2}/\d{4}:\d\d:\d\d:\d\d \+0000\] "GET /healthz HTTP/1\.1" 200 3 )");
  CHECK(std::regex_search(log, kLine));
}

TEST_CASE("SIGTERM lets an in-flight response finish, then the server exits 0", "[e2e][server]") {
  Served s;
  // A slow reader: start a large download throttled by curl, then ask the server to stop.
  BackgroundProcess download({"/usr/bin/curl", "-s", "--limit-rate", "200k", "-o",
                              (s.dir / "slow.xml").string(), "-w", "%{http_code}",
                              s.base + "/datasets/naptan-stops/releases/2024-10-24/naptan-stops.xml"});
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  CHECK(s.server->stop(SIGTERM) == 0);
  CHECK_THAT(s.server->output(), Catch::Contains("stopped"));
  CHECK(download.stop(0) == 0);  // signal 0: just wait for it to end
  const std::string sha = [&] {
    // The store is still there: compute the expected hash from the object files.
    for (auto& e : std::filesystem::recursive_directory_iterator(s.dir / "store/objects"))
      if (e.is_regular_file() && std::filesystem::file_size(e.path()) == std::filesystem::file_size(s.dir / "slow.xml"))
        return e.path().filename().string();
    return std::string();
  }();
  CHECK(download.output() == "200");
  CHECK(to_hex(sha256(read_text(s.dir / "slow.xml"))) == sha);
}

TEST_CASE("changes over the wire: JSON and CSV pages visit every change once", "[e2e][server][changes]") {
  Served s;
  const std::string base = s.base + "/datasets/naptan-stops/changes?from=2024-10-13&to=2024-10-24";
  auto whole = nlohmann::json::parse(curl(s.dir, base).body);
  std::set<std::string> expected;
  for (const auto& c : whole["changes"]) expected.insert(c["key"].get<std::string>());
  REQUIRE(expected.size() == 10);

  std::multiset<std::string> seen;
  std::string url = base + "&limit=3";
  for (int pages = 0; pages < 10; ++pages) {
    auto page = nlohmann::json::parse(curl(s.dir, url).body);
    for (const auto& c : page["changes"]) seen.insert(c["key"].get<std::string>());
    if (!page.contains("next_cursor")) break;
    url = base + "&limit=3&cursor=" + page["next_cursor"].get<std::string>();
  }
  CHECK(std::set<std::string>(seen.begin(), seen.end()) == expected);
  CHECK(seen.size() == expected.size());

  // CSV, following the Link: rel="next" headers as a generic client would.
  std::multiset<std::string> csv_keys;
  url = base + "&limit=4&format=csv";
  for (int pages = 0; pages < 10 && !url.empty(); ++pages) {
    auto page = curl(s.dir, url);
    CHECK(page.header("Content-Type") == "text/csv; charset=utf-8; header=present");
    std::istringstream lines(page.body);
    std::string line;
    std::getline(lines, line);
    CHECK(line == "key,kind,column,old,new\r");
    std::set<std::string> keys_here;
    while (std::getline(lines, line)) keys_here.insert(line.substr(0, line.find(',')));
    csv_keys.insert(keys_here.begin(), keys_here.end());
    std::smatch m;
    std::string link = page.header("Link");
    url = std::regex_search(link, m, std::regex("<([^>]*)>")) ? s.base + m[1].str() : "";
  }
  CHECK(std::set<std::string>(csv_keys.begin(), csv_keys.end()) == expected);
  CHECK(csv_keys.size() == expected.size());

  auto record = nlohmann::json::parse(curl(s.dir, s.base + "/datasets/naptan-stops/records/66806210056").body);
  CHECK(record["record"]["Status"] == "inactive");
  auto history = nlohmann::json::parse(curl(s.dir, s.base + "/datasets/naptan-stops/records/66806210056/history").body);
  CHECK(history["versions"].size() == 2);
}

TEST_CASE("an artefact whose files were evicted is rendered again: the same bytes, ranges and validators",
          "[server][storage]") {
  Served s;
  // A third release evicts the files of the first.
  run_gazette(s.dir, {"release", "naptan-stops", stage(s.dir, "csv/668Stops_2024-12-03.csv"), "--owner", "alice",
                      "--published-at", "2024-12-03T06:00:00Z"});
  const std::string url = s.base + "/datasets/naptan-stops/releases/2024-10-13/naptan-stops.csv";
  auto m = manifest(s, "2024-10-13");
  std::string sha;
  std::uint64_t bytes = 0;
  for (const auto& a : m["artefacts"])
    if (a["name"] == "naptan-stops.csv") {
      sha = a["sha256"];
      bytes = a["bytes"];
    }
  REQUIRE(!sha.empty());
  Fetched full;
  REQUIRE(eventually([&] {  // the server's snapshot catches up with the eviction
    full = curl(s.dir, url, {"-H", "Accept-Encoding: gzip"});
    return full.status == 200 && full.header("Content-Encoding").empty();
  }));
  CHECK(to_hex(sha256(full.body)) == sha);
  CHECK(full.header("ETag") == "\"" + sha + "\"");
  CHECK(full.header("Content-Length") == std::to_string(bytes));
  auto head = curl(s.dir, url, {"-I"});
  CHECK(head.header("Content-Length") == std::to_string(bytes));
  CHECK(head.status == 200);
  auto part = curl(s.dir, url, {"-r", "1000-1999"});
  CHECK(part.status == 206);
  CHECK(part.body == full.body.substr(1000, 1000));
  auto tail = curl(s.dir, url, {"-r", "-500"});
  CHECK(tail.body == full.body.substr(full.body.size() - 500));
  CHECK(curl(s.dir, url, {"-H", "If-None-Match: \"" + sha + "\""}).status == 304);
  // A range asked for first is rendered (skipping to it); once rendered to its end, an artefact
  // is kept on disk in the render cache, checked against its SHA-256, and served from there as
  // a file: both give the same bytes.
  const std::string xml = s.base + "/datasets/naptan-stops/releases/2024-10-13/naptan-stops.xml";
  std::string xml_sha, json_sha;
  for (const auto& a : m["artefacts"]) {
    if (a["name"] == "naptan-stops.xml") xml_sha = a["sha256"];
    if (a["name"] == "naptan-stops.json") json_sha = a["sha256"];
  }
  const auto kept = std::filesystem::path(data_of(s.dir)) / "cache" / xml_sha;
  auto first_range = curl(s.dir, xml, {"-r", "5000-5999"});
  CHECK(first_range.status == 206);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  CHECK_FALSE(std::filesystem::exists(kept));  // rendered up to the range's end, no further
  // A suffix range (or a resumed download) renders every byte anyway: kept without a download.
  const std::string json_url = s.base + "/datasets/naptan-stops/releases/2024-10-13/naptan-stops.json";
  auto json_tail = curl(s.dir, json_url, {"-r", "-300"});
  CHECK(json_tail.status == 206);
  const auto kept_json = std::filesystem::path(data_of(s.dir)) / "cache" / json_sha;
  REQUIRE(eventually([&] { return std::filesystem::exists(kept_json); }, 5));
  const std::string json_whole = read_text(kept_json);
  CHECK(to_hex(sha256(json_whole)) == json_sha);
  CHECK(json_tail.body == json_whole.substr(json_whole.size() - 300));
  CHECK(curl(s.dir, json_url, {"-r", "-300"}).body == json_tail.body);
  auto whole_xml = curl(s.dir, xml);
  REQUIRE(eventually([&] { return std::filesystem::exists(kept); }, 5));
  CHECK(to_hex(sha256(read_text(kept))) == xml_sha);
  CHECK(std::filesystem::exists(std::filesystem::path(data_of(s.dir)) / "cache" / sha));  // the CSV's too
  auto again_xml = curl(s.dir, xml);
  CHECK(whole_xml.body == again_xml.body);
  CHECK(first_range.body == whole_xml.body.substr(5000, 1000));
  CHECK(curl(s.dir, xml, {"-r", "5000-5999"}).body == first_range.body);
  // The cache is the server's own: deleting it loses nothing.
  std::filesystem::remove_all(std::filesystem::path(data_of(s.dir)) / "cache");
  CHECK(curl(s.dir, xml).body == whole_xml.body);
  // The newest releases keep their files and their gzip copies.
  auto newest = curl(s.dir, s.base + "/datasets/naptan-stops/releases/2024-12-03/naptan-stops.csv",
                     {"-H", "Accept-Encoding: gzip"});
  CHECK(newest.header("Content-Encoding") == "gzip");
}

TEST_CASE("releases cut by renderer 1 keep their bytes under renderer 2: on disk, rendered again, and served",
          "[server][storage][render]") {
  // A store written by gazette before NaPTAN XML (tests/fixtures/README.md): three releases,
  // the first evicted by that gazette.
  Served s([](const TempDir& d) {
    std::filesystem::create_directories(data_of(d));
    // (The export below writes every artefact: the evicted ones rendered again.)
    auto unpacked = run_process({"/bin/tar", "xzf", (source_dir() / "tests/fixtures/render1-store.tar.gz").string(),
                                 "-C", data_of(d)});
    REQUIRE(unpacked.exit_code == 0);
    // That gazette signed nothing: fsck finds every document unsigned, and --repair signs them
    // (3 manifests, 2 changesets and the release list) with a key it makes for the store.
    auto before = run_process({GAZETTE_BINARY, "--data", data_of(d), "fsck", "naptan-stops"});
    CHECK(before.exit_code == 1);
    CHECK_THAT(before.out, Catch::Contains("release 2024-10-13: manifest not signed (--repair signs it)") &&
                               Catch::Contains("release 2024-12-03: changeset not signed (--repair signs it)") &&
                               Catch::Contains("release list: not signed (--repair signs it)"));
    CHECK_THAT(run_gazette(d, {"fsck", "naptan-stops", "--repair"}).out,
               Catch::Contains("signed 6 document(s) that were unsigned or stale") &&
                   Catch::Contains("(4 rendered again)") && Catch::Contains("0 problems"));
    // The next release is this gazette's: its files push the second's out, rendered again by
    // renderer 1 first, and removed only because that gave the same bytes.
    run_gazette(d, {"release", "naptan-stops", stage_path(d, source_dir() / "tests/fixtures/render1-next.csv"),
                    "--owner", "alice", "--published-at", "2024-12-12T06:00:00Z"});
    CHECK_THAT(run_gazette(d, {"fsck", "naptan-stops"}).out,
               Catch::Contains("(8 rendered again)") && Catch::Contains("0 problems"));
  });
  run_gazette(s.dir, {"export", "naptan-stops", "--to", (s.dir / "tree").string()});
  // Releases from before versions get theirs from what the store knows of them.
  auto list = nlohmann::json::parse(curl(s.dir, s.base + "/datasets/naptan-stops/releases").body);
  std::string versions;
  for (const auto& r : list["releases"]) versions += r["id"].get<std::string>() + " " + r["version"].get<std::string>() + "\n";
  CHECK(versions == "2024-12-12 1.0.3\n2024-12-03 1.0.2\n2024-10-24 1.0.1\n2024-10-13 1.0.0\n");
  // Their feed entries keep the bytes they were published with; the new release's gives its version.
  // (Held in a variable: a range-for over a temporary's member reads it after it is gone.)
  const auto feed = nlohmann::json::parse(curl(s.dir, s.base + "/feeds/naptan-stops.json").body);
  for (const auto& item : feed["items"])
    if (item["_gazette"]["type"] == "release") {
      INFO(item["_gazette"]["release"]);
      CHECK(item["_gazette"].contains("version") == (item["_gazette"]["release"] == "2024-12-12"));
    }
  for (const char* rel : {"2024-10-13", "2024-10-24", "2024-12-03", "2024-12-12"}) {
    INFO(rel);
    auto m = manifest(s, rel);
    const bool old = std::string(rel) != "2024-12-12";
    CHECK(m["renderer"] == (old ? "gazette-render/1" : "gazette-render/2"));
    REQUIRE(m["artefacts"].size() == 4);
    for (const auto& a : m["artefacts"]) {
      INFO(a["name"]);
      auto got = curl(s.dir, s.base + "/datasets/naptan-stops/releases/" + rel + "/" + a["name"].get<std::string>());
      CHECK(got.status == 200);
      CHECK(to_hex(sha256(got.body)) == a["sha256"]);
      // The export tree (for nginx or a CDN) holds the same bytes.
      CHECK(to_hex(sha256(read_text(s.dir / "tree/datasets/naptan-stops/releases" / rel / a["name"].get<std::string>()))) ==
            a["sha256"]);
      if (a["name"] == "naptan-stops.xml")
        CHECK(got.body.find(old ? "<release xmlns=\"urn:gazette:release:1\"" : "<NaPTAN xmlns=\"http://www.naptan.org.uk/\"") !=
              std::string::npos);
    }
    // The change of layout is told with the first release that carries it, and only there: in
    // its release notes (the release as JSON and as a page) and in its feed entry.
    auto page = curl(s.dir, s.base + "/datasets/naptan-stops/releases/" + rel);
    auto doc = nlohmann::json::parse(page.body);
    auto html = curl(s.dir, s.base + "/datasets/naptan-stops/releases/" + rel, {"-H", "Accept: text/html"});
    if (old) {
      CHECK(doc["format_change"].is_null());
      CHECK(html.body.find("id=\"format-change\"") == std::string::npos);
    } else {
      CHECK_THAT(doc["format_change"].get<std::string>(), Catch::Contains("naptan-stops.xml is NaPTAN 2.4 XML"));
      CHECK_THAT(html.body, Catch::Contains("<div class=\"notice\" id=\"format-change\"><strong>Format change</strong>"));
    }
  }
  // Read by a feed reader none of us wrote.
  auto r = run_process({"/usr/bin/python3", (source_dir() / "tests/support/read_feeds.py").string(),
                        s.base + "/feeds/naptan-stops.atom", s.base + "/feeds/naptan-stops.json"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  auto report = nlohmann::json::parse(r.out);
  CHECK(report["problems"].empty());
  std::vector<std::string> told;
  for (const auto& p : report["atom_pages"])
    for (const auto& e : p["entries"])
      if (e["summary"].is_string() && e["summary"].get<std::string>().find("Format change: From this release on, "
                                                                          "naptan-stops.xml is NaPTAN 2.4 XML") !=
                                          std::string::npos)
        told.push_back(e["title"]);
  CHECK(told == std::vector<std::string>{"naptan-stops 2024-12-12: routine release, 1 record changed"});
  std::size_t extensions = 0;
  for (const auto& p : report["json_pages"])
    for (const auto& x : p["extensions"])
      if (x.contains("format_change") && x["format_change"].is_string()) ++extensions;
  CHECK(extensions == 1);
}
