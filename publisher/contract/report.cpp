// Method: the verdict as people and programs read it. Text shows each rule with a few samples
// ("and N more"); JSON lists every key. For what is not covered, both say what would cover
// it: the rule's row of the table, the columns or keys a notice's scope must name, and the
// contract's lead time.
#include <nlohmann/json.hpp>

#include "publisher/contract/contract.hpp"
#include "publisher/contract/field_changes_json.hpp"
#include "publisher/urls/urls.hpp"

namespace gazette {

nlohmann::ordered_json field_changes_json(const std::vector<FieldChange>& fields) {
  using ojson = nlohmann::ordered_json;
  auto value = [](const std::string& v) { return v.empty() ? ojson(nullptr) : ojson(v); };
  ojson out = ojson::array();
  for (const auto& f : fields) out.push_back({{"column", f.column}, {"old", value(f.old_value)}, {"new", value(f.new_value)}});
  return out;
}

namespace {

const char* outcome_text(Outcome o) {
  switch (o) {
    case Outcome::publishable: return "publishable";
    case Outcome::notice_required: return "needs a notice";
    case Outcome::refused: return "refused";
  }
  return "refused";
}

const char* outcome_id(Outcome o) {
  switch (o) {
    case Outcome::publishable: return "publishable";
    case Outcome::notice_required: return "notice-required";
    case Outcome::refused: return "refused";
  }
  return "refused";
}

std::string join(const std::vector<std::string>& v, std::size_t limit = 1000000) {
  std::string out;
  for (std::size_t i = 0; i < v.size() && i < limit; ++i) out += (i ? ", " : "") + v[i];
  if (v.size() > limit) out += ", ... (" + std::to_string(v.size() - limit) + " more)";
  return out;
}

// What a covering notice (or plan) must have, for this rule's uncovered findings.
std::string needs(const RuleTally& t, int lead_days) {
  const RuleInfo& info = rule_info(t.rule);
  std::string out = info.needs;
  if (info.covered_by == 0) return out;
  if (!t.columns.empty()) out += "; scope.columns naming one of [" + join(t.columns) + "]";
  if (!t.uncovered_keys.empty())
    out += std::string(t.columns.empty() ? "; " : ", or ") + "scope.keys naming [" + join(t.uncovered_keys, 10) +
           "], or a scope.where matching those records";
  if (lead_days > 0) out += "; published at least " + std::to_string(lead_days) + " day(s) before the release";
  return out;
}

std::string value(const std::string& v) { return v.empty() ? "null" : "'" + v + "'"; }

}  // namespace

std::string render_verdict_text(const Verdict& v, const std::string& dataset, const std::string& from,
                                const std::string& to) {
  std::string out = "verify " + dataset + ": " + (from.empty() ? "(nothing)" : from) + " -> " + to + ": " +
                    outcome_text(v.outcome) + "\n";
  for (const auto& t : v.rules) {
    char line[256];
    std::snprintf(line, sizeof line, "  %-9s %-32s %8llu", to_string(t.severity()), t.id(),
                  static_cast<unsigned long long>(t.count));
    out += line;
    if (t.severity() != Severity::routine)
      out += t.uncovered ? "  (" + std::to_string(t.uncovered) + " not covered)" : std::string("  (covered)");
    out += "\n";
    if (t.severity() == Severity::routine) continue;
    for (const auto& s : t.samples) {
      out += "      " + s.key;
      std::string sep = s.key.empty() ? "" : "  ";
      for (const auto& f : s.fields) {
        out += sep + f.column + " " + value(f.old_value) + " -> " + value(f.new_value);
        sep = "; ";
      }
      if (!s.rule.empty()) out += (s.key.empty() ? "" : "  [") + s.rule + (s.key.empty() ? "" : "]");
      out += "\n";
    }
    if (t.count > t.samples.size())
      out += "      ... and " + std::to_string(t.count - t.samples.size()) + " more (verify --json lists every key)\n";
    if (!t.covered_by.empty()) out += "      covered by: " + join(t.covered_by) + "\n";
    if (t.uncovered) out += "      needs: " + needs(t, v.notice_lead_days) + "\n";
  }
  if (!v.records_compared)
    out += "  records not compared: the column layout changed, so no value can be matched to its column\n";
  for (const auto& p : v.plan_problems) out += "  plan: " + p + "\n";
  if (!v.offending_keys.empty()) out += "  outside the blast radius: " + join(v.offending_keys, 20) + "\n";
  return out;
}

std::string render_verdict_json(const Verdict& v, const std::string& dataset, const std::string& from,
                                const std::string& to) {
  using ojson = nlohmann::ordered_json;
  ojson j;
  j["dataset"] = dataset;
  j["from"] = from.empty() ? ojson(nullptr) : ojson(from);
  j["to"] = to;
  j["outcome"] = outcome_id(v.outcome);
  j["changed_records"] = v.changed_records;
  j["records_compared"] = v.records_compared;
  ojson counts;
  for (Severity s : {Severity::routine, Severity::notice, Severity::breaking}) counts[to_string(s)] = 0;
  ojson rules = ojson::array();
  for (const auto& t : v.rules) {
    counts[to_string(t.severity())] = counts[to_string(t.severity())].get<std::uint64_t>() + t.count;
    ojson r;
    r["rule"] = t.id();
    r["severity"] = to_string(t.severity());
    r["about"] = rule_info(t.rule).per_record ? "records" : "candidate";
    r["count"] = t.count;
    r["uncovered"] = t.uncovered;
    r["covered_by"] = t.covered_by;
    if (!t.notes.empty()) r["notes"] = t.notes;
    r["keys"] = t.keys;
    if (!t.uncovered_keys.empty()) r["uncovered_keys"] = t.uncovered_keys;
    ojson samples = ojson::array();
    for (const auto& s : t.samples) {
      ojson sj;
      sj["key"] = s.key.empty() ? ojson(nullptr) : ojson(s.key);
      if (!s.rule.empty()) sj["note"] = s.rule;
      sj["fields"] = field_changes_json(s.fields);
      samples.push_back(std::move(sj));
    }
    r["samples"] = std::move(samples);
    if (t.uncovered) {
      r["needs"] = needs(t, v.notice_lead_days);
      if (rule_info(t.rule).covered_by != 0) {
        r["scope_needed"] = {{"columns", t.columns}, {"keys", t.uncovered_keys}};
        r["lead_days"] = v.notice_lead_days;
      }
    }
    rules.push_back(std::move(r));
  }
  j["counts"] = std::move(counts);
  j["rules"] = std::move(rules);
  if (!v.plan_id.empty())
    j["plan"] = {{"id", v.plan_id}, {"url", urls::plan(dataset, v.plan_id)}};
  j["plan_problems"] = v.plan_problems;
  j["offending_keys"] = v.offending_keys;
  return j.dump(2) + "\n";
}

Result<PublishedReport> read_published_report(std::string_view json_text, const std::string& source) {
  const auto j = nlohmann::json::parse(json_text, nullptr, false);
  auto counts = j.is_object() ? j.find("counts") : j.end();
  if (!j.is_object() || counts == j.end() || !counts->is_object())
    return Status::invalid_input(source + ": not a gate report (no \"counts\")");
  // The report was written by render_verdict_json of some version of gazette: fields a version
  // did not write read as empty, never as an error.
  auto text = [](const nlohmann::json& o, const char* name) {
    auto it = o.find(name);
    return it != o.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  auto number = [](const nlohmann::json& o, const char* name) -> std::uint64_t {
    auto it = o.find(name);
    return it != o.end() && it->is_number_unsigned() ? it->get<std::uint64_t>() : 0;
  };
  auto strings = [&](const nlohmann::json& o, const char* name) {
    std::vector<std::string> out;
    auto it = o.find(name);
    if (it != o.end() && it->is_array())
      for (const auto& v : *it)
        if (v.is_string()) out.push_back(v.get<std::string>());
    return out;
  };
  PublishedReport report;
  report.routine = number(*counts, to_string(Severity::routine));
  report.notice = number(*counts, to_string(Severity::notice));
  report.breaking = number(*counts, to_string(Severity::breaking));
  report.outcome = text(j, "outcome");
  report.changed_records = number(j, "changed_records");
  if (auto plan = j.find("plan"); plan != j.end() && plan->is_object()) report.plan = text(*plan, "id");
  auto rules = j.find("rules");
  if (rules == j.end() || !rules->is_array()) return report;
  for (const auto& r : *rules) {
    if (!r.is_object()) continue;
    PublishedReport::RuleFindings f;
    f.rule = text(r, "rule");
    f.severity = text(r, "severity");
    f.about = text(r, "about");
    f.count = number(r, "count");
    f.uncovered = number(r, "uncovered");
    if (auto keys = r.find("keys"); keys != r.end() && keys->is_array()) f.keys = keys->size();
    f.covered_by = strings(r, "covered_by");
    f.notes = strings(r, "notes");
    if (auto samples = r.find("samples"); samples != r.end() && samples->is_array()) {
      for (const auto& s : *samples) {
        if (!s.is_object()) continue;
        Change c;
        c.key = text(s, "key");
        c.rule = text(s, "note");
        if (auto fields = s.find("fields"); fields != s.end() && fields->is_array())
          for (const auto& fc : *fields)
            if (fc.is_object()) c.fields.push_back({text(fc, "column"), text(fc, "old"), text(fc, "new")});
        f.samples.push_back(std::move(c));
      }
    }
    report.rules.push_back(std::move(f));
  }
  return report;
}

}  // namespace gazette
