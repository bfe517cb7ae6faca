// Changesets from the store, computed two ways, and record histories.
#include "publisher/diff/diff.hpp"

#include <nlohmann/json.hpp>
#include <sqlite3.h>
#include <set>
#include "publisher/common/gzip.hpp"
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

TEST_CASE("each release keeps its changeset against its parent by key, labelled by the gate",
          "[release][changes]") {
  NaptanStore s;
  cut_history(s);
  auto contract = *load_contract(s.store(), "naptan-stops");
  auto releases = *s.store().releases("naptan-stops");
  for (std::size_t i = 0; i < releases.size(); ++i) {
    INFO(releases[i].id);
    // Labels by key, never the whole document: a release never holds its changeset whole.
    CHECK_FALSE(s.store().stored_changeset("naptan-stops", releases[i].id)->has_value());
    if (i == 0) continue;
    CHECK(*s.store().has_change_labels("naptan-stops", releases[i].id));
    auto kept = changeset_between(s.store(), contract, "naptan-stops", &releases[i - 1], releases[i]);
    REQUIRE(kept.ok());
    CHECK(kept->from == releases[i - 1].id);
    CHECK(kept->to == releases[i].id);
    Changeset slow = diff_sets(contract, *s.store().release_records("naptan-stops", releases[i - 1].seq),
                               *s.store().release_records("naptan-stops", releases[i].seq));
    CHECK(kept->summary == slow.summary);
    auto counts = *s.store().change_counts("naptan-stops");
    const auto& c = counts.at(releases[i].id);
    CHECK(ChangeSummary{c.added, c.removed, c.retired, c.modified} == slow.summary);
    REQUIRE(kept->changes.size() == slow.changes.size());
    // Each change carries the gate's rule, as the release's report names them.
    auto report = nlohmann::json::parse(*s.store().release_report("naptan-stops", releases[i].id));
    std::set<std::string> reported;
    for (const auto& r : report["rules"]) reported.insert(r["rule"].get<std::string>());
    for (std::size_t k = 0; k < slow.changes.size(); ++k) {
      CHECK(kept->changes[k].key == slow.changes[k].key);
      CHECK(kept->changes[k].kind == slow.changes[k].kind);
      CHECK(kept->changes[k].fields == slow.changes[k].fields);
      CHECK(reported.count(kept->changes[k].rule) == 1);
    }
  }
  // Slough joining: 523 stops added, nothing else, each spelled out value by value.
  auto last = changeset_between(s.store(), contract, "naptan-stops", &releases[releases.size() - 2], releases.back());
  CHECK(last->summary.added == 523);
  CHECK(last->summary.total() == 523);
  for (const auto& ch : last->changes) CHECK(ch.fields.size() > 5);
}

TEST_CASE("a release cut when changesets were kept whole is read from that whole, paged or not",
          "[release][changes]") {
  NaptanStore s;
  cut_history(s);
  auto contract = *load_contract(s.store(), "naptan-stops");
  auto releases = *s.store().releases("naptan-stops");
  const Release& rel = releases[4];  // 2025-11-18: renames, moves and retirements
  auto kept = changeset_between(s.store(), contract, "naptan-stops", &releases[3], rel);
  REQUIRE(kept.ok());
  REQUIRE(kept->changes.size() > 5);
  // What a store from before labels by key holds: the whole document, gzipped, and no labels.
  // Marked as such, so that reading it cannot be mistaken for the path by key.
  Changeset old = *kept;
  for (auto& ch : old.changes) ch.rule = "as-kept-whole";
  std::string gz;
  GzipStream zip;
  REQUIRE(zip.write(render_changeset_json(old, 0, old.changes.size()), gz).ok());
  REQUIRE(zip.finish(gz).ok());
  {
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open((s.root() / "gazette.db").c_str(), &db) == SQLITE_OK);
    sqlite3_stmt* st = nullptr;
    REQUIRE(sqlite3_prepare_v2(db, "DELETE FROM change_labels WHERE release=?1", -1, &st, nullptr) == SQLITE_OK);
    sqlite3_bind_text(st, 1, rel.id.c_str(), -1, SQLITE_TRANSIENT);
    REQUIRE(sqlite3_step(st) == SQLITE_DONE);
    sqlite3_finalize(st);
    REQUIRE(sqlite3_prepare_v2(db,
                               "INSERT OR REPLACE INTO changesets(dataset, release, parent, added, removed, retired, "
                               "modified, json_gzip) SELECT dataset, release, parent, added, removed, retired, modified, "
                               "?2 FROM changesets WHERE release=?1",
                               -1, &st, nullptr) == SQLITE_OK);
    sqlite3_bind_text(st, 1, rel.id.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_blob(st, 2, gz.data(), static_cast<int>(gz.size()), SQLITE_TRANSIENT);
    int rc = sqlite3_step(st);
    INFO(sqlite3_errmsg(db));
    REQUIRE(rc == SQLITE_DONE);
    sqlite3_finalize(st);
    sqlite3_close(db);
  }
  CHECK_FALSE(*s.store().has_change_labels("naptan-stops", rel.id));
  auto whole = changeset_between(s.store(), contract, "naptan-stops", &releases[3], rel);
  REQUIRE(whole.ok());
  CHECK(whole->changes == old.changes);
  CHECK(whole->summary == kept->summary);
  std::vector<Change> paged;
  std::string after;
  for (int pages = 0;; ++pages) {
    REQUIRE(pages < 100);
    auto page = changeset_page(s.store(), contract, "naptan-stops", &releases[3], rel, after, 3);
    REQUIRE(page.ok());
    for (auto& ch : page->changeset.changes) paged.push_back(ch);
    if (!page->more) break;
    after = page->changeset.changes.back().key;
  }
  CHECK(paged == old.changes);
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
