// Areas (the contract's partition) over the wire: the real binary cuts releases of several
// real NaPTAN areas in one file, the real server serves each area's files, curl fetches them.
#include <catch2/catch.hpp>

#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "publisher/common/sha256.hpp"
#include "tests/e2e/e2e_support.hpp"
#include "tests/e2e/websub_support.hpp"

using namespace gazette;
using namespace gazette::testing;

namespace {

// One CSV holding several areas' files, the header once: a national file in miniature.
std::string several_areas(const TempDir& d, const std::string& name, const std::vector<std::string>& files) {
  std::string out;
  for (const auto& f : files) {
    std::string text = read_text(naptan_dir() / "csv" / f);
    if (text.size() >= 3 && text.compare(0, 3, "\xEF\xBB\xBF") == 0) text.erase(0, 3);
    if (!text.empty() && text.back() != '\n') text += "\r\n";
    out += out.empty() ? text : text.substr(text.find('\n') + 1);
  }
  write_text(d / name, out);
  return stage_path(d, d / name);
}

// The records of a CSV as their bytes with their CRLF, quotes respected: header first.
std::vector<std::string> csv_rows(const std::string& text) {
  std::vector<std::string> rows;
  bool quoted = false;
  std::size_t start = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '"') quoted = !quoted;
    if (!quoted && text[i] == '\n') {
      rows.push_back(text.substr(start, i + 1 - start));
      start = i + 1;
    }
  }
  return rows;
}

// Two releases of four areas; the second changes only Clackmannanshire (668).
struct FourAreas : Served {
  explicit FourAreas(std::vector<std::string> flags = {})
      : Served([](const TempDir& d) {
          run_gazette(d, {"init"});
          run_gazette(d, {"dataset", "create", "naptan-stops", "--contract", naptan_contract().string()});
          const std::vector<std::string> before = {"021Stops_2024-10-13.csv", "037Stops_2024-10-13.csv",
                                                   "611Stops_2024-10-13.csv", "668Stops_2024-10-13.csv"};
          run_gazette(d, {"release", "naptan-stops", several_areas(d, "one.csv", before), "--owner", "alice",
                          "--published-at", "2024-10-13T06:00:00Z"});
          std::vector<std::string> after = before;
          after[3] = "668Stops_2024-10-24.csv";
          run_gazette(d, {"release", "naptan-stops", several_areas(d, "two.csv", after), "--owner", "alice",
                          "--published-at", "2024-10-24T06:00:00Z"});
        }, std::move(flags)) {}
  nlohmann::json get(const std::string& path) { return nlohmann::json::parse(curl(dir, base + path).body); }
};

const std::string kRel = "/datasets/naptan-stops/releases/";

}  // namespace

TEST_CASE("every area's CSV is the national CSV's rows with its code, byte for byte, and every area file its index's hash",
          "[e2e][areas]") {
  FourAreas s;
  for (const std::string rel : {"2024-10-13", "2024-10-24"}) {
    INFO(rel);
    const auto national = csv_rows(curl(s.dir, s.base + kRel + rel + "/naptan-stops.csv").body);
    REQUIRE(national.size() > 3000);
    auto index = s.get(kRel + rel + "/areas");
    CHECK(index["partition"]["column"] == "ATCOCode");
    REQUIRE(index["areas"].size() == 4);
    std::size_t records = 0;
    for (const auto& area : index["areas"]) {
      const std::string code = area["code"];
      INFO(code);
      std::string expected = national[0];
      std::size_t rows = 0;
      for (std::size_t i = 1; i < national.size(); ++i)
        if (national[i].compare(0, code.size(), code) == 0) {
          expected += national[i];
          ++rows;
        }
      CHECK(area["records"] == rows);
      records += rows;
      REQUIRE(area["artefacts"].size() == 4);
      for (const auto& a : area["artefacts"]) {
        INFO(a["url"]);
        auto got = curl(s.dir, s.base + a["url"].get<std::string>());
        REQUIRE(got.status == 200);
        CHECK(to_hex(sha256(got.body)) == a["sha256"]);
        CHECK(got.body.size() == a["bytes"].get<std::size_t>());
        CHECK(got.header("ETag") == "\"" + a["sha256"].get<std::string>() + "\"");
        CHECK(got.header("Content-Type") == a["media_type"]);
        CHECK(got.header("Cache-Control") == "public, max-age=31536000, immutable");
        CHECK_THAT(got.header("Repr-Digest"), Catch::StartsWith("sha-256=:"));
        if (a["name"] == "naptan-stops.csv") CHECK(got.body == expected);
      }
    }
    CHECK(records == national.size() - 1);
    // Names come from NPTG's AdminAreas.
    CHECK(index["areas"][3]["code"] == "668");
    CHECK(index["areas"][3]["name"] == "Clackmannanshire");
  }
}

TEST_CASE("an area the release left unchanged keeps its bytes and ETag, the changed one does not", "[e2e][areas]") {
  FourAreas s;
  auto one = s.get(kRel + "2024-10-13/areas")["areas"];
  auto two = s.get(kRel + "2024-10-24/areas")["areas"];
  for (std::size_t i = 0; i < 4; ++i) {
    const std::string code = two[i]["code"];
    INFO(code);
    const bool changed = code == "668";
    CHECK(two[i]["since"] == (changed ? "2024-10-24" : "2024-10-13"));
    const std::string csv_one = one[i]["artefacts"][0]["url"], csv_two = two[i]["artefacts"][0]["url"];
    auto a = curl(s.dir, s.base + csv_one), b = curl(s.dir, s.base + csv_two);
    CHECK((a.header("ETag") == b.header("ETag")) == !changed);
    CHECK((a.body == b.body) == !changed);
    // A cache holding the first release's copy revalidates the second's URL without a body.
    CHECK(curl(s.dir, s.base + csv_two, {"-H", "If-None-Match: " + a.header("ETag")}).status == (changed ? 200 : 304));
    for (std::size_t f = 0; f < 4; ++f)
      CHECK((one[i]["artefacts"][f]["sha256"] == two[i]["artefacts"][f]["sha256"]) == !changed);
  }
  // Storage follows change: the second release added artefact rows for one area only.
  auto rows = run_process({"/usr/bin/sqlite3", data_of(s.dir) + "/gazette.db",
                           "SELECT release, count(*) FROM area_artefacts GROUP BY release ORDER BY release"});
  CHECK(rows.out == "2024-10-13|16\n2024-10-24|4\n");
}

TEST_CASE("the area index is signed and its manifest names its hash, with ranges, HEAD and 404s", "[e2e][areas]") {
  FourAreas s;
  const std::string rel = kRel + "2024-10-24";
  auto index = curl(s.dir, s.base + rel + "/areas");
  auto manifest = s.get(rel + "/manifest.json");
  CHECK(manifest["areas"]["url"] == rel + "/areas");
  CHECK(manifest["areas"]["sha256"] == to_hex(sha256(index.body)));
  CHECK(manifest["areas"]["bytes"] == index.body.size());
  auto keys = s.get("/keys");
  const std::string pub = curl(s.dir, s.base + keys["keys"][0]["url"].get<std::string>()).body;
  const std::string sig = curl(s.dir, s.base + rel + "/areas.minisig").body;
  CHECK_THAT(sig, Catch::Contains("url:" + rel + "/areas"));
  CHECK(minisign_accepts(s.dir, pub, index.body, sig));
  std::string flipped = index.body;
  flipped[flipped.size() / 2] ^= 1;
  CHECK_FALSE(minisign_accepts(s.dir, pub, flipped, sig));

  const std::string csv = rel + "/areas/037/naptan-stops.csv";
  const std::string whole = curl(s.dir, s.base + csv).body;
  auto part = curl(s.dir, s.base + csv, {"-H", "Range: bytes=100-199"});
  CHECK(part.status == 206);
  CHECK(part.body == whole.substr(100, 100));
  auto head = curl(s.dir, s.base + csv, {"-I"});
  CHECK(head.status == 200);
  CHECK(head.header("Content-Length") == std::to_string(whole.size()));
  CHECK_THAT(head.header("Content-Disposition"), Catch::Contains("naptan-stops-037-2024-10-13.csv"));
  CHECK(curl(s.dir, s.base + rel + "/areas/999/naptan-stops.csv").status == 404);
  CHECK(curl(s.dir, s.base + rel + "/areas/037/other.csv").status == 404);
  CHECK(curl(s.dir, s.base + rel + "/areas/0%2F7/naptan-stops.csv").status == 400);

  // fsck checks the areas: sound, then an area's count rewritten behind the triggers' back.
  run_gazette(s.dir, {"fsck", "naptan-stops"});
  REQUIRE(run_process({"/usr/bin/sqlite3", data_of(s.dir) + "/gazette.db",
                       "DROP TRIGGER release_areas_immutable; UPDATE release_areas SET records = records + 1 "
                       "WHERE release = '2024-10-24' AND area = '037'"})
              .exit_code == 0);
  auto broken = run_process({GAZETTE_BINARY, "--data", data_of(s.dir), "fsck", "naptan-stops"});
  CHECK(broken.exit_code != 0);
  CHECK_THAT(broken.out + broken.err, Catch::Contains("release 2024-10-24 areas"));
}

namespace {

// A CSV that is `csv` with `key`'s StopType `from` set to `to` (one per line in NaPTAN: bus
// stop types are other codes).
std::string retype(std::string csv, const std::string& key, const std::string& from, const std::string& to) {
  const std::size_t line = csv.find("\n" + key + ",");
  REQUIRE(line != std::string::npos);
  const std::size_t at = csv.find("," + from + ",", line);
  REQUIRE(at < csv.find('\n', line + 1));
  return csv.replace(at + 1, from.size(), to);
}

// The key of the first record of `csv` with `code` after `prefix`.
std::string first_with(const std::string& csv, const std::string& prefix, const std::string& code) {
  for (std::size_t at = csv.find("\n" + prefix); at != std::string::npos; at = csv.find("\n" + prefix, at + 1)) {
    const std::size_t end = csv.find('\n', at + 1);
    if (csv.substr(at, end - at).find("," + code + ",") != std::string::npos)
      return csv.substr(at + 1, csv.find(',', at) - at - 1);
  }
  FAIL("no " << code << " in " << prefix);
  return {};
}

nlohmann::json changes(FourAreas& s, const std::string& query) {
  auto got = curl(s.dir, s.base + "/datasets/naptan-stops/changes?" + query);
  INFO(query << ": " << got.body);
  REQUIRE(got.status == 200);
  return nlohmann::json::parse(got.body);
}

std::map<std::string, std::string> kinds_of(const nlohmann::json& cs) {
  std::map<std::string, std::string> out;
  for (const auto& c : cs["changes"]) out[c["key"]] = c["kind"];
  return out;
}

}  // namespace

TEST_CASE("a changeset of one area is the whole one's changes in it, with its own summary", "[e2e][areas][changes]") {
  FourAreas s;
  auto whole = changes(s, "from=2024-10-13&to=2024-10-24");
  REQUIRE(whole["summary"]["retired"] == 10);
  auto clack = changes(s, "from=2024-10-13&to=2024-10-24&area=668");
  CHECK(clack["changes"] == whole["changes"]);
  CHECK(clack["summary"] == whole["summary"]);
  auto beds = changes(s, "from=2024-10-13&to=2024-10-24&area=021");
  CHECK(beds["changes"].empty());
  CHECK(beds["summary"] == nlohmann::json{{"added", 0}, {"removed", 0}, {"retired", 0}, {"modified", 0}});
  // Before the first release: the area's records, every one added.
  auto first = changes(s, "from=&to=2024-10-13&area=037&limit=100");
  CHECK(first["summary"]["added"] == 512);
  for (const auto& c : first["changes"]) CHECK(c["key"].get<std::string>().rfind("037", 0) == 0);
  // Paged by cursor, every change of the area once.
  std::set<std::string> seen;
  std::string url = "/datasets/naptan-stops/changes?from=&to=2024-10-13&area=037&limit=100";
  for (int pages = 0; !url.empty(); ++pages) {
    REQUIRE(pages < 10);
    auto page = curl(s.dir, s.base + url);
    auto j = nlohmann::json::parse(page.body);
    for (const auto& c : j["changes"]) CHECK(seen.insert(c["key"]).second);
    const std::string link = page.header("Link");
    url = link.empty() ? "" : link.substr(1, link.find('>') - 1);
    if (!url.empty()) CHECK_THAT(url, Catch::Contains("area=037"));
  }
  CHECK(seen.size() == 512);
  // CSV too, and mistakes are one line each.
  auto csv = curl(s.dir, s.base + "/datasets/naptan-stops/changes?from=2024-10-13&to=2024-10-24&area=668&format=csv");
  CHECK(csv.status == 200);
  CHECK(std::count(csv.body.begin(), csv.body.end(), '\n') > 10);
  CHECK(curl(s.dir, s.base + "/datasets/naptan-stops/changes?area=6.8").status == 400);
  CHECK(curl(s.dir, s.base + "/datasets/naptan-stops/changes?where=CommonName:x").status == 400);
  CHECK_THAT(curl(s.dir, s.base + "/datasets/naptan-stops/changes?where=Nope:x").body, Catch::Contains("'Nope' is not a column"));
}

TEST_CASE("with a where filter, a stop re-typed out of StopType:BCT is removed from its changeset and one re-typed in added",
          "[e2e][areas][changes]") {
  FourAreas s;
  const std::string two = read_text(s.dir / "two.csv");
  const std::string out_of_bct = first_with(two, "021", "BCT"), into_bct = first_with(two, "021", "BCS");
  std::string three = retype(retype(two, out_of_bct, "BCT", "BCS"), into_bct, "BCS", "BCT");
  write_text(s.dir / "three.csv", three);
  auto notice = write_text(s.dir / "retyped.json", R"({"id": "two-stops-retyped", "kind": "meaning-change",
      "title": "Two stops re-typed", "text": "A marked stop and a custom one swap types.",
      "scope": {"columns": ["StopType"], "keys": [")" + out_of_bct + R"(", ")" + into_bct + R"("]}})");
  run_gazette(s.dir, {"release", "naptan-stops", stage_path(s.dir, s.dir / "three.csv"), "--owner", "alice",
                      "--published-at", "2024-11-01T06:00:00Z", "--notice", notice.string()});
  REQUIRE(eventually([&] { return s.get("/datasets/naptan-stops/releases")["releases"].size() == 3; }));

  auto whole = changes(s, "from=2024-10-24&to=2024-11-01");
  CHECK(kinds_of(whole) == std::map<std::string, std::string>{{out_of_bct, "modified"}, {into_bct, "modified"}});
  auto bct = changes(s, "from=2024-10-24&to=2024-11-01&where=StopType:BCT");
  CHECK(kinds_of(bct) == std::map<std::string, std::string>{{out_of_bct, "removed"}, {into_bct, "added"}});
  CHECK(bct["summary"] == nlohmann::json{{"added", 1}, {"removed", 1}, {"retired", 0}, {"modified", 0}});
  for (const auto& c : bct["changes"]) CHECK(c["rule"] == whole["changes"][0]["rule"]);  // what happened to it
  // The other way round, and with an area: the same two, or none.
  auto bcs = changes(s, "from=2024-10-24&to=2024-11-01&where=StopType:BCS&area=021");
  CHECK(kinds_of(bcs) == std::map<std::string, std::string>{{out_of_bct, "added"}, {into_bct, "removed"}});
  CHECK(changes(s, "from=2024-10-24&to=2024-11-01&where=StopType:BCT&area=037")["changes"].empty());
  // Values of one column are alternatives: the two stops are in BCT or BCS before and after.
  auto either = changes(s, "from=2024-10-24&to=2024-11-01&where=StopType:BCT,StopType:BCS");
  CHECK(kinds_of(either) == std::map<std::string, std::string>{{out_of_bct, "modified"}, {into_bct, "modified"}});
  // The notice scoped to the two stops is news in their area's feed, not in another's.
  CHECK_THAT(curl(s.dir, s.base + "/feeds/naptan-stops/areas/021.json").body, Catch::Contains("two-stops-retyped"));
  CHECK_THAT(curl(s.dir, s.base + "/feeds/naptan-stops/areas/668.json").body, !Catch::Contains("two-stops-retyped"));
  // Retirements leave the active records: from the first release, Clackmannanshire's ten are removed.
  auto active = changes(s, "from=2024-10-13&to=2024-10-24&where=Status:active");
  CHECK(active["summary"] == nlohmann::json{{"added", 0}, {"removed", 10}, {"retired", 0}, {"modified", 0}});
  // Backwards, they come back.
  CHECK(changes(s, "from=2024-10-24&to=2024-10-13&where=Status:active")["summary"]["added"] == 10);
}

namespace {

// Clackmannanshire's next file in place of its last: only area 668 changes.
void release_next_clackmannanshire(FourAreas& s) {
  const std::string two = read_text(s.dir / "two.csv");
  std::string three = two.substr(0, two.find("\n668")) + "\n";
  const std::string next = read_text(naptan_dir() / "csv" / "668Stops_2024-12-03.csv");
  three += next.substr(next.find('\n') + 1);
  write_text(s.dir / "three.csv", three);
  run_gazette(s.dir, {"release", "naptan-stops", stage_path(s.dir, s.dir / "three.csv"), "--owner", "alice",
                      "--published-at", "2024-12-03T06:00:00Z"});
  REQUIRE(eventually([&] { return s.get("/datasets/naptan-stops/releases")["releases"].size() == 3; }));
}

// The ids of the entries of a JSON feed, and their `_gazette` extensions.
std::vector<nlohmann::json> feed_items(FourAreas& s, const std::string& path) {
  auto got = curl(s.dir, s.base + path);
  INFO(path << ": " << got.body);
  REQUIRE(got.status == 200);
  const auto feed = nlohmann::json::parse(got.body);
  std::vector<nlohmann::json> out;
  for (const auto& item : feed["items"]) out.push_back(item["_gazette"]);
  return out;
}

}  // namespace

TEST_CASE("an area's feed has only what touches it, with its counts, and feedparser reads it", "[e2e][areas][feeds]") {
  FourAreas s;
  // Clackmannanshire: its first release and the ten retirements. Central Bedfordshire: its first only.
  auto clack = feed_items(s, "/feeds/naptan-stops/areas/668.json");
  REQUIRE(clack.size() == 2);
  CHECK(clack[0]["release"] == "2024-10-24");  // newest first
  CHECK(clack[0]["area"]["code"] == "668");
  CHECK(clack[0]["area"]["name"] == "Clackmannanshire");
  CHECK(clack[0]["changes"]["retired"] == 10);
  CHECK(clack[0]["changeset_url"] == s.base + "/datasets/naptan-stops/changes?from=2024-10-13&to=2024-10-24&area=668");
  CHECK(clack[1]["changes"]["added"] == 356);
  CHECK(clack[1]["record_count"] == 356);
  auto beds = feed_items(s, "/feeds/naptan-stops/areas/021.json");
  REQUIRE(beds.size() == 1);
  CHECK(beds[0]["release"] == "2024-10-13");
  CHECK(curl(s.dir, s.base + "/feeds/naptan-stops/areas/999.atom").status == 404);

  auto r = run_process({kPython, support("read_feeds.py"), s.base + "/feeds/naptan-stops/areas/668.atom",
                        s.base + "/feeds/naptan-stops/areas/668.json"});
  INFO(r.err << r.out);
  REQUIRE(r.exit_code == 0);
  auto report = nlohmann::json::parse(r.out);
  CHECK(report["problems"].empty());
  auto atom = curl(s.dir, s.base + "/feeds/naptan-stops/areas/668.atom");
  CHECK_THAT(atom.body, Catch::Contains("/datasets/naptan-stops/releases/2024-10-24/areas/668/naptan-stops.csv"));
  CHECK_THAT(atom.header("Link"), Catch::Contains("rel=\"hub\""));
}

TEST_CASE("a subscriber of one area's feed is told of a release that touches it and not of one that does not",
          "[e2e][areas][websub]") {
  FourAreas s({"--allow-private-callbacks", "--delivery-retry", "1"});
  Subscriber beds(0), clack(0);
  const std::string beds_topic = s.base + "/feeds/naptan-stops/areas/021.atom";
  const std::string clack_topic = s.base + "/feeds/naptan-stops/areas/668.atom";
  REQUIRE(subscribe(s, "subscribe", beds_topic, beds.url).status == 202);
  REQUIRE(subscribe(s, "subscribe", clack_topic, clack.url).status == 202);
  REQUIRE(eventually([&] { return beds.got("GET", "subscribe") && clack.got("GET", "subscribe"); }));
  REQUIRE(eventually([&] {
    return curl(s.dir, s.base + "/metrics").body.find("gazette_websub_subscriptions 2\n") != std::string::npos;
  }));

  // Clackmannanshire's next file: only area 668 changes.
  release_next_clackmannanshire(s);
  const std::string three = read_text(s.dir / "three.csv");
  REQUIRE(eventually([&] { return !clack.posts().empty(); }));
  auto post = clack.posts().front();
  CHECK(post["signature_ok"] == true);
  CHECK_THAT(post["body"].get<std::string>(), Catch::Contains("naptan-stops 2024-12-03, area 668 (Clackmannanshire)"));
  CHECK_THAT(post["links"].dump(), Catch::Contains("<" + clack_topic + ">; rel=\\\"self\\\""));

  // A stop of Central Bedfordshire renamed: only area 021 changes.
  std::string four = three;
  const std::size_t line = four.find("\n021");
  const std::size_t name = four.find(',', four.find(',', four.find(',', four.find(',', line + 1) + 1) + 1) + 1);
  four.insert(name, "Renamed ");  // the fifth column: CommonName
  write_text(s.dir / "four.csv", four);
  run_gazette(s.dir, {"release", "naptan-stops", stage_path(s.dir, s.dir / "four.csv"), "--owner", "alice",
                      "--published-at", "2024-12-10T06:00:00Z"});
  REQUIRE(eventually([&] { return !beds.posts().empty(); }));
  CHECK_THAT(beds.posts().front()["body"].get<std::string>(), Catch::Contains("naptan-stops 2024-12-10, area 021"));
  CHECK_THAT(beds.posts().front()["body"].get<std::string>(), !Catch::Contains("naptan-stops 2024-12-03,"));
  // By then the hub has had every round it needed for both: neither heard of the other's release.
  std::this_thread::sleep_for(std::chrono::seconds(2));
  CHECK(beds.posts().size() == 1);
  CHECK(clack.posts().size() == 1);
}

namespace {

ProcessResult mirror(const FourAreas& s, const std::filesystem::path& into, const std::string& area,
                     std::vector<std::string> extra = {}, const std::string& from = {}) {
  std::vector<std::string> argv = {GAZETTE_BINARY, "mirror", from.empty() ? s.base : from, "naptan-stops", "--into",
                                   into.string(), "--area", area, "--csv"};
  argv.insert(argv.end(), extra.begin(), extra.end());
  return run_process(argv);
}

}  // namespace

TEST_CASE("gazette mirror --area keeps one area's copy, proven against the signed area index", "[e2e][areas][mirror]") {
  FourAreas s;
  TempDir into;
  auto first = mirror(s, into.path(), "668");
  INFO(first.err);
  REQUIRE(first.exit_code == 0);
  CHECK_THAT(first.out, Catch::Contains("naptan-stops-668.sqlite is release 2024-10-24"));
  const std::string area_csv = "/datasets/naptan-stops/releases/2024-10-24/areas/668/naptan-stops.csv";
  CHECK(read_text(into / "naptan-stops-668.csv") == curl(s.dir, s.base + area_csv).body);
  auto beds = mirror(s, into.path(), "021");
  REQUIRE(beds.exit_code == 0);
  auto rows = run_process({"/usr/bin/sqlite3", (into / "naptan-stops-021.sqlite").string(),
                           "SELECT count(*), min(ATCOCode) >= '021', max(ATCOCode) < '022' FROM records"});
  CHECK(rows.out == "1885|1|1\n");

  TempDir from_export;  // a copy to be brought forward later from nginx serving the export
  REQUIRE(mirror(s, from_export.path(), "668").exit_code == 0);

  // A release that changes Clackmannanshire only: its copy takes the area's changes in one
  // request, Central Bedfordshire's sees its area unchanged and fetches nothing of it.
  release_next_clackmannanshire(s);
  auto second = mirror(s, into.path(), "668");
  INFO(second.err);
  REQUIRE(second.exit_code == 0);
  CHECK_THAT(second.out, Catch::Contains("went from release 2024-10-24") && Catch::Contains("in one request"));
  CHECK(read_text(into / "naptan-stops-668.csv") ==
        curl(s.dir, s.base + "/datasets/naptan-stops/releases/2024-12-03/areas/668/naptan-stops.csv").body);
  auto beds_again = mirror(s, into.path(), "021");
  REQUIRE(beds_again.exit_code == 0);
  CHECK_THAT(beds_again.out, Catch::Contains("to 2024-12-03") && Catch::Contains("no change in area 021"));

  // From a static copy (nginx on the export), which has no changes of one area: the area's CSV, whole.
  const auto tree = s.dir / "public";
  run_gazette(s.dir, {"export", "naptan-stops", "--to", tree.string(), "--public-url", s.base});
  NginxOnExport nginx(tree, s.dir.path());
  auto by_file = mirror(s, from_export.path(), "668", {}, nginx.base);
  INFO(by_file.err);
  REQUIRE(by_file.exit_code == 0);
  CHECK_THAT(by_file.err, Catch::Contains("no changes of area 668 from this source"));
  CHECK_THAT(by_file.out, Catch::Contains("to 2024-12-03") && Catch::Contains("area 668's CSV"));
  CHECK(read_text(from_export / "naptan-stops-668.csv") == read_text(into / "naptan-stops-668.csv"));
  auto fresh = mirror(s, from_export.path(), "611", {}, nginx.base);
  REQUIRE(fresh.exit_code == 0);
  CHECK(read_text(from_export / "naptan-stops-611.csv") ==
        curl(s.dir, s.base + "/datasets/naptan-stops/releases/2024-12-03/areas/611/naptan-stops.csv").body);

  // Mistakes: an area the release lacks, a code that is none, a copy of another area.
  auto none = mirror(s, into.path(), "999");
  CHECK(none.exit_code != 0);
  CHECK_THAT(none.err, Catch::Contains("has no area '999'"));
  CHECK(mirror(s, into.path(), "6/8").exit_code != 0);
  CHECK_FALSE(std::filesystem::exists(into / "naptan-stops-999.sqlite"));
}

TEST_CASE("the dataset page lists its areas, and each area has a page with the releases that changed it",
          "[e2e][areas][pages]") {
  FourAreas s;
  auto page = curl(s.dir, s.base + "/datasets/naptan-stops", {"-H", "Accept: text/html"});
  REQUIRE(page.status == 200);
  CHECK_THAT(page.body, Catch::Contains("<h2 id=\"areas\">ATCO areas</h2>"));
  for (const char* name : {"Central Bedfordshire", "Clackmannanshire"}) CHECK_THAT(page.body, Catch::Contains(name));
  CHECK_THAT(page.body, Catch::Contains("href=\"/datasets/naptan-stops/releases/2024-10-24/areas/668\""));
  CHECK_THAT(page.body, Catch::Contains("<td>356</td>"));

  auto clack = s.get("/datasets/naptan-stops/releases/2024-10-24/areas/668");
  CHECK(clack["name"] == "Clackmannanshire");
  CHECK(clack["changed_by"] == nlohmann::json::array({"2024-10-24", "2024-10-13"}));
  CHECK(clack["changes"]["retired"] == 10);
  auto beds = s.get("/datasets/naptan-stops/releases/2024-10-24/areas/021");
  CHECK(beds["changed_by"] == nlohmann::json::array({"2024-10-13"}));
  CHECK(beds["since"] == "2024-10-13");
  auto html = curl(s.dir, s.base + "/datasets/naptan-stops/releases/2024-10-24/areas/668", {"-H", "Accept: text/html"});
  CHECK_THAT(html.body, Catch::Contains("/datasets/naptan-stops/changes?from=2024-10-13&amp;to=2024-10-24&amp;area=668"));
  CHECK_THAT(html.body, Catch::Contains("/feeds/naptan-stops/areas/668.atom"));
  auto index = curl(s.dir, s.base + "/datasets/naptan-stops/releases/2024-10-24/areas", {"-H", "Accept: text/html"});
  CHECK_THAT(index.body, Catch::Contains("Central Bedfordshire") && Catch::Contains("areas.minisig"));
  CHECK(curl(s.dir, s.base + "/datasets/naptan-stops/releases/2024-10-24/areas/999").status == 404);
}
