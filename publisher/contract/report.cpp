#include <nlohmann/json.hpp>

#include "publisher/contract/contract.hpp"

namespace gazette {

namespace {

const char* outcome_text(Outcome o) {
  switch (o) {
    case Outcome::publishable: return "publishable";
    case Outcome::notice_required: return "needs a notice";
    case Outcome::refused: return "refused";
  }
  return "refused";
}

const char* needed(const RuleTally& t) {
  if (t.rule == "key-vanished-without-tombstone") return "a removal or deprecation notice scoped to these keys (or retire them through the lifecycle column instead)";
  if (t.rule == "systematic-shift" || t.rule == "systematic-time-shift") return "a plan that declares the definition change (a backfill), or a new dataset";
  if (t.rule == "definition-changed") return "a plan that declares the definition change, or a meaning-change notice scoped to its columns";
  if (t.severity == Severity::breaking) return "nothing: a breaking change is refused; publish a new dataset (new key space) and deprecate this one";
  return "a notice (meaning-change or restatement) whose scope names these columns, keys or records";
}

std::string value(const std::string& v) { return v.empty() ? "null" : "'" + v + "'"; }

}  // namespace

std::string render_verdict_text(const Verdict& v, const std::string& dataset, const std::string& from,
                                const std::string& to) {
  std::string out = "verify " + dataset + ": " + (from.empty() ? "(nothing)" : from) + " -> " + to +
                    ": " + outcome_text(v.outcome) + " (exit " + std::to_string(v.exit_code()) + ")\n";
  for (const auto& t : v.rules) {
    char line[256];
    std::snprintf(line, sizeof line, "  %-9s %-32s %8llu", to_string(t.severity), t.rule.c_str(),
                  static_cast<unsigned long long>(t.count));
    out += line;
    if (t.severity != Severity::routine) {
      out += t.uncovered ? "  (" + std::to_string(t.uncovered) + " not covered)" : std::string("  (covered)");
    }
    out += "\n";
    if (t.severity == Severity::routine) continue;
    for (const auto& s : t.samples) {
      out += "      " + (s.key.empty() ? std::string("") : s.key);
      if (!s.rule.empty()) out += (s.key.empty() ? "" : ": ") + s.rule;
      std::string sep = s.key.empty() ? "" : "  ";
      for (const auto& f : s.fields) {
        out += sep + f.column + " " + value(f.old_value) + " -> " + value(f.new_value);
        sep = "; ";
      }
      out += "\n";
    }
    if (!t.covered_by.empty()) {
      out += "      covered by:";
      for (const auto& c : t.covered_by) out += " " + c;
      out += "\n";
    }
    if (t.uncovered) out += "      needs: " + std::string(needed(t)) + "\n";
  }
  if (!v.records_compared)
    out += "  records not compared: the column layout changed, so no value can be matched to its column\n";
  for (const auto& p : v.plan_problems) out += "  plan: " + p + "\n";
  if (!v.offending_keys.empty()) {
    out += "  outside the blast radius:";
    for (std::size_t i = 0; i < v.offending_keys.size() && i < 20; ++i) out += " " + v.offending_keys[i];
    if (v.offending_keys.size() > 20) out += " ...";
    out += "\n";
  }
  return out;
}

std::string render_verdict_json(const Verdict& v, const std::string& dataset, const std::string& from,
                                const std::string& to) {
  using ojson = nlohmann::ordered_json;
  ojson j;
  j["dataset"] = dataset;
  j["from"] = from.empty() ? ojson(nullptr) : ojson(from);
  j["to"] = to;
  j["outcome"] = v.outcome == Outcome::publishable ? "publishable"
                 : v.outcome == Outcome::notice_required ? "notice-required"
                                                         : "refused";
  j["exit_code"] = v.exit_code();
  j["changed_records"] = v.changed_records;
  j["records_compared"] = v.records_compared;
  ojson counts;
  for (Severity s : {Severity::routine, Severity::notice, Severity::breaking}) counts[to_string(s)] = 0;
  ojson rules = ojson::array();
  for (const auto& t : v.rules) {
    counts[to_string(t.severity)] = counts[to_string(t.severity)].get<std::uint64_t>() + t.count;
    ojson r;
    r["rule"] = t.rule;
    r["severity"] = to_string(t.severity);
    r["count"] = t.count;
    r["uncovered"] = t.uncovered;
    r["covered_by"] = t.covered_by;
    ojson samples = ojson::array();
    for (const auto& s : t.samples) {
      ojson sj;
      sj["key"] = s.key.empty() ? ojson(nullptr) : ojson(s.key);
      if (!s.rule.empty()) sj["note"] = s.rule;
      ojson fields = ojson::array();
      for (const auto& f : s.fields)
        fields.push_back({{"column", f.column},
                          {"old", f.old_value.empty() ? ojson(nullptr) : ojson(f.old_value)},
                          {"new", f.new_value.empty() ? ojson(nullptr) : ojson(f.new_value)}});
      sj["fields"] = std::move(fields);
      samples.push_back(std::move(sj));
    }
    r["samples"] = std::move(samples);
    if (t.uncovered) r["needs"] = needed(t);
    rules.push_back(std::move(r));
  }
  j["counts"] = std::move(counts);
  j["rules"] = std::move(rules);
  j["plan_problems"] = v.plan_problems;
  j["offending_keys"] = v.offending_keys;
  return j.dump(2) + "\n";
}

}  // namespace gazette
