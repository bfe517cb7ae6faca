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

}  // namespace

namespace store_detail {

Status insert_areas(Db& db, std::int64_t num, const std::string& release, const std::vector<ReleaseArea>& areas) {
  auto ins_area = db.prepare("INSERT INTO release_areas(dataset, release, area, records, since) VALUES(?1, ?2, ?3, ?4, ?5)");
  if (!ins_area.ok()) return ins_area.status();
  auto ins_art = db.prepare(
      "INSERT INTO area_artefacts(dataset, release, area, position, name, media_type, bytes, sha256) "
      "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
  if (!ins_art.ok()) return ins_art.status();
  for (const auto& a : areas) {
    ins_area->bind(1, num).bind(2, release).bind(3, a.code).bind(4, static_cast<std::int64_t>(a.records)).bind(5, a.since);
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
  auto st = impl_->db.prepare(
      "SELECT area, records, since FROM release_areas WHERE dataset = ?1 AND release = ?2 ORDER BY area");
  if (!st.ok()) return st.status();
  st->bind(1, *num).bind(2, release);
  std::vector<ReleaseArea> out;
  for (;;) {
    auto row = st->step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    ReleaseArea a;
    a.code = st->text(0);
    a.records = static_cast<std::uint64_t>(st->int64(1));
    a.since = st->text(2);
    out.push_back(std::move(a));
  }
  for (auto& a : out) GAZETTE_RETURN_IF_ERROR(read_area_artefacts(impl_->db, *num, a));
  return out;
}

Result<std::optional<ReleaseArea>> Store::release_area(const std::string& dataset, const std::string& release,
                                                       const std::string& code) {
  auto num = dataset_num(dataset);
  if (!num.ok()) return num.status();
  auto st = impl_->db.prepare(
      "SELECT records, since FROM release_areas WHERE dataset = ?1 AND release = ?2 AND area = ?3");
  if (!st.ok()) return st.status();
  st->bind(1, *num).bind(2, release).bind(3, code);
  auto row = st->step();
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<ReleaseArea>();
  ReleaseArea a;
  a.code = code;
  a.records = static_cast<std::uint64_t>(st->int64(0));
  a.since = st->text(1);
  GAZETTE_RETURN_IF_ERROR(read_area_artefacts(impl_->db, *num, a));
  return std::optional<ReleaseArea>(std::move(a));
}

}  // namespace gazette
