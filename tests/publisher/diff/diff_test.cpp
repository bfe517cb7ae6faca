// Properties of the diff engine on generated NaPTAN-shaped data with random edits.
#include <catch2/catch.hpp>

#include <map>
#include <random>
#include <set>

#include "publisher/diff/diff.hpp"
#include "tests/support/naptan_contract.hpp"
#include "tools/bench/naptan_generator.hpp"

using namespace gazette;
using namespace gazette::testing;

namespace {

RecordSet to_set(const Contract& c, const std::vector<bench::StopRow>& rows) {
  std::vector<EncodedRecord> recs;
  for (const auto& r : rows) recs.push_back({record_key(r, c.key_indices), encode_record(r)});
  RecordSet s(std::move(recs));
  REQUIRE(s.sort_and_find_duplicate() == static_cast<std::size_t>(-1));
  return s;
}

// Random edits: change values, blank some, remove keys, add keys, retire and revive.
std::vector<bench::StopRow> random_edits(std::vector<bench::StopRow> rows, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  auto pick = [&](std::size_t n) { return static_cast<std::size_t>(rng() % n); };
  std::vector<bench::StopRow> out;
  for (auto& r : rows) {
    switch (pick(20)) {
      case 0: continue;  // removed
      case 1: r[4] = "Edited " + std::to_string(rng() % 1000); break;
      case 2: r[27] = std::to_string(std::stol(r[27]) + static_cast<long>(pick(50))); r[8].clear(); break;
      case 3: r[42] = r[42] == "active" ? "inactive" : "active"; break;
      case 4: r[42] = "inactive"; r[40] = "99"; break;
      default: break;
    }
    out.push_back(std::move(r));
  }
  auto extra = bench::generate_stops(1 + pick(50), seed + 1);
  for (auto& r : extra) {
    r[0] = std::to_string(900 + seed % 100) + r[0].substr(3);  // a key space of its own
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace

TEST_CASE("diff(a, a) is empty, and applying diff(a, b) to a gives b", "[diff][property]") {
  Contract c = load_naptan_contract();
  for (std::uint64_t seed : {1ull, 2ull, 3ull, 20261124ull, 99ull}) {
    INFO("seed " << seed);
    auto a_rows = bench::generate_stops(3000, seed);
    RecordSet a = to_set(c, a_rows);
    RecordSet b = to_set(c, random_edits(a_rows, seed));
    CHECK(diff_sets(c, a, a).changes.empty());
    CHECK(diff_sets(c, a, a).summary.total() == 0);
    Changeset ab = diff_sets(c, a, b);
    CHECK(ab.changes.size() > 100);
    CHECK(apply_changeset(c, a, ab) == b);
    Changeset ba = diff_sets(c, b, a);
    CHECK(apply_changeset(c, b, ba) == a);
  }
}

TEST_CASE("the summary matches an independent comparison and kinds never overlap",
          "[diff][property]") {
  Contract c = load_naptan_contract();
  const std::size_t status = c.column_index("Status");
  for (std::uint64_t seed : {7ull, 8ull, 9ull}) {
    INFO("seed " << seed);
    auto a_rows = bench::generate_stops(2000, seed);
    auto c_rows = random_edits(random_edits(a_rows, seed), seed * 31);
    // Independently: maps from key to row, compared by hand.
    std::map<std::string, bench::StopRow> am, cm;
    for (auto& r : a_rows) am[r[0]] = r;
    for (auto& r : c_rows) cm[r[0]] = r;
    ChangeSummary expected;
    for (auto& [k, r] : am) {
      auto it = cm.find(k);
      if (it == cm.end()) ++expected.removed;
      else if (it->second != r)
        ++((it->second[status] == "inactive" && r[status] != "inactive") ? expected.retired : expected.modified);
    }
    for (auto& [k, r] : cm) expected.added += am.count(k) == 0;

    Changeset cs = diff_sets(c, to_set(c, a_rows), to_set(c, c_rows));
    CHECK(cs.summary == expected);
    std::set<std::string> keys;
    ChangeSummary counted;
    for (const auto& ch : cs.changes) {
      CHECK(keys.insert(ch.key).second);  // each key once: one kind per key
      switch (ch.kind) {
        case ChangeKind::added: ++counted.added; break;
        case ChangeKind::removed: ++counted.removed; break;
        case ChangeKind::retired: ++counted.retired; break;
        case ChangeKind::modified: ++counted.modified; break;
      }
      if (ch.kind == ChangeKind::modified || ch.kind == ChangeKind::retired) CHECK_FALSE(ch.fields.empty());
    }
    CHECK(counted == cs.summary);
    CHECK(std::is_sorted(cs.changes.begin(), cs.changes.end(),
                         [](const Change& x, const Change& y) { return x.key < y.key; }));
  }
}

TEST_CASE("a retirement is retired whatever else changed, a revival is modified", "[diff]") {
  Contract c = load_naptan_contract();
  auto rows = bench::generate_stops(2, 5);
  rows[0][42] = "active";
  rows[1][42] = "inactive";
  auto edited = rows;
  edited[0][42] = "inactive";
  edited[0][4] = "Renamed too";
  edited[1][42] = "active";
  Changeset cs = diff_sets(c, to_set(c, rows), to_set(c, edited));
  REQUIRE(cs.changes.size() == 2);
  CHECK(cs.changes[0].kind == ChangeKind::retired);
  CHECK(cs.changes[0].fields.size() == 2);
  CHECK(cs.changes[1].kind == ChangeKind::modified);
}
