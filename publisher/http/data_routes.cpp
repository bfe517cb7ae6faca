#include "publisher/http/data_routes.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "publisher/common/ids.hpp"
#include "publisher/common/sha256.hpp"
#include "publisher/contract/field_changes_json.hpp"
#include "publisher/http/handler.hpp"
#include "publisher/render/render.hpp"
#include "publisher/site/html.hpp"
#include "publisher/urls/urls.hpp"

namespace gazette::http {

namespace {

using ojson = nlohmann::ordered_json;

constexpr std::size_t kDefaultLimit = 1000;
constexpr std::size_t kMaxLimit = 10000;

const site::ServedRelease* find_release(const site::ServedDataset& ds, const std::string& text,
                                  std::string& error) {
  auto id = ReleaseId::parse(text);
  if (!id.ok()) {
    error = id.status().message();
    return nullptr;
  }
  const site::ServedRelease* r = ds.release(id->str());
  if (r == nullptr) error = "no release '" + id->str() + "' of " + ds.info.id;
  return r;
}

const site::ServedRelease* parent_of(const site::ServedDataset& ds, const site::ServedRelease& r) {
  return r.release.parent.empty() ? nullptr : ds.release(r.release.parent);
}

ojson record_object(const Contract& c, std::string_view body) {
  std::vector<std::string_view> fields;
  decode_record(body, fields);
  ojson o = ojson::object();
  for (std::size_t i = 0; i < c.columns.size(); ++i) {
    std::string_view v = i < fields.size() ? fields[i] : std::string_view();
    o[c.columns[i].name] = v.empty() ? ojson(nullptr) : ojson(std::string(v));
  }
  return o;
}

}  // namespace

namespace {

// Not a secret: a check that the cursor is one this server wrote for this changeset.
std::string cursor_check(const std::string& key, const std::string& between) {
  return to_hex(sha256("cursor\n" + between + "\n" + key)).substr(0, 8);
}

// A record's every version as JSON: when, what changed and how the gate labelled it, its values.
std::string history_json(const site::ServedDataset& ds, const std::string& key, const std::vector<RecordEvent>& history) {
  ojson versions = ojson::array();
  for (const auto& e : history) {
    ojson v;
    v["release"] = e.release.id;
    v["published_at"] = format_rfc3339(e.release.published_at);
    v["kind"] = to_string(e.release.kind);
    v["owner"] = e.release.owner;
    v["change"] = to_string(e.change);
    if (e.revived) v["revived"] = true;
    if (!e.rule.empty()) {
      v["rule"] = e.rule;
      v["severity"] = e.severity;
    }
    v["fields"] = field_changes_json(e.fields);
    v["record"] = e.change == ChangeKind::removed ? ojson(nullptr) : record_object(*ds.contract, e.body);
    versions.push_back(std::move(v));
  }
  ojson j;
  j["dataset"] = ds.info.id;
  j["key"] = key;
  j["versions"] = std::move(versions);
  return j.dump(2, ' ', false, ojson::error_handler_t::replace) + "\n";
}

}  // namespace

std::string encode_cursor(const std::string& key, const std::string& between) {
  std::string out(4 * ((key.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(key.data()), static_cast<int>(key.size()));
  out.resize(static_cast<std::size_t>(n));
  for (auto& c : out) c = c == '+' ? '-' : c == '/' ? '_' : c;
  while (!out.empty() && out.back() == '=') out.pop_back();
  return out + "." + cursor_check(key, between);
}

Result<std::string> decode_cursor(const std::string& cursor, const std::string& between) {
  const std::size_t dot = cursor.rfind('.');
  if (dot == std::string::npos) return Status::invalid_input("malformed cursor");
  std::string b64 = cursor.substr(0, dot);
  for (auto& c : b64) {
    if (c == '-') c = '+';
    else if (c == '_') c = '/';
    else if (!std::isalnum(static_cast<unsigned char>(c))) return Status::invalid_input("malformed cursor");
  }
  while (b64.size() % 4) b64.push_back('=');
  std::string out(b64.size() / 4 * 3 + 1, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(b64.data()), static_cast<int>(b64.size()));
  if (n < 0 || b64.empty()) return Status::invalid_input("malformed cursor");
  std::size_t pad = 0;
  for (auto it = b64.rbegin(); it != b64.rend() && *it == '='; ++it) ++pad;
  out.resize(static_cast<std::size_t>(n) - pad);
  if (cursor.compare(dot + 1, std::string::npos, cursor_check(out, between)) != 0)
    return Status::invalid_input("this cursor was not given for this changeset: start again without one");
  return out;
}

Response serve_changes(const Request& req, const Route& route, const site::ServedDataset& ds,
                       Queries& queries) {
  std::string error;
  // `to` defaults to the newest release and `from` to the parent of `to`.
  const site::ServedRelease* to = nullptr;
  auto to_it = route.query.find("to");
  if (to_it != route.query.end()) {
    to = find_release(ds, to_it->second, error);
    if (to == nullptr) return problem(error.rfind("no release", 0) == 0 ? 404 : 400, error, req.target);
  } else {
    to = ds.newest();
    if (to == nullptr) return problem(404, ds.info.id + " has no release yet", req.target);
  }
  const site::ServedRelease* from = nullptr;
  auto from_it = route.query.find("from");
  if (from_it != route.query.end() && !from_it->second.empty()) {
    from = find_release(ds, from_it->second, error);
    if (from == nullptr) return problem(error.rfind("no release", 0) == 0 ? 404 : 400, error, req.target);
  } else if (from_it == route.query.end()) {
    from = parent_of(ds, *to);
  }
  std::size_t limit = kDefaultLimit;
  if (auto it = route.query.find("limit"); it != route.query.end()) {
    const std::string& l = it->second;
    if (l.empty() || l.size() > 6 || l.find_first_not_of("0123456789") != std::string::npos ||
        std::stoul(l) == 0)
      return problem(400, "limit must be a positive integer", req.target);
    limit = std::min<std::size_t>(std::stoul(l), kMaxLimit);
  }
  std::string format = "json";
  const bool format_given = route.query.count("format") > 0;
  if (auto it = route.query.find("format"); it != route.query.end()) format = it->second;
  if (format != "json" && format != "csv")
    return problem(400, "format must be json or csv", req.target);

  // Filters (a person's page offers them; programs may use them too). The summary stays whole.
  std::string kind_filter, severity_filter;
  if (auto it = route.query.find("kind"); it != route.query.end()) kind_filter = it->second;
  if (auto it = route.query.find("severity"); it != route.query.end()) severity_filter = it->second;
  if (!kind_filter.empty() && kind_filter != "added" && kind_filter != "removed" && kind_filter != "retired" &&
      kind_filter != "modified")
    return problem(400, "kind must be added, removed, retired or modified", req.target);
  if (!severity_filter.empty() && severity_filter != "routine" && severity_filter != "notice" &&
      severity_filter != "breaking")
    return problem(400, "severity must be routine, notice or breaking", req.target);
  auto matches = [&](const Change& c) {
    return (kind_filter.empty() || kind_filter == to_string(c.kind)) &&
           (severity_filter.empty() || (!c.rule.empty() && severity_filter == to_string(c.severity)));
  };

  // A subset: an area of the partition, values of code columns. Its own changeset.
  RecordFilter filter;
  {
    auto area = route.query.find("area");
    auto where = route.query.find("where");
    auto parsed = parse_record_filter(*ds.contract, area == route.query.end() ? "" : area->second,
                                      where == route.query.end() ? "" : where->second);
    if (!parsed.ok()) return problem(400, parsed.status().message(), req.target);
    filter = std::move(*parsed);
  }
  const std::string filter_query = filter.query(*ds.contract);

  std::string after;
  // A cursor is good for one changeset: of these releases, and of this subset.
  const std::string between = (from ? from->release.id : "") + ".." + to->release.id + filter_query;
  if (auto it = route.query.find("cursor"); it != route.query.end()) {
    auto decoded = decode_cursor(it->second, between);
    if (!decoded.ok()) return problem(400, decoded.status().message(), req.target);
    after = std::move(*decoded);
  }
  // Only pages are read: memory follows `limit`, not the changeset. With a filter, pages are
  // read until `limit` changes match or the changeset ends.
  Changeset cs;
  bool more = true;
  while (more && cs.changes.size() < limit) {
    auto page = queries.changeset_page(ds, from, *to, after, limit, &filter);
    if (!page.ok()) return problem(500, page.status().message(), req.target);
    if (cs.dataset.empty()) {
      cs.dataset = page->changeset.dataset;
      cs.from = page->changeset.from;
      cs.to = page->changeset.to;
      cs.summary = page->changeset.summary;
    }
    more = page->more;
    auto& changes = page->changeset.changes;
    bool full = false;
    for (std::size_t i = 0; i < changes.size(); ++i) {
      after = changes[i].key;
      if (matches(changes[i])) cs.changes.push_back(std::move(changes[i]));
      if (cs.changes.size() == limit) {
        more = more || i + 1 < changes.size();
        full = true;
        break;
      }
    }
    // A subset's page may leave out every key it read: go on after the last.
    if (!full) after = page->last_key;
    if (page->last_key.empty()) break;
  }
  const std::size_t begin = 0, end = cs.changes.size();
  const std::string next = more && !after.empty() ? encode_cursor(after, between) : "";
  // Between two named releases the answer never changes; with `to` defaulted it moves.
  const bool fixed = to_it != route.query.end() && from_it != route.query.end();
  const site::Caching cache = fixed ? site::Caching::immutable : site::Caching::short_lived;
  std::string next_url;
  if (!next.empty()) {
    next_url = urls::changes(ds.info.id, from ? from->release.id : "", to->release.id) +
               "&limit=" + std::to_string(limit) + "&cursor=" + next;
    if (!kind_filter.empty()) next_url += "&kind=" + kind_filter;
    if (!severity_filter.empty()) next_url += "&severity=" + severity_filter;
    next_url += filter_query;
  }
  Response r;
  const bool html = format_given ? false : wants_html(req);
  if (html) {
    site::ChangesPage page{from, to, kind_filter, severity_filter, limit, next_url, &cs};
    r = serve_document(req, site::render_changes_html(ds, page), site::kHtml, cache);
  } else if (format == "csv") {
    r = serve_document(req, render_changeset_csv(cs, begin, end), "text/csv; charset=utf-8; header=present", cache);
    if (!next_url.empty()) next_url += "&format=csv";
  } else {
    r = serve_document(req, render_changeset_json(cs, begin, end, next), "application/json", cache);
  }
  if (!format_given) r.add("Vary", "Accept");
  if (!next_url.empty()) r.set("Link", "<" + next_url + ">; rel=\"next\"");
  return r;
}

Response serve_record(const Request& req, const Route& route, const site::ServedDataset& ds,
                      Queries& queries) {
  const site::ServedRelease* at = ds.newest();
  bool pinned = false;
  if (auto it = route.query.find("release"); it != route.query.end()) {
    std::string error;
    at = find_release(ds, it->second, error);
    if (at == nullptr) return problem(error.rfind("no release", 0) == 0 ? 404 : 400, error, req.target);
    pinned = true;
  }
  if (at == nullptr) return problem(404, ds.info.id + " has no release yet", req.target);
  auto history = queries.history(ds.info.id, route.key, /*explain=*/false);  // only which version is current
  if (!history.ok()) return problem(500, history.status().message(), req.target);
  const RecordEvent* current = nullptr;
  for (const auto& e : *history)
    if (e.release.seq <= at->release.seq) current = &e;
  if (current == nullptr || current->change == ChangeKind::removed)
    return problem(404, "no record '" + route.key + "' in release " + at->release.id, req.target);
  return serve_negotiated(
      req, pinned ? site::Caching::immutable : site::Caching::short_lived,
      [&] {
        ojson j;
        j["dataset"] = ds.info.id;
        j["key"] = route.key;
        j["release"] = at->release.id;
        j["since"] = current->release.id;
        j["record"] = record_object(*ds.contract, current->body);
        j["history"] = urls::record_history(ds.info.id, route.key);
        return j.dump(2, ' ', false, ojson::error_handler_t::replace) + "\n";
      },
      [&] { return site::render_record_html(ds, route.key, *at, *current, pinned); });
}

Response serve_record_history(const Request& req, const Route& route, const site::ServedDataset& ds,
                              Queries& queries) {
  auto history = queries.history(ds.info.id, route.key);
  if (!history.ok()) return problem(500, history.status().message(), req.target);
  if (history->empty())
    return problem(404, "no record '" + route.key + "' in any release of " + ds.info.id, req.target);
  return serve_negotiated(
      req, site::Caching::short_lived, [&] { return history_json(ds, route.key, *history); },
      [&] { return site::render_history_html(ds, route.key, *history); });
}

}  // namespace gazette::http
