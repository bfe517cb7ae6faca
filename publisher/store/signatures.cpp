// The publisher's public keys and the signatures made with them. The secret key is never
// here: it lives in DATA/keys (publisher/signing), and the database, which the server reads,
// holds only what may be published.
#include "publisher/store/store_impl.hpp"

namespace gazette {

using namespace store_detail;

Status Store::add_signing_key(const PublicKeyRecord& key, const std::string& actor) {
  Db& db = impl_->db;
  Transaction tx(db);
  GAZETTE_RETURN_IF_ERROR(tx.begin_immediate());
  auto retire = db.prepare("UPDATE signing_keys SET retired_at=?1 WHERE retired_at IS NULL");
  if (!retire.ok()) return retire.status();
  retire->bind(1, key.created_at);
  GAZETTE_RETURN_IF_ERROR(retire->run());
  auto ins = db.prepare(
      "INSERT INTO signing_keys(id, public_key, created_at, retired_at, endorsement) VALUES(?1, ?2, ?3, NULL, ?4)");
  if (!ins.ok()) return ins.status();
  ins->bind(1, key.id).bind(2, key.public_key).bind(3, key.created_at).bind(4, key.endorsement);
  if (key.endorsement.empty()) ins->bind_null(4);
  Status s = ins->run();
  if (!s.ok()) return s.code() == StatusCode::conflict ? Status::conflict("signing key " + key.id + " is known") : s;
  GAZETTE_RETURN_IF_ERROR(append_ledger(actor, LedgerAction::key, "", key.id,
                                        key.endorsement.empty() ? "signing key" : "signing key, by rotation"));
  return tx.commit();
}

Result<std::vector<PublicKeyRecord>> Store::signing_keys() {
  auto st = impl_->db.prepare(
      "SELECT id, public_key, created_at, retired_at, endorsement FROM signing_keys ORDER BY created_at, rowid");
  if (!st.ok()) return st.status();
  std::vector<PublicKeyRecord> out;
  for (;;) {
    auto row = st->step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    out.push_back({std::string(st->text(0)), std::string(st->text(1)), st->int64(2),
                   st->is_null(3) ? 0 : st->int64(3), std::string(st->text(4))});
  }
  return out;
}

namespace {
StoredSignature signature_from_row(const Stmt& st) {
  return {std::string(st.text(0)), std::string(st.text(1)), st.int64(2),
          st.is_null(3) ? 0 : st.int64(3), std::string(st.blob(4)),
          static_cast<std::uint64_t>(st.int64(5)), std::string(st.text(6)), std::string(st.text(7))};
}
}  // namespace

Result<std::map<std::string, StoredSignature>> Store::signatures(const std::string& dataset) {
  auto num = dataset_num(dataset);
  if (!num.ok()) return num.status();
  // Area indexes are left out of the list's documents: one per release, read one at a time
  // (signature()) when asked for, not with every catalogue.
  auto st = impl_->db.prepare(
      "SELECT subject, key_id, signed_at, valid_until, "
      "CASE WHEN subject LIKE 'areas/%' THEN NULL ELSE document END, bytes, sha256, signature FROM signatures "
      "WHERE dataset=?1");
  if (!st.ok()) return st.status();
  st->bind(1, *num);
  std::map<std::string, StoredSignature> out;
  for (;;) {
    auto row = st->step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    StoredSignature s = signature_from_row(*st);
    out.emplace(s.subject, std::move(s));
  }
  return out;
}

Result<std::optional<StoredSignature>> Store::signature(const std::string& dataset, const std::string& subject) {
  auto num = dataset_num(dataset);
  if (!num.ok()) return num.status();
  auto st = impl_->db.prepare(
      "SELECT subject, key_id, signed_at, valid_until, document, bytes, sha256, signature FROM signatures "
      "WHERE dataset=?1 AND subject=?2");
  if (!st.ok()) return st.status();
  st->bind(1, *num).bind(2, subject);
  auto row = st->step();
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<StoredSignature>();
  return std::optional<StoredSignature>(signature_from_row(*st));
}

Status Store::insert_signatures(std::int64_t num, const std::vector<StoredSignature>& signatures) {
  if (signatures.empty()) return {};
  // The release list's signature is replaced; any other is written once (the trigger refuses
  // to replace it, and a conflict here is a bug, not a user's error).
  auto st = impl_->db.prepare(
      "INSERT INTO signatures(dataset, subject, key_id, signed_at, valid_until, document, bytes, sha256, signature) "
      "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) ON CONFLICT(dataset, subject) DO UPDATE SET "
      "key_id=excluded.key_id, signed_at=excluded.signed_at, valid_until=excluded.valid_until, "
      "document=excluded.document, bytes=excluded.bytes, sha256=excluded.sha256, signature=excluded.signature");
  if (!st.ok()) return st.status();
  for (const auto& s : signatures) {
    st->bind(1, num).bind(2, s.subject).bind(3, s.key_id).bind(4, s.signed_at).bind(5, s.valid_until);
    if (s.valid_until == 0) st->bind_null(5);
    if (s.document.empty()) st->bind_null(6);
    else st->bind_blob(6, s.document.data(), s.document.size());
    st->bind(7, static_cast<std::int64_t>(s.bytes)).bind(8, s.sha256).bind(9, s.signature);
    GAZETTE_RETURN_IF_ERROR(st->run());
    st->reset();
  }
  return {};
}

Status Store::put_signatures(const std::string& dataset, const std::vector<StoredSignature>& signatures,
                             const std::string& actor) {
  auto num = dataset_num(dataset);
  if (!num.ok()) return num.status();
  Transaction tx(impl_->db);
  GAZETTE_RETURN_IF_ERROR(tx.begin_immediate());
  GAZETTE_RETURN_IF_ERROR(insert_signatures(*num, signatures));
  std::string subjects;
  for (const auto& s : signatures) subjects += (subjects.empty() ? "" : " ") + s.subject;
  GAZETTE_RETURN_IF_ERROR(append_ledger(actor, LedgerAction::sign, dataset, subjects, ""));
  return tx.commit();
}

}  // namespace gazette
