// The gate, scenario by scenario, on generated NaPTAN-shaped data: for each rule one case just
// inside its threshold and one just outside, each asserting the exit status and rule name.
#include <algorithm>
#include <functional>
#include <nlohmann/json.hpp>
#include <random>

#include "tests/publisher/release/release_support.hpp"
#include "tools/bench/naptan_generator.hpp"
#include "tools/gazette/exit_codes.hpp"

using namespace gazette;
using namespace gazette::testing;

namespace {

using Rows = std::vector<bench::StopRow>;
enum Col { kAtco = 0, kName = 4, kLandmark = 8, kLocality = 17, kEasting = 27, kNorthing = 28, kLongitude = 29, kLatitude = 30,
           kStopType = 31, kBusStopType = 32, kArea = 37, kCreated = 38, kModified = 39, kRevision = 40, kStatus = 42 };

struct Scenario {
  NaptanStore s;
  Contract contract = load_naptan_contract();
  Rows base;
  int day = 1;
  explicit Scenario(std::uint64_t seed = 42, const std::function<void(Rows&)>& prepare = {}) {
    base = bench::generate_stops(300, seed);
    if (prepare) prepare(base);
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
  // Verifies `rows` staged under contract v2, which carries definition `position` v2.
  VerifyResult verify_under_v2(const Rows& rows, const std::string& plan) {
    auto f = s.dir() / ("v2-rows-" + std::to_string(day) + ".csv");
    REQUIRE(bench::write_csv(rows, f.string()));
    auto j = nlohmann::json::parse(contract.canonical_json);
    j["version"] = 2;
    for (auto& d : j["definitions"])
      if (d["name"] == "position") d["version"] = 2;
    StageOptions so;
    so.contract_json = j.dump();
    so.contract_source = "v2.json";
    auto staged = gazette::stage(s.store(), "naptan-stops", f, so);
    INFO(staged.status().message());
    REQUIRE(staged.ok());
    VerifyOptions o;
    o.plan = *parse_plan(plan, "plan", contract);
    o.publish_at = *parse_instant(when());
    auto r = verify_candidate(s.store(), "naptan-stops", staged->candidate.id, o);
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
    INFO((r->verification ? r->verification->text : std::string()));
    REQUIRE(r->release);
    ++day;
  }
};

bool has(const VerifyResult& r, const std::string& rule) {
  for (const auto& t : r.verdict.rules)
    if (t.id() == rule) return true;
  return false;
}

std::size_t uncovered(const VerifyResult& r, const std::string& rule) {
  for (const auto& t : r.verdict.rules)
    if (t.id() == rule) return t.uncovered;
  return 0;
}

#define EXPECT_VERDICT(result, code, rule)   \
  do {                                       \
    const auto& res_ = (result);             \
    INFO(res_.text);                         \
    CHECK(cli::exit_code_for(res_.verdict) == code); \
    CHECK(has(res_, rule));                  \
  } while (0)

// Moves a stop by (east, north) metres on the grid, with Longitude/Latitude moved with it (as
// DfT derives them), so that the two representations keep agreeing.
void move(bench::StopRow& r, long east, long north) {
  r[kEasting] = std::to_string(std::stol(r[kEasting]) + east);
  r[kNorthing] = std::to_string(std::stol(r[kNorthing]) + north);
  bench::set_longitude_latitude(r);
}

std::string notice(const std::string& id, const std::string& kind, const std::string& scope) {
  return R"({"id": ")" + id + R"(", "kind": ")" + kind + R"(", "title": "t", "text": "t", "scope": )" + scope + "}";
}

}  // namespace

TEST_CASE("gate: a key vanishing needs a notice, retiring it through the lifecycle does not", "[gate]") {
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
    move(r[5], metres, 0);
    return r;
  };
  // Measured on the ellipsoid in every representation: a grid metre is within 0.1% of one.
  EXPECT_VERDICT(sc.verify(moved(49)), 0, "moved-within-tolerance");
  EXPECT_VERDICT(sc.verify(moved(52)), 3, "moved-beyond-tolerance");
  EXPECT_VERDICT(sc.verify(moved(990)), 3, "moved-beyond-tolerance");
  EXPECT_VERDICT(sc.verify(moved(1010)), 4, "key-reused");
  // A meaning-change notice on the position columns covers a move beyond tolerance.
  EXPECT_VERDICT(sc.verify(moved(200), {notice("pos", "meaning-change", R"({"columns": ["Easting"]})")}), 0,
                 "moved-beyond-tolerance");
}

TEST_CASE("gate: one representation of a position moved alone is refused, the real ones agree", "[gate]") {
  Scenario sc;
  Rows r = sc.base;
  for (std::size_t i = 50; i < 150; ++i)  // Longitude 0.05 degrees east, the grid left alone
    r[i][kLongitude] = bench::fixed6(std::stod(r[i][kLongitude]) + 0.05);
  EXPECT_VERDICT(sc.verify(r), 4, "positions-disagree");
  r = sc.base;
  std::swap(r[7][kLongitude], r[7][kLatitude]);
  EXPECT_VERDICT(sc.verify(r), 4, "positions-disagree");
  r = sc.base;
  r[7][kEasting] = std::to_string(std::stol(r[7][kEasting]) + 30);  // the grid alone, 30 m
  EXPECT_VERDICT(sc.verify(r), 4, "positions-disagree");
  r = sc.base;
  r[7][kEasting] = std::to_string(std::stol(r[7][kEasting]) + 20);  // within the agreement tolerance
  CHECK(cli::exit_code_for(sc.verify(r).verdict) == 0);
}

TEST_CASE("gate: a stop drifting in small steps is judged against what consumers hold", "[gate]") {
  Scenario sc;
  Rows r = sc.base;
  move(r[12], 30, 0);  // 30 m: routine
  sc.release(r);
  move(r[12], 30, 0);  // 30 m from the newest, 60 m from what the first release's holders have
  auto second = sc.verify(r);
  EXPECT_VERDICT(second, 3, "moved-beyond-tolerance");
  CHECK_THAT(second.text, Catch::Contains("from the version published in 2026-01-01"));
  // Once announced, later steps are judged from the announced version.
  sc.release(r, {notice("drift", "meaning-change", R"({"keys": [")" + r[12][kAtco] + R"("]})")});
  move(r[12], 30, 0);
  EXPECT_VERDICT(sc.verify(r), 0, "moved-within-tolerance");
  // The notice covered one release: the same move needs a new one now.
  move(r[12], 30, 0);
  EXPECT_VERDICT(sc.verify(r), 3, "moved-beyond-tolerance");
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

TEST_CASE("gate: a systematic shift is found despite jitter, partial application and new keys", "[gate]") {
  Scenario sc;  // area 010 holds the first 40 stops
  std::mt19937 rng(7);
  auto jitter = [&] { return static_cast<long>(rng() % 3) - 1; };  // -1, 0 or +1 m
  auto shift = [&](std::size_t n, long d, bool jittered) {
    Rows r = sc.base;
    for (std::size_t i = 0; i < n; ++i) move(r[i], d + (jittered ? jitter() : 0), d + (jittered ? jitter() : 0));
    return r;
  };
  const std::string moves = notice("moves", "meaning-change", R"({"columns": ["Easting", "Northing"]})");
  EXPECT_VERDICT(sc.verify(shift(40, 21, true), {moves}), 4, "systematic-shift");   // 30 m with jitter
  EXPECT_VERDICT(sc.verify(shift(19, 21, false), {moves}), 4, "systematic-shift");  // 47% of the area
  Rows diluted = shift(20, 21, true);
  for (std::size_t k = 0; k < 60; ++k) {  // new keys in the area
    auto extra = bench::generate_stops(1, 1000 + k)[0];
    extra[kAtco] = "0100990" + std::to_string(100 + k);
    extra[kArea] = "010";
    extra[kStatus] = "active";
    diluted.push_back(extra);
  }
  std::sort(diluted.begin(), diluted.end(), [](const auto& a, const auto& b) { return a[kAtco] < b[kAtco]; });
  EXPECT_VERDICT(sc.verify(diluted, {moves}), 4, "systematic-shift");
  auto few = sc.verify(shift(9, 21, false), {moves});  // nine records: not yet a pattern
  CHECK_FALSE(has(few, "systematic-shift"));
  CHECK(cli::exit_code_for(few.verdict) == 0);
  // A routine week: 40 stops of the area each moved a few metres in its own direction.
  Rows routine = sc.base;
  for (std::size_t i = 0; i < 40; ++i)
    move(routine[i], static_cast<long>(rng() % 17) - 8, static_cast<long>(rng() % 17) - 8);
  auto week = sc.verify(routine);
  CHECK_FALSE(has(week, "systematic-shift"));
  CHECK(cli::exit_code_for(week.verdict) == 0);
}

TEST_CASE("gate: a shift is covered by a plan whose definition change the contract carries", "[gate][plan]") {
  Scenario sc;
  Rows r = sc.base;
  for (std::size_t i = 0; i < 40; ++i) move(r[i], 21, 21);
  const std::string plan = R"({"id": "bf-grid", "owner": "stops-maintainer", "reviewed_by": ["reviewer"],
      "intent": "Corrected grid transform", "definitions": [{"name": "position", "from": 1, "to": 2, "text": "new"}],
      "blast_radius": {"columns": ["Easting", "Northing", "Longitude", "Latitude"],
                       "where": {"AdministrativeAreaCode": ["010"]}, "max_records": 40}})";
  // Under the contract in force the plan declares a change nobody made: refused.
  auto uncarried = sc.verify(r, {}, plan);
  CHECK(cli::exit_code_for(uncarried.verdict) == 4);
  CHECK_THAT(uncarried.text, Catch::Contains("carries position v1; stage the candidate with --contract"));
  // A notice alone never covers a shift.
  EXPECT_VERDICT(sc.verify(r, {notice("m", "meaning-change", R"({"columns": ["Easting", "Northing"]})")}), 4,
                 "systematic-shift");
  // Staged under contract v2, which carries position v2: covered.
  auto v2 = sc.verify_under_v2(r, plan);
  EXPECT_VERDICT(v2, 0, "systematic-shift");
  CHECK_THAT(v2.text, Catch::Contains("covered by: plan bf-grid (definition position v1 -> v2)"));
}

TEST_CASE("gate: one common offset of a datetime column is a shift, batch and forward stamps are not", "[gate]") {
  Scenario sc;
  auto stamp = [&](std::size_t n, auto&& next) {
    Rows r = sc.base;
    for (std::size_t i = 0; i < n; ++i) {
      r[i][kName] = "Renamed " + std::to_string(i);
      r[i][kModified] = next(i, *parse_instant(r[i][kModified]));
    }
    return r;
  };
  auto iso = [](UnixSeconds t) { return format_rfc3339(t).substr(0, 19) + ".000"; };
  auto by = [&](long seconds) { return [&, seconds](std::size_t, UnixSeconds t) { return iso(t + seconds); }; };
  EXPECT_VERDICT(sc.verify(stamp(20, by(3600))), 4, "systematic-time-shift");
  EXPECT_VERDICT(sc.verify(stamp(20, [&](std::size_t i, UnixSeconds t) { return iso(t + 3600 + long(i % 7) * 5 - 15); })),
                 4, "systematic-time-shift");  // an hour, hidden in seconds of jitter
  CHECK_FALSE(has(sc.verify(stamp(9, by(3600))), "systematic-time-shift"));
  // A batch stamp: 600 records... here every stop renamed and stamped with one time.
  for (auto* old : {"2025-06-01T10:00:00.000", "2025-06-01T00:00:00.000"}) {
    Scenario whole(42, [&](Rows& rows) {
      for (auto& row : rows) row[kModified] = old;  // whole hours, or dates
    });
    Rows batch = whole.base;
    for (std::size_t i = 0; i < 200; ++i) {
      batch[i][kName] = "Renamed " + std::to_string(i);
      batch[i][kModified] = "2025-12-01T09:00:00.000";
    }
    auto v = whole.verify(batch);
    CHECK_FALSE(has(v, "systematic-time-shift"));
    CHECK(cli::exit_code_for(v.verdict) == 0);
  }
  // Stamps moving forward by different amounts, and date-only stamps: routine.
  auto forward = sc.verify(stamp(100, [&](std::size_t i, UnixSeconds t) { return iso(t + 86400 * long(1 + i) + 3600 * long(i % 5)); }));
  CHECK_FALSE(has(forward, "systematic-time-shift"));
  CHECK(cli::exit_code_for(forward.verdict) == 0);
  auto dates = sc.verify(stamp(100, [&](std::size_t i, UnixSeconds) { return "2026-0" + std::to_string(1 + i % 9) + "-1" + std::to_string(i % 10) + "T00:00:00.000"; }));
  CHECK_FALSE(has(dates, "systematic-time-shift"));
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
  move(reused.back(), 5000, 0);
  auto far = sc.verify(reused);
  EXPECT_VERDICT(far, 4, "key-reused");
  CHECK_THAT(far.text, Catch::Contains("than the version published in 2026-01-01"));  // the one it contradicts
  // However near: a withdrawn key given to a new stop (new name, code and creation time).
  Rows near = later;
  near.push_back(sc.base[10]);
  move(near.back(), 300, 0);
  near.back()[kName] = "Brand New Stop";
  near.back()[1] = "zzzzzzz";
  near.back()[kCreated] = "2026-01-02T00:00:00.000";
  EXPECT_VERDICT(sc.verify(near), 4, "key-reused");
  Rows restored = later;
  restored.push_back(sc.base[10]);
  EXPECT_VERDICT(sc.verify(restored), 3, "key-restored");
  // Transitively for a key still present: small steps that add up to another place.
  Rows step = later;
  move(step[20], 700, 0);
  sc.release(step, {notice("step1", "meaning-change", R"({"columns": ["Easting"]})")});
  Rows step2 = step;
  move(step2[20], 700, 0);
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
