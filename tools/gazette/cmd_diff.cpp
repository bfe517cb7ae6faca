#include <cstdio>

#include "publisher/common/ids.hpp"
#include "publisher/diff/diff.hpp"
#include "publisher/release/release.hpp"
#include "tools/gazette/commands.hpp"
#include "tools/gazette/common.hpp"

namespace gazette::cli {

namespace {

constexpr std::size_t kShownChanges = 20;

const Release* find_release(const std::vector<Release>& all, const std::string& id) {
  for (const auto& r : all)
    if (r.id == id) return &r;
  return nullptr;
}

std::string shown(const std::string& v) { return v.empty() ? "null" : "'" + v + "'"; }

void print_plain(std::ostream& out, const Changeset& cs) {
  out << cs.dataset << ": " << (cs.from.empty() ? "(nothing)" : cs.from) << " -> " << cs.to << "\n";
  out << "  added " << cs.summary.added << ", removed " << cs.summary.removed << ", retired "
      << cs.summary.retired << ", modified " << cs.summary.modified << "\n";
  std::size_t n = 0;
  for (const auto& ch : cs.changes) {
    if (n++ == kShownChanges) {
      out << "  ... " << cs.changes.size() - kShownChanges << " more (--json for all)\n";
      break;
    }
    out << "  " << to_string(ch.kind) << " " << ch.key << "  [" << ch.rule << ", "
        << to_string(ch.severity) << "]";
    if (ch.kind == ChangeKind::modified || ch.kind == ChangeKind::retired) {
      std::string sep = "  ";
      for (const auto& f : ch.fields) {
        out << sep << f.column << " " << shown(f.old_value) << " -> " << shown(f.new_value);
        sep = "; ";
      }
    }
    out << "\n";
  }
}

}  // namespace

int cmd_diff(const Invocation& inv) {
  const std::string& id = inv.args[0];
  if (!check_dataset_id(inv, id)) return kError;
  if (inv.has("--to") && inv.has("--candidate"))
    return fail(inv, Status::invalid_input("give --to or --candidate, not both"));
  int code = kOk;
  auto store = open_store(inv, OpenMode::read, code);
  if (!store) return code;
  auto contract = load_contract(*store, id);
  if (!contract.ok()) return fail(inv, contract.status());
  auto all = store->releases(id);
  if (!all.ok()) return fail(inv, all.status());

  auto named = [&](const std::string& opt) -> Result<const Release*> {
    auto rid = ReleaseId::parse(inv.get(opt));
    if (!rid.ok()) return rid.status();
    const Release* r = find_release(*all, rid->str());
    if (r == nullptr) return Status::not_found("no release '" + rid->str() + "' of " + id);
    return r;
  };
  const Release* newest = all->empty() ? nullptr : &all->back();
  Result<Changeset> cs = Status::invalid_input("unreachable");
  if (inv.has("--candidate")) {
    // What the candidate would change: from the newest release unless told otherwise.
    auto from = inv.has("--from") ? named("--from") : Result<const Release*>(newest);
    if (!from.ok()) return fail(inv, from.status());
    auto cand = candidate_arg(*store, id, inv.get("--candidate"));
    if (!cand.ok()) return fail(inv, cand.status());
    cs = changeset_to_candidate(*store, *contract, id, *from, *cand);
  } else {
    // As over HTTP: `to` defaults to the newest release, `from` to the parent of `to`.
    auto to = inv.has("--to") ? named("--to") : Result<const Release*>(newest);
    if (!to.ok()) return fail(inv, to.status());
    if (*to == nullptr) return fail(inv, Status::not_found(id + " has no release to compare"));
    auto from = inv.has("--from") ? named("--from") : Result<const Release*>(find_release(*all, (*to)->parent));
    if (!from.ok()) return fail(inv, from.status());
    cs = changeset_between(*store, *contract, id, *from, **to);
  }
  if (!cs.ok()) return fail(inv, cs.status());
  if (inv.has("--json"))
    *inv.out << render_changeset_json(*cs, 0, cs->changes.size());
  else
    print_plain(*inv.out, *cs);
  return kOk;
}

int cmd_record(const Invocation& inv) {
  const std::string& id = inv.args[0];
  const std::string& key = inv.args[1];
  if (!check_dataset_id(inv, id)) return kError;
  int code = kOk;
  auto store = open_store(inv, OpenMode::read, code);
  if (!store) return code;
  auto contract = load_contract(*store, id);
  if (!contract.ok()) return fail(inv, contract.status());
  auto history = record_history(*store, id, key);
  if (!history.ok()) return fail(inv, history.status());
  if (history->empty()) return fail(inv, Status::not_found("no record '" + key + "' in any release of " + id));
  const RecordEvent& last = history->back();
  std::vector<std::string_view> fields;
  if (last.change == ChangeKind::removed) {
    *inv.out << key << ": removed in " << last.release.id << "\n";
  } else {
    decode_record(last.body, fields);
    *inv.out << key << " (current since " << last.release.id << ")\n";
    for (std::size_t i = 0; i < contract->columns.size() && i < fields.size(); ++i)
      if (!fields[i].empty()) *inv.out << "  " << contract->columns[i].name << ": " << fields[i] << "\n";
  }
  *inv.out << "history:\n";
  for (const auto& e : *history) {
    *inv.out << "  " << e.release.id << "  " << (e.revived ? "revived" : to_string(e.change)) << "  ("
             << to_string(e.release.kind) << ", " << e.release.owner << ")";
    if (!e.rule.empty()) *inv.out << "  [" << e.rule << ", " << e.severity << "]";
    *inv.out << "\n";
    for (const auto& f : e.fields)
      *inv.out << "      " << f.column << " " << shown(f.old_value) << " -> " << shown(f.new_value) << "\n";
  }
  return kOk;
}

}  // namespace gazette::cli
