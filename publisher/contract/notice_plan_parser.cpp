// Method: nlohmann's non-throwing parse, then a walk that checks each member against
// schemas/notice.schema.json and schemas/plan.schema.json, naming the JSON path of a mistake.
#include <nlohmann/json.hpp>

#include "publisher/common/url.hpp"
#include "publisher/common/utf8.hpp"
#include "publisher/contract/contract.hpp"
#include "publisher/contract/json_location.hpp"

namespace gazette {

namespace {

using json = nlohmann::json;

Status fail(const std::string& source, const std::string& path, const std::string& what) {
  return Status::invalid_input(source + ": " + path + ": " + what);
}

bool valid_id(const std::string& id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_')) return false;
  return true;
}

// Notice and plan text reaches feeds, archive pages (immutable), HTML and terminals: it holds
// no control characters (a title is one line; text may have line breaks and tabs), no
// noncharacters, and stays a readable size.
Status check_text(const std::string& value, const std::string& source, const std::string& path, bool multiline) {
  constexpr std::size_t kMaxTitleBytes = 500, kMaxTextBytes = 20000;
  if (auto bad = find_unpublishable(value)) return fail(source, path, bad->describe() + " is not allowed");
  if (!multiline && value.find_first_of("\t\r\n") != std::string::npos)
    return fail(source, path, "must be one line");
  if (value.find('\r') != std::string::npos) return fail(source, path, "line breaks are LF, not CR");
  if (value.find('\x7f') != std::string::npos) return fail(source, path, "control character U+007F is not allowed");
  if (value.size() > (multiline ? kMaxTextBytes : kMaxTitleBytes))
    return fail(source, path, "is longer than " + std::to_string(multiline ? kMaxTextBytes : kMaxTitleBytes) + " bytes");
  return {};
}

Result<json> parse_object(std::string_view text, const std::string& source, const char* what) {
  json doc;
  try {
    doc = json::parse(text.begin(), text.end());
  } catch (const json::parse_error& e) {
    // nlohmann counts bytes; people count lines and columns.
    const std::size_t at = std::min<std::size_t>(e.byte == 0 ? 0 : e.byte - 1, text.size());
    return Status::invalid_input(source + ":" + line_col_of(text, at) + ": not valid JSON");
  }
  if (!doc.is_object()) return fail(source, "$", std::string("a ") + what + " is a JSON object");
  return doc;
}

Status strings(const json& j, const std::string& source, const std::string& path,
               std::vector<std::string>& out) {
  if (!j.is_array()) return fail(source, path, "must be an array of strings");
  for (const auto& v : j) {
    if (!v.is_string()) return fail(source, path, "must be an array of strings");
    GAZETTE_RETURN_IF_ERROR(check_text(v.get<std::string>(), source, path, false));
    out.push_back(v.get<std::string>());
  }
  return {};
}

Status string_member(const json& j, const char* name, const std::string& source, std::string& out,
                     bool required) {
  auto it = j.find(name);
  if (it == j.end()) return required ? fail(source, "$", std::string("missing \"") + name + "\"") : Status{};
  if (!it->is_string() || (required && it->get<std::string>().empty()))
    return fail(source, std::string("$.") + name, "must be a non-empty string");
  out = it->get<std::string>();
  return check_text(out, source, std::string("$.") + name, std::string_view(name) == "text" || std::string_view(name) == "intent");
}

// `contract` null: the columns named are not checked (a published notice or plan).
Status parse_scope(const json& j, const std::string& source, const std::string& path,
                   const Contract* contract, Scope& scope,
                   std::initializer_list<const char*> allowed) {
  if (!j.is_object()) return fail(source, path, "must be an object");
  for (auto it = j.begin(); it != j.end(); ++it) {
    bool known = false;
    for (const char* a : allowed) known = known || it.key() == a;
    if (!known) return fail(source, path, "unknown property \"" + it.key() + "\"");
  }
  if (auto c = j.find("columns"); c != j.end()) {
    GAZETTE_RETURN_IF_ERROR(strings(*c, source, path + ".columns", scope.columns));
    for (const auto& col : scope.columns)
      if (contract != nullptr && contract->column_index(col) == static_cast<std::size_t>(-1))
        return fail(source, path + ".columns", "'" + col + "' is not a column of " + contract->dataset_id);
  }
  if (auto k = j.find("keys"); k != j.end()) GAZETTE_RETURN_IF_ERROR(strings(*k, source, path + ".keys", scope.keys));
  if (auto w = j.find("where"); w != j.end()) {
    if (!w->is_object()) return fail(source, path + ".where", "must map columns to lists of values");
    for (auto it = w->begin(); it != w->end(); ++it) {
      if (contract != nullptr && contract->column_index(it.key()) == static_cast<std::size_t>(-1))
        return fail(source, path + ".where." + it.key(), "is not a column of " + contract->dataset_id);
      GAZETTE_RETURN_IF_ERROR(strings(*it, source, path + ".where." + it.key(), scope.where[it.key()]));
    }
  }
  return {};
}

Result<Notice> read_notice(std::string_view text, const std::string& source, const Contract* contract) {
  auto doc = parse_object(text, source, "notice");
  if (!doc.ok()) return doc.status();
  const json& j = *doc;
  for (auto it = j.begin(); it != j.end(); ++it) {
    static const char* kAllowed[] = {"id", "kind", "title", "text", "scope", "effective_at", "link"};
    if (std::find(std::begin(kAllowed), std::end(kAllowed), it.key()) == std::end(kAllowed))
      return fail(source, "$", "unknown property \"" + it.key() + "\"");
  }
  Notice n;
  GAZETTE_RETURN_IF_ERROR(string_member(j, "id", source, n.id, true));
  if (!valid_id(n.id)) return fail(source, "$.id", "'" + n.id + "' is not an id (a-z, 0-9, '-', '.', '_')");
  std::string kind;
  GAZETTE_RETURN_IF_ERROR(string_member(j, "kind", source, kind, true));
  if (kind == "deprecation") n.kind = NoticeKind::deprecation;
  else if (kind == "meaning-change") n.kind = NoticeKind::meaning_change;
  else if (kind == "removal") n.kind = NoticeKind::removal;
  else if (kind == "restatement") n.kind = NoticeKind::restatement;
  else return fail(source, "$.kind", "'" + kind + "' is not one of deprecation, meaning-change, removal, restatement");
  GAZETTE_RETURN_IF_ERROR(string_member(j, "title", source, n.title, true));
  GAZETTE_RETURN_IF_ERROR(string_member(j, "text", source, n.text, true));
  GAZETTE_RETURN_IF_ERROR(string_member(j, "link", source, n.link, false));
  // Feeds and pages make the link clickable: only a web address, never javascript: or data:.
  if (!n.link.empty())
    if (auto url = parse_url(n.link); !url.ok()) return fail(source, "$.link", url.status().message());
  auto scope = j.find("scope");
  if (scope == j.end()) return fail(source, "$", "missing \"scope\"");
  GAZETTE_RETURN_IF_ERROR(parse_scope(*scope, source, "$.scope", contract, n.scope, {"columns", "keys", "where"}));
  if (n.scope.empty()) return fail(source, "$.scope", "names no columns, keys or records");
  if (auto e = j.find("effective_at"); e != j.end()) {
    if (!e->is_string()) return fail(source, "$.effective_at", "must be an ISO 8601 instant");
    auto t = parse_instant(e->get<std::string>());
    if (!t.ok()) return fail(source, "$.effective_at", t.status().message());
    n.effective_at = *t;
  }
  n.json = j.dump();
  return n;
}

Result<Plan> read_plan(std::string_view text, const std::string& source, const Contract* contract) {
  auto doc = parse_object(text, source, "plan");
  if (!doc.ok()) return doc.status();
  const json& j = *doc;
  for (auto it = j.begin(); it != j.end(); ++it) {
    static const char* kAllowed[] = {"id", "owner", "reviewed_by", "intent", "definitions", "blast_radius"};
    if (std::find(std::begin(kAllowed), std::end(kAllowed), it.key()) == std::end(kAllowed))
      return fail(source, "$", "unknown property \"" + it.key() + "\"");
  }
  Plan p;
  GAZETTE_RETURN_IF_ERROR(string_member(j, "id", source, p.id, true));
  if (!valid_id(p.id)) return fail(source, "$.id", "'" + p.id + "' is not an id (a-z, 0-9, '-', '.', '_')");
  GAZETTE_RETURN_IF_ERROR(string_member(j, "owner", source, p.owner, true));
  GAZETTE_RETURN_IF_ERROR(string_member(j, "intent", source, p.intent, true));
  auto reviewers = j.find("reviewed_by");
  if (reviewers == j.end()) return fail(source, "$", "missing \"reviewed_by\"");
  GAZETTE_RETURN_IF_ERROR(strings(*reviewers, source, "$.reviewed_by", p.reviewed_by));
  if (auto defs = j.find("definitions"); defs != j.end()) {
    if (!defs->is_array()) return fail(source, "$.definitions", "must be an array");
    for (std::size_t i = 0; i < defs->size(); ++i) {
      const json& d = (*defs)[i];
      const std::string path = "$.definitions[" + std::to_string(i) + "]";
      if (!d.is_object() || !d.contains("name") || !d["name"].is_string() || !d.contains("from") ||
          !d["from"].is_number_integer() || !d.contains("to") || !d["to"].is_number_integer())
        return fail(source, path, "needs \"name\", \"from\" and \"to\"");
      if (d.contains("text") && !d["text"].is_string()) return fail(source, path + ".text", "must be a string");
      DefinitionChange dc{d["name"].get<std::string>(), d["from"].get<int>(), d["to"].get<int>(),
                          d.value("text", "")};
      GAZETTE_RETURN_IF_ERROR(check_text(dc.text, source, path + ".text", true));
      bool known = contract == nullptr;
      if (contract != nullptr)
        for (const auto& def : contract->definitions) known = known || def.name == dc.name;
      if (!known) return fail(source, path + ".name", "'" + dc.name + "' is not a definition of " + contract->dataset_id);
      if (dc.to <= dc.from) return fail(source, path, "\"to\" must be a later version than \"from\"");
      p.definitions.push_back(std::move(dc));
    }
  }
  auto radius = j.find("blast_radius");
  if (radius == j.end()) return fail(source, "$", "missing \"blast_radius\"");
  GAZETTE_RETURN_IF_ERROR(parse_scope(*radius, source, "$.blast_radius", contract, p.blast_radius,
                                      {"columns", "where", "max_records"}));
  auto max = radius->find("max_records");
  if (max == radius->end() || !max->is_number_integer() || max->get<long long>() < 1)
    return fail(source, "$.blast_radius.max_records", "must be a positive integer");
  p.max_records = max->get<std::uint64_t>();
  p.json = j.dump();
  return p;
}

}  // namespace

namespace {
// A mistake named by its JSON path is shown at its line and column too.
template <class T>
Result<T> located(Result<T> r, std::string_view text, const std::string& source) {
  if (!r.ok()) return with_json_location(r.status(), text, source);
  return r;
}
}  // namespace

Result<Notice> parse_notice(std::string_view text, const std::string& source, const Contract& contract) {
  return located(read_notice(text, source, &contract), text, source);
}

Result<Plan> parse_plan(std::string_view text, const std::string& source, const Contract& contract) {
  return located(read_plan(text, source, &contract), text, source);
}

Result<Notice> read_published_notice(std::string_view text, const std::string& source) {
  return located(read_notice(text, source, nullptr), text, source);
}

Result<Plan> read_published_plan(std::string_view text, const std::string& source) {
  return located(read_plan(text, source, nullptr), text, source);
}

}  // namespace gazette
