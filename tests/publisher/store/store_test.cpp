#include <catch2/catch.hpp>
#include <sqlite3.h>

#include "publisher/store/schema.hpp"
#include "publisher/store/store.hpp"
#include "tests/support/temp_dir.hpp"

using namespace gazette;
using namespace gazette::testing;

namespace {

// Runs one statement directly against the database; returns SQLite's result code.
int exec_raw(const std::filesystem::path& dir, const char* sql, std::string* err = nullptr) {
  sqlite3* db = nullptr;
  sqlite3_open((dir / "gazette.db").c_str(), &db);
  char* msg = nullptr;
  int rc = sqlite3_exec(db, sql, nullptr, nullptr, &msg);
  if (err && msg) *err = msg;
  sqlite3_free(msg);
  sqlite3_close(db);
  return rc;
}

Release one_release(const std::string& id, std::int64_t seq, UnixSeconds t) {
  Release r;
  r.dataset = "d";
  r.id = id;
  r.seq = seq;
  r.published_at = t;
  r.owner = "alice";
  r.manifest_json = "{}";
  r.artefacts.push_back({"d.csv", "text/csv", 3, std::string(64, 'a'), "", 0});
  return r;
}

// A new store in `dir` holding one empty dataset, "d".
std::unique_ptr<Store> store_with_dataset(const TempDir& dir) {
  REQUIRE(Store::init(dir.path()).ok());
  auto s = Store::open(dir.path(), OpenMode::write);
  REQUIRE(s.ok());
  REQUIRE((*s)->create_dataset({"d", "D", 1, "{}", 0}, "alice").ok());
  return std::move(*s);
}

}  // namespace

TEST_CASE("init makes a versioned store, once", "[store]") {
  TempDir dir;
  auto root = dir / "data";
  REQUIRE(Store::init(root).ok());
  for (const char* sub : {"objects", "candidates", "tmp"}) CHECK(std::filesystem::is_directory(root / sub));
  auto again = Store::init(root);
  CHECK(again.code() == StatusCode::conflict);
  auto store = Store::open(root, OpenMode::read);
  REQUIRE(store.ok());
  CHECK((*store)->schema_version() == static_cast<int>(store_detail::migrations().size()));
  auto missing = Store::open(dir / "nothing", OpenMode::read);
  CHECK(missing.status().code() == StatusCode::not_found);
}

TEST_CASE("one writer at a time, with readers alongside", "[store]") {
  TempDir dir;
  REQUIRE(Store::init(dir.path()).ok());
  auto writer = Store::open(dir.path(), OpenMode::write);
  REQUIRE(writer.ok());
  auto second = Store::open(dir.path(), OpenMode::write);
  CHECK(second.status().code() == StatusCode::conflict);
  CHECK(Store::open(dir.path(), OpenMode::read).ok());
}

TEST_CASE("releases, artefacts and the ledger cannot be rewritten", "[store]") {
  TempDir dir;
  REQUIRE(Store::init(dir.path()).ok());
  {
    auto s = Store::open(dir.path(), OpenMode::write);
    REQUIRE(s.ok());
    REQUIRE((*s)->create_dataset({"d", "D", 1, "{}", 0}, "alice").ok());
    RecordSet records(std::vector<EncodedRecord>{{"k1", "k1\x1fv"}});
    REQUIRE((*s)->commit_release(one_release("2026-01-01", 1, 100), records.refs(), {}, "alice").ok());
  }
  std::string err;
  CHECK(exec_raw(dir.path(), "UPDATE releases SET owner = 'mallory'", &err) != SQLITE_OK);
  CHECK(err == "releases are immutable");
  CHECK(exec_raw(dir.path(), "DELETE FROM artefacts") != SQLITE_OK);
  CHECK(exec_raw(dir.path(), "UPDATE record_versions SET body = 'x'") != SQLITE_OK);
  CHECK(exec_raw(dir.path(), "DELETE FROM ledger") != SQLITE_OK);
  auto s = Store::open(dir.path(), OpenMode::read);
  auto ledger = (*s)->ledger("d");
  REQUIRE(ledger.ok());
  REQUIRE(ledger->size() == 2);
  CHECK((*ledger)[0].action == LedgerAction::dataset_create);
  CHECK((*ledger)[1].action == LedgerAction::release);
  CHECK((*ledger)[1].actor == "alice");
  CHECK((*ledger)[1].at > 1700000000);  // stamped with the time of the action
  // The feeds' order: when each release and notice was committed, by kind and id.
  auto order = (*s)->publication_order("d");
  REQUIRE(order.ok());
  CHECK(order->releases == std::map<std::string, std::int64_t>{{"2026-01-01", (*ledger)[1].seq}});
  CHECK(order->notices.empty());
}

TEST_CASE("a release is committed with its typed parts: labels, plan, notices, a new contract", "[store]") {
  TempDir dir;
  auto s = store_with_dataset(dir);
  Store& store = *s;
  RecordSet v1(std::vector<EncodedRecord>{{"k1", "k1\x1f" "a"}, {"k2", "k2\x1f" "b"}});
  RecordSet v2(std::vector<EncodedRecord>{{"k1", "k1\x1f" "A"}, {"k2", "k2\x1f" "b"}});
  REQUIRE(store.commit_release(one_release("2026-01-01", 1, 100), v1.refs(), {}, "x").ok());

  Plan plan;
  plan.id = "p1";
  plan.json = R"({"id":"p1"})";
  Notice notice;
  notice.id = "n1";
  notice.kind = NoticeKind::meaning_change;
  notice.json = R"({"id":"n1"})";
  Contract v2_contract;
  v2_contract.version = 2;
  v2_contract.canonical_json = R"({"version":2})";
  ReleaseCommit with;
  with.change_labels = {{"k1", "value-changed", Severity::notice}};
  with.modified = 1;
  with.report_json = R"({"counts":{}})";
  with.plan = &plan;
  with.notices = {notice};
  with.new_contract = &v2_contract;
  Release r = one_release("2026-01-02", 2, 200);
  r.parent = "2026-01-01";
  SECTION("a contract of another version than the release's is refused, and nothing is stored") {
    CHECK(store.commit_release(r, v2.refs(), with, "x").code() == StatusCode::invalid_input);
    CHECK(store.releases("d")->size() == 1);
    CHECK(store.notices("d")->empty());
  }
  SECTION("every part is stored with the release") {
    r.contract_version = 2;
    REQUIRE(store.commit_release(r, v2.refs(), with, "x").ok());
    auto labels = store.change_labels("d", "2026-01-02", "k1", "k1");
    REQUIRE(labels.ok());
    CHECK(labels->at("k1") == std::pair<std::string, std::string>{"value-changed", "notice"});
    CHECK(*store.release_plan("d", "2026-01-02") == plan.json);
    auto notices = store.notices("d");
    REQUIRE(notices->size() == 1);
    CHECK((*notices)[0].kind == "meaning-change");
    CHECK((*notices)[0].release == "2026-01-02");
    CHECK((*notices)[0].published_at == 200);
    CHECK(store.dataset("d")->contract_version == 2);
    CHECK(store.change_counts("d")->at("2026-01-02").modified == 1);
    CHECK(store.publication_order("d")->notices.contains("n1"));
  }
}

TEST_CASE("candidates are listed oldest first and found by an unambiguous prefix", "[store]") {
  TempDir dir;
  auto s = store_with_dataset(dir);
  Store& store = *s;
  RecordSet records(std::vector<EncodedRecord>{{"k1", "k1\x1f" "v"}});
  for (const auto& [id, at] : std::vector<std::pair<std::string, UnixSeconds>>{
           {"abcd000000000002", 200}, {"abcd000000000001", 100}, {"beef000000000000", 300}}) {
    Candidate c;
    c.dataset = "d";
    c.id = id;
    c.format = "csv";
    c.source = "f.csv";
    c.record_count = 1;
    c.staged_at = at;
    REQUIRE(store.write_candidate(c, records, "alice").ok());
  }
  auto all = store.candidates("d");
  REQUIRE(all.ok());
  REQUIRE(all->size() == 3);
  CHECK((*all)[0].id == "abcd000000000001");
  CHECK((*all)[2].source == "f.csv");
  CHECK(*store.candidate_by_prefix("d", "beef") == "beef000000000000");
  CHECK(*store.candidate_by_prefix("d", "abcd000000000002") == "abcd000000000002");
  auto ambiguous = store.candidate_by_prefix("d", "abcd");
  CHECK(ambiguous.status().code() == StatusCode::invalid_input);
  CHECK_THAT(ambiguous.status().message(), Catch::Contains("abcd000000000001, abcd000000000002"));
  CHECK(store.candidate_by_prefix("d", "cafe").status().code() == StatusCode::not_found);
}

TEST_CASE("ledger actions are typed, and their stored names never change", "[store]") {
  // Stores written by every earlier version hold these names.
  const std::pair<LedgerAction, std::string> names[] = {
      {LedgerAction::init, "init"},         {LedgerAction::dataset_create, "dataset.create"},
      {LedgerAction::stage, "stage"},       {LedgerAction::contract, "contract"},
      {LedgerAction::plan, "plan"},         {LedgerAction::release, "release"},
      {LedgerAction::notice, "notice"},     {LedgerAction::rollback, "rollback"},
      {LedgerAction::evict, "evict"}};
  for (const auto& [action, name] : names) {
    CHECK(to_string(action) == name);
    CHECK(ledger_action_from(name) == action);
  }
  CHECK(ledger_action_from("release:2026-01-01") == LedgerAction::unknown);
}

TEST_CASE("record versions are shared: each release stores only what changed", "[store]") {
  TempDir dir;
  auto s = store_with_dataset(dir);
  Store& store = *s;
  RecordSet v1(std::vector<EncodedRecord>{{"a", "a\x1f" "1"}, {"b", "b\x1f" "1"}, {"c", "c\x1f" "1"}});
  RecordSet v2(std::vector<EncodedRecord>{{"a", "a\x1f" "1"}, {"b", "b\x1f" "2"}, {"d", "d\x1f" "1"}});
  RecordSet v3(std::vector<EncodedRecord>{{"a", "a\x1f" "1"}, {"b", "b\x1f" "1"}, {"c", "c\x1f" "1"}});  // back to v1
  REQUIRE(store.commit_release(one_release("2026-01-01", 1, 100), v1.refs(), {}, "x").ok());
  REQUIRE(store.commit_release(one_release("2026-01-02", 2, 200), v2.refs(), {}, "x").ok());
  REQUIRE(store.commit_release(one_release("2026-01-03", 3, 300), v3.refs(), {}, "x").ok());
  CHECK(*store.release_records("d", 1) == v1);
  CHECK(*store.release_records("d", 2) == v2);
  CHECK(*store.release_records("d", 3) == v3);
  // Time only moves forward, and sequence numbers are contiguous.
  CHECK(store.commit_release(one_release("2026-01-04", 4, 250), v1.refs(), {}, "x").code() == StatusCode::conflict);
  CHECK(store.commit_release(one_release("2026-01-04", 6, 400), v1.refs(), {}, "x").code() == StatusCode::conflict);
  auto all = store.releases("d");
  REQUIRE(all->size() == 3);
  CHECK(all->back().artefacts.size() == 1);
  // The newest alone, read without the others: the same release, artefacts included.
  auto newest = store.newest_release("d");
  REQUIRE(newest.ok());
  REQUIRE(newest->has_value());
  CHECK((*newest)->id == "2026-01-03");
  CHECK((*newest)->seq == 3);
  REQUIRE((*newest)->artefacts.size() == 1);
  CHECK((*newest)->artefacts[0].name == all->back().artefacts[0].name);
  CHECK((*newest)->manifest_json == all->back().manifest_json);
}

TEST_CASE("leftovers of interrupted writes are swept when a writer opens", "[store]") {
  TempDir dir;
  REQUIRE(Store::init(dir.path()).ok());
  auto orphan = write_text(dir / "objects/ab/abcdef", "half a release");
  auto temp = write_text(dir / "tmp/2026-01-01.csv.123", "partial");
  {
    auto reader = Store::open(dir.path(), OpenMode::read);
    REQUIRE(reader.ok());
    CHECK(std::filesystem::exists(orphan));  // readers never delete
  }
  auto writer = Store::open(dir.path(), OpenMode::write);
  REQUIRE(writer.ok());
  CHECK_FALSE(std::filesystem::exists(orphan));
  CHECK_FALSE(std::filesystem::exists(temp));
}

TEST_CASE("the store is in WAL mode and an older schema is migrated forward on open", "[store]") {
  TempDir dir;
  std::filesystem::create_directories(dir.path());
  // A database as the first version of gazette left it, holding one dataset.
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open((dir / "gazette.db").c_str(), &db) == SQLITE_OK);
  REQUIRE(sqlite3_exec(db, store_detail::migrations()[0].c_str(), nullptr, nullptr, nullptr) == SQLITE_OK);
  REQUIRE(sqlite3_exec(db, "PRAGMA user_version=1; INSERT INTO datasets(id, title, contract_version, created_at) "
                           "VALUES('d', 'D', 1, 0); INSERT INTO contracts VALUES(1, 1, '{}', 0);",
                       nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(db);
  for (const char* sub : {"objects", "candidates", "tmp"}) std::filesystem::create_directories(dir / sub);

  auto s = Store::open(dir.path(), OpenMode::write);
  REQUIRE(s.ok());
  CHECK((*s)->schema_version() == static_cast<int>(store_detail::migrations().size()));
  CHECK((*s)->dataset("d").ok());  // the data survived
  CHECK((*s)->notices("d").ok());  // and tables of later versions exist
  std::string mode;
  REQUIRE(sqlite3_open((dir / "gazette.db").c_str(), &db) == SQLITE_OK);
  sqlite3_exec(db, "PRAGMA journal_mode", [](void* out, int, char** v, char**) {
    *static_cast<std::string*>(out) = v[0];
    return 0;
  }, &mode, nullptr);
  sqlite3_close(db);
  CHECK(mode == "wal");
}
