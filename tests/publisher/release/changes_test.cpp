// Changesets from the store, computed two ways, and record histories.
#include "publisher/diff/diff.hpp"

#include <nlohmann/json.hpp>
#include <set>
#include "publisher/render/render.hpp"
#include "tests/publisher/release/release_support.hpp"

using namespace gazette;
using namespace gazette::testing;

namespace {

// Clackmannanshire's seven real versions, then Slough joining, as releases 1..8.
void cut_history(NaptanStore& s) {
  const char* days[] = {"2024-10-13", "2024-10-24", "2024-12-03", "2024-12-12",
                        "2025-11-18", "2026-01-20", "2026-06-02"};
  for (const char* d : days) {
    auto c = s.stage_ok(naptan_dir() / (std::string("csv/668Stops_") + d + ".csv"));
    s.release_ok(c.candidate.id, std::string(d) + "T06:00:00Z");
  }
  // Then Slough joins: Clackmannanshire's last version plus Slough's stops, in one file.
  auto clack = read_text(naptan_dir() / "csv/668Stops_2026-06-02.csv");
  auto slough = read_text(naptan_dir() / "csv/037Stops_2026-07-22.csv");
  auto both = write_text(s.dir() / "joined.csv", clack + slough.substr(slough.find('\n') + 1));
  auto joined = s.stage_ok(both);
  // A new area moves the shares of stop types and brings a code never published before: the
  // gate wants consumers told.
  CutOptions o;
  o.owner = "stops-maintainer";
  o.published_at = *parse_instant("2026-07-22T06:00:00Z");
  auto contract = *load_contract(s.store(), "naptan-stops");
  o.notices.push_back(*parse_notice(R"({"id": "slough-joins", "kind": "meaning-change", "title": "Slough joins",
      "text": "523 stops of Slough are added.", "scope": {"columns": ["StopType", "TimingStatus"]}})",
                                    "notice.json", contract));
  auto cut = cut_release(s.store(), "naptan-stops", joined.candidate.id, o);
  REQUIRE(cut.ok());
  INFO(cut->verification->text);
  REQUIRE(cut->release);
}

}  // namespace

TEST_CASE("changesets from changed-key spans equal a full comparison, between any two releases",
          "[release][changes]") {
  NaptanStore s;
  cut_history(s);
  auto contract = *load_contract(s.store(), "naptan-stops");
  auto releases = *s.store().releases("naptan-stops");
  REQUIRE(releases.size() == 8);
  std::vector<RecordSet> sets{RecordSet()};
  for (const auto& r : releases) sets.push_back(*s.store().release_records("naptan-stops", r.seq));
  std::size_t nonempty = 0;
  for (std::size_t i = 0; i <= releases.size(); ++i) {
    for (std::size_t j = 1; j <= releases.size(); ++j) {
      INFO(i << " -> " << j);
      const Release* from = i == 0 ? nullptr : &releases[i - 1];
      auto fast = changeset_between(s.store(), contract, "naptan-stops", from, releases[j - 1]);
      REQUIRE(fast.ok());
      Changeset slow = diff_sets(contract, sets[i], sets[j]);
      CHECK(fast->summary == slow.summary);
      REQUIRE(fast->changes.size() == slow.changes.size());
      for (std::size_t k = 0; k < slow.changes.size(); ++k) {
        CHECK(fast->changes[k].key == slow.changes[k].key);
        CHECK(fast->changes[k].fields == slow.changes[k].fields);
        CHECK(fast->changes[k].kind == slow.changes[k].kind);
      }
      CHECK(apply_changeset(contract, sets[i], *fast) == sets[j]);
      nonempty += !fast->changes.empty();
    }
  }
  CHECK(nonempty > 40);
}

TEST_CASE("a changeset read a page at a time equals the changeset read whole, labels and summary included",
          "[release][changes]") {
  NaptanStore s;
  cut_history(s);
  auto contract = *load_contract(s.store(), "naptan-stops");
  auto releases = *s.store().releases("naptan-stops");
  std::size_t paged_pairs = 0;
  for (std::size_t i = 0; i <= releases.size(); ++i) {
    for (std::size_t j = 1; j <= releases.size(); ++j) {
      INFO(i << " -> " << j);
      const Release* from = i == 0 ? nullptr : &releases[i - 1];
      auto whole = changeset_between(s.store(), contract, "naptan-stops", from, releases[j - 1]);
      REQUIRE(whole.ok());
      std::vector<Change> paged;
      std::string after;
      std::optional<ChangeSummary> summary;
      for (int pages = 0;; ++pages) {
        REQUIRE(pages < 1000);
        auto page = changeset_page(s.store(), contract, "naptan-stops", from, releases[j - 1], after, 7, summary);
        INFO(page.status().message());
        REQUIRE(page.ok());
        CHECK(page->changeset.summary == whole->summary);
        CHECK(page->changeset.changes.size() <= 7);
        for (auto& ch : page->changeset.changes) paged.push_back(ch);
        summary = page->changeset.summary;
        if (!page->more) break;
        REQUIRE_FALSE(page->changeset.changes.empty());
        after = page->changeset.changes.back().key;
      }
      // Key, kind, fields, and the rule and severity: the gate's for a release and its parent.
      CHECK(paged == whole->changes);
      paged_pairs += paged.size() > 7;
    }
  }
  CHECK(paged_pairs > 20);
}

TEST_CASE("each release keeps its changeset against its parent", "[release][changes]") {
  NaptanStore s;
  cut_history(s);
  auto contract = *load_contract(s.store(), "naptan-stops");
  auto releases = *s.store().releases("naptan-stops");
  CHECK_FALSE(s.store().stored_changeset("naptan-stops", releases[0].id)->has_value());
  for (std::size_t i = 1; i < releases.size(); ++i) {
    auto stored = s.store().stored_changeset("naptan-stops", releases[i].id);
    REQUIRE(stored.ok());
    REQUIRE(stored->has_value());
    auto parsed = parse_changeset_json(**stored);
    REQUIRE(parsed.ok());
    auto fresh = changeset_between(s.store(), contract, "naptan-stops", &releases[i - 1], releases[i]);
    CHECK(parsed->from == releases[i - 1].id);
    CHECK(parsed->to == releases[i].id);
    CHECK(parsed->summary == fresh->summary);
    REQUIRE(parsed->changes.size() == fresh->changes.size());
    // The stored changeset carries the gate's rule for each change, as the report names them.
    auto report = nlohmann::json::parse(*s.store().release_report("naptan-stops", releases[i].id));
    std::set<std::string> reported;
    for (const auto& r : report["rules"]) reported.insert(r["rule"].get<std::string>());
    for (std::size_t k = 0; k < fresh->changes.size(); ++k) {
      CHECK(parsed->changes[k].key == fresh->changes[k].key);
      CHECK(parsed->changes[k].kind == fresh->changes[k].kind);
      CHECK(parsed->changes[k].fields == fresh->changes[k].fields);
      CHECK(reported.count(parsed->changes[k].rule) == 1);
    }
  }
  // Slough joining: 523 stops added, nothing else.
  auto last = parse_changeset_json(**s.store().stored_changeset("naptan-stops", releases.back().id));
  CHECK(last->summary.added == 523);
  CHECK(last->summary.total() == 523);
}

TEST_CASE("a release and a candidate diff by merging the two sets", "[release][changes]") {
  NaptanStore s;
  auto a = s.stage_ok(naptan_dir() / "csv/611Stops_2024-10-13.csv");
  auto rel = s.release_ok(a.candidate.id, "2024-10-13T06:00:00Z");
  auto b = s.stage_ok(naptan_dir() / "csv/611Stops_2026-04-22.csv");
  auto contract = *load_contract(s.store(), "naptan-stops");
  auto cs = changeset_to_candidate(s.store(), contract, "naptan-stops", &*rel.release, b.candidate.id);
  REQUIRE(cs.ok());
  CHECK(cs->to == "candidate:" + b.candidate.id);
  CHECK(cs->summary.total() > 0);
  CHECK(cs->summary.removed + 573 == 575 + cs->summary.added);  // real East Dunbartonshire: 575 -> 573
  // Computed two ways: from stored hashes, and by a full merge of the two sets.
  Changeset slow = diff_sets(contract, *s.store().release_records("naptan-stops", rel.release->seq),
                             *s.store().read_candidate_records("naptan-stops", b.candidate.id));
  CHECK(cs->summary == slow.summary);
  REQUIRE(cs->changes.size() == slow.changes.size());
  for (std::size_t k = 0; k < slow.changes.size(); ++k) {
    CHECK(cs->changes[k].key == slow.changes[k].key);
    CHECK(cs->changes[k].kind == slow.changes[k].kind);
    CHECK(cs->changes[k].fields == slow.changes[k].fields);
  }
  auto from_nothing = changeset_to_candidate(s.store(), contract, "naptan-stops", nullptr, b.candidate.id);
  CHECK(from_nothing->summary.added == 573);
  for (const auto& ch : cs->changes) CHECK_FALSE(ch.rule.empty());
}

TEST_CASE("a record's history lists every distinct version with its release", "[release][changes]") {
  NaptanStore s;
  cut_history(s);
  auto h = record_history(s.store(), "naptan-stops", "66806210056");
  REQUIRE(h.ok());
  REQUIRE(h->size() >= 2);
  CHECK((*h)[0].release.id == "2024-10-13");
  CHECK((*h)[0].change == ChangeKind::added);
  CHECK((*h)[1].release.id == "2024-10-24");
  CHECK((*h)[1].change == ChangeKind::retired);
  for (std::size_t i = 1; i < h->size(); ++i) CHECK((*h)[i].body != (*h)[i - 1].body);
  CHECK(record_history(s.store(), "naptan-stops", "nope")->empty());
}
