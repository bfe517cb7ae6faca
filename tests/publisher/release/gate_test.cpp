// The gate, scenario by scenario, on generated NaPTAN-shaped data: for each rule one case just
// inside its threshold and one just outside, each asserting the exit status and rule name.
#include <algorithm>

#include "tests/publisher/release/release_support.hpp"
#include "tools/bench/naptan_generator.hpp"
#include "tools/gazette/exit_codes.hpp"

using namespace gazette;
using namespace gazette::testing;

namespace {

using Rows = std::vector<bench::StopRow>;
enum Col { kAtco = 0, kName = 4, kLandmark = 8, kLocality = 17, kEasting = 27, kNorthing = 28, kLongitude = 29,
           kStopType = 31, kBusStopType = 32, kArea = 37, kCreated = 38, kModified = 39, kRevision = 40, kStatus = 42 };

struct Scenario {
  NaptanStore s;
  Contract contract = load_naptan_contract();
  Rows base;
  int day = 1;
  explicit Scenario(std::uint64_t seed = 42) {
    base = bench::generate_stops(300, seed);
    for (std::size_t i = 0; i < 40; ++i) base[i][kArea] = "010";  // one area of 40 stops
    for (auto& r : base) {  // on-street bus stops, all in use
      r[kStatus] = "active";
      if (r[kStopType] != "BCT") r[kBusStopType] = "MKD";
      r[kStopType] = "BCT";
    }
    release(base);
  }
  std::string when() { return "2026-01-" + std::string(day < 10 ? "0" : "") + std::to_string(day) + "T06:00:00Z"; }
  std::string stage(const Rows& rows) {
    auto f = s.dir() / ("rows-" + std::to_string(day) + "-" + std::to_string(rand()) + ".csv");
    REQUIRE(bench::write_csv(rows, f.string()));
    return s.stage_ok(f).candidate.id;
  }
  VerifyResult verify(const Rows& rows, std::vector<std::string> notices = {}, const std::string& plan = "") {
    VerifyOptions o;
    for (const auto& n : notices) o.notices.push_back(*parse_notice(n, "notice", contract));
    if (!plan.empty()) {
      auto p = parse_plan(plan, "plan", contract);
      INFO(p.status().message());
      REQUIRE(p.ok());
      o.plan = *p;
    }
    o.publish_at = *parse_instant(when());
    auto r = verify_candidate(s.store(), "naptan-stops", stage(rows), o);
    REQUIRE(r.ok());
    return *r;
  }
  // Publishes `rows` (with notices as needed), failing the test if the gate refuses.
  void release(const Rows& rows, std::vector<std::string> notices = {}) {
    CutOptions o;
    o.owner = "stops-maintainer";
    o.published_at = *parse_instant(when());
    for (const auto& n : notices) o.notices.push_back(*parse_notice(n, "notice", contract));
    auto r = cut_release(s.store(), "naptan-stops", stage(rows), o);
    REQUIRE(r.ok());
    if (r->verification) INFO(r->verification->text);
    REQUIRE(r->release);
    ++day;
  }
};

bool has(const VerifyResult& r, const std::string& rule) {
  for (const auto& t : r.verdict.rules)
    if (t.id == rule) return true;
  return false;
}

std::size_t uncovered(const VerifyResult& r, const std::string& rule) {
  for (const auto& t : r.verdict.rules)
    if (t.id == rule) return t.uncovered;
  return 0;
}

#define EXPECT_VERDICT(result, code, rule)   \
  do {                                       \
    const auto& res_ = (result);             \
    INFO(res_.text);                         \
    CHECK(cli::exit_code_for(res_.verdict) == code); \
    CHECK(has(res_, rule));                  \
  } while (0)

std::string notice(const std::string& id, const std::string& kind, const std::string& scope) {
  return R"({"id": ")" + id + R"(", "kind": ")" + kind + R"(", "title": "t", "text": "t", "scope": )" + scope + "}";
}

}  // namespace

TEST_CASE("gate: a key vanishing needs a notice; retiring it through the lifecycle does not", "[gate]") {
  Scenario sc;
  Rows gone(sc.base.begin() + 1, sc.base.end());
  EXPECT_VERDICT(sc.verify(gone), 3, "key-vanished-without-tombstone");
  Rows retired = sc.base;
  retired[0][kStatus] = "inactive";
  EXPECT_VERDICT(sc.verify(retired), 0, "retired-through-lifecycle");
  // A removal notice scoped to the key covers it; a notice of the wrong kind does not.
  EXPECT_VERDICT(sc.verify(gone, {notice("rm", "removal", R"({"keys": [")" + sc.base[0][kAtco] + R"("]})")}), 0,
                 "key-vanished-without-tombstone");
  EXPECT_VERDICT(sc.verify(gone, {notice("mc", "meaning-change", R"({"keys": [")" + sc.base[0][kAtco] + R"("]})")}), 3,
                 "key-vanished-without-tombstone");
  Rows added = sc.base;
  added.push_back(bench::generate_stops(1, 7)[0]);
  added.back()[kAtco] = "9990000001";
  EXPECT_VERDICT(sc.verify(added), 0, "key-added");
}

TEST_CASE("gate: a position moves within tolerance, beyond it, or to another place", "[gate]") {
  Scenario sc;
  auto moved = [&](long metres) {
    Rows r = sc.base;
    r[5][kEasting] = std::to_string(std::stol(r[5][kEasting]) + metres);
    return r;
  };
  EXPECT_VERDICT(sc.verify(moved(50)), 0, "moved-within-tolerance");
  EXPECT_VERDICT(sc.verify(moved(51)), 3, "moved-beyond-tolerance");
  EXPECT_VERDICT(sc.verify(moved(1000)), 3, "moved-beyond-tolerance");
  EXPECT_VERDICT(sc.verify(moved(1001)), 4, "key-reused");
  // A meaning-change notice on the position columns covers a move beyond tolerance.
  EXPECT_VERDICT(sc.verify(moved(200), {notice("pos", "meaning-change", R"({"columns": ["Easting"]})")}), 0,
                 "moved-beyond-tolerance");
}

TEST_CASE("gate: load-bearing values changed need a notice, made null are refused", "[gate]") {
  Scenario sc;
  Rows r = sc.base;
  r[3][kLocality] = "E0099999";
  EXPECT_VERDICT(sc.verify(r), 3, "load-bearing-changed");
  r = sc.base;
  r[3][kName] = "Renamed Stop";
  r[3][kLandmark] = "";
  EXPECT_VERDICT(sc.verify(r), 0, "descriptive-edit");  // descriptive: fail open
  r = sc.base;
  r[3][kLongitude] = "";
  EXPECT_VERDICT(sc.verify(r), 4, "load-bearing-became-null");
}

TEST_CASE("gate: a key that becomes another kind of stop is refused, within its family a notice", "[gate]") {
  Scenario sc;
  Rows r = sc.base;
  r[8][kStopType] = "BCS";  // bus stop to bus station bay: same family
  EXPECT_VERDICT(sc.verify(r), 3, "load-bearing-changed");
  r[8][kStopType] = "RSE";  // to a rail station entrance: another entity
  EXPECT_VERDICT(sc.verify(r), 4, "key-reused");
}

TEST_CASE("gate: creation times never move and revisions only move forward", "[gate]") {
  Scenario sc;
  Rows r = sc.base;
  r[2][kCreated] = "2001-01-01T00:00:00.000";
  EXPECT_VERDICT(sc.verify(r), 3, "creation-time-restated");
  r = sc.base;
  r[2][kRevision] = std::to_string(std::stol(r[2][kRevision]) + 1);
  r[2][kModified] = "2026-11-20T10:00:00.000";
  CHECK(cli::exit_code_for(sc.verify(r).verdict) == 0);
  r[2][kRevision] = "0";
  EXPECT_VERDICT(sc.verify(r), 3, "bookkeeping-moved-backwards");
}

TEST_CASE("gate: a group moved by one offset is a systematic shift unless a plan declares it", "[gate]") {
  Scenario sc;
  auto shift = [&](std::size_t n, long d) {
    Rows r = sc.base;
    for (std::size_t i = 0; i < n; ++i) {
      r[i][kEasting] = std::to_string(std::stol(r[i][kEasting]) + d);
      r[i][kNorthing] = std::to_string(std::stol(r[i][kNorthing]) + d);
    }
    return r;
  };
  const std::string moves = notice("moves", "meaning-change", R"({"columns": ["Easting", "Northing"]})");
  auto inside = sc.verify(shift(9, 100), {moves});  // nine records: not yet a pattern
  CHECK_FALSE(has(inside, "systematic-shift"));
  CHECK(cli::exit_code_for(inside.verdict) == 0);
  EXPECT_VERDICT(sc.verify(shift(20, 100), {moves}), 4, "systematic-shift");
  const std::string plan = R"({"id": "bf-grid", "owner": "stops-maintainer", "reviewed_by": ["reviewer"],
      "intent": "Corrected grid transform", "definitions": [{"name": "position", "from": 1, "to": 2, "text": "new"}],
      "blast_radius": {"columns": ["Easting", "Northing", "Longitude", "Latitude"],
                       "where": {"AdministrativeAreaCode": ["010"]}, "max_records": 40}})";
  EXPECT_VERDICT(sc.verify(shift(20, 100), {moves}, plan), 0, "systematic-shift");
}

TEST_CASE("gate: datetimes moved by whole hours are a systematic time shift", "[gate]") {
  Scenario sc;
  auto shift = [&](std::size_t n, long seconds) {
    Rows r = sc.base;
    for (std::size_t i = 0; i < n; ++i) {
      auto t = *parse_instant(r[i][kModified]) + seconds;
      r[i][kModified] = format_rfc3339(t).substr(0, 19) + ".000";
    }
    return r;
  };
  CHECK_FALSE(has(sc.verify(shift(20, 3601)), "systematic-time-shift"));
  EXPECT_VERDICT(sc.verify(shift(20, 3600)), 4, "systematic-time-shift");
  CHECK_FALSE(has(sc.verify(shift(9, 3600)), "systematic-time-shift"));
}

TEST_CASE("gate: a load-bearing code never published before, and shares that drift", "[gate]") {
  Scenario sc;
  Rows r = sc.base;
  r[1][kBusStopType] = "FLX";
  EXPECT_VERDICT(sc.verify(r), 3, "code-list-extended");
  r = sc.base;
  r[1][kBusStopType] = "MKD" == sc.base[1][kBusStopType] ? "CUS" : "MKD";  // a code already out there
  CHECK_FALSE(has(sc.verify(r), "code-list-extended"));

  auto restyle = [&](std::size_t n) {
    Rows x = sc.base;
    std::size_t done = 0;
    for (auto& row : x)
      if (done < n && row[kStopType] == "BCT") {
        row[kStopType] = "BCQ";
        ++done;
      }
    return x;
  };
  CHECK_FALSE(has(sc.verify(restyle(5)), "distribution-drift"));
  EXPECT_VERDICT(sc.verify(restyle(60)), 3, "distribution-drift");
}

TEST_CASE("gate: a key withdrawn releases ago and reused for another place is refused", "[gate]") {
  Scenario sc;
  const std::string key = sc.base[10][kAtco];
  Rows without(sc.base);
  without.erase(without.begin() + 10);
  sc.release(without, {notice("gone", "removal", R"({"keys": [")" + key + R"("]})")});
  Rows later = without;
  later[0][kName] = "Another week";
  sc.release(later);
  REQUIRE(sc.s.store().releases("naptan-stops")->size() == 3);
  // The newest release does not hold the key; history does.
  Rows reused = later;
  reused.push_back(sc.base[10]);
  reused.back()[kEasting] = std::to_string(std::stol(sc.base[10][kEasting]) + 5000);
  EXPECT_VERDICT(sc.verify(reused), 4, "key-reused");
  Rows restored = later;
  restored.push_back(sc.base[10]);
  EXPECT_VERDICT(sc.verify(restored), 3, "key-restored");
  // Transitively for a key still present: small steps that add up to another place.
  Rows step = later;
  step[20][kEasting] = std::to_string(std::stol(later[20][kEasting]) + 700);
  sc.release(step, {notice("step1", "meaning-change", R"({"columns": ["Easting"]})")});
  Rows step2 = step;
  step2[20][kEasting] = std::to_string(std::stol(step[20][kEasting]) + 700);
  auto second = sc.verify(step2, {notice("step2", "meaning-change", R"({"columns": ["Easting"]})")});
  EXPECT_VERDICT(second, 4, "key-reused");  // 700 m from the newest, 1400 m from what some hold
}

TEST_CASE("gate: a plan is reviewed by someone else and contains what really changed", "[gate][plan]") {
  Scenario sc;
  Rows r = sc.base;
  for (std::size_t i = 0; i < 3; ++i) r[i][kName] = "Renamed " + std::to_string(i);  // area 010
  auto plan = [](const std::string& owner, const std::string& reviewer, const std::string& cols, int max) {
    return R"({"id": "bf-names", "owner": ")" + owner + R"(", "reviewed_by": [")" + reviewer + R"("],
      "intent": "Names from the new gazetteer", "blast_radius": {"columns": )" + cols +
           R"(, "where": {"AdministrativeAreaCode": ["010"]}, "max_records": )" + std::to_string(max) + "}}";
  };
  CHECK(cli::exit_code_for(sc.verify(r, {}, plan("alice", "bob", R"(["CommonName"])", 3)).verdict) == 0);
  auto self = sc.verify(r, {}, plan("alice", "alice", R"(["CommonName"])", 3));
  CHECK(cli::exit_code_for(self.verdict) == 4);
  CHECK_THAT(self.text, Catch::Contains("reviewed by its own owner"));
  auto too_many = sc.verify(r, {}, plan("alice", "bob", R"(["CommonName"])", 2));
  CHECK(cli::exit_code_for(too_many.verdict) == 4);
  CHECK_THAT(too_many.text, Catch::Contains("allows 2 records, but 3 changed"));
  Rows outside = r;
  outside[100][kName] = "Not in area 010";
  auto beyond = sc.verify(outside, {}, plan("alice", "bob", R"(["CommonName"])", 10));
  CHECK(cli::exit_code_for(beyond.verdict) == 4);
  CHECK(beyond.verdict.offending_keys == std::vector<std::string>{outside[100][kAtco]});
  CHECK_THAT(beyond.text, Catch::Contains(outside[100][kAtco]));
  auto wrong_column = sc.verify(r, {}, plan("alice", "bob", R"(["Street"])", 10));
  CHECK(cli::exit_code_for(wrong_column.verdict) == 4);
}

TEST_CASE("gate: real history is judged as a careful maintainer would", "[gate][real]") {
  // Clackmannanshire's seven real versions are routine weeks: each publishes with no notice.
  NaptanStore s;
  for (const char* d : {"2024-10-13", "2024-10-24", "2024-12-03", "2024-12-12", "2025-11-18", "2026-01-20", "2026-06-02"}) {
    INFO(d);
    auto c = s.stage_ok(naptan_dir() / (std::string("csv/668Stops_") + d + ".csv"));
    auto r = s.release_ok(c.candidate.id, std::string(d) + "T06:00:00Z");
    CHECK(r.release);
  }
  // East Dunbartonshire, 18 months on, rewrote creation dates and lost stops; caught.
  NaptanStore e;
  e.release_ok(e.stage_ok(naptan_dir() / "csv/611Stops_2024-10-13.csv").candidate.id, "2024-10-13T06:00:00Z");
  auto later = e.stage_ok(naptan_dir() / "csv/611Stops_2026-04-22.csv");
  auto v = verify_candidate(e.store(), "naptan-stops", later.candidate.id, {{}, {}, *parse_instant("2026-04-22T06:00:00Z")});
  REQUIRE(v.ok());
  INFO(v->text);
  CHECK(cli::exit_code_for(v->verdict) == 3);
  CHECK(uncovered(*v, "creation-time-restated") > 100);
  CHECK(uncovered(*v, "key-vanished-without-tombstone") == 5);
  // Central Bedfordshire, 21 months on: stops vanished, positions moved, rail entrances new.
  NaptanStore b;
  b.release_ok(b.stage_ok(naptan_dir() / "csv/021Stops_2024-10-13.csv").candidate.id, "2024-10-13T06:00:00Z");
  auto cb = b.stage_ok(naptan_dir() / "csv/021Stops_2026-07-23.csv");
  auto vb = verify_candidate(b.store(), "naptan-stops", cb.candidate.id, {{}, {}, *parse_instant("2026-07-23T06:00:00Z")});
  REQUIRE(vb.ok());
  CHECK(cli::exit_code_for(vb->verdict) == 3);
  CHECK(uncovered(*vb, "key-vanished-without-tombstone") == 7);
  CHECK(uncovered(*vb, "moved-beyond-tolerance") > 0);
  // Slough's routine weeks add and edit stops only: publishable.
  NaptanStore sl;
  sl.release_ok(sl.stage_ok(naptan_dir() / "csv/037Stops_2024-10-13.csv").candidate.id, "2024-10-13T06:00:00Z");
  auto sv = verify_candidate(sl.store(), "naptan-stops", sl.stage_ok(naptan_dir() / "csv/037Stops_2026-07-22.csv").candidate.id,
                             {{}, {}, *parse_instant("2026-07-22T06:00:00Z")});
  CHECK(cli::exit_code_for(sv->verdict) == 0);
}
