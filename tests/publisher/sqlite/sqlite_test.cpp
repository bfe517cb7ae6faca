// The SQLite layer's errors: what kind each is (by result code, never by message), and that
// each names its database.
#include <catch2/catch.hpp>

#include "publisher/sqlite/sqlite.hpp"
#include "tests/support/temp_dir.hpp"

using namespace gazette;
using namespace gazette::testing;

TEST_CASE("sqlite: a uniqueness violation is a conflict, a trigger's abort is not, and each names the file",
          "[sqlite]") {
  TempDir dir;
  const std::string path = (dir / "t.db").string();
  sqlite::Db db;
  REQUIRE(db.open(path, /*create=*/true).ok());
  REQUIRE(db.exec("CREATE TABLE t(k TEXT PRIMARY KEY, v TEXT UNIQUE);"
                  "CREATE TRIGGER t_immutable BEFORE UPDATE ON t BEGIN SELECT RAISE(ABORT, 't is immutable'); END;")
              .ok());
  auto insert = [&](const char* k, const char* v) {
    auto st = db.prepare("INSERT INTO t(k, v) VALUES(?1, ?2)");
    REQUIRE(st.ok());
    st->bind(1, std::string_view(k)).bind(2, std::string_view(v));
    return st->run();
  };
  REQUIRE(insert("a", "1").ok());
  Status same_key = insert("a", "2");
  CHECK(same_key.code() == StatusCode::conflict);
  CHECK_THAT(same_key.message(), Catch::StartsWith(path + ": ") && Catch::Contains("UNIQUE"));
  CHECK(insert("b", "1").code() == StatusCode::conflict);  // a UNIQUE column, not the key
  auto update = db.prepare("UPDATE t SET v = '3'");
  REQUIRE(update.ok());
  Status refused = update->run();
  CHECK(refused.code() == StatusCode::io_error);
  CHECK_THAT(refused.message(), Catch::Contains("t is immutable"));
  Status via_exec = db.exec("INSERT INTO t(k, v) VALUES('a', '9')");
  CHECK_FALSE(via_exec.ok());
  CHECK_THAT(via_exec.message(), Catch::StartsWith(path + ": "));
}
