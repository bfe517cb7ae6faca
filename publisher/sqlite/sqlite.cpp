#include "publisher/sqlite/sqlite.hpp"

#include <cstring>

namespace gazette::sqlite {

namespace {

// SQLite's message (`msg`, or the connection's last), with the operating system's reason where
// SQLite failed on a system call: "disk I/O error" alone does not tell a full disk from a
// failing one.
std::string message_of(sqlite3* db, const char* msg = nullptr) {
  if (db == nullptr) return msg != nullptr ? msg : "out of memory";
  std::string out = msg != nullptr ? msg : sqlite3_errmsg(db);
  const int code = sqlite3_extended_errcode(db) & 0xff;
  const int os = sqlite3_system_errno(db);
  if (os != 0 && (code == SQLITE_IOERR || code == SQLITE_FULL || code == SQLITE_CANTOPEN))
    out += std::string(" (") + std::strerror(os) + ")";
  return out;
}

}  // namespace

Stmt& Stmt::operator=(Stmt&& o) noexcept {
  if (this != &o) {
    sqlite3_finalize(stmt_);
    db_ = o.db_;
    stmt_ = o.stmt_;
    o.stmt_ = nullptr;
  }
  return *this;
}

Stmt::~Stmt() { sqlite3_finalize(stmt_); }

Stmt& Stmt::bind(int i, std::int64_t v) {
  sqlite3_bind_int64(stmt_, i, v);
  return *this;
}
Stmt& Stmt::bind(int i, std::string_view v) {
  sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
  return *this;
}
Stmt& Stmt::bind_blob(int i, const void* data, std::size_t n) {
  sqlite3_bind_blob(stmt_, i, data, static_cast<int>(n), SQLITE_TRANSIENT);
  return *this;
}
Stmt& Stmt::bind_null(int i) {
  sqlite3_bind_null(stmt_, i);
  return *this;
}

Result<bool> Stmt::step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  // Named by its file, as every other error of the store is.
  const char* file = sqlite3_db_filename(db_, "main");
  std::string msg = std::string(file != nullptr && *file != '\0' ? file : "sqlite") + ": " + message_of(db_);
  if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY) return Status::conflict(std::move(msg));
  const int primary = rc & 0xff;
  return primary == SQLITE_CORRUPT || primary == SQLITE_NOTADB ? Status::corruption(std::move(msg))
                                                               : Status::io_error(std::move(msg));
}

Status Stmt::run() {
  for (;;) {
    auto r = step();
    if (!r.ok()) return r.status();
    if (!*r) break;
  }
  reset();
  return {};
}

void Stmt::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

std::string_view Stmt::text(int col) const {
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
  if (p == nullptr) return {};
  return {p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col))};
}

std::string_view Stmt::blob(int col) const {
  const auto* p = static_cast<const char*>(sqlite3_column_blob(stmt_, col));
  if (p == nullptr) return {};
  return {p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col))};
}

Db::~Db() { sqlite3_close_v2(db_); }

Status Db::open(const std::string& path, bool create, bool read_only) {
  path_ = path;
  int flags = (read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE) | SQLITE_OPEN_NOMUTEX |
              (create && !read_only ? SQLITE_OPEN_CREATE : 0);
  int rc = sqlite3_open_v2(path.c_str(), &db_, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = message_of(db_);
    return Status::io_error(path + ": cannot open the store: " + msg);
  }
  sqlite3_extended_result_codes(db_, 1);
  sqlite3_busy_timeout(db_, 10000);
  return {};
}

Status Db::error(const std::string& what) const {
  return Status::io_error(path_ + ": " + what + ": " + message_of(db_));
}

Status Db::exec(const std::string& sql) {
  char* err = nullptr;
  int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err);
  if (rc != SQLITE_OK) {
    std::string msg = message_of(db_, err);
    sqlite3_free(err);
    if ((rc & 0xff) == SQLITE_CORRUPT || (rc & 0xff) == SQLITE_NOTADB)
      return Status::corruption(path_ + ": " + msg);
    return Status::io_error(path_ + ": " + msg);
  }
  return {};
}

Result<Stmt> Db::prepare(std::string_view sql) {
  sqlite3_stmt* s = nullptr;
  int rc = sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &s, nullptr);
  if (rc != SQLITE_OK) return error("prepare failed");
  return Stmt(db_, s);
}

Transaction::~Transaction() {
  if (open_) (void)db_.exec("ROLLBACK");
}

Status Transaction::begin_immediate() {
  GAZETTE_RETURN_IF_ERROR(db_.exec("BEGIN IMMEDIATE"));
  open_ = true;
  return {};
}

Status Transaction::commit() {
  GAZETTE_RETURN_IF_ERROR(db_.exec("COMMIT"));
  open_ = false;
  return {};
}

Result<Stmt*> StatementCache::get(const std::string& sql) {
  auto it = statements_.find(sql);
  if (it == statements_.end()) {
    auto stmt = db_.prepare(sql);
    if (!stmt.ok()) return stmt.status();
    it = statements_.emplace(sql, std::move(*stmt)).first;
  }
  it->second.reset();
  return &it->second;
}

}  // namespace gazette::sqlite
