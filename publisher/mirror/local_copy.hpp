// The consumer's copy: DIR/ID.sqlite, one plain table `records` (the dataset's columns, as
// text, NULL for an empty value; its key as primary key) that anyone can query with sqlite3,
// beside gazette's own bookkeeping (`gazette_mirror`: which release the table equals, and
// `gazette_keys`: the publisher's keys it trusts). Changes are applied in one SQLite
// transaction, so a copy killed at any instant is the release it was, or the next one.
// Internal to publisher/mirror.
//
// Thread-safety: one LocalCopy per thread.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "publisher/common/file_io.hpp"
#include "publisher/common/status.hpp"
#include "publisher/mirror/trust.hpp"
#include "publisher/model/changeset.hpp"
#include "publisher/model/contract.hpp"
#include "publisher/model/notice.hpp"
#include "publisher/sqlite/sqlite.hpp"

namespace gazette::mirror_detail {

// What the table equals, as `gazette_mirror` keeps it.
struct CopyState {
  std::string dataset;
  std::string source;        // the URL it was mirrored from
  std::string release;       // the release the table equals
  std::string version;       // its meaning version
  std::string published_at;  // its publication time (RFC 3339)
  int contract_version = 0;
  std::string csv_sha256;  // its CSV artefact, as the signed manifest gives it
  std::uint64_t csv_bytes = 0;
  std::string list_signed_at;  // the newest signed release list accepted (no older one is)
  std::vector<std::string> notices_seen;  // ids of the notices already looked at
  std::vector<std::string> key;      // key columns
  std::vector<std::string> columns;  // in publication order
  std::string area;  // the partition's area it holds ("" for the whole dataset)
};

// A contract that only names columns (all text, nullable): what reading or rendering a
// release's CSV needs when its own contract is not at hand.
Contract contract_of_columns(const std::vector<std::string>& names);

class LocalCopy {
 public:
  // An existing copy; not_found when there is none.
  static Result<std::unique_ptr<LocalCopy>> open(const std::filesystem::path& file);
  // A new, empty copy at `file` (removed first if it exists: a new copy is built aside).
  static Result<std::unique_ptr<LocalCopy>> create(const std::filesystem::path& file,
                                                   const std::vector<std::string>& columns,
                                                   const std::vector<std::string>& key);
  ~LocalCopy();

  const CopyState& state() const { return state_; }
  Result<std::vector<TrustedKey>> keys();

  // One transaction: everything between begin() and commit() lands together or not at all.
  Status begin();
  Status commit(const CopyState& state, const std::vector<TrustedKey>& keys);
  void rollback();

  // Columns a newer release appends.
  Status add_columns(const std::vector<std::string>& more);
  // One record, a value per column ("" is NULL).
  Status insert(std::vector<std::string>& values);
  // One change of a changeset, checked against what the table holds: an added key must be
  // absent, a removed or changed one present with the old values the change names.
  Status apply(const Change& change);
  // The table as the release's CSV (rendered by the manifest's renderer), its SHA-256 and size;
  // each piece also goes to `sink` when one is given.
  Result<FileDigest> render_csv(int renderer, const std::function<Status(std::string_view)>& sink = {});
  // Whether a notice's scope touches a record the table holds (an empty scope touches all).
  Result<bool> touches(const Scope& scope);

 private:
  LocalCopy() = default;
  Status load_state();
  std::string key_condition(std::size_t first_parameter) const;
  Status bind_key(sqlite::Stmt& stmt, int first_parameter, const std::string& key) const;

  sqlite::Db db_;
  std::filesystem::path file_;
  CopyState state_;
  sqlite::StatementCache statements_{db_};
  std::optional<sqlite::Stmt> insert_;
  bool in_transaction_ = false;
};

}  // namespace gazette::mirror_detail
