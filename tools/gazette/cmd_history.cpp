#include <cstdio>
#include <map>

#include "publisher/common/ids.hpp"
#include "publisher/release/release.hpp"
#include "tools/gazette/commands.hpp"
#include "tools/gazette/common.hpp"

namespace gazette::cli {

int cmd_history(const Invocation& inv) {
  const std::string& id = inv.args[0];
  if (!check_dataset_id(inv, id)) return kError;
  int code = kOk;
  auto store = open_store(inv, OpenMode::read, code);
  if (!store) return code;
  auto all = store->releases(id);
  if (!all.ok()) return fail(inv, all.status());
  if (all->empty()) {
    *inv.out << "no releases of " << id << " yet\n";
    return kOk;
  }
  // What each release carried: the notices published with it, and a backfill's plan.
  auto notices = store->notices(id);
  if (!notices.ok()) return fail(inv, notices.status());
  std::map<std::string, std::vector<const Store::StoredNotice*>> notices_of;
  for (const auto& n : *notices) notices_of[n.release].push_back(&n);  // "" for those published alone
  auto plans = store->used_plans(id);
  if (!plans.ok()) return fail(inv, plans.status());
  std::map<std::string, std::string> plan_of;  // release id -> plan id
  for (const auto& [plan, release] : *plans) plan_of[release] = plan;
  char line[256];
  std::snprintf(line, sizeof line, "%-13s %-20s %-9s %-8s %-20s %8s  %s\n", "release", "published_at",
                "kind", "version", "owner", "records", "csv sha256");
  *inv.out << line;
  for (const auto& r : *all) {
    std::string csv_sha = "-";
    for (const auto& a : r.artefacts)
      if (a.name.size() > 4 && a.name.compare(a.name.size() - 4, 4, ".csv") == 0) csv_sha = a.sha256;
    std::snprintf(line, sizeof line, "%-13s %-20s %-9s %-8s %-20s %8llu  %s\n", r.id.c_str(),
                  format_rfc3339(r.published_at).c_str(), to_string(r.kind), r.version.str().c_str(), r.owner.c_str(),
                  static_cast<unsigned long long>(r.record_count), csv_sha.c_str());
    *inv.out << line;
    if (auto it = plan_of.find(r.id); it != plan_of.end()) *inv.out << "  plan " << it->second << "\n";
    if (auto it = notices_of.find(r.id); it != notices_of.end())
      for (const auto* n : it->second) *inv.out << "  notice " << n->id << " (" << n->kind << ")\n";
  }
  if (auto it = notices_of.find(""); it != notices_of.end()) {
    *inv.out << "notices published alone:\n";
    for (const auto* n : it->second)
      *inv.out << "  " << n->id << " (" << n->kind << ")  " << format_rfc3339(n->published_at) << "\n";
  }
  return kOk;
}

int cmd_as_of(const Invocation& inv) {
  const std::string& id = inv.args[0];
  if (!check_dataset_id(inv, id)) return kError;
  auto t = parse_instant(inv.args[1]);
  if (!t.ok()) return fail(inv, t.status());
  int code = kOk;
  auto store = open_store(inv, OpenMode::read, code);
  if (!store) return code;
  auto r = release_as_of(*store, id, *t);
  if (!r.ok()) return fail(inv, r.status());
  if (!r->has_value())
    return fail(inv, Status::not_found("no release of " + id + " was current at " +
                                       format_rfc3339(*t) + " (before the first)"));
  *inv.out << (*r)->id << "\t" << format_rfc3339((*r)->published_at) << "\t"
           << to_string((*r)->kind) << "\t" << (*r)->record_count << " records\n";
  return kOk;
}

}  // namespace gazette::cli
