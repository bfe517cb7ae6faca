#include "publisher/store/store.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <algorithm>
#include <map>
#include <set>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "publisher/common/file_io.hpp"
#include "publisher/common/gzip.hpp"
#include "publisher/store/schema.hpp"
#include "publisher/store/store_impl.hpp"

namespace gazette {

namespace fs = std::filesystem;
using namespace store_detail;

namespace {

constexpr char kDbName[] = "gazette.db";
// The records of release ?2 of dataset ?1, in key order.
constexpr char kRecordsOfRelease[] =
    "SELECT s.key, v.body FROM record_spans s JOIN record_versions v ON v.id = s.version "
    "WHERE s.dataset = ?1 AND s.first_seq <= ?2 AND (s.last_seq IS NULL OR s.last_seq > ?2) "
    "ORDER BY s.key";
// The same, for the keys between ?3 and ?4 (exclusive): one area of a partition.
constexpr char kRecordsOfReleaseRange[] =
    "SELECT s.key, v.body FROM record_spans s JOIN record_versions v ON v.id = s.version "
    "WHERE s.dataset = ?1 AND s.key > ?3 AND s.key < ?4 AND s.first_seq <= ?2 "
    "AND (s.last_seq IS NULL OR s.last_seq > ?2) ORDER BY s.key";

// Whether object ?1 is a file some artefact that is not evicted still needs.
constexpr char kObjectInUse[] =
    "SELECT 1 FROM artefacts a WHERE (a.sha256 = ?1 OR a.gzip_sha256 = ?1) AND NOT EXISTS "
    "(SELECT 1 FROM evictions e WHERE e.dataset = a.dataset AND e.release = a.release AND e.name = a.name) "
    "LIMIT 1";

// The keys whose record differs between releases ?2 and ?3, after key ?4 and before ?6, at
// most ?5 of them (-1: all), each with its body at ?2 and at ?3: a `page(key)` table (two ways to find it,
// below) and kBodiesOfPage. A key's record can differ only if one of its spans starts or ends
// in (?2, ?3]; the two span indexes find exactly those keys. The page is cut before the bodies
// are read: sorting rows with their bodies read every changed key's (8 s a page, a backfill
// in the range).
constexpr char kPageOfRange[] = R"sql(
    WITH changed(key) AS (
      SELECT key FROM record_spans WHERE dataset = ?1 AND first_seq > ?2 AND first_seq <= ?3 AND key > ?4 AND key < ?6
      UNION
      SELECT key FROM record_spans WHERE dataset = ?1 AND last_seq > ?2 AND last_seq <= ?3 AND key > ?4 AND key < ?6),
    page(key) AS MATERIALIZED (SELECT key FROM changed ORDER BY key LIMIT ?5))sql";
// The same when ?3 is ?2 + 1 (a release and its parent: the changeset a release signs, an
// export's chain, a weekly mirror). Each span index is then searched at one seq, where its
// entries are in key order, and SQLite merges the two: a page reads its own keys, where the
// range form gathers and sorts every changed key after ?4 (0.5 s for each page of a backfill).
constexpr char kPageOfOneRelease[] = R"sql(
    WITH page(key) AS (SELECT key FROM (
      SELECT key FROM record_spans WHERE dataset = ?1 AND first_seq = ?3 AND key > ?4 AND key < ?6
      UNION
      SELECT key FROM record_spans WHERE dataset = ?1 AND last_seq = ?3 AND key > ?4 AND key < ?6
      ORDER BY 1 LIMIT ?5)))sql";
constexpr char kBodiesOfPage[] = R"sql(
    SELECT p.key,
      (SELECT v.body FROM record_spans s JOIN record_versions v ON v.id = s.version
        WHERE s.dataset = ?1 AND s.key = p.key AND s.first_seq <= ?2
          AND (s.last_seq IS NULL OR s.last_seq > ?2)),
      (SELECT v.body FROM record_spans s JOIN record_versions v ON v.id = s.version
        WHERE s.dataset = ?1 AND s.key = p.key AND s.first_seq <= ?3
          AND (s.last_seq IS NULL OR s.last_seq > ?3))
    FROM page p ORDER BY p.key)sql";

// Keys are valid UTF-8, in which no byte is 0xFF: a string of it sorts after every key.
constexpr std::string_view kAfterEveryKey = "\xFF";

// The exclusive bounds of the keys that begin with `prefix` (every key when empty): the prefix
// with its last byte lowered and 0xFF after it sorts before them, and the prefix with its last
// byte raised after them. Area codes are ASCII letters, digits, '-' and '_', so neither wraps.
std::pair<std::string, std::string> prefix_bounds(std::string_view prefix) {
  if (prefix.empty()) return {std::string(), std::string(kAfterEveryKey)};
  std::string below(prefix), above(prefix);
  below.back() = static_cast<char>(below.back() - 1);
  below += kAfterEveryKey;
  above.back() = static_cast<char>(above.back() + 1);
  return {below, above};
}

std::string changed_keys_sql(std::int64_t lo, std::int64_t hi) {
  return std::string(hi == lo + 1 ? kPageOfOneRelease : kPageOfRange) + kBodiesOfPage;
}

}  // namespace

namespace store_detail {

Release release_from_row(const Stmt& s, const std::string& dataset) {
  Release r;
  r.dataset = dataset;
  r.seq = s.int64(0);
  r.id = std::string(s.text(1));
  r.published_at = s.int64(2);
  std::string_view kind = s.text(3);
  r.kind = kind == "backfill" ? ReleaseKind::backfill
           : kind == "rollback" ? ReleaseKind::rollback
                                : ReleaseKind::routine;
  r.owner = std::string(s.text(4));
  r.parent = std::string(s.text(5));
  r.contract_version = static_cast<int>(s.int64(6));
  r.record_count = static_cast<std::uint64_t>(s.int64(7));
  r.candidate = std::string(s.text(8));
  r.manifest_json = std::string(s.text(9));
  auto manifest = nlohmann::json::parse(r.manifest_json, nullptr, false);
  if (manifest.is_object() && manifest.contains("renderer") && manifest["renderer"].is_string())
    r.renderer = manifest["renderer"].get<std::string>();
  if (auto v = MeaningVersion::parse(s.text(10))) r.version = *v;
  return r;
}

}  // namespace store_detail

Store::Store() : impl_(std::make_unique<Impl>()) {}
Store::~Store() = default;

fs::path Store::object_path(const std::string& hex) const {
  return dir_ / "objects" / hex.substr(0, 2) / hex;
}

fs::path Store::temp_path(const std::string& name) const { return dir_ / "tmp" / name; }

int Store::schema_version() const { return impl_->schema_version; }

namespace {

// Brings the schema up to store_detail::migrations(), in one transaction.
Status migrate_schema(Db& db, const fs::path& dir) {
  auto get_version = [&]() -> Result<int> {
    auto st = db.prepare("PRAGMA user_version");
    if (!st.ok()) return st.status();
    auto row = st->step();
    if (!row.ok()) return row.status();
    return static_cast<int>(st->int64(0));
  };
  auto v = get_version();
  if (!v.ok()) return v.status();
  const auto& steps = store_detail::migrations();
  if (*v > static_cast<int>(steps.size()))
    return Status::conflict(dir.string() + ": store schema " + std::to_string(*v) +
                            " is newer than this gazette understands (" +
                            std::to_string(steps.size()) + ")");
  if (*v < static_cast<int>(steps.size())) {
    Transaction tx(db);
    GAZETTE_RETURN_IF_ERROR(tx.begin_immediate());
    auto again = get_version();  // another process may have migrated meanwhile
    if (!again.ok()) return again.status();
    for (int i = *again; i < static_cast<int>(steps.size()); ++i) {
      GAZETTE_RETURN_IF_ERROR(db.exec(steps[static_cast<std::size_t>(i)]));
      GAZETTE_RETURN_IF_ERROR(db.exec("PRAGMA user_version=" + std::to_string(i + 1)));
    }
    GAZETTE_RETURN_IF_ERROR(tx.commit());
  }
  return {};
}

}  // namespace

Status Store::init(const fs::path& dir) {
  std::error_code ec;
  if (fs::exists(dir / kDbName, ec))
    return Status::conflict(dir.string() + " already holds a gazette store");
  // The store is its owner's alone: its folders are closed to everyone else (so artefact files
  // inside may keep ordinary permissions, for an export to link them), its database private.
  for (const char* sub : {"", "objects", "candidates", "tmp"}) {
    fs::create_directories(dir / sub, ec);
    if (!ec) fs::permissions(dir / sub, fs::perms::owner_all, fs::perm_options::replace, ec);
    if (ec) return Status::io_error((dir / sub).string() + ": cannot create: " + ec.message());
  }
  {
    // SQLite gives its -wal and -shm files the database file's permissions.
    const int fd = ::open((dir / kDbName).c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) return Status::io_error((dir / kDbName).string() + ": cannot create: " + std::strerror(errno));
    ::close(fd);
    Db db;
    GAZETTE_RETURN_IF_ERROR(db.open((dir / kDbName).string(), /*create=*/true));
    GAZETTE_RETURN_IF_ERROR(db.exec("PRAGMA journal_mode=WAL"));
  }
  auto store = open(dir, OpenMode::write);
  if (!store.ok()) return store.status();
  return (*store)->append_ledger("gazette", LedgerAction::init, "", dir.string(), "");
}

Result<std::unique_ptr<Store>> Store::open(const fs::path& dir, OpenMode mode) {
  std::error_code ec;
  if (!fs::exists(dir / kDbName, ec))
    return Status::not_found(dir.string() + ": no gazette store here (run `gazette init`)");
  std::unique_ptr<Store> store(new Store());
  store->dir_ = dir;
  if (mode == OpenMode::write) {
    int fd = ::open((dir / "lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) return Status::io_error((dir / "lock").string() + ": " + std::strerror(errno));
    store->impl_->lock_fd = fd;
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0)
      return Status::conflict(dir.string() + ": another gazette command is writing to this store");
  }
  Db& db = store->impl_->db;
  // Readers (the server above all) cannot write to release data, whatever they are asked.
  GAZETTE_RETURN_IF_ERROR(db.open((dir / kDbName).string(), /*create=*/false, mode == OpenMode::read));
  if (mode == OpenMode::read) {
    // A store of an older schema is brought up to date first, on a connection of its own.
    auto version = db.prepare("PRAGMA user_version");
    if (!version.ok()) return version.status();
    if (auto row = version->step(); !row.ok()) return row.status();
    if (version->int64(0) < static_cast<std::int64_t>(store_detail::migrations().size())) {
      Db upgrade;
      GAZETTE_RETURN_IF_ERROR(upgrade.open((dir / kDbName).string(), /*create=*/false));
      GAZETTE_RETURN_IF_ERROR(migrate_schema(upgrade, dir));
    }
  }
  // synchronous=FULL: a committed release survives power loss, since the commit is the
  // publication point.
  // mmap_size: readers see pages through a mapping rather than a pread(2) each, which halves
  // the time of scans such as diffing a national release. A writer reads through SQLite's own
  // bounded cache instead: a mapping counts every page a release touches as the process's
  // memory (a national backfill peaked at 1,001 MB with it, 798 MB without, and took 54 s
  // rather than 48).
  GAZETTE_RETURN_IF_ERROR(db.exec(std::string(mode == OpenMode::write ? "PRAGMA journal_mode=WAL; " : "") +
                                  "PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA cache_size=-65536; " +
                                  (mode == OpenMode::write ? "PRAGMA mmap_size=0;" : "PRAGMA mmap_size=4294967296;")));
  if (mode == OpenMode::write) GAZETTE_RETURN_IF_ERROR(migrate_schema(db, dir));
  store->impl_->schema_version = static_cast<int>(store_detail::migrations().size());
  if (mode == OpenMode::write) GAZETTE_RETURN_IF_ERROR(store->sweep_orphans());
  return store;
}

Status Store::sweep_orphans() {
  auto removed = remove_unreferenced_files();
  if (!removed.ok()) return removed.status();
  swept_on_open_ = std::move(*removed);
  return {};
}

Result<std::vector<fs::path>> Store::unreferenced_files() {
  std::vector<fs::path> out;
  std::error_code ec;
  // Files in tmp/ belong to writes that never committed.
  for (const auto& e : fs::directory_iterator(dir_ / "tmp", ec)) out.push_back(e.path());
  // Objects that no artefact row names were written by a release that crashed before its
  // commit. Only objects are considered; candidates are kept until released or replaced.
  // An evicted artefact names its files no more (removing them may have been interrupted).
  auto st = impl_->db.prepare(kObjectInUse);
  if (!st.ok()) return st.status();
  for (const auto& shard : fs::directory_iterator(dir_ / "objects", ec)) {
    for (const auto& obj : fs::directory_iterator(shard.path(), ec)) {
      std::string name = obj.path().filename().string();
      st->bind(1, name.substr(0, 64));
      auto row = st->step();
      if (!row.ok()) return row.status();
      st->reset();
      if (!*row) out.push_back(obj.path());
    }
  }
  // Candidate files without their row: a stage that crashed between the two.
  auto known = impl_->db.prepare(
      "SELECT 1 FROM candidates c JOIN datasets d ON d.num = c.dataset WHERE d.id = ?1 AND c.id = ?2");
  if (!known.ok()) return known.status();
  for (const auto& folder : fs::directory_iterator(dir_ / "candidates", ec)) {
    for (const auto& file : fs::directory_iterator(folder.path(), ec)) {
      known->bind(1, folder.path().filename().string()).bind(2, file.path().filename().string());
      auto row = known->step();
      if (!row.ok()) return row.status();
      known->reset();
      if (!*row) out.push_back(file.path());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

Result<std::vector<fs::path>> Store::remove_unreferenced_files() {
  if (impl_->lock_fd < 0) return Status::invalid_input("the store is open for reading only");
  // We hold the writer lock, so no live process is writing what tmp/ holds.
  auto files = unreferenced_files();
  if (!files.ok()) return files.status();
  std::vector<fs::path> removed;
  for (const auto& f : *files) {
    std::error_code ec;
    fs::remove_all(f, ec);
    if (ec) return Status::io_error(f.string() + ": cannot remove: " + ec.message());
    removed.push_back(f);
  }
  return removed;
}

Result<std::vector<std::string>> Store::structure_problems() {
  std::vector<std::string> problems;
  auto check = impl_->db.prepare("PRAGMA quick_check");
  if (!check.ok()) return check.status();
  for (;;) {
    auto row = check->step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    if (check->text(0) != "ok") problems.push_back("database: " + std::string(check->text(0)));
  }
  std::set<std::string> present;
  auto triggers = impl_->db.prepare("SELECT name FROM sqlite_master WHERE type = 'trigger'");
  if (!triggers.ok()) return triggers.status();
  for (;;) {
    auto row = triggers->step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    present.emplace(triggers->text(0));
  }
  for (const auto& name : store_detail::required_triggers())
    if (!present.count(name)) problems.push_back("database: trigger " + name + " is missing (history is not protected)");
  return problems;
}

Result<std::int64_t> Store::dataset_num(const std::string& id) {
  auto cached = impl_->cached.get("SELECT num FROM datasets WHERE id = ?1");
  if (!cached.ok()) return cached.status();
  Stmt* st = *cached;
  st->bind(1, id);
  auto row = st->step();
  if (!row.ok()) return row.status();
  const std::int64_t num = *row ? st->int64(0) : -1;
  st->reset();  // a statement left mid-step would pin this connection to an old snapshot
  if (num < 0) return Status::not_found("no dataset '" + id + "'");
  return num;
}

Status Store::create_dataset(const DatasetInfo& info, const std::string& actor) {
  Db& db = impl_->db;
  Transaction tx(db);
  GAZETTE_RETURN_IF_ERROR(tx.begin_immediate());
  auto exists = dataset_num(info.id);
  if (exists.ok()) return Status::conflict("dataset '" + info.id + "' already exists");
  auto ins = db.prepare(
      "INSERT INTO datasets(id, title, contract_version, created_at) VALUES(?1, ?2, ?3, ?4)");
  if (!ins.ok()) return ins.status();
  ins->bind(1, info.id).bind(2, info.title).bind(3, info.contract_version).bind(4, info.created_at);
  GAZETTE_RETURN_IF_ERROR(ins->run());
  std::int64_t num = db.last_insert_rowid();
  auto c = db.prepare(
      "INSERT INTO contracts(dataset, version, json, registered_at) VALUES(?1, ?2, ?3, ?4)");
  if (!c.ok()) return c.status();
  c->bind(1, num).bind(2, info.contract_version).bind(3, info.contract_json).bind(4, info.created_at);
  GAZETTE_RETURN_IF_ERROR(c->run());
  GAZETTE_RETURN_IF_ERROR(append_ledger(actor, LedgerAction::dataset_create, info.id,
                                        "contract v" + std::to_string(info.contract_version),
                                        info.title));
  return tx.commit();
}

Result<std::vector<DatasetInfo>> Store::list_datasets() {
  auto st = impl_->db.prepare(
      "SELECT d.id, d.title, d.contract_version, c.json, d.created_at FROM datasets d "
      "JOIN contracts c ON c.dataset = d.num AND c.version = d.contract_version ORDER BY d.id");
  if (!st.ok()) return st.status();
  std::vector<DatasetInfo> out;
  for (;;) {
    auto row = st->step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    DatasetInfo d;
    d.id = std::string(st->text(0));
    d.title = std::string(st->text(1));
    d.contract_version = static_cast<int>(st->int64(2));
    d.contract_json = std::string(st->text(3));
    d.created_at = st->int64(4);
    out.push_back(std::move(d));
  }
  return out;
}

Result<DatasetInfo> Store::dataset(const std::string& id) {
  auto all = list_datasets();
  if (!all.ok()) return all.status();
  for (auto& d : *all)
    if (d.id == id) return std::move(d);
  return Status::not_found("no dataset '" + id + "' (see `gazette dataset list`)");
}

Result<std::vector<std::pair<int, std::string>>> Store::contract_versions(const std::string& dataset) {
  auto num = dataset_num(dataset);
  if (!num.ok()) return num.status();
  auto st = impl_->db.prepare("SELECT version, json FROM contracts WHERE dataset=?1 ORDER BY version");
  if (!st.ok()) return st.status();
  st->bind(1, *num);
  std::vector<std::pair<int, std::string>> out;
  for (;;) {
    auto row = st->step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    out.emplace_back(static_cast<int>(st->int64(0)), std::string(st->text(1)));
  }
  return out;
}

Status Store::for_each_record_hash(const std::string& dataset, std::int64_t seq,
                                   const std::function<Status(std::string_view, const Digest&)>& fn) {
  auto num = dataset_num(dataset);
  if (!num.ok()) return num.status();
  auto st = impl_->db.prepare(
      "SELECT key, hash FROM record_spans "
      "WHERE dataset = ?1 AND first_seq <= ?2 AND (last_seq IS NULL OR last_seq > ?2) "
      "ORDER BY key");
  if (!st.ok()) return st.status();
  st->bind(1, *num).bind(2, seq);
  Digest d{};
  for (;;) {
    auto row = st->step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    std::string_view h = st->blob(1);
    if (h.size() != d.size()) return Status::corruption("record version hash of wrong size");
    std::memcpy(d.data(), h.data(), d.size());
    GAZETTE_RETURN_IF_ERROR(fn(st->text(0), d));
  }
  return {};
}

Result<std::optional<std::string>> Store::record_body(const std::string& dataset,
                                                      const std::string& key, std::int64_t seq) {
  auto num = dataset_num(dataset);
  if (!num.ok()) return num.status();
  auto cached = impl_->cached.get(
      "SELECT v.body FROM record_spans s JOIN record_versions v ON v.id = s.version "
      "WHERE s.dataset = ?1 AND s.key = ?2 AND s.first_seq <= ?3 "
      "AND (s.last_seq IS NULL OR s.last_seq > ?3)");
  if (!cached.ok()) return cached.status();
  Stmt* st = *cached;
  st->bind(1, *num).bind(2, key).bind(3, seq);
  auto row = st->step();
  if (!row.ok()) return row.status();
  std::optional<std::string> body;
  if (*row) body = std::string(st->blob(0));
  st->reset();
  return body;
}

namespace {

// The releases of dataset `num`, oldest first, each with its artefacts; the newest alone when
// `newest_only` (a release's commit asks for it inside its write transaction, where reading
// every release of a long history would hold the lock the longer).
Result<std::vector<Release>> read_releases(Db& db, std::int64_t num, const std::string& dataset, bool newest_only) {
  auto st = db.prepare(std::string("SELECT ") + kReleaseColumns + " FROM releases WHERE dataset=?1 ORDER BY seq" +
                       (newest_only ? " DESC LIMIT 1" : ""));
  if (!st.ok()) return st.status();
  st->bind(1, num);
  std::vector<Release> out;
  bool versioned = true;
  for (;;) {
    auto row = st->step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    out.push_back(release_from_row(*st, dataset));
    if (st->is_null(10)) {
      // Cut before releases had versions: derived from what the store knows of it (a backfill
      // changed a definition; notices published with it announced a change), in order.
      versioned = false;
      if (newest_only) break;
      const Release* parent = out.size() > 1 ? &out[out.size() - 2] : nullptr;
      const VersionBump bump = out.back().kind == ReleaseKind::backfill ? VersionBump::major
                               : st->int64(11) > 0                      ? VersionBump::minor
                                                                         : VersionBump::patch;
      out.back().version = next_version(parent ? &parent->version : nullptr, bump);
      out.back().version_derived = true;
    }
  }
  if (newest_only && !versioned) {
    auto all = read_releases(db, num, dataset, false);
    if (!all.ok() || all->empty()) return all;
    out.clear();
    out.push_back(std::move(all->back()));
    return out;
  }
  if (out.empty()) return out;
  auto arts = db.prepare(std::string(
      "SELECT a.release, a.name, a.media_type, a.bytes, a.sha256, a.gzip_sha256, a.gzip_bytes, "
      "e.release IS NOT NULL FROM artefacts a LEFT JOIN evictions e ON e.dataset = a.dataset AND "
      "e.release = a.release AND e.name = a.name WHERE a.dataset=?1") +
      (newest_only ? " AND a.release=?2" : "") + " ORDER BY a.release, a.name");
  if (!arts.ok()) return arts.status();
  arts->bind(1, num);
  if (newest_only) arts->bind(2, out.front().id);
  std::unordered_map<std::string, Release*> by_id;
  for (auto& r : out) by_id[r.id] = &r;
  for (;;) {
    auto row = arts->step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    auto it = by_id.find(std::string(arts->text(0)));
    if (it == by_id.end()) continue;
    it->second->artefacts.push_back({std::string(arts->text(1)), std::string(arts->text(2)),
                                     static_cast<std::uint64_t>(arts->int64(3)),
                                     std::string(arts->text(4)), std::string(arts->text(5)),
                                     static_cast<std::uint64_t>(arts->int64(6)), arts->int64(7) != 0});
  }
  return out;
}

}  // namespace

Result<std::vector<Release>> Store::releases(const std::string& dataset) {
  auto num = dataset_num(dataset);
  if (!num.ok()) return num.status();
  return read_releases(impl_->db, *num, dataset, /*newest_only=*/false);
}

Result<std::optional<Release>> Store::newest_release(const std::string& dataset) {
  auto num = dataset_num(dataset);
  if (!num.ok()) return num.status();
  auto newest = read_releases(impl_->db, *num, dataset, /*newest_only=*/true);
  if (!newest.ok()) return newest.status();
  if (newest->empty()) return std::optional<Release>();
  return std::optional<Release>(std::move(newest->front()));
}

Status Store::evict_artefact(const std::string& dataset, const std::string& release, const Artefact& artefact,
                             const std::string& actor) {
  auto num = dataset_num(dataset);
  if (!num.ok()) return num.status();
  Db& db = impl_->db;
  {
    Transaction tx(db);
    GAZETTE_RETURN_IF_ERROR(tx.begin_immediate());
    auto ins = db.prepare("INSERT OR IGNORE INTO evictions(dataset, release, name, evicted_at) VALUES(?1, ?2, ?3, ?4)");
    if (!ins.ok()) return ins.status();
    ins->bind(1, *num).bind(2, release).bind(3, artefact.name).bind(4, now_utc());
    GAZETTE_RETURN_IF_ERROR(ins->run());
    GAZETTE_RETURN_IF_ERROR(append_ledger(actor, LedgerAction::evict, dataset, release + "/" + artefact.name,
                                          "sha256 " + artefact.sha256 + ", rendered again on request"));
    GAZETTE_RETURN_IF_ERROR(tx.commit());
  }
  // Only after the commit: a crash between the two leaves files the next sweep removes.
  auto in_use = db.prepare(kObjectInUse);
  if (!in_use.ok()) return in_use.status();
  for (const std::string& sha : {artefact.sha256, artefact.gzip_sha256}) {
    if (sha.empty()) continue;
    in_use->bind(1, sha);
    auto row = in_use->step();
    if (!row.ok()) return row.status();
    in_use->reset();
    std::error_code ec;
    if (!*row) fs::remove(object_path(sha), ec);
  }
  return {};
}

// A cursor holds its statement, and so its read snapshot, until it is destroyed.
struct Store::RecordCursor::Impl {
  Stmt stmt;
};
Store::RecordCursor::RecordCursor() = default;
Store::RecordCursor::~RecordCursor() = default;
Result<bool> Store::RecordCursor::next(std::string_view& key, std::string_view& body) {
  auto row = impl_->stmt.step();
  if (!row.ok()) return row.status();
  if (!*row) return false;
  key = impl_->stmt.text(0);
  body = impl_->stmt.blob(1);
  return true;
}

Result<std::unique_ptr<Store::RecordCursor>> Store::records_of(const std::string& dataset, std::int64_t seq,
                                                              std::string_view key_prefix) {
  auto num = dataset_num(dataset);
  if (!num.ok()) return num.status();
  auto st = impl_->db.prepare(key_prefix.empty() ? kRecordsOfRelease : kRecordsOfReleaseRange);
  if (!st.ok()) return st.status();
  st->bind(1, *num).bind(2, seq);
  if (!key_prefix.empty()) {
    const auto [below, above] = prefix_bounds(key_prefix);
    st->bind(3, below).bind(4, above);
  }
  std::unique_ptr<RecordCursor> c(new RecordCursor());
  c->impl_ = std::make_unique<RecordCursor::Impl>();
  c->impl_->stmt = std::move(*st);
  return c;
}

Status Store::for_each_record(
    const std::string& dataset, std::int64_t seq,
    const std::function<Status(std::string_view, std::string_view)>& fn) {
  auto num = dataset_num(dataset);
  if (!num.ok()) return num.status();
  auto st = impl_->db.prepare(kRecordsOfRelease);
  if (!st.ok()) return st.status();
  st->bind(1, *num).bind(2, seq);
  for (;;) {
    auto row = st->step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    GAZETTE_RETURN_IF_ERROR(fn(st->text(0), st->blob(1)));
  }
  return {};
}

Result<RecordSet> Store::release_records(const std::string& dataset, std::int64_t seq) {
  std::vector<EncodedRecord> recs;
  Status s = for_each_record(dataset, seq, [&](std::string_view k, std::string_view b) {
    recs.push_back({std::string(k), std::string(b)});
    return Status{};
  });
  if (!s.ok()) return s;
  return RecordSet(std::move(recs));
}

Status Store::for_each_changed_key(
    const std::string& dataset, std::int64_t from_seq, std::int64_t to_seq,
    const std::function<Status(std::string_view, std::optional<std::string_view>,
                               std::optional<std::string_view>)>& fn,
    std::string_view key_prefix) {
  auto num = dataset_num(dataset);
  if (!num.ok()) return num.status();
  if (from_seq == to_seq) return {};
  const bool backwards = from_seq > to_seq;
  const std::int64_t lo = backwards ? to_seq : from_seq, hi = backwards ? from_seq : to_seq;
  // A key's record can differ between lo and hi only if one of its spans starts or ends in
  // (lo, hi]; the two indexes find exactly those keys.
  auto st = impl_->db.prepare(changed_keys_sql(lo, hi));
  if (!st.ok()) return st.status();
  const auto [below, above] = prefix_bounds(key_prefix);
  st->bind(1, *num).bind(2, lo).bind(3, hi).bind(4, below).bind(5, std::int64_t{-1}).bind(6, above);
  for (;;) {
    auto row = st->step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    std::optional<std::string_view> a, b;
    if (!st->is_null(1)) a = st->blob(1);
    if (!st->is_null(2)) b = st->blob(2);
    if (a == b) continue;  // changed and changed back
    GAZETTE_RETURN_IF_ERROR(backwards ? fn(st->text(0), b, a) : fn(st->text(0), a, b));
  }
  return {};
}

Result<bool> Store::changed_keys_page(
    const std::string& dataset, std::int64_t from_seq, std::int64_t to_seq, std::string_view after, std::size_t limit,
    const std::function<Status(std::string_view, std::optional<std::string_view>,
                               std::optional<std::string_view>)>& fn,
    std::string_view key_prefix) {
  auto num = dataset_num(dataset);
  if (!num.ok()) return num.status();
  if (from_seq == to_seq || limit == 0) return false;
  const bool backwards = from_seq > to_seq;
  const std::int64_t lo = backwards ? to_seq : from_seq, hi = backwards ? from_seq : to_seq;
  // As for_each_changed_key, from the first key after `after`, a batch at a time: a page costs
  // the keys it reads, not the changeset.
  auto st = impl_->db.prepare(changed_keys_sql(lo, hi));
  if (!st.ok()) return st.status();
  const auto [below, above] = prefix_bounds(key_prefix);
  std::string from_key = std::max(std::string(after), below);
  std::size_t delivered = 0;
  for (;;) {
    const std::int64_t batch = static_cast<std::int64_t>(std::max<std::size_t>(limit - delivered, 64));
    st->bind(1, *num).bind(2, lo).bind(3, hi).bind(4, from_key).bind(5, batch).bind(6, above);
    std::int64_t rows = 0;
    for (;;) {
      auto row = st->step();
      if (!row.ok()) return row.status();
      if (!*row) break;
      ++rows;
      from_key = std::string(st->text(0));
      std::optional<std::string_view> a, b;
      if (!st->is_null(1)) a = st->blob(1);
      if (!st->is_null(2)) b = st->blob(2);
      if (a == b) continue;  // changed and changed back
      if (delivered == limit) {  // one more exists: the page ends before it
        st->reset();
        return true;
      }
      GAZETTE_RETURN_IF_ERROR(backwards ? fn(from_key, b, a) : fn(from_key, a, b));
      ++delivered;
    }
    st->reset();
    if (rows < batch) return false;  // the end of the changeset
  }
}

Result<std::map<std::string, std::pair<std::string, std::string>>> Store::change_labels(
    const std::string& dataset, const std::string& release, std::string_view first, std::string_view last) {
  auto num = dataset_num(dataset);
  if (!num.ok()) return num.status();
  auto st = impl_->db.prepare(
      "SELECT key, rule, severity FROM change_labels WHERE dataset=?1 AND release=?2 AND key >= ?3 AND key <= ?4");
  if (!st.ok()) return st.status();
  st->bind(1, *num).bind(2, release).bind(3, first).bind(4, last);
  std::map<std::string, std::pair<std::string, std::string>> out;
  for (;;) {
    auto row = st->step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    out.emplace(std::string(st->text(0)), std::make_pair(std::string(st->text(1)), std::string(st->text(2))));
  }
  return out;
}

Result<bool> Store::has_change_labels(const std::string& dataset, const std::string& release) {
  auto num = dataset_num(dataset);
  if (!num.ok()) return num.status();
  auto st = impl_->db.prepare(
      "SELECT EXISTS(SELECT 1 FROM change_labels WHERE dataset=?1 AND release=?2) OR "
      "NOT EXISTS(SELECT 1 FROM changesets WHERE dataset=?1 AND release=?2 AND length(json_gzip) > 0)");
  if (!st.ok()) return st.status();
  st->bind(1, *num).bind(2, release);
  auto row = st->step();
  if (!row.ok()) return row.status();
  return *row && st->int64(0) != 0;
}

Result<std::optional<std::string>> Store::stored_changeset(const std::string& dataset,
                                                           const std::string& release) {
  auto num = dataset_num(dataset);
  if (!num.ok()) return num.status();
  auto st = impl_->db.prepare("SELECT json_gzip FROM changesets WHERE dataset=?1 AND release=?2");
  if (!st.ok()) return st.status();
  st->bind(1, *num).bind(2, release);
  auto row = st->step();
  if (!row.ok()) return row.status();
  // Empty: kept by key (change_labels), not as a document.
  if (!*row || st->blob(0).empty()) return std::optional<std::string>();
  auto json = gunzip(st->blob(0));
  if (!json.ok()) return Status::corruption("stored changeset of " + release + " is unreadable");
  return std::optional<std::string>(std::move(*json));
}

Result<std::vector<Store::KeyVersion>> Store::key_history(const std::string& dataset,
                                                          const std::string& key) {
  auto num = dataset_num(dataset);
  if (!num.ok()) return num.status();
  auto cached = impl_->cached.get(
      "SELECT s.first_seq, coalesce(s.last_seq, 0), v.body, "
      "EXISTS(SELECT 1 FROM announced a WHERE a.dataset=s.dataset AND a.key=s.key AND a.seq=s.first_seq) "
      "FROM record_spans s JOIN record_versions v ON v.id = s.version WHERE s.dataset=?1 AND s.key=?2 "
      "ORDER BY s.first_seq");
  if (!cached.ok()) return cached.status();
  Stmt* st = *cached;
  st->bind(1, *num).bind(2, key);
  std::vector<KeyVersion> out;
  for (;;) {
    auto row = st->step();
    if (!row.ok()) {
      st->reset();
      return row.status();
    }
    if (!*row) break;
    out.push_back({st->int64(0), st->int64(1), std::string(st->blob(2)), st->int64(3) != 0});
  }
  st->reset();
  return out;
}

namespace {
Result<std::string> one_text(sqlite::Db& db, const char* sql, std::int64_t num, const std::string& release) {
  auto st = db.prepare(sql);
  if (!st.ok()) return st.status();
  st->bind(1, num).bind(2, release);
  auto row = st->step();
  if (!row.ok()) return row.status();
  return *row ? std::string(st->text(0)) : std::string();
}
}  // namespace

Result<std::string> Store::release_stats(const std::string& dataset, const std::string& release) {
  auto num = dataset_num(dataset);
  if (!num.ok()) return num.status();
  return one_text(impl_->db, "SELECT json FROM release_stats WHERE dataset=?1 AND release=?2", *num, release);
}

Result<std::string> Store::release_report(const std::string& dataset, const std::string& release) {
  auto num = dataset_num(dataset);
  if (!num.ok()) return num.status();
  return one_text(impl_->db, "SELECT json FROM reports WHERE dataset=?1 AND release=?2", *num, release);
}

Result<std::vector<std::pair<std::string, std::string>>> Store::used_plans(const std::string& dataset) {
  auto num = dataset_num(dataset);
  if (!num.ok()) return num.status();
  auto st = impl_->db.prepare(
      "SELECT json_extract(plan, '$.id'), release FROM reports WHERE dataset=?1 AND plan IS NOT NULL "
      "ORDER BY rowid");
  if (!st.ok()) return st.status();
  st->bind(1, *num);
  std::vector<std::pair<std::string, std::string>> out;
  for (;;) {
    auto row = st->step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    out.emplace_back(std::string(st->text(0)), std::string(st->text(1)));
  }
  return out;
}

Result<std::string> Store::release_plan(const std::string& dataset, const std::string& release) {
  auto num = dataset_num(dataset);
  if (!num.ok()) return num.status();
  return one_text(impl_->db, "SELECT coalesce(plan, '') FROM reports WHERE dataset=?1 AND release=?2", *num,
                  release);
}

Result<std::map<std::string, Store::ChangeCounts>> Store::change_counts(const std::string& dataset) {
  auto num = dataset_num(dataset);
  if (!num.ok()) return num.status();
  auto st = impl_->db.prepare(
      "SELECT release, added, removed, retired, modified FROM changesets WHERE dataset=?1");
  if (!st.ok()) return st.status();
  st->bind(1, *num);
  std::map<std::string, ChangeCounts> out;
  for (;;) {
    auto row = st->step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    out[std::string(st->text(0))] = {static_cast<std::uint64_t>(st->int64(1)), static_cast<std::uint64_t>(st->int64(2)),
                                     static_cast<std::uint64_t>(st->int64(3)), static_cast<std::uint64_t>(st->int64(4))};
  }
  return out;
}

Result<std::vector<std::string>> Store::all_release_stats(const std::string& dataset) {
  auto num = dataset_num(dataset);
  if (!num.ok()) return num.status();
  auto st = impl_->db.prepare(
      "SELECT s.json FROM release_stats s JOIN releases r ON r.dataset = s.dataset AND r.id = s.release "
      "WHERE s.dataset=?1 ORDER BY r.seq");
  if (!st.ok()) return st.status();
  st->bind(1, *num);
  std::vector<std::string> out;
  for (;;) {
    auto row = st->step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    out.emplace_back(st->text(0));
  }
  return out;
}

Store::ReadSnapshot::ReadSnapshot(Store& store) : store_(store) {
  // Inside a transaction already (a write, or an outer snapshot): nothing to do.
  if (sqlite3_get_autocommit(store_.impl_->db.handle()) != 0)
    began_ = store_.impl_->db.exec("BEGIN").ok();
}

Store::ReadSnapshot::~ReadSnapshot() {
  if (began_) (void)store_.impl_->db.exec("COMMIT");
}

Result<std::uint64_t> Store::database_bytes() {
  // Checkpoint first so that pages in the WAL are counted in the main file.
  GAZETTE_RETURN_IF_ERROR(impl_->db.exec("PRAGMA wal_checkpoint(TRUNCATE)"));
  auto st = impl_->db.prepare(
      "SELECT (SELECT page_count FROM pragma_page_count) - (SELECT freelist_count FROM "
      "pragma_freelist_count), (SELECT page_size FROM pragma_page_size)");
  if (!st.ok()) return st.status();
  auto row = st->step();
  if (!row.ok()) return row.status();
  return static_cast<std::uint64_t>(st->int64(0) * st->int64(1));
}

}  // namespace gazette

