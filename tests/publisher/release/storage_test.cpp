// Records are stored as versions shared between releases: storage grows with change.
#include "tests/publisher/release/release_support.hpp"
#include "tools/bench/naptan_generator.hpp"

using namespace gazette;
using namespace gazette::testing;

TEST_CASE("a release with few changes adds far less storage than a full copy", "[release][storage]") {
  const std::uint64_t kSeed = 20261124;
  INFO("seed " << kSeed);
  NaptanStore s;
  auto week1 = bench::generate_stops(20000, kSeed);
  auto week2 = bench::weekly_edit(week1, kSeed);
  auto f1 = s.dir() / "week1.csv";
  auto f2 = s.dir() / "week2.csv";
  REQUIRE(bench::write_csv(week1, f1.string()));
  REQUIRE(bench::write_csv(week2, f2.string()));

  auto empty = s.store().database_bytes();
  REQUIRE(empty.ok());
  auto c1 = s.stage_ok(f1);
  REQUIRE(s.release_ok(c1.candidate.id, "2026-11-16T06:00:00Z").release);
  auto after_first = *s.store().database_bytes();
  auto c2 = s.stage_ok(f2);
  REQUIRE(s.release_ok(c2.candidate.id, "2026-11-23T06:00:00Z").release);
  auto after_second = *s.store().database_bytes();

  const double full_copy = static_cast<double>(after_first - *empty);
  const double weekly = static_cast<double>(after_second - after_first);
  INFO("first release " << full_copy << " B, weekly release " << weekly << " B");
  // About 0.65% of records change; allow for page granularity and fixed per-release rows.
  CHECK(weekly < 0.05 * full_copy);
  CHECK(full_copy > 20000 * 200);  // the first release really holds every record

  // And both releases still read back exactly.
  auto r1 = s.store().release_records("naptan-stops", 1);
  auto r2 = s.store().release_records("naptan-stops", 2);
  CHECK(r1->size() == week1.size());
  CHECK(r2->size() == week2.size());
  CHECK(r1->content_hash() == s.store().read_candidate_records("naptan-stops", c1.candidate.id)->content_hash());
  CHECK(r2->content_hash() == s.store().read_candidate_records("naptan-stops", c2.candidate.id)->content_hash());
}
