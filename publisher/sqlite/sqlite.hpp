// A thin RAII layer over the SQLite C API that turns result codes into Status: a uniqueness
// or primary-key violation is `conflict` (recognised by its extended result code, never by
// its message), corruption is `corruption`, anything else `io_error`, each naming the
// database file and, where SQLite failed on a system call, the system's reason.
// Used by the store (publisher/store), the WebSub hub's queue (feeds/websub) and the
// consumer's copy (publisher/mirror) alone: no other module sees SQL.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "publisher/common/status.hpp"

namespace gazette::sqlite {

class Db;

class Stmt {
 public:
  Stmt() = default;
  Stmt(Stmt&& o) noexcept : db_(o.db_), stmt_(o.stmt_) { o.stmt_ = nullptr; }
  Stmt& operator=(Stmt&& o) noexcept;
  ~Stmt();

  Stmt& bind(int i, std::int64_t v);
  Stmt& bind(int i, std::string_view v);
  Stmt& bind_blob(int i, const void* data, std::size_t n);
  Stmt& bind_null(int i);
  // Returns true while a row is available, false when done; errors as Status.
  Result<bool> step();
  Status run();  // step to completion, expecting no rows
  void reset();

  std::int64_t int64(int col) const { return sqlite3_column_int64(stmt_, col); }
  std::string_view text(int col) const;
  std::string_view blob(int col) const;
  bool is_null(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }

 private:
  friend class Db;
  Stmt(sqlite3* db, sqlite3_stmt* s) : db_(db), stmt_(s) {}
  sqlite3* db_ = nullptr;
  sqlite3_stmt* stmt_ = nullptr;
};

class Db {
 public:
  Db() = default;
  ~Db();
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  // `read_only`: the connection cannot write, whatever SQL it is given (the server's).
  Status open(const std::string& path, bool create, bool read_only = false);
  Status exec(const std::string& sql);
  Result<Stmt> prepare(std::string_view sql);
  std::int64_t last_insert_rowid() const { return sqlite3_last_insert_rowid(db_); }
  int changes() const { return sqlite3_changes(db_); }
  Status error(const std::string& what) const;
  sqlite3* handle() const { return db_; }

 private:
  sqlite3* db_ = nullptr;
  std::string path_;
};

// Statements prepared once per connection and reused, found by their SQL (a loop that runs one
// per key). Declared after its Db, so that it is destroyed before the connection closes.
class StatementCache {
 public:
  explicit StatementCache(Db& db) : db_(db) {}
  // The statement for `sql`, reset and ready to bind.
  Result<Stmt*> get(const std::string& sql);
  // After the schema changes under the statements (or before the connection closes).
  void clear() { statements_.clear(); }

 private:
  Db& db_;
  std::map<std::string, Stmt> statements_;
};

// A transaction rolled back unless committed.
class Transaction {
 public:
  explicit Transaction(Db& db) : db_(db) {}
  ~Transaction();
  Status begin_immediate();
  Status commit();

 private:
  Db& db_;
  bool open_ = false;
};

}  // namespace gazette::sqlite
