#include <nlohmann/json.hpp>

#include "publisher/contract/field_changes_json.hpp"
#include "publisher/render/render.hpp"

namespace gazette {

namespace {
using ojson = nlohmann::ordered_json;

ojson value_or_null(const std::string& v) { return v.empty() ? ojson(nullptr) : ojson(v); }
}  // namespace

std::string changeset_json_head(const Changeset& cs) {
  ojson j;
  j["dataset"] = cs.dataset;
  j["from"] = value_or_null(cs.from);
  j["to"] = cs.to;
  ojson summary;
  summary["added"] = cs.summary.added;
  summary["removed"] = cs.summary.removed;
  summary["retired"] = cs.summary.retired;
  summary["modified"] = cs.summary.modified;
  j["summary"] = std::move(summary);
  std::string out = j.dump();
  out.pop_back();  // the object's '}': "changes" follows
  return out + ",\"changes\":[";
}

std::string change_json(const Change& ch) {
  ojson c;
  c["key"] = ch.key;
  c["kind"] = to_string(ch.kind);
  c["fields"] = field_changes_json(ch.fields);
  c["rule"] = ch.rule;
  c["severity"] = to_string(ch.severity);
  return c.dump();
}

std::string changeset_json_tail(const std::string& next_cursor) {
  std::string out = "]";
  if (!next_cursor.empty()) out += ",\"next_cursor\":" + ojson(next_cursor).dump();
  return out + "}\n";
}

std::string render_changeset_json(const Changeset& cs, std::size_t begin, std::size_t end,
                                  const std::string& next_cursor) {
  std::string out = changeset_json_head(cs);
  end = std::min(end, cs.changes.size());
  for (std::size_t i = begin; i < end; ++i) {
    if (i > begin) out += ',';
    out += change_json(cs.changes[i]);
  }
  return out + changeset_json_tail(next_cursor);
}

std::string render_changeset_csv(const Changeset& cs, std::size_t begin, std::size_t end) {
  std::string out = "key,kind,column,old,new\r\n";
  end = std::min(end, cs.changes.size());
  auto row = [&](const Change& ch, const FieldChange* f) {
    append_csv_field(out, ch.key);
    out += ',';
    out += to_string(ch.kind);
    out += ',';
    if (f) {
      append_csv_field(out, f->column);
      out += ',';
      append_csv_field(out, f->old_value);
      out += ',';
      append_csv_field(out, f->new_value);
    } else {
      out += ",,";
    }
    out += "\r\n";
  };
  for (std::size_t i = begin; i < end; ++i) {
    const Change& ch = cs.changes[i];
    if (ch.fields.empty()) row(ch, nullptr);  // a removed key: one row, no columns
    for (const auto& f : ch.fields) row(ch, &f);
  }
  return out;
}

Result<Changeset> parse_changeset_json(std::string_view text) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return Status::corruption("changeset JSON unreadable");
  Changeset cs;
  auto str = [](const nlohmann::json& v) { return v.is_string() ? v.get<std::string>() : std::string(); };
  cs.dataset = str(j["dataset"]);
  cs.from = str(j["from"]);
  cs.to = str(j["to"]);
  cs.summary.added = j["summary"].value("added", 0ull);
  cs.summary.removed = j["summary"].value("removed", 0ull);
  cs.summary.retired = j["summary"].value("retired", 0ull);
  cs.summary.modified = j["summary"].value("modified", 0ull);
  for (const auto& c : j["changes"]) {
    Change ch;
    ch.key = str(c["key"]);
    const std::string kind = str(c["kind"]);
    ch.kind = kind == "added" ? ChangeKind::added
              : kind == "removed" ? ChangeKind::removed
              : kind == "retired" ? ChangeKind::retired
                                  : ChangeKind::modified;
    for (const auto& f : c["fields"]) ch.fields.push_back({str(f["column"]), str(f["old"]), str(f["new"])});
    ch.rule = str(c["rule"]);
    ch.severity = severity_from_string(str(c["severity"]));
    cs.changes.push_back(std::move(ch));
  }
  return cs;
}

}  // namespace gazette
