// Feeds and WebSub end to end: the real server over loopback, read by Debian's feedparser and
// pushed to a subscriber written against the W3C recommendation (tests/support/*.py).
#include <catch2/catch.hpp>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "publisher/common/url.hpp"
#include "tests/e2e/e2e_support.hpp"
#include "tests/e2e/websub_support.hpp"
#include "tests/support/silent_server.hpp"

using namespace gazette;
using namespace gazette::testing;
using json = nlohmann::json;

namespace {

std::filesystem::path write_notice(const TempDir& d, const std::string& id, const std::string& kind) {
  return write_text(d / (id + ".json"), R"({"id": ")" + id + R"(", "kind": ")" + kind +
                                            R"(", "title": "Notes column to be withdrawn", "text": "Use Landmark.",
      "scope": {"columns": ["Notes"]}, "effective_at": "2027-06-01T00:00:00Z"})");
}

}  // namespace

TEST_CASE("feeds: feedparser reads the Atom feed and its archives, and JSON Feed has the same entries",
          "[feeds][e2e]") {
  Served s({"--feed-page-size", "2"});
  for (const char* day : {"2024-12-03", "2024-12-12", "2025-11-18"})
    run_gazette(s.dir, {"release", "naptan-stops", stage(s.dir, std::string("csv/668Stops_") + day + ".csv"),
                        "--owner", "alice", "--published-at", std::string(day) + "T06:00:00Z"});
  run_gazette(s.dir, {"notice", "add", "naptan-stops", write_notice(s.dir, "notes-withdrawn", "deprecation").string()});
  // 5 releases and a notice: pages of 2 make 3 archive pages and a subscription document.
  REQUIRE(eventually([&] { return curl(s.dir, s.base + "/feeds/naptan-stops/archive/3.atom").status == 200; }));
  auto r = run_process({kPython, support("read_feeds.py"), s.base + "/feeds/naptan-stops.atom",
                        s.base + "/feeds/naptan-stops.json"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  auto report = json::parse(r.out);
  INFO(r.out);
  CHECK(report["problems"].empty());
  REQUIRE(report["atom_pages"].size() == 4);  // the subscription document and 3 archives
  std::set<std::string> ids;
  std::size_t releases = 0;
  for (const auto& page : report["atom_pages"]) {
    CHECK(page["hub"] == json::array({s.base + "/websub"}));
    for (const auto& e : page["entries"]) {
      ids.insert(e["id"].get<std::string>());
      if (e["category"] != "deprecation") {
        ++releases;
        CHECK(e["enclosures"] == 4);
        CHECK(e["describedby"].size() == 1);
      }
    }
  }
  CHECK(report["atom_pages"][1]["current"] == json::array({s.base + "/feeds/naptan-stops.atom"}));
  CHECK(ids.size() == 6);
  CHECK(releases >= 5);
  std::set<std::string> json_ids;
  for (const auto& page : report["json_pages"])
    for (const auto& id : page["ids"]) json_ids.insert(id.get<std::string>());
  CHECK(json_ids == ids);

  // Each release's entry gives its meaning version (five routine releases: 1.0.0 to 1.0.4).
  std::set<std::string> versions;
  for (std::size_t page = 0; page <= 3; ++page) {
    auto feed = json::parse(curl(s.dir, s.base + (page == 0 ? std::string("/feeds/naptan-stops.json")
                                                            : "/feeds/naptan-stops/archive/" + std::to_string(page) + ".json"))
                                .body);
    for (const auto& item : feed["items"])
      if (item["_gazette"]["type"] == "release") {
        versions.insert(item["_gazette"]["version"].get<std::string>());
        CHECK_THAT(item["content_text"].get<std::string>(),
                   Catch::Contains("Version " + item["_gazette"]["version"].get<std::string>() + "."));
      }
  }
  CHECK(versions == std::set<std::string>{"1.0.0", "1.0.1", "1.0.2", "1.0.3", "1.0.4"});

  // Archive pages are cached for ever; the subscription document briefly, with a 304.
  auto archive = curl(s.dir, s.base + "/feeds/naptan-stops/archive/1.atom");
  CHECK(archive.header("Cache-Control") == "public, max-age=31536000, immutable");
  auto current = curl(s.dir, s.base + "/feeds/naptan-stops.atom");
  CHECK(current.header("Content-Type") == "application/atom+xml; charset=utf-8");
  CHECK(current.header("Cache-Control") == "public, max-age=60");
  CHECK(curl(s.dir, s.base + "/feeds/naptan-stops.atom", {"-H", "If-None-Match: " + current.header("ETag")}).status == 304);
  CHECK(curl(s.dir, s.base + "/feeds/all.json").header("Content-Type") == "application/feed+json");
  // The page after the newest archive is not full yet: it points at the subscription document.
  auto next = curl(s.dir, s.base + "/feeds/naptan-stops/archive/4.atom");
  CHECK(next.status == 302);
  CHECK(next.header("Location") == "/feeds/naptan-stops.atom");
  CHECK(curl(s.dir, s.base + "/feeds/naptan-stops/archive/5.atom").status == 404);
}

TEST_CASE("feeds: a deprecation notice puts Deprecation, Sunset and Link on the dataset's resources",
          "[feeds][e2e]") {
  Served s;
  const std::string csv = s.base + "/datasets/naptan-stops/releases/2024-10-24/naptan-stops.csv";
  CHECK(curl(s.dir, csv, {"-I"}).header("Deprecation").empty());
  run_gazette(s.dir, {"notice", "add", "naptan-stops", write_notice(s.dir, "notes-withdrawn", "deprecation").string()});
  REQUIRE(eventually([&] { return !curl(s.dir, csv, {"-I"}).header("Deprecation").empty(); }));
  auto head = curl(s.dir, csv, {"-I"});
  CHECK(std::regex_match(head.header("Deprecation"), std::regex("@[0-9]+")));
  CHECK(head.header("Sunset") == "Tue, 01 Jun 2027 00:00:00 GMT");
  CHECK_THAT(head.headers, Catch::Contains("<" + s.base + "/datasets/naptan-stops/notices/notes-withdrawn>; rel=\"deprecation\""));
  CHECK_THAT(head.headers, Catch::Contains("rel=\"sunset\""));
  CHECK_FALSE(curl(s.dir, s.base + "/datasets/naptan-stops/releases", {"-I"}).header("Deprecation").empty());
  // A removal announced for one stop: its record carries both notices, under one Deprecation.
  auto removal = write_text(s.dir / "removal.json", R"({"id": "stop-closing", "kind": "removal",
    "title": "Stop closing", "text": "Demolished in spring.", "scope": {"keys": ["66806210056"]},
    "effective_at": "2027-03-01T00:00:00Z"})");
  run_gazette(s.dir, {"notice", "add", "naptan-stops", removal.string()});
  const std::string record = s.base + "/datasets/naptan-stops/records/66806210056";
  REQUIRE(eventually([&] { return curl(s.dir, record, {"-I"}).headers.find("stop-closing") != std::string::npos; }));
  auto rec = curl(s.dir, record, {"-I"});
  const std::regex deprecation_header("(^|\n)Deprecation:", std::regex::icase);
  CHECK(std::distance(std::sregex_iterator(rec.headers.begin(), rec.headers.end(), deprecation_header),
                      std::sregex_iterator()) == 1);
  CHECK(rec.header("Sunset") == "Mon, 01 Mar 2027 00:00:00 GMT");  // the earlier of the two
  CHECK_THAT(rec.headers, Catch::Contains("notices/notes-withdrawn>; rel=\"deprecation\""));
  auto other = curl(s.dir, s.base + "/datasets/naptan-stops/records/66806000079", {"-I"});
  CHECK(other.status == 200);
  CHECK(other.headers.find("stop-closing") == std::string::npos);
  CHECK_THAT(other.headers, Catch::Contains("notices/notes-withdrawn>; rel=\"deprecation\""));

  // The notice itself, and the feeds that carry it, are news, not deprecated.
  CHECK(curl(s.dir, s.base + "/datasets/naptan-stops/notices/notes-withdrawn", {"-I"}).header("Deprecation").empty());
  CHECK_THAT(curl(s.dir, s.base + "/feeds/naptan-stops.atom").body, Catch::Contains("Notes column to be withdrawn"));
  // The feed grows at its end even when a back catalogue is loaded after a notice: a release
  // dated before it is listed after it, and no archive page moves.
  run_gazette(s.dir, {"release", "naptan-stops", stage(s.dir, "csv/668Stops_2024-12-03.csv"), "--owner", "alice",
                      "--published-at", "2024-12-03T06:00:00Z"});
  REQUIRE(eventually([&] {
    return curl(s.dir, s.base + "/feeds/naptan-stops.json").body.find("2024-12-03") != std::string::npos;
  }));
  auto items = json::parse(curl(s.dir, s.base + "/feeds/naptan-stops.json").body)["items"];
  CHECK(items[0]["_gazette"]["release"] == "2024-12-03");
  CHECK(items[1]["_gazette"]["notice"] == "stop-closing");
  CHECK(items[2]["_gazette"]["notice"] == "notes-withdrawn");
}

TEST_CASE("websub: verification, a signed delivery, a retry, a release cut while stopped, unsubscribe",
          "[websub][e2e]") {
  const std::vector<std::string> flags = {"--allow-private-callbacks", "--delivery-retry", "1"};
  Served s(flags);
  Subscriber sub(1);  // fails the first delivery
  const std::string topic = s.base + "/feeds/naptan-stops.atom";
  auto accepted = subscribe(s, "subscribe", topic, sub.url);
  INFO(accepted.body);
  CHECK(accepted.status == 202);
  REQUIRE(eventually([&] { return sub.got("GET", "subscribe"); }));
  for (auto& e : sub.log())
    if (e["mode"] == "subscribe") {
      CHECK(e["topic"] == topic);
      CHECK(e["lease"] == "3600");
    }
  CHECK(sub.posts().empty());  // subscribing sends nothing old
  CHECK(eventually([&] {  // the hub records it once the callback's answer is in
    return curl(s.dir, s.base + "/metrics").body.find("gazette_websub_subscriptions 1\n") != std::string::npos;
  }));

  // A release: the first delivery fails, the retry a second later arrives, signed.
  run_gazette(s.dir, {"release", "naptan-stops", stage(s.dir, "csv/668Stops_2024-12-03.csv"), "--owner", "alice",
                      "--published-at", "2024-12-03T06:00:00Z"});
  REQUIRE(eventually([&] { return sub.posts().size() >= 2; }));
  auto posts = sub.posts();
  CHECK(posts[0]["status"] == 500);
  CHECK(posts[1]["status"] == 200);
  CHECK(posts[1]["signature_ok"] == true);
  CHECK(posts[1]["content_type"] == "application/atom+xml; charset=utf-8");
  CHECK_THAT(posts[1]["body"].get<std::string>(), Catch::Contains("naptan-stops 2024-12-03"));
  const std::string links = posts[1]["links"].dump();
  CHECK_THAT(links, Catch::Contains("rel=\\\"hub\\\"") && Catch::Contains("<" + topic + ">; rel=\\\"self\\\""));

  // A release cut while the server is down is delivered when it starts again.
  const int port = s.port();
  {
    const int stopped = s.server->stop(SIGTERM);
    INFO(s.server->error_output());
    CHECK(stopped == 0);
  }
  run_gazette(s.dir, {"release", "naptan-stops", stage(s.dir, "csv/668Stops_2024-12-12.csv"), "--owner", "alice",
                      "--published-at", "2024-12-12T06:00:00Z"});
  s.start(flags, port);
  REQUIRE(eventually([&] {
    auto p = sub.posts();
    return p.size() >= 3 && p.back()["body"].get<std::string>().find("naptan-stops 2024-12-12") != std::string::npos;
  }));
  CHECK(sub.posts().back()["signature_ok"] == true);

  // Unsubscribed, after the hub has confirmed intent: nothing more arrives.
  CHECK(subscribe(s, "unsubscribe", topic, sub.url).status == 202);
  REQUIRE(eventually([&] { return sub.got("GET", "unsubscribe"); }));
  const std::size_t before = sub.posts().size();
  run_gazette(s.dir, {"notice", "add", "naptan-stops", write_notice(s.dir, "later", "meaning-change").string()});
  std::this_thread::sleep_for(std::chrono::seconds(3));
  CHECK(sub.posts().size() == before);

  // A topic this server does not publish is denied, with a reason.
  CHECK(subscribe(s, "subscribe", s.base + "/feeds/nothing-here.atom", sub.url).status == 202);
  REQUIRE(eventually([&] { return sub.got("GET", "denied"); }));
}

TEST_CASE("websub: callbacks to private or loopback addresses are refused without the flag", "[websub][e2e]") {
  Served s;
  Subscriber sub(0);
  auto refused = subscribe(s, "subscribe", s.base + "/feeds/naptan-stops.atom", sub.url);
  CHECK(refused.status == 403);
  CHECK(refused.header("Content-Type") == "application/problem+json");
  CHECK_THAT(refused.body, Catch::Contains("private, loopback or link-local"));
  auto link_local = subscribe(s, "subscribe", s.base + "/feeds/naptan-stops.atom", "http://169.254.169.254/latest");
  CHECK(link_local.status == 403);
  auto bad = subscribe(s, "subscribe", s.base + "/feeds/naptan-stops.atom", "ftp://example.org/x");
  CHECK(bad.status == 400);
  CHECK(curl(s.dir, s.base + "/websub").status == 405);  // GET: the hub takes POSTs only
  std::this_thread::sleep_for(std::chrono::seconds(1));
  CHECK(sub.log().empty());  // never called
}

TEST_CASE("websub: with --hub the server advertises that hub and pings it on every new entry", "[websub][e2e]") {
  Subscriber hub(0);  // stands in for an existing hub: it records the pings
  Served s({"--hub", hub.url});
  auto atom = curl(s.dir, s.base + "/feeds/naptan-stops.atom");
  CHECK_THAT(atom.body, Catch::Contains("<link rel=\"hub\" href=\"" + hub.url + "\"/>"));
  CHECK_THAT(atom.headers, Catch::Contains("<" + hub.url + ">; rel=\"hub\""));
  CHECK(json::parse(curl(s.dir, s.base + "/feeds/naptan-stops.json").body)["hubs"][0]["url"] == hub.url);
  CHECK(subscribe(s, "subscribe", s.base + "/feeds/naptan-stops.atom", hub.url).status == 404);
  std::this_thread::sleep_for(std::chrono::seconds(1));
  CHECK(hub.posts().empty());  // what was published before is no news to the delegate

  run_gazette(s.dir, {"release", "naptan-stops", stage(s.dir, "csv/668Stops_2024-12-03.csv"), "--owner", "alice",
                      "--published-at", "2024-12-03T06:00:00Z"});
  REQUIRE(eventually([&] { return hub.posts().size() >= 4; }));
  std::set<std::string> pinged;
  for (const auto& p : hub.posts()) {
    const std::string body = p["body"];
    CHECK_THAT(body, Catch::StartsWith("hub.mode=publish&hub.url="));
    pinged.insert(body.substr(body.find("hub.url=") + 8, body.find('&', 20) - body.find("hub.url=") - 8));
  }
  CHECK(pinged.count(form_encode(s.base + "/feeds/naptan-stops.atom")) == 1);
  CHECK(pinged.count(form_encode(s.base + "/feeds/all.json")) == 1);
}

TEST_CASE("websub: a callback that accepts and never answers delays no one and does not hold up shutdown",
          "[websub][e2e][hardening]") {
  SilentServer silent;
  const std::string hung = silent.url("http", "/hung");

  const std::vector<std::string> flags = {"--allow-private-callbacks", "--delivery-retry", "1"};
  Served s(flags);
  Subscriber sub(0);
  const std::string topic = s.base + "/feeds/naptan-stops.atom";
  // The hung callback is first in hub.db, as in the attack.
  CHECK(subscribe(s, "subscribe", topic, hung).status == 202);
  CHECK(subscribe(s, "subscribe", topic, sub.url).status == 202);
  // Verified while the hung one waits out its 10 s deadline: verifications run side by side.
  const auto t0 = std::chrono::steady_clock::now();
  REQUIRE(eventually([&] { return sub.got("GET", "subscribe"); }, 8));
  CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(8));

  // Shutdown does not wait for the hung call.
  const int port = s.port();
  const auto stop_at = std::chrono::steady_clock::now();
  CHECK(s.server->stop(SIGTERM) == 0);
  CHECK(std::chrono::steady_clock::now() - stop_at < std::chrono::seconds(3));

  // After a restart the hung intent is tried again, and still holds up no one.
  s.start(flags, port);
  REQUIRE(eventually([&] {
    return curl(s.dir, s.base + "/metrics").body.find("gazette_websub_subscriptions 1\n") != std::string::npos;
  }));
  run_gazette(s.dir, {"release", "naptan-stops", stage(s.dir, "csv/668Stops_2024-12-03.csv"), "--owner", "alice",
                      "--published-at", "2024-12-03T06:00:00Z"});
  CHECK(eventually([&] { return !sub.posts().empty(); }, 8));

  // A callback of 150 'é' is quoted back cut at a character boundary, as valid JSON.
  std::string e_acute;
  for (int i = 0; i < 150; ++i) e_acute += "\xC3\xA9";
  auto refused = subscribe(s, "subscribe", topic, "ftp://" + e_acute);
  CHECK(refused.status == 400);
  CHECK_NOTHROW(json::parse(refused.body));
  CHECK(curl(s.dir, s.base + "/healthz").status == 200);
}
