// The candidate file: a staged candidate's records in key order, each as a little-endian u32
// length and bytes for its key, then the same for its body, after an 8-byte magic. Written
// durably once at staging; mapped, never copied, when read.
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "publisher/common/file_io.hpp"
#include "publisher/store/store_impl.hpp"

namespace gazette {

namespace fs = std::filesystem;
using namespace store_detail;

namespace {

constexpr std::string_view kCandidateMagic = "GZCAND1\n";

void put_u32(std::string& out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}

bool get_u32(std::string_view in, std::size_t& pos, std::uint32_t& v) {
  if (pos + 4 > in.size()) return false;
  v = 0;
  for (int i = 0; i < 4; ++i)
    v |= static_cast<std::uint32_t>(static_cast<unsigned char>(in[pos + i])) << (8 * i);
  pos += 4;
  return true;
}

}  // namespace

Status Store::write_candidate(const Candidate& c, const RecordSet& records,
                              const std::string& actor) {
  auto num = dataset_num(c.dataset);
  if (!num.ok()) return num.status();
  auto existing = candidate(c.dataset, c.id);
  if (!existing.ok()) return existing.status();
  fs::path folder = dir_ / "candidates" / c.dataset;
  fs::path final_path = folder / c.id;
  std::error_code ec;
  if (existing->has_value() && fs::exists(final_path, ec)) return {};  // idempotent
  fs::create_directories(folder, ec);
  if (ec) return Status::io_error(folder.string() + ": " + ec.message());

  DurableFile f;
  GAZETTE_RETURN_IF_ERROR(f.open(temp_path("candidate-" + c.id + "-" + std::to_string(::getpid()))));
  GAZETTE_RETURN_IF_ERROR(f.write(kCandidateMagic));
  std::string buf;
  for (const auto& r : records.records()) {
    put_u32(buf, static_cast<std::uint32_t>(r.key.size()));
    buf += r.key;
    put_u32(buf, static_cast<std::uint32_t>(r.body.size()));
    buf += r.body;
    if (buf.size() > (1u << 20)) {
      GAZETTE_RETURN_IF_ERROR(f.write(buf));
      buf.clear();
    }
  }
  GAZETTE_RETURN_IF_ERROR(f.write(buf));
  // From here a failure takes the file back out: a candidate is its file and its row, or
  // neither (a crash in between leaves a file that unreferenced_files() finds).
  Status s = f.commit(final_path);
  if (s.ok()) s = insert_candidate_row(*num, c, actor);
  if (!s.ok() && !existing->has_value()) fs::remove(final_path, ec);
  return s;
}

Status Store::insert_candidate_row(std::int64_t num, const Candidate& c, const std::string& actor) {
  Db& db = impl_->db;
  Transaction tx(db);
  GAZETTE_RETURN_IF_ERROR(tx.begin_immediate());
  auto ins = db.prepare(
      "INSERT OR IGNORE INTO candidates(dataset, id, format, source, record_count, staged_at, stats, "
      "contract) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
  if (!ins.ok()) return ins.status();
  ins->bind(1, num).bind(2, c.id).bind(3, c.format).bind(4, c.source)
      .bind(5, static_cast<std::int64_t>(c.record_count)).bind(6, c.staged_at).bind(7, c.stats_json);
  if (c.contract_json.empty()) {
    ins->bind_null(8);
  } else {
    ins->bind(8, c.contract_json);
  }
  GAZETTE_RETURN_IF_ERROR(ins->run());
  GAZETTE_RETURN_IF_ERROR(append_ledger(actor, LedgerAction::stage, c.dataset, c.id,
                                        c.source + " (" + c.format + ", " +
                                            std::to_string(c.record_count) + " records)"));
  return tx.commit();
}

namespace {

constexpr const char* kCandidateColumns =
    "id, format, source, record_count, staged_at, coalesce(stats, ''), coalesce(contract, '')";

Candidate candidate_from_row(const std::string& dataset, Stmt& st) {
  Candidate c;
  c.dataset = dataset;
  c.id = std::string(st.text(0));
  c.format = std::string(st.text(1));
  c.source = std::string(st.text(2));
  c.record_count = static_cast<std::uint64_t>(st.int64(3));
  c.staged_at = st.int64(4);
  c.stats_json = std::string(st.text(5));
  c.contract_json = std::string(st.text(6));
  return c;
}

}  // namespace

Result<std::optional<Candidate>> Store::candidate(const std::string& dataset,
                                                  const std::string& id) {
  auto num = dataset_num(dataset);
  if (!num.ok()) return num.status();
  auto st = impl_->db.prepare(std::string("SELECT ") + kCandidateColumns + " FROM candidates WHERE dataset=?1 AND id=?2");
  if (!st.ok()) return st.status();
  st->bind(1, *num).bind(2, id);
  auto row = st->step();
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<Candidate>();
  return std::optional<Candidate>(candidate_from_row(dataset, *st));
}

Result<std::vector<Candidate>> Store::candidates(const std::string& dataset) {
  auto num = dataset_num(dataset);
  if (!num.ok()) return num.status();
  auto st = impl_->db.prepare(std::string("SELECT ") + kCandidateColumns +
                              " FROM candidates WHERE dataset=?1 ORDER BY staged_at, id");
  if (!st.ok()) return st.status();
  st->bind(1, *num);
  std::vector<Candidate> out;
  for (;;) {
    auto row = st->step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    out.push_back(candidate_from_row(dataset, *st));
  }
  return out;
}

Result<std::string> Store::candidate_by_prefix(const std::string& dataset, const std::string& prefix) {
  auto num = dataset_num(dataset);
  if (!num.ok()) return num.status();
  auto st = impl_->db.prepare(
      "SELECT id FROM candidates WHERE dataset=?1 AND substr(id, 1, length(?2)) = ?2 ORDER BY id LIMIT 4");
  if (!st.ok()) return st.status();
  st->bind(1, *num).bind(2, prefix);
  std::vector<std::string> matches;
  for (;;) {
    auto row = st->step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    matches.emplace_back(st->text(0));
  }
  if (matches.empty()) return Status::not_found("no candidate '" + prefix + "' of " + dataset);
  if (matches.size() > 1) {
    std::string list;
    for (std::size_t i = 0; i < matches.size() && i < 3; ++i) list += (i ? ", " : "") + matches[i];
    return Status::invalid_input("candidate '" + prefix + "' is ambiguous: it begins " + list +
                                 (matches.size() > 3 ? ", ..." : "") + "; give more of the id");
  }
  return matches.front();
}

Result<RecordSet> Store::read_candidate_records(const std::string& dataset,
                                                const std::string& id) {
  auto view = read_candidate_view(dataset, id);
  if (!view.ok()) return view.status();
  std::vector<EncodedRecord> recs;
  recs.reserve((*view)->records.size());
  for (const auto& [key, body] : (*view)->records) recs.push_back({std::string(key), std::string(body)});
  return RecordSet(std::move(recs));
}

Store::CandidateView::~CandidateView() {
  if (map != nullptr) ::munmap(map, map_bytes);
}

Result<std::unique_ptr<Store::CandidateView>> Store::read_candidate_view(
    const std::string& dataset, const std::string& id) {
  fs::path p = dir_ / "candidates" / dataset / id;
  auto view = std::make_unique<CandidateView>();
  int fd = ::open(p.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0 && errno == ENOENT)  // released long ago: its records live on in the release
    return Status::not_found("candidate " + id + " was released and its staged copy removed; stage the file again");
  if (fd < 0) return Status::corruption(p.string() + ": candidate file unreadable: " + std::strerror(errno));
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    ::close(fd);
    return Status::io_error(p.string() + ": " + std::strerror(errno));
  }
  view->map_bytes = static_cast<std::size_t>(st.st_size);
  if (view->map_bytes > 0) {
    // MAP_POPULATE: the whole file is read anyway; one fault-in beats a fault per page.
    void* m = ::mmap(nullptr, view->map_bytes, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
    if (m == MAP_FAILED) {
      ::close(fd);
      return Status::io_error(p.string() + ": mmap failed: " + std::strerror(errno));
    }
    view->map = m;
    ::madvise(m, view->map_bytes, MADV_SEQUENTIAL);
  }
  ::close(fd);
  std::string_view in(static_cast<const char*>(view->map), view->map_bytes);
  if (in.substr(0, kCandidateMagic.size()) != kCandidateMagic)
    return Status::corruption(p.string() + ": not a candidate file");
  std::size_t pos = kCandidateMagic.size();
  view->records.reserve(in.size() / 200);
  while (pos < in.size()) {
    std::uint32_t klen, blen;
    if (!get_u32(in, pos, klen) || pos + klen > in.size())
      return Status::corruption(p.string() + ": truncated candidate file");
    std::string_view key = in.substr(pos, klen);
    pos += klen;
    if (!get_u32(in, pos, blen) || pos + blen > in.size())
      return Status::corruption(p.string() + ": truncated candidate file");
    view->records.emplace_back(key, in.substr(pos, blen));
    pos += blen;
  }
  return view;
}

Status Store::remove_candidate_file(const std::string& dataset, const std::string& id) {
  std::error_code ec;
  fs::remove(dir_ / "candidates" / dataset / id, ec);
  if (ec) return Status::io_error((dir_ / "candidates" / dataset / id).string() + ": " + ec.message());
  return {};
}

}  // namespace gazette
