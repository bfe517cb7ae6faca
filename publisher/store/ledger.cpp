// Notices and the ledger: what was published, by whom, in order. The ledger is append-only
// (a trigger refuses any change), and its high-water mark tells readers that the store moved.
#include "publisher/store/store_impl.hpp"

namespace gazette {

using namespace store_detail;

namespace {

constexpr std::pair<LedgerAction, const char*> kLedgerActions[] = {
    {LedgerAction::init, "init"},       {LedgerAction::dataset_create, "dataset.create"},
    {LedgerAction::stage, "stage"},     {LedgerAction::contract, "contract"},
    {LedgerAction::plan, "plan"},       {LedgerAction::release, "release"},
    {LedgerAction::notice, "notice"},   {LedgerAction::rollback, "rollback"},
    {LedgerAction::evict, "evict"},     {LedgerAction::key, "key"},
    {LedgerAction::sign, "sign"},
};

}  // namespace

const char* to_string(LedgerAction a) {
  for (const auto& [action, text] : kLedgerActions)
    if (action == a) return text;
  return "unknown";
}

LedgerAction ledger_action_from(std::string_view text) {
  for (const auto& [action, name] : kLedgerActions)
    if (text == name) return action;
  return LedgerAction::unknown;
}

Status Store::insert_notice(std::int64_t num, const std::string& dataset, const StoredNotice& n,
                            const std::string& actor) {
  auto st = impl_->db.prepare(
      "INSERT INTO notices(dataset, id, kind, json, published_at, release) VALUES(?1, ?2, ?3, ?4, ?5, ?6)");
  if (!st.ok()) return st.status();
  st->bind(1, num).bind(2, n.id).bind(3, n.kind).bind(4, n.json).bind(5, n.published_at).bind(6, n.release);
  if (n.release.empty()) st->bind_null(6);
  Status s = st->run();
  if (!s.ok()) {
    if (s.code() == StatusCode::conflict)
      return Status::conflict("a notice '" + n.id + "' was already published for " + dataset);
    return s;
  }
  return append_ledger(actor, LedgerAction::notice, dataset, n.id, n.json);
}

Status Store::put_notice(const std::string& dataset, const StoredNotice& notice, const std::string& actor) {
  auto num = dataset_num(dataset);
  if (!num.ok()) return num.status();
  Transaction tx(impl_->db);
  GAZETTE_RETURN_IF_ERROR(tx.begin_immediate());
  GAZETTE_RETURN_IF_ERROR(insert_notice(*num, dataset, notice, actor));
  return tx.commit();
}

Result<std::vector<Store::StoredNotice>> Store::notices(const std::string& dataset) {
  auto num = dataset_num(dataset);
  if (!num.ok()) return num.status();
  auto st = impl_->db.prepare(
      "SELECT id, kind, json, coalesce(release, ''), published_at FROM notices WHERE dataset=?1 "
      "ORDER BY published_at, id");
  if (!st.ok()) return st.status();
  st->bind(1, *num);
  std::vector<StoredNotice> out;
  for (;;) {
    auto row = st->step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    out.push_back({std::string(st->text(0)), std::string(st->text(1)), std::string(st->text(2)),
                   std::string(st->text(3)), st->int64(4)});
  }
  return out;
}

Status Store::append_ledger(const std::string& actor, LedgerAction action,
                            const std::string& dataset, const std::string& subject,
                            const std::string& detail) {
  auto st = impl_->db.prepare(
      "INSERT INTO ledger(at, actor, action, dataset, subject, detail) "
      "VALUES(?1, ?2, ?3, ?4, ?5, ?6)");
  if (!st.ok()) return st.status();
  st->bind(1, now_utc()).bind(2, actor).bind(3, std::string_view(to_string(action))).bind(4, dataset).bind(5, subject)
      .bind(6, detail);
  return st->run();
}

Result<std::vector<LedgerEntry>> Store::ledger(const std::string& dataset) {
  auto st = impl_->db.prepare(
      "SELECT seq, at, actor, action, dataset, subject, detail FROM ledger "
      "WHERE ?1 = '' OR dataset = ?1 ORDER BY seq");
  if (!st.ok()) return st.status();
  st->bind(1, dataset);
  std::vector<LedgerEntry> out;
  for (;;) {
    auto row = st->step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    out.push_back({st->int64(0), st->int64(1), std::string(st->text(2)), ledger_action_from(st->text(3)),
                   std::string(st->text(4)), std::string(st->text(5)), std::string(st->text(6))});
  }
  return out;
}

Result<PublicationOrder> Store::publication_order(const std::string& dataset) {
  auto st = impl_->db.prepare(
      "SELECT action, subject, seq FROM ledger WHERE dataset = ?1 AND action IN ('release', 'notice')");
  if (!st.ok()) return st.status();
  st->bind(1, dataset);
  PublicationOrder out;
  for (;;) {
    auto row = st->step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    auto& of = ledger_action_from(st->text(0)) == LedgerAction::release ? out.releases : out.notices;
    of[std::string(st->text(1))] = st->int64(2);
  }
  return out;
}

Result<std::int64_t> Store::ledger_high_water() {
  auto st = impl_->db.prepare("SELECT coalesce(max(seq), 0) FROM ledger");
  if (!st.ok()) return st.status();
  auto row = st->step();
  if (!row.ok()) return row.status();
  return st->int64(0);
}

}  // namespace gazette
