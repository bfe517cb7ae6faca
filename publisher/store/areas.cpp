// Areas of releases (the contract's partition): a row per area per release, and artefact rows
// only in the release that rendered them, which later releases that leave the area unchanged
// name as `since`. So a release adds artefact rows in proportion to the areas it changed.
#include "publisher/store/store_impl.hpp"

namespace gazette {

using namespace store_detail;

namespace {

Status read_area_artefacts(Db& db, std::int64_t num, ReleaseArea& area) {
  auto st = db.prepare(
      "SELECT name, media_type, bytes, sha256 FROM area_artefacts "
      "WHERE dataset = ?1 AND release = ?2 AND area = ?3 ORDER BY position");
  if (!st.ok()) return st.status();
  st->bind(1, num).bind(2, area.since).bind(3, area.code);
  for (;;) {
    auto row = st->step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    Artefact a;
    a.name = st->text(0);
    a.media_type = st->text(1);
    a.bytes = static_cast<std::uint64_t>(st->int64(2));
    a.sha256 = st->text(3);
    a.evicted = true;  // never kept as files
    area.artefacts.push_back(std::move(a));
  }
  if (area.artefacts.empty())
    return Status::corruption("area " + area.code + " names release " + area.since + ", which has no artefacts for it");
  return {};
}

constexpr char kAreaColumns[] = "area, records, since, added, removed, retired, modified";

ReleaseArea area_from_row(const Stmt& st, int at) {
  ReleaseArea a;
  a.code = st.text(at);
  a.records = static_cast<std::uint64_t>(st.int64(at + 1));
  a.since = st.text(at + 2);
  a.added = static_cast<std::uint64_t>(st.int64(at + 3));
  a.removed = static_cast<std::uint64_t>(st.int64(at + 4));
  a.retired = static_cast<std::uint64_t>(st.int64(at + 5));
  a.modified = static_cast<std::uint64_t>(st.int64(at + 6));
  return a;
}

}  // namespace

namespace store_detail {

Status insert_areas(Db& db, std::int64_t num, const std::string& release, const std::vector<ReleaseArea>& areas) {
  auto ins_area = db.prepare(
      "INSERT INTO release_areas(dataset, release, area, records, since, added, removed, retired, modified) "
      "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
  if (!ins_area.ok()) return ins_area.status();
  auto ins_art = db.prepare(
      "INSERT INTO area_artefacts(dataset, release, area, position, name, media_type, bytes, sha256) "
      "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
  if (!ins_art.ok()) return ins_art.status();
  for (const auto& a : areas) {
    ins_area->bind(1, num).bind(2, release).bind(3, a.code).bind(4, static_cast<std::int64_t>(a.records)).bind(5, a.since)
        .bind(6, static_cast<std::int64_t>(a.added)).bind(7, static_cast<std::int64_t>(a.removed))
        .bind(8, static_cast<std::int64_t>(a.retired)).bind(9, static_cast<std::int64_t>(a.modified));
    GAZETTE_RETURN_IF_ERROR(ins_area->run());
    if (a.since != release) continue;  // rendered by an earlier release, whose rows these are
    std::int64_t position = 0;
    for (const auto& art : a.artefacts) {
      ins_art->bind(1, num).bind(2, release).bind(3, a.code).bind(4, position++).bind(5, art.name)
          .bind(6, art.media_type).bind(7, static_cast<std::int64_t>(art.bytes)).bind(8, art.sha256);
      GAZETTE_RETURN_IF_ERROR(ins_art->run());
    }
  }
  return {};
}

}  // namespace store_detail

Result<std::vector<ReleaseArea>> Store::release_areas(const std::string& dataset, const std::string& release) {
  auto num = dataset_num(dataset);
  if (!num.ok()) return num.status();
  auto st = impl_->db.prepare(std::string("SELECT ") + kAreaColumns +
                              " FROM release_areas WHERE dataset = ?1 AND release = ?2 ORDER BY area");
  if (!st.ok()) return st.status();
  st->bind(1, *num).bind(2, release);
  std::vector<ReleaseArea> out;
  for (;;) {
    auto row = st->step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    out.push_back(area_from_row(*st, 0));
  }
  for (auto& a : out) GAZETTE_RETURN_IF_ERROR(read_area_artefacts(impl_->db, *num, a));
  return out;
}

Result<std::optional<ReleaseArea>> Store::release_area(const std::string& dataset, const std::string& release,
                                                       const std::string& code) {
  auto num = dataset_num(dataset);
  if (!num.ok()) return num.status();
  auto st = impl_->db.prepare(std::string("SELECT ") + kAreaColumns +
                              " FROM release_areas WHERE dataset = ?1 AND release = ?2 AND area = ?3");
  if (!st.ok()) return st.status();
  st->bind(1, *num).bind(2, release).bind(3, code);
  auto row = st->step();
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<ReleaseArea>();
  ReleaseArea a = area_from_row(*st, 0);
  st->reset();
  GAZETTE_RETURN_IF_ERROR(read_area_artefacts(impl_->db, *num, a));
  return std::optional<ReleaseArea>(std::move(a));
}

Result<std::vector<std::pair<std::string, ReleaseArea>>> Store::area_history(const std::string& dataset,
                                                                             const std::string& code) {
  auto num = dataset_num(dataset);
  if (!num.ok()) return num.status();
  auto st = impl_->db.prepare(std::string("SELECT a.release, ") + kAreaColumns +
                              " FROM release_areas a JOIN releases r ON r.dataset = a.dataset AND r.id = a.release "
                              "WHERE a.dataset = ?1 AND a.area = ?2 ORDER BY r.seq");
  if (!st.ok()) return st.status();
  st->bind(1, *num).bind(2, code);
  std::vector<std::pair<std::string, ReleaseArea>> out;
  for (;;) {
    auto row = st->step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    out.emplace_back(std::string(st->text(0)), area_from_row(*st, 1));
  }
  for (auto& [release, a] : out) GAZETTE_RETURN_IF_ERROR(read_area_artefacts(impl_->db, *num, a));
  return out;
}

Result<std::vector<Store::AreaSummary>> Store::area_summaries(const std::string& dataset) {
  auto num = dataset_num(dataset);
  if (!num.ok()) return num.status();
  auto st = impl_->db.prepare(
      "SELECT a.area, a.records, "
      "(SELECT b.release FROM release_areas b JOIN releases r ON r.dataset = b.dataset AND r.id = b.release "
      "  WHERE b.dataset = a.dataset AND b.area = a.area AND b.added + b.removed + b.retired + b.modified > 0 "
      "  ORDER BY r.seq DESC LIMIT 1) "
      "FROM release_areas a WHERE a.dataset = ?1 AND a.release = "
      "(SELECT id FROM releases WHERE dataset = ?1 ORDER BY seq DESC LIMIT 1) ORDER BY a.area");
  if (!st.ok()) return st.status();
  st->bind(1, *num);
  std::vector<AreaSummary> out;
  for (;;) {
    auto row = st->step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    out.push_back({std::string(st->text(0)), static_cast<std::uint64_t>(st->int64(1)),
                   st->is_null(2) ? std::string() : std::string(st->text(2))});
  }
  return out;
}

}  // namespace gazette
