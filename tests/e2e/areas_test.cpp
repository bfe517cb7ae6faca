// Areas (the contract's partition) over the wire: the real binary cuts releases of several
// real NaPTAN areas in one file, the real server serves each area's files, curl fetches them.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "publisher/common/sha256.hpp"
#include "tests/e2e/e2e_support.hpp"

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
  FourAreas()
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
        }) {}
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
