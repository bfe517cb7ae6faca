// Method: the table's columns are the release's, all TEXT, so that what sqlite3 shows is what
// was published; an empty value is stored as NULL (a CSV cannot tell the two apart, so neither
// does gazette). Rendering reads the table in key order, byte for byte as gazette orders keys
// (the key's values joined by U+001F), and hands each row to the release's own CSV renderer.
#include "publisher/mirror/local_copy.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "publisher/common/sha256.hpp"
#include "publisher/model/contract.hpp"
#include "publisher/model/record.hpp"
#include "publisher/render/render.hpp"

namespace gazette::mirror_detail {

namespace {

using json = nlohmann::json;

std::string sql_name(const std::string& name) {
  std::string q = "\"";
  for (char c : name) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

std::string column_list(const std::vector<std::string>& names) {
  std::string s;
  for (const auto& n : names) s += (s.empty() ? "" : ", ") + sql_name(n);
  return s;
}

// gazette_key(a, b, …): a composite key as gazette encodes it, to order rows as gazette does.
void gazette_key(sqlite3_context* ctx, int argc, sqlite3_value** argv) {
  std::string key;
  for (int i = 0; i < argc; ++i) {
    if (i) key += kFieldSeparator;
    if (const auto* t = sqlite3_value_text(argv[i])) key += reinterpret_cast<const char*>(t);
  }
  sqlite3_result_text(ctx, key.data(), static_cast<int>(key.size()), SQLITE_TRANSIENT);
}

std::vector<std::string> string_list(const std::string& text) {
  auto doc = json::parse(text, nullptr, false);
  std::vector<std::string> out;
  if (doc.is_array())
    for (const auto& v : doc)
      if (v.is_string()) out.push_back(v.get<std::string>());
  return out;
}

std::vector<std::string> split_key(const std::string& key) {
  std::vector<std::string> parts(1);
  for (char c : key) {
    if (c == kFieldSeparator) parts.emplace_back();
    else parts.back() += c;
  }
  return parts;
}

}  // namespace

Contract contract_of_columns(const std::vector<std::string>& names) {
  Contract contract;
  for (const auto& name : names) {
    Column column;
    column.name = name;
    contract.columns.push_back(std::move(column));
  }
  return contract;
}

LocalCopy::~LocalCopy() {
  statements_.clear();  // before the connection closes
  insert_.reset();
  if (in_transaction_) rollback();
}

Result<std::unique_ptr<LocalCopy>> LocalCopy::open(const std::filesystem::path& file) {
  std::error_code ec;
  if (!std::filesystem::exists(file, ec)) return Status::not_found(file.string() + ": no copy yet");
  std::unique_ptr<LocalCopy> copy(new LocalCopy());
  copy->file_ = file;
  GAZETTE_RETURN_IF_ERROR(copy->db_.open(file.string(), false));
  GAZETTE_RETURN_IF_ERROR(copy->load_state());
  return copy;
}

Result<std::unique_ptr<LocalCopy>> LocalCopy::create(const std::filesystem::path& file,
                                                     const std::vector<std::string>& columns,
                                                     const std::vector<std::string>& key) {
  std::error_code ec;
  std::filesystem::remove(file, ec);
  std::filesystem::remove(file.string() + "-journal", ec);
  std::unique_ptr<LocalCopy> copy(new LocalCopy());
  copy->file_ = file;
  GAZETTE_RETURN_IF_ERROR(copy->db_.open(file.string(), true));
  std::string table = "CREATE TABLE records (";
  for (const auto& c : columns) table += sql_name(c) + " TEXT, ";
  // Without rowid: the rows are kept in key order, the order a release's CSV is rendered in.
  table += "PRIMARY KEY (" + column_list(key) + ")) WITHOUT ROWID";
  GAZETTE_RETURN_IF_ERROR(copy->db_.exec(
      table + "; CREATE TABLE gazette_mirror (name TEXT PRIMARY KEY, value TEXT NOT NULL);"
              " CREATE TABLE gazette_keys (id TEXT PRIMARY KEY, public_key TEXT NOT NULL);"));
  copy->state_.columns = columns;
  copy->state_.key = key;
  return copy;
}

Status LocalCopy::load_state() {
  auto stmt = db_.prepare("SELECT name, value FROM gazette_mirror");
  if (!stmt.ok()) return Status::invalid_input(file_.string() + ": not a copy made by gazette mirror");
  std::map<std::string, std::string> v;
  for (;;) {
    auto row = stmt->step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    v[std::string(stmt->text(0))] = std::string(stmt->text(1));
  }
  state_.dataset = v["dataset"];
  state_.source = v["source"];
  state_.release = v["release"];
  state_.version = v["version"];
  state_.published_at = v["published_at"];
  state_.contract_version = std::atoi(v["contract_version"].c_str());
  state_.csv_sha256 = v["csv_sha256"];
  state_.csv_bytes = std::strtoull(v["csv_bytes"].c_str(), nullptr, 10);
  state_.list_signed_at = v["list_signed_at"];
  state_.notices_seen = string_list(v["notices_seen"]);
  state_.key = string_list(v["key"]);
  state_.columns = string_list(v["columns"]);
  state_.area = v["area"];
  if (state_.release.empty() || state_.key.empty() || state_.columns.empty())
    return Status::corruption(file_.string() + ": its bookkeeping (gazette_mirror) is incomplete");
  return {};
}

Result<std::vector<TrustedKey>> LocalCopy::keys() {
  auto stmt = db_.prepare("SELECT id, public_key FROM gazette_keys ORDER BY rowid");
  if (!stmt.ok()) return stmt.status();
  std::vector<TrustedKey> keys;
  for (;;) {
    auto row = stmt->step();
    if (!row.ok()) return row.status();
    if (!*row) return keys;
    keys.push_back({std::string(stmt->text(0)), std::string(stmt->text(1))});
  }
}

Status LocalCopy::begin() {
  GAZETTE_RETURN_IF_ERROR(db_.exec("BEGIN IMMEDIATE"));
  in_transaction_ = true;
  return {};
}

Status LocalCopy::commit(const CopyState& s, const std::vector<TrustedKey>& keys) {
  const std::vector<std::pair<std::string, std::string>> values = {
      {"dataset", s.dataset},
      {"source", s.source},
      {"release", s.release},
      {"version", s.version},
      {"published_at", s.published_at},
      {"contract_version", std::to_string(s.contract_version)},
      {"csv_sha256", s.csv_sha256},
      {"csv_bytes", std::to_string(s.csv_bytes)},
      {"list_signed_at", s.list_signed_at},
      {"notices_seen", json(s.notices_seen).dump()},
      {"key", json(s.key).dump()},
      {"columns", json(s.columns).dump()},
      {"area", s.area}};
  auto put = db_.prepare("INSERT OR REPLACE INTO gazette_mirror (name, value) VALUES (?, ?)");
  if (!put.ok()) return put.status();
  for (const auto& [name, value] : values) {
    put->reset();
    GAZETTE_RETURN_IF_ERROR(put->bind(1, name).bind(2, value).run());
  }
  auto key = db_.prepare("INSERT OR IGNORE INTO gazette_keys (id, public_key) VALUES (?, ?)");
  if (!key.ok()) return key.status();
  for (const auto& k : keys) {
    key->reset();
    GAZETTE_RETURN_IF_ERROR(key->bind(1, k.id).bind(2, k.public_key).run());
  }
  GAZETTE_RETURN_IF_ERROR(db_.exec("COMMIT"));
  in_transaction_ = false;
  state_ = s;
  return {};
}

void LocalCopy::rollback() {
  (void)db_.exec("ROLLBACK");
  in_transaction_ = false;
  statements_.clear();
  insert_.reset();
  (void)load_state();  // the columns the table has again
}

Status LocalCopy::add_columns(const std::vector<std::string>& more) {
  statements_.clear();
  insert_.reset();
  for (const auto& c : more) {
    GAZETTE_RETURN_IF_ERROR(db_.exec("ALTER TABLE records ADD COLUMN " + sql_name(c) + " TEXT"));
    state_.columns.push_back(c);
  }
  return {};
}

Status LocalCopy::insert(std::vector<std::string>& values) {
  if (!insert_) {  // one statement for every row of a load (building its SQL per row cost a tenth of the load)
    std::string sql = "INSERT INTO records (" + column_list(state_.columns) + ") VALUES (";
    for (std::size_t i = 0; i < state_.columns.size(); ++i) sql += i ? ", ?" : "?";
    auto stmt = db_.prepare(sql + ")");
    if (!stmt.ok()) return stmt.status();
    insert_ = std::move(*stmt);
  }
  insert_->reset();
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (values[i].empty()) insert_->bind_null(static_cast<int>(i + 1));
    else insert_->bind(static_cast<int>(i + 1), values[i]);
  }
  auto done = insert_->run();
  if (done.code() == StatusCode::conflict) return Status::invalid_input("a key appears twice in the release");
  return done;
}

std::string LocalCopy::key_condition(std::size_t first) const {
  std::string where;
  for (std::size_t i = 0; i < state_.key.size(); ++i)
    where += (i ? " AND " : "") + sql_name(state_.key[i]) + " = ?" + std::to_string(first + i);
  return where;
}

Status LocalCopy::bind_key(sqlite::Stmt& stmt, int first, const std::string& key) const {
  auto parts = split_key(key);
  if (parts.size() != state_.key.size()) return Status::invalid_input("a change's key does not fit the table's key");
  for (std::size_t i = 0; i < parts.size(); ++i) stmt.bind(first + static_cast<int>(i), parts[i]);
  return {};
}

Status LocalCopy::apply(const Change& change) {
  auto known = [&](const std::string& column) {
    return std::find(state_.columns.begin(), state_.columns.end(), column) != state_.columns.end();
  };
  for (const auto& f : change.fields)
    if (!known(f.column)) return Status::invalid_input("a change to key " + change.key + " names column " + f.column + ", which the copy lacks");
  auto bind_value = [](sqlite::Stmt& s, int i, const std::string& v) {
    if (v.empty()) s.bind_null(i);
    else s.bind(i, v);
  };
  std::string sql;
  if (change.kind == ChangeKind::added) {
    std::vector<std::string> names;
    for (const auto& f : change.fields) names.push_back(f.column);
    sql = "INSERT INTO records (" + column_list(names) + ") VALUES (";
    for (std::size_t i = 0; i < names.size(); ++i) sql += (i ? ", ?" : "?") + std::to_string(i + 1);
    sql += ")";
  } else if (change.kind == ChangeKind::removed) {
    sql = "DELETE FROM records WHERE " + key_condition(1);
  } else {
    const std::size_t n = change.fields.size();
    sql = "UPDATE records SET ";
    for (std::size_t i = 0; i < n; ++i) sql += (i ? ", " : "") + sql_name(change.fields[i].column) + " = ?" + std::to_string(i + 1);
    sql += " WHERE " + key_condition(2 * n + 1);
    for (std::size_t i = 0; i < n; ++i) sql += " AND " + sql_name(change.fields[i].column) + " IS ?" + std::to_string(n + i + 1);
  }
  auto stmt = statements_.get(sql);
  if (!stmt.ok()) return stmt.status();
  sqlite::Stmt& s = **stmt;
  const int n = static_cast<int>(change.fields.size());
  if (change.kind == ChangeKind::added) {
    for (int i = 0; i < n; ++i) bind_value(s, i + 1, change.fields[i].new_value);
  } else if (change.kind == ChangeKind::removed) {
    GAZETTE_RETURN_IF_ERROR(bind_key(s, 1, change.key));
  } else {
    for (int i = 0; i < n; ++i) {
      bind_value(s, i + 1, change.fields[i].new_value);
      bind_value(s, n + i + 1, change.fields[i].old_value);
    }
    GAZETTE_RETURN_IF_ERROR(bind_key(s, 2 * n + 1, change.key));
  }
  auto done = s.run();
  if (done.code() == StatusCode::conflict)
    return Status::invalid_input("the changes add key " + change.key + ", which the copy already holds");
  GAZETTE_RETURN_IF_ERROR(done);
  if (change.kind != ChangeKind::added && db_.changes() != 1)
    return Status::invalid_input("the changes to key " + change.key + " do not fit the copy (no such record, or other old values)");
  return {};
}

Result<FileDigest> LocalCopy::render_csv(int renderer, const std::function<Status(std::string_view)>& sink) {
  const Contract contract = contract_of_columns(state_.columns);
  ReleaseHeader header;
  header.renderer = renderer;
  auto csv = make_renderer(ArtefactFormat::csv, contract, header);
  if (!csv) return Status::invalid_input(missing_renderer(renderer_name(renderer)));
  std::string order = sql_name(state_.key[0]);
  if (state_.key.size() > 1) {
    if (sqlite3_create_function_v2(db_.handle(), "gazette_key", -1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, nullptr,
                                   gazette_key, nullptr, nullptr, nullptr) != SQLITE_OK)
      return db_.error("gazette_key");
    order = "gazette_key(" + column_list(state_.key) + ")";
  }
  auto stmt = db_.prepare("SELECT " + column_list(state_.columns) + " FROM records ORDER BY " + order);
  if (!stmt.ok()) return stmt.status();
  Sha256 sha;
  FileDigest digest;
  std::string out, body;
  auto flush = [&]() -> Status {
    sha.update(out);
    digest.bytes += out.size();
    if (sink) GAZETTE_RETURN_IF_ERROR(sink(out));
    out.clear();
    return {};
  };
  csv->begin(out);
  const int n = static_cast<int>(state_.columns.size());
  for (;;) {
    auto row = stmt->step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    body.clear();
    for (int i = 0; i < n; ++i) {
      if (i) body += kFieldSeparator;
      body += stmt->text(i);
    }
    csv->record(body, out);
    if (out.size() >= (1u << 20)) GAZETTE_RETURN_IF_ERROR(flush());
  }
  csv->end(out);
  GAZETTE_RETURN_IF_ERROR(flush());
  digest.sha256 = to_hex(sha.finish());
  return digest;
}

Result<bool> LocalCopy::touches(const Scope& scope) {
  if (scope.empty()) return true;
  auto has_column = [&](const std::string& c) {
    return std::find(state_.columns.begin(), state_.columns.end(), c) != state_.columns.end();
  };
  for (const auto& c : scope.columns)
    if (has_column(c)) return true;
  for (const auto& key : scope.keys) {
    auto stmt = statements_.get("SELECT 1 FROM records WHERE " + key_condition(1));
    if (!stmt.ok()) return stmt.status();
    if (!bind_key(**stmt, 1, key).ok()) continue;
    auto row = (*stmt)->step();
    if (!row.ok()) return row.status();
    if (*row) return true;
  }
  if (scope.where.empty()) return false;
  std::string where;
  int parameter = 0;
  std::vector<std::string> values;
  for (const auto& [column, allowed] : scope.where) {
    if (!has_column(column) || allowed.empty()) return false;
    where += (where.empty() ? "" : " AND ") + sql_name(column) + " IN (";
    for (std::size_t i = 0; i < allowed.size(); ++i) {
      where += (i ? ", ?" : "?") + std::to_string(++parameter);
      values.push_back(allowed[i]);
    }
    where += ")";
  }
  auto stmt = db_.prepare("SELECT 1 FROM records WHERE " + where + " LIMIT 1");
  if (!stmt.ok()) return stmt.status();
  for (std::size_t i = 0; i < values.size(); ++i) stmt->bind(static_cast<int>(i + 1), values[i]);
  auto row = stmt->step();
  if (!row.ok()) return row.status();
  return *row;
}

}  // namespace gazette::mirror_detail
