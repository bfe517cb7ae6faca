// The store's own internals, shared by the files that implement Store (store.cpp: opening,
// datasets, releases and record reads; candidate_file.cpp: the staged candidate's file
// format; commit.cpp: publishing a release; ledger.cpp: notices and the ledger). Not for any
// other module: they ask Store.
#pragma once

#include <map>
#include <string>
#include <unistd.h>

#include "publisher/sqlite/sqlite.hpp"
#include "publisher/store/store.hpp"

namespace gazette {

struct Store::Impl {
  sqlite::Db db;
  // Statements run once per key in a loop (histories, bodies) are prepared once.
  sqlite::StatementCache cached{db};
  int lock_fd = -1;
  int schema_version = 0;
  ~Impl() {
    if (lock_fd >= 0) ::close(lock_fd);
  }
};

namespace store_detail {

using sqlite::Db;
using sqlite::Stmt;
using sqlite::Transaction;

// The columns release_from_row reads, in its order.
constexpr char kReleaseColumns[] =
    "seq, id, published_at, kind, owner, parent, contract_version, record_count, candidate, "
    "manifest, version, (SELECT count(*) FROM notices n WHERE n.dataset = releases.dataset AND n.release = releases.id)";

// A release from a row of kReleaseColumns (its artefacts are read separately).
Release release_from_row(const Stmt& s, const std::string& dataset);

// Writes a release's areas (areas.cpp), inside the caller's transaction.
Status insert_areas(Db& db, std::int64_t num, const std::string& release, const std::vector<ReleaseArea>& areas);

}  // namespace store_detail

}  // namespace gazette
