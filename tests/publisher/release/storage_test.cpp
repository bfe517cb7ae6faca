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

namespace {

std::uint64_t bytes_under(const std::filesystem::path& dir) {
  std::uint64_t n = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir))
    if (e.is_regular_file()) n += e.file_size();
  return n;
}

}  // namespace

TEST_CASE("with artefacts and staged copies, a weekly release adds storage in proportion to what changed",
          "[release][storage]") {
  const std::uint64_t kSeed = 20261201;
  INFO("seed " << kSeed);
  NaptanStore s;
  auto week = bench::generate_stops(20000, kSeed);
  std::vector<std::uint64_t> totals;
  std::uint64_t artefact_bytes = 0;  // one release's artefacts and their gzip copies
  for (int w = 1; w <= 4; ++w) {
    if (w > 1) week = bench::weekly_edit(week, kSeed + static_cast<std::uint64_t>(w));
    auto f = s.dir() / ("week" + std::to_string(w) + ".csv");
    REQUIRE(bench::write_csv(week, f.string()));
    auto c = s.stage_ok(f);
    std::filesystem::remove(f);  // the input is the maintainer's, not the store's
    auto r = s.release_ok(c.candidate.id, "2026-11-0" + std::to_string(w) + "T06:00:00Z");
    REQUIRE(r.release);
    // Nothing kept that should have gone (the first release also makes the store's signing key).
    for (const auto& note : r.notes) {
      INFO(note);
      CHECK(note.rfind("made the publisher's signing key", 0) == 0);
    }
    artefact_bytes = 0;
    for (const auto& a : r.release->artefacts) artefact_bytes += a.bytes + a.gzip_bytes;
    totals.push_back(bytes_under(s.root()));
  }
  // Weeks 3 and 4 each evict the files of the release two before them.
  const double weekly = static_cast<double>(totals[3]) - static_cast<double>(totals[2]);
  INFO("store " << totals[2] << " B -> " << totals[3] << " B; one release's artefacts " << artefact_bytes << " B");
  CHECK(weekly < 0.10 * static_cast<double>(artefact_bytes));

  auto releases = s.store().releases("naptan-stops");
  REQUIRE(releases.ok());
  REQUIRE(releases->size() == 4);
  for (std::size_t i = 0; i < 4; ++i) {
    for (const auto& a : (*releases)[i].artefacts) {
      INFO((*releases)[i].id << " " << a.name);
      CHECK(a.evicted == (i < 2));
      CHECK(std::filesystem::exists(s.store().object_path(a.sha256)) == (i >= 2));
    }
  }
  // An evicted release still renders, byte for byte, to what its manifest names.
  const Release& first = releases->front();
  auto contract = release_contract(s.store(), first);
  REQUIRE(contract.ok());
  for (ArtefactFormat f : {ArtefactFormat::csv, ArtefactFormat::xml, ArtefactFormat::json}) {
    auto sha = rendered_sha256(s.store(), *contract, first, f);
    REQUIRE(sha.ok());
    bool named = false;
    for (const auto& a : first.artefacts) named = named || a.sha256 == *sha;
    CHECK(named);
  }
  // Its staged copy is gone; staging the same input again brings it back.
  auto again = s.store().read_candidate_view("naptan-stops", first.candidate);
  CHECK(again.status().code() == StatusCode::not_found);
}
