// Publishing a release: one transaction that records the new versions and spans of its
// records, the release with its artefacts, its changeset's labels, its report and stats, the
// keys it announced, a contract it brings in, its notices and its ledger entries. The commit is
// the publication point.
#include <cstring>
#include <unordered_map>

#include "publisher/common/file_io.hpp"
#include "publisher/common/time.hpp"
#include "publisher/store/store_impl.hpp"

namespace gazette {

using namespace store_detail;

Status Store::commit_release(const Release& release, const RecordRefs& records, const ReleaseCommit& with,
                             const std::string& actor) {
  auto num_r = dataset_num(release.dataset);
  if (!num_r.ok()) return num_r.status();
  const std::int64_t num = *num_r;
  Db& db = impl_->db;
  Transaction tx(db);
  GAZETTE_RETURN_IF_ERROR(tx.begin_immediate());

  auto newest = newest_release(release.dataset);
  if (!newest.ok()) return newest.status();
  const std::int64_t expected_seq = newest->has_value() ? (*newest)->seq + 1 : 1;
  if (release.seq != expected_seq)
    return Status::conflict("release sequence " + std::to_string(release.seq) +
                            " is not the next (" + std::to_string(expected_seq) + ")");
  if (newest->has_value() && release.published_at <= (*newest)->published_at)
    return Status::conflict("publication time " + format_rfc3339(release.published_at) +
                            " is not later than the newest release's (" +
                            format_rfc3339((*newest)->published_at) + ")");
  // The records current now, with the hash of their content.
  struct Open {
    std::int64_t first_seq;
    Digest hash;
  };
  struct KeyHash {  // looked up by the candidate's views, without a copy of each key
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_map<std::string, Open, KeyHash, std::equal_to<>> open;
  {
    auto st = db.prepare(
        "SELECT key, first_seq, hash FROM record_spans WHERE dataset = ?1 AND last_seq IS NULL");
    if (!st.ok()) return st.status();
    st->bind(1, num);
    for (;;) {
      auto row = st->step();
      if (!row.ok()) return row.status();
      if (!*row) break;
      Open o{st->int64(1), {}};
      std::string_view h = st->blob(2);
      if (h.size() != o.hash.size()) return Status::corruption("record version hash of wrong size");
      std::memcpy(o.hash.data(), h.data(), h.size());
      open.emplace(std::string(st->text(0)), o);
    }
  }

  auto ins_version = db.prepare(
      "INSERT INTO record_versions(dataset, key, hash, body) VALUES(?1, ?2, ?3, ?4) "
      "ON CONFLICT(dataset, hash) DO NOTHING");
  auto find_version = db.prepare("SELECT id FROM record_versions WHERE dataset=?1 AND hash=?2");
  auto close_span = db.prepare(
      "UPDATE record_spans SET last_seq = ?4 WHERE dataset=?1 AND key=?2 AND first_seq=?3");
  auto open_span = db.prepare(
      "INSERT INTO record_spans(dataset, key, first_seq, last_seq, version, hash) "
      "VALUES(?1, ?2, ?3, NULL, ?4, ?5)");
  for (auto* st : {&ins_version, &find_version, &close_span, &open_span})
    if (!st->ok()) return st->status();

  const std::int64_t seq = release.seq;
  for (const auto& [key, body] : records) {
    Digest h = sha256(body);
    auto it = open.find(key);
    if (it != open.end()) {
      bool same = it->second.hash == h;
      std::int64_t first = it->second.first_seq;
      open.erase(it);
      if (same) continue;
      close_span->bind(1, num).bind(2, key).bind(3, first).bind(4, seq);
      GAZETTE_RETURN_IF_ERROR(close_span->run());
    }
    ins_version->bind(1, num).bind(2, key).bind_blob(3, h.data(), h.size()).bind_blob(4, body.data(), body.size());
    GAZETTE_RETURN_IF_ERROR(ins_version->run());
    std::int64_t vid;
    if (db.changes() == 1) {
      vid = db.last_insert_rowid();
    } else {  // this content was published before (a record restored to an old version)
      find_version->bind(1, num).bind_blob(2, h.data(), h.size());
      auto row = find_version->step();
      if (!row.ok()) return row.status();
      if (!*row) return Status::corruption("record version vanished during a release");
      vid = find_version->int64(0);
      find_version->reset();
    }
    open_span->bind(1, num).bind(2, key).bind(3, seq).bind(4, vid).bind_blob(5, h.data(), h.size());
    GAZETTE_RETURN_IF_ERROR(open_span->run());
  }
  // Keys the new release no longer holds.
  for (const auto& [key, o] : open) {
    close_span->bind(1, num).bind(2, key).bind(3, o.first_seq).bind(4, seq);
    GAZETTE_RETURN_IF_ERROR(close_span->run());
  }

  auto ins_release = db.prepare(
      "INSERT INTO releases(dataset, seq, id, published_at, kind, owner, parent, "
      "contract_version, record_count, candidate, manifest, version) "
      "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)");
  if (!ins_release.ok()) return ins_release.status();
  ins_release->bind(1, num).bind(2, seq).bind(3, release.id).bind(4, release.published_at)
      .bind(5, std::string_view(to_string(release.kind))).bind(6, release.owner)
      .bind(7, release.parent).bind(8, release.contract_version)
      .bind(9, static_cast<std::int64_t>(release.record_count)).bind(10, release.candidate)
      .bind(11, release.manifest_json).bind(12, release.version.str());
  if (release.parent.empty()) ins_release->bind_null(7);
  GAZETTE_RETURN_IF_ERROR(ins_release->run());
  auto ins_art = db.prepare(
      "INSERT INTO artefacts(dataset, release, name, media_type, bytes, sha256, gzip_sha256, "
      "gzip_bytes) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
  if (!ins_art.ok()) return ins_art.status();
  for (const auto& a : release.artefacts) {
    ins_art->bind(1, num).bind(2, release.id).bind(3, a.name).bind(4, a.media_type)
        .bind(5, static_cast<std::int64_t>(a.bytes)).bind(6, a.sha256);
    if (a.gzip_sha256.empty()) {
      ins_art->bind_null(7).bind_null(8);
    } else {
      ins_art->bind(7, a.gzip_sha256).bind(8, static_cast<std::int64_t>(a.gzip_bytes));
    }
    GAZETTE_RETURN_IF_ERROR(ins_art->run());
  }
  GAZETTE_RETURN_IF_ERROR(insert_areas(db, num, release.id, with.areas));
  if (!release.parent.empty()) {
    // The changeset is kept by key (its labels below); json_gzip stays empty, as it has since
    // releases stopped storing the whole document (older releases keep theirs).
    auto ins_cs = db.prepare(
        "INSERT INTO changesets(dataset, release, parent, added, removed, retired, modified, "
        "json_gzip) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
    if (!ins_cs.ok()) return ins_cs.status();
    ins_cs->bind(1, num).bind(2, release.id).bind(3, release.parent)
        .bind(4, static_cast<std::int64_t>(with.added))
        .bind(5, static_cast<std::int64_t>(with.removed))
        .bind(6, static_cast<std::int64_t>(with.retired))
        .bind(7, static_cast<std::int64_t>(with.modified))
        .bind_blob(8, "", 0);
    GAZETTE_RETURN_IF_ERROR(ins_cs->run());
    auto label = db.prepare(
        "INSERT INTO change_labels(dataset, release, key, rule, severity) VALUES(?1, ?2, ?3, ?4, ?5)");
    if (!label.ok()) return label.status();
    for (const auto& l : with.change_labels) {
      label->bind(1, num).bind(2, release.id).bind(3, l.key).bind(4, l.rule)
          .bind(5, std::string_view(to_string(l.severity)));
      GAZETTE_RETURN_IF_ERROR(label->run());
      label->reset();
    }
  }
  if (!with.stats_json.empty() || !with.report_json.empty()) {
    auto st = db.prepare("INSERT INTO release_stats(dataset, release, json) VALUES(?1, ?2, ?3)");
    if (!st.ok()) return st.status();
    st->bind(1, num).bind(2, release.id).bind(3, with.stats_json);
    GAZETTE_RETURN_IF_ERROR(st->run());
    auto rep = db.prepare("INSERT INTO reports(dataset, release, json, plan) VALUES(?1, ?2, ?3, ?4)");
    if (!rep.ok()) return rep.status();
    rep->bind(1, num).bind(2, release.id).bind(3, with.report_json);
    if (with.plan != nullptr) rep->bind(4, with.plan->json);
    else rep->bind_null(4);
    GAZETTE_RETURN_IF_ERROR(rep->run());
  }
  if (!with.announced_keys.empty()) {
    auto st = db.prepare("INSERT OR IGNORE INTO announced(dataset, key, seq) VALUES(?1, ?2, ?3)");
    if (!st.ok()) return st.status();
    for (const auto& key : with.announced_keys) {
      st->bind(1, num).bind(2, key).bind(3, release.seq);
      GAZETTE_RETURN_IF_ERROR(st->run());
      st->reset();
    }
  }
  if (with.new_contract != nullptr) {
    // The contract the release brings in takes effect with it, in the same transaction.
    if (with.new_contract->version != release.contract_version)
      return Status::invalid_input("release " + release.id + " is of contract version " +
                                   std::to_string(release.contract_version) + ", not the version " +
                                   std::to_string(with.new_contract->version) + " it brings in");
    auto ins_contract = db.prepare(
        "INSERT INTO contracts(dataset, version, json, registered_at) VALUES(?1, ?2, ?3, ?4)");
    if (!ins_contract.ok()) return ins_contract.status();
    ins_contract->bind(1, num).bind(2, release.contract_version).bind(3, with.new_contract->canonical_json)
        .bind(4, release.published_at);
    GAZETTE_RETURN_IF_ERROR(ins_contract->run());
    auto upd = db.prepare("UPDATE datasets SET contract_version=?2 WHERE num=?1");
    if (!upd.ok()) return upd.status();
    upd->bind(1, num).bind(2, release.contract_version);
    GAZETTE_RETURN_IF_ERROR(upd->run());
    GAZETTE_RETURN_IF_ERROR(append_ledger(actor, LedgerAction::contract, release.dataset,
                                          "v" + std::to_string(release.contract_version),
                                          "with release " + release.id));
  }
  for (const auto& n : with.notices)
    GAZETTE_RETURN_IF_ERROR(insert_notice(num, release.dataset, {n.id, to_string(n.kind), n.json, release.id,
                                                                 release.published_at}, actor));
  GAZETTE_RETURN_IF_ERROR(insert_signatures(num, with.signatures));
  if (with.plan != nullptr)
    GAZETTE_RETURN_IF_ERROR(append_ledger(actor, LedgerAction::plan, release.dataset, with.plan->id, with.plan->json));
  GAZETTE_RETURN_IF_ERROR(append_ledger(actor, LedgerAction::release, release.dataset, release.id,
                                        std::string(to_string(release.kind)) + " from candidate " +
                                            release.candidate + ", " +
                                            std::to_string(release.record_count) + " records"));
  crash_point("before-commit");
  return tx.commit();
}

}  // namespace gazette
