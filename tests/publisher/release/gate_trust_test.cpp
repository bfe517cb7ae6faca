// The gate trusted both ways, end to end through the store: the lifecycle as load-bearing,
// truncated candidates, keys that exchange entities, waivers that end, plans used once and
// carried by their contract, and changesets that agree with reports rule for rule.
#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <set>

#include "publisher/contract/positions.hpp"

#include "publisher/render/render.hpp"
#include "tests/publisher/release/release_support.hpp"
#include "tools/bench/naptan_generator.hpp"
#include "tools/gazette/exit_codes.hpp"

using namespace gazette;
using namespace gazette::testing;

namespace {

using Rows = std::vector<bench::StopRow>;
enum Col { kAtco = 0, kCode = 1, kName = 4, kEasting = 27, kNorthing = 28, kStopType = 31, kBusStopType = 32,
           kArea = 37, kStatus = 42 };

struct World {
  NaptanStore s;
  Contract contract = load_naptan_contract();
  Rows base;
  int day = 1;
  World() {
    base = bench::generate_stops(300, 42);
    for (auto& r : base) {
      r[kStatus] = "active";
      if (r[kStopType] != "BCT") r[kBusStopType] = "MKD";
      r[kStopType] = "BCT";
    }
    release(base);
  }
  std::string when(int d) const { return "2026-02-" + std::string(d < 10 ? "0" : "") + std::to_string(d) + "T06:00:00Z"; }
  std::string stage(const Rows& rows) {
    auto f = s.dir() / ("w-" + std::to_string(day) + "-" + std::to_string(rand()) + ".csv");
    REQUIRE(bench::write_csv(rows, f.string()));
    return s.stage_ok(f).candidate.id;
  }
  std::vector<Notice> notices(const std::vector<std::string>& texts) {
    std::vector<Notice> out;
    for (const auto& t : texts) {
      auto n = parse_notice(t, "notice", contract);
      INFO(n.status().message());
      REQUIRE(n.ok());
      out.push_back(*n);
    }
    return out;
  }
  Result<VerifyResult> try_verify(const Rows& rows, const std::vector<std::string>& ns = {}, const std::string& plan = "") {
    VerifyOptions o;
    o.notices = notices(ns);
    if (!plan.empty()) o.plan = *parse_plan(plan, "plan", contract);
    o.publish_at = *parse_instant(when(day));
    return verify_candidate(s.store(), "naptan-stops", stage(rows), o);
  }
  VerifyResult verify(const Rows& rows, const std::vector<std::string>& ns = {}, const std::string& plan = "") {
    auto r = try_verify(rows, ns, plan);
    INFO(r.status().message());
    REQUIRE(r.ok());
    return *r;
  }
  CutResult release(const Rows& rows, const std::vector<std::string>& ns = {}) {
    CutOptions o;
    o.owner = "stops-maintainer";
    o.published_at = *parse_instant(when(day));
    o.notices = notices(ns);
    auto r = cut_release(s.store(), "naptan-stops", stage(rows), o);
    INFO(r.status().message());
    REQUIRE(r.ok());
    INFO((r->verification ? r->verification->text : std::string()));
    REQUIRE(r->release);
    ++day;
    return *r;
  }
};

const RuleTally* tally(const VerifyResult& r, const std::string& rule) {
  for (const auto& t : r.verdict.rules)
    if (t.id() == rule) return &t;
  return nullptr;
}

#define EXPECT_VERDICT(result, code, rule)                 \
  do {                                                     \
    const auto& res_ = (result);                           \
    INFO(res_.text);                                       \
    CHECK(cli::exit_code_for(res_.verdict) == code);       \
    CHECK(tally(res_, rule) != nullptr);                   \
  } while (0)

std::string notice(const std::string& id, const std::string& kind, const std::string& scope,
                   const std::string& extra = "") {
  return R"({"id": ")" + id + R"(", "kind": ")" + kind + R"(", "title": "t", "text": "t", "scope": )" + scope + extra +
         "}";
}

}  // namespace

TEST_CASE("gate: the lifecycle is load-bearing, a candidate that loses many keys is refused", "[gate]") {
  World w;
  Rows r = w.base;
  r[3][kStatus] = "pending";  // active -> pending: news to consumers
  EXPECT_VERDICT(w.verify(r), 3, "lifecycle-changed");
  r = w.base;
  for (std::size_t i = 0; i < 10; ++i) r[i][kStatus] = "inactive";  // a few retirements: routine
  EXPECT_VERDICT(w.verify(r), 0, "retired-through-lifecycle");
  for (std::size_t i = 0; i < 60; ++i) r[i][kStatus] = "inactive";  // a fifth at once: a drift
  EXPECT_VERDICT(w.verify(r), 3, "distribution-drift");
  Rows half(w.base.begin(), w.base.begin() + 150);  // half the stops missing: a truncated export
  auto lost = w.verify(half);
  EXPECT_VERDICT(lost, 4, "keys-lost");
  CHECK_THAT(lost.text, Catch::Contains("150 of 300 keys vanished"));
}

TEST_CASE("gate: an empty candidate is a staging error", "[gate][stage]") {
  NaptanStore s;
  auto csv = s.dir() / "empty.csv";
  {
    std::ofstream f(csv);
    std::string header;
    for (const auto& name : bench::naptan_columns()) header += (header.empty() ? "" : ",") + name;
    f << header << "\r\n";
  }
  CHECK_THAT(s.stage_error(csv).message(), Catch::Contains("no records"));
  auto xml = s.dir() / "empty.xml";
  {
    std::ofstream f(xml);
    f << R"(<?xml version="1.0"?><NaPTAN xmlns="http://www.naptan.org.uk/"><StopPoints/></NaPTAN>)";
  }
  CHECK_THAT(s.stage_error(xml, InputFormat::naptan_xml).message(), Catch::Contains("no StopPoint element"));
  // JSON that holds no record object (issue 11: these staged as "0 records", exit 0).
  for (const std::string& text : {std::string(R"([["x"]])"), std::string(R"({"records":[[]]})"),
                                 std::string(100000, '[') + std::string(100000, ']')}) {
    auto json = s.dir() / "nothing.json";
    {
      std::ofstream f(json, std::ios::trunc);
      f << text;
    }
    CHECK_THAT(s.stage_error(json, InputFormat::json).message(), Catch::Contains("no records"));
  }
}

TEST_CASE("gate: two stops that exchange keys are refused, a rename is not an exchange", "[gate]") {
  World w;
  Rows r = w.base;
  // Rows 20 and 21 swap everything but their keys: each key now names the other's stop.
  for (std::size_t col = 1; col < r[20].size(); ++col) std::swap(r[20][col], r[21][col]);
  EXPECT_VERDICT(w.verify(r), 4, "keys-exchanged");
  r = w.base;
  r[20][kName] = r[21][kName];  // one takes the other's name, nothing moves
  CHECK(tally(w.verify(r), "keys-exchanged") == nullptr);
}

TEST_CASE("gate: a restatement covers one release, a deprecation until its effective date", "[gate][notice]") {
  World w;
  Rows r = w.base;
  r[5][kCode] = "zzzzz01";  // a load-bearing change
  const std::string restate = notice("fix-codes", "restatement", R"({"columns": ["NaptanCode"]})");
  w.release(r, {restate});
  Rows next = r;
  next[6][kCode] = "zzzzz02";  // the same kind of change a week later: the old notice is spent
  EXPECT_VERDICT(w.verify(next), 3, "load-bearing-changed");
  // Added ahead with `notice add`, a restatement covers the first release after it only.
  REQUIRE(w.s.store().put_notice("naptan-stops",
                         {"ahead", "restatement",
                          w.notices({notice("ahead", "restatement", R"({"columns": ["NaptanCode"]})")})[0].json, "",
                          *parse_instant(w.when(w.day)) - 60},
                         "test").ok());
  EXPECT_VERDICT(w.verify(next), 0, "load-bearing-changed");
  w.release(next);
  Rows third = next;
  third[7][kCode] = "zzzzz03";
  EXPECT_VERDICT(w.verify(third), 3, "load-bearing-changed");
  // A deprecation covers until its effective_at, never after.
  const std::string until = notice("codes-deprecated", "deprecation", R"({"columns": ["NaptanCode"]})",
                                   R"(, "effective_at": "2026-02-10T00:00:00Z")");
  EXPECT_VERDICT(w.verify(third, {until}), 0, "load-bearing-changed");
  Rows fourth = third;
  fourth[8][kCode] = "zzzzz04";
  // Past its date (the release is published after effective_at): refused at publication.
  w.day = 11;
  auto late = w.try_verify(fourth, {until});
  REQUIRE_FALSE(late.ok());
  CHECK_THAT(late.status().message(), Catch::Contains("is already past"));
  // A removal naming keys never published is refused.
  auto unknown = w.try_verify(fourth, {notice("gone", "removal", R"({"keys": ["999NOSUCHKEY"]})")});
  REQUIRE_FALSE(unknown.ok());
  CHECK_THAT(unknown.status().message(), Catch::Contains("never published"));
}

TEST_CASE("gate: a plan is used once, and its reviewer compared as people write names", "[gate][plan]") {
  World w;
  Rows r = w.base;
  for (std::size_t i = 0; i < 3; ++i) r[i][kName] = "Renamed " + std::to_string(i);
  auto plan = [](const std::string& owner, const std::string& reviewer) {
    return R"({"id": "bf-names", "owner": ")" + owner + R"(", "reviewed_by": [")" + reviewer + R"("],
      "intent": "Names from the new gazetteer", "blast_radius": {"columns": ["CommonName"], "max_records": 10}})";
  };
  auto self = w.verify(r, {}, plan("alice", " Alice "));
  CHECK(cli::exit_code_for(self.verdict) == 4);
  CHECK_THAT(self.text, Catch::Contains("reviewed by its own owner"));
  CHECK(cli::exit_code_for(w.verify(r, {}, plan("alice", "bob")).verdict) == 0);
  CutOptions o;
  o.owner = "alice";
  o.published_at = *parse_instant(w.when(w.day++));
  o.plan = *parse_plan(plan("alice", "bob"), "plan", w.contract);
  auto cut = cut_release(w.s.store(), "naptan-stops", w.stage(r), o);
  REQUIRE(cut.ok());
  REQUIRE(cut->release);
  Rows again = r;
  again[4][kName] = "Renamed again";
  auto reused = w.verify(again, {}, plan("alice", "bob"));
  CHECK(cli::exit_code_for(reused.verdict) == 4);
  CHECK_THAT(reused.text, Catch::Contains("was already used by release " + cut->release->id));
}

TEST_CASE("gate: a release's changeset carries the report's labels, rule for rule", "[gate][changes]") {
  World w;
  Rows r = w.base;
  r[1][kName] = "Renamed";                                                  // descriptive-edit
  r[2][kEasting] = std::to_string(std::stol(r[2][kEasting]) + 4);           // within tolerance
  r[2][kNorthing] = std::to_string(std::stol(r[2][kNorthing]) + 3);
  bench::set_longitude_latitude(r[2]);
  r[3][kCode] = "zzzzz09";                                                   // load-bearing
  r[4][kStatus] = "inactive";                                                // retired
  Rows next(r.begin() + 1, r.end());                                         // r[0] vanishes
  auto cut = w.release(next, {notice("wk", "restatement", R"({"keys": [")" + r[3][kAtco] + R"(", ")" + r[0][kAtco] +
                                                                  R"("]})"),
                              notice("rm", "removal", R"({"keys": [")" + r[0][kAtco] + R"("]})")});
  REQUIRE(cut.verification);
  auto report = nlohmann::json::parse(cut.verification->json);
  std::map<std::string, std::uint64_t> reported, labelled;
  for (const auto& rule : report["rules"])
    if (rule["about"] == "records") reported[rule["rule"]] = rule["count"];
  auto releases = *w.s.store().releases("naptan-stops");
  auto cs = changeset_between(w.s.store(), w.contract, "naptan-stops", &releases[releases.size() - 2], releases.back());
  REQUIRE(cs.ok());
  for (const auto& ch : cs->changes) ++labelled[ch.rule];
  CHECK(labelled == reported);
  CHECK(labelled["moved-within-tolerance"] == 1);  // a 5 m move is routine in both
  CHECK(labelled["load-bearing-changed"] == 1);
  // Between releases that are not parent and child, the same record rules label the changes:
  // the small move is routine there too (it used to be "load-bearing-changed").
  REQUIRE(releases.size() == 2);
  Rows third = next;
  third[0][kName] = "Another week";
  w.release(third);
  releases = *w.s.store().releases("naptan-stops");
  auto skip = changeset_between(w.s.store(), w.contract, "naptan-stops", &releases[0], releases.back());
  REQUIRE(skip.ok());
  bool seen = false;
  for (const auto& ch : skip->changes)
    if (ch.key == r[2][kAtco]) {
      seen = true;
      CHECK(ch.rule == "moved-within-tolerance");
      CHECK(ch.severity == Severity::routine);
    }
  CHECK(seen);
}

TEST_CASE("gate: every release can be returned to, a rollback's notice covers only what it restores",
          "[gate][rollback]") {
  World w;
  Rows step1 = w.base;
  step1[50][kCode] = "zzzzz50";
  w.release(step1, {notice("codes", "restatement", R"({"columns": ["NaptanCode"]})")});
  Rows step2 = step1;
  for (std::size_t i = 0; i < 20; ++i) step2[i][kName] = "Renamed " + std::to_string(i);
  for (int k = 0; k < 100; ++k) {  // a quarter of the stops are new since the first release
    step2.push_back(bench::generate_stops(1, 99 + k)[0]);
    step2.back()[kAtco] = "99900001" + std::to_string(10 + k);
    step2.back()[kStatus] = "active";
  }
  w.release(step2);
  auto releases = *w.s.store().releases("naptan-stops");
  REQUIRE(releases.size() == 3);

  RollbackOptions o;
  o.owner = "stops-maintainer";
  o.reason = "The new codes were wrong";
  o.published_at = *parse_instant(w.when(w.day++));
  o.notices = w.notices({notice("why", "meaning-change", R"({"columns": ["CommonName"]})")});
  auto back = rollback_release(w.s.store(), "naptan-stops", releases[0].id, o);
  REQUIRE(back.ok());
  INFO((back->verification ? back->verification->text : std::string()));
  REQUIRE(back->release);
  CHECK(back->release->kind == ReleaseKind::rollback);
  // Its generated notice names the restored keys and the columns that changed, nothing more.
  auto notices = *w.s.store().notices("naptan-stops");
  bool given = false, generated = false;
  for (const auto& sn : notices) {
    if (sn.id == "why") given = sn.release == back->release->id;
    if (sn.id.rfind("rollback-to-", 0) != 0) continue;
    generated = true;
    auto n = *parse_notice(sn.json, "n", w.contract);
    CHECK(n.scope.keys.size() == 121);  // 20 renamed, 1 recoded, 100 added since (gone again: not "keys-lost")
    CHECK(std::find(n.scope.columns.begin(), n.scope.columns.end(), "NaptanCode") != n.scope.columns.end());
    CHECK(std::find(n.scope.columns.begin(), n.scope.columns.end(), "Easting") == n.scope.columns.end());
    CHECK(n.scope.columns.size() < 5);
  }
  CHECK(given);
  CHECK(generated);
  // The rollback's notice is spent: the same kind of change a week later needs its own.
  Rows later = w.base;
  later[60][kCode] = "zzzzz60";
  EXPECT_VERDICT(w.verify(later), 3, "load-bearing-changed");
}

TEST_CASE("property: the gate's per-key history equals a naive verify against every release", "[gate][property]") {
  // Method: a history of small routine moves (each release publishable), then a candidate that
  // moves stops further. The gate reads each changed key's versions from the store; the naive
  // answer reads every release whole and measures the candidate against each. They must agree
  // on which keys moved beyond tolerance and which became another place.
  for (std::uint64_t seed : {1u, 2u, 3u}) {
    INFO("seed " << seed);
    World w;
    std::mt19937_64 rng(seed);
    auto step = [&](long max) { return static_cast<long>(rng() % static_cast<unsigned long>(2 * max + 1)) - max; };
    Rows rows = w.base;
    for (int release = 0; release < 4; ++release) {  // at most 4 x 12 m: never beyond 50 m
      for (int k = 0; k < 30; ++k) {
        auto& r = rows[rng() % rows.size()];
        r[kEasting] = std::to_string(std::stol(r[kEasting]) + step(8));
        r[kNorthing] = std::to_string(std::stol(r[kNorthing]) + step(8));
        bench::set_longitude_latitude(r);
      }
      w.release(rows);
    }
    Rows candidate = rows;
    for (int k = 0; k < 60; ++k) {
      auto& r = candidate[rng() % candidate.size()];
      long far = rng() % 5 == 0 ? 1200 : 45;
      r[kEasting] = std::to_string(std::stol(r[kEasting]) + step(far));
      bench::set_longitude_latitude(r);
    }
    auto v = w.verify(candidate);
    // Naive: every release read whole.
    auto releases = *w.s.store().releases("naptan-stops");
    PositionMeter meter(w.contract.position);
    std::map<std::string, double> farthest;
    std::vector<std::string_view> a, b;
    for (const auto& rel : releases) {
      auto set = *w.s.store().release_records("naptan-stops", rel.seq);
      for (const auto& row : candidate) {
        auto it = std::lower_bound(set.records().begin(), set.records().end(), row[kAtco],
                                   [](const EncodedRecord& e, const std::string& k) { return e.key < k; });
        if (it == set.records().end() || it->key != row[kAtco]) continue;
        std::vector<std::string> values(row.begin(), row.end());
        std::string body = encode_record(values);
        decode_record(it->body, a);
        decode_record(body, b);
        if (a == b) continue;
        double d = meter.moved_m(a, b);
        farthest[row[kAtco]] = std::max(farthest[row[kAtco]], d);
      }
    }
    std::set<std::string> naive_beyond, naive_reused, gate_beyond, gate_reused;
    for (const auto& [key, d] : farthest) {
      if (d > w.contract.position->different_place_m) naive_reused.insert(key);
      else if (d > w.contract.position->notice_m) naive_beyond.insert(key);
    }
    // Only keys the candidate changed count (the others are judged by earlier releases).
    for (const auto& ch : v.verdict.key_rules) {
      if (ch.second.first == "moved-beyond-tolerance") gate_beyond.insert(ch.first);
      if (ch.second.first == "key-reused") gate_reused.insert(ch.first);
    }
    std::set<std::string> changed;
    for (const auto& [key, rule] : v.verdict.key_rules) changed.insert(key);
    std::erase_if(naive_beyond, [&](const std::string& k) { return !changed.count(k); });
    std::erase_if(naive_reused, [&](const std::string& k) { return !changed.count(k); });
    CHECK(gate_beyond == naive_beyond);
    CHECK(gate_reused == naive_reused);
    CHECK(!naive_beyond.empty());
    CHECK(!naive_reused.empty());
  }
}

TEST_CASE("gate: a rollback restores the contract in force at its target, as a new version", "[gate][rollback]") {
  World w;
  // v2 widens the notice tolerance (a loosening, published with a notice).
  auto v2 = nlohmann::json::parse(w.contract.canonical_json);
  v2["version"] = 2;
  v2["tolerances"]["position"]["notice_m"] = 80;
  auto f = w.s.dir() / "v2.csv";
  Rows rows = w.base;
  rows[3][kName] = "Renamed under v2";
  REQUIRE(bench::write_csv(rows, f.string()));
  StageOptions so;
  so.contract_json = v2.dump();
  so.contract_source = "v2.json";
  auto staged = stage(w.s.store(), "naptan-stops", f, so);
  REQUIRE(staged.ok());
  CutOptions o;
  o.owner = "stops-maintainer";
  o.published_at = *parse_instant(w.when(w.day++));
  o.notices = w.notices({notice("wider", "meaning-change", R"({"columns": ["Easting", "Northing"]})")});
  auto cut = cut_release(w.s.store(), "naptan-stops", staged->candidate.id, o);
  REQUIRE(cut.ok());
  INFO((cut->verification ? cut->verification->text : std::string()));
  REQUIRE(cut->release);
  REQUIRE(w.s.store().dataset("naptan-stops")->contract_version == 2);

  RollbackOptions ro;
  ro.owner = "stops-maintainer";
  ro.reason = "Back to the first release";
  ro.published_at = *parse_instant(w.when(w.day++));
  auto first = (*w.s.store().releases("naptan-stops"))[0];
  auto back = rollback_release(w.s.store(), "naptan-stops", first.id, ro);
  REQUIRE(back.ok());
  INFO((back->verification ? back->verification->text : std::string()));
  REQUIRE(back->release);
  // v3 is v1's text under a new number: the tolerance consumers had at the target is back.
  CHECK(back->release->contract_version == 3);
  auto in_force = load_contract(w.s.store(), "naptan-stops");
  REQUIRE(in_force.ok());
  CHECK(in_force->version == 3);
  CHECK(in_force->position->notice_m == w.contract.position->notice_m);
}

TEST_CASE("gate: the representations of every real position agree within 7.1 m", "[gate][real]") {
  // DfT derives Longitude/Latitude from the grid; measured with PROJ, the bundled real
  // snapshots agree within 7.02 m, well inside the contract's agreement_m (25 m): nothing real
  // is refused by positions-disagree.
  const Contract contract = load_naptan_contract();
  PositionMeter meter(contract.position);
  double worst = 0;
  std::size_t records = 0;
  for (const auto& entry : std::filesystem::directory_iterator(naptan_dir() / "csv")) {
    NaptanStore s;
    auto staged = s.stage_ok(entry.path());
    auto view = s.store().read_candidate_view("naptan-stops", staged.candidate.id);
    REQUIRE(view.ok());
    std::vector<std::string_view> fields;
    for (const auto& [key, body] : (*view)->records) {
      decode_record(body, fields);
      worst = std::max(worst, meter.disagreement_m(fields));
      ++records;
    }
  }
  INFO(records << " records, largest disagreement " << worst << " m");
  CHECK(records > 8000);
  CHECK(worst < 7.1);
  CHECK(worst > 1);  // measured, not vacuous
}
