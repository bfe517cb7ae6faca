#include "publisher/http/router.hpp"

#include "publisher/model/contract.hpp"

#include <vector>

#include "publisher/common/ids.hpp"
#include "publisher/common/url.hpp"

namespace gazette::http {

const char* to_string(RouteKind k) {
  switch (k) {
    case RouteKind::index: return "index";
    case RouteKind::healthz: return "healthz";
    case RouteKind::metrics: return "metrics";
    case RouteKind::datasets: return "datasets";
    case RouteKind::dataset: return "dataset";
    case RouteKind::releases: return "releases";
    case RouteKind::manifest: return "manifest";
    case RouteKind::artefact: return "artefact";
    case RouteKind::latest: return "latest";
    case RouteKind::as_of: return "as_of";
    case RouteKind::contract: return "contract";
    case RouteKind::changes: return "changes";
    case RouteKind::record: return "record";
    case RouteKind::record_history: return "record_history";
    case RouteKind::release: return "release";
    case RouteKind::report: return "report";
    case RouteKind::notices: return "notices";
    case RouteKind::notice: return "notice";
    case RouteKind::plan: return "plan";
    case RouteKind::feed: return "feed";
    case RouteKind::feed_archive: return "feed_archive";
    case RouteKind::websub: return "websub";
    case RouteKind::manifest_signature: return "manifest_signature";
    case RouteKind::releases_signature: return "releases_signature";
    case RouteKind::area_index: return "area_index";
    case RouteKind::area_signature: return "area_signature";
    case RouteKind::area_page: return "area_page";
    case RouteKind::area_artefact: return "area_artefact";
    case RouteKind::area_feed: return "area_feed";
    case RouteKind::area_feed_archive: return "area_feed_archive";
    case RouteKind::changes_file: return "changes_file";
    case RouteKind::changes_signature: return "changes_signature";
    case RouteKind::versioned_latest: return "versioned_latest";
    case RouteKind::keys: return "keys";
    case RouteKind::key_file: return "key_file";
    case RouteKind::key_endorsement: return "key_endorsement";
    case RouteKind::not_found: return "not_found";
  }
  return "not_found";
}

Result<Route> match_route(std::string_view target) {
  if (target.empty() || target[0] != '/')
    return Status::invalid_input("the request target must be an absolute path");
  std::size_t qpos = target.find('?');
  std::string_view path = target.substr(0, qpos);
  Route r;
  if (qpos != std::string_view::npos) {
    auto pairs = form_decode(target.substr(qpos + 1));
    if (!pairs.ok()) return pairs.status();
    for (auto& [k, v] : *pairs) r.query.emplace(std::move(k), std::move(v));  // the first of repeated keys
  }

  // Split and decode; refuse anything that names a parent, the current folder, or smuggles a
  // separator inside a segment.
  std::vector<std::string> seg;
  std::size_t start = 1;
  while (start <= path.size()) {
    std::size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) slash = path.size();
    std::string_view raw = path.substr(start, slash - start);
    auto decoded = percent_decode(raw);
    if (!decoded.ok()) return decoded.status();
    if (*decoded == ".." || *decoded == "." ||
        decoded->find_first_of(std::string_view("/\\\0", 3)) != std::string::npos)
      return Status::invalid_input("path segment '" + std::string(raw) + "' is refused");
    if (!decoded->empty() || slash != path.size()) seg.push_back(std::move(*decoded));
    start = slash + 1;
  }
  // Tolerate one trailing slash ("/datasets/").
  if (!seg.empty() && seg.back().empty()) seg.pop_back();
  for (const auto& s : seg)
    if (s.empty()) return r;  // "//" inside a path names nothing

  const std::size_t n = seg.size();
  if (n == 0) {
    r.kind = RouteKind::index;
    return r;
  }
  if (n == 1) {
    if (seg[0] == "healthz") r.kind = RouteKind::healthz;
    else if (seg[0] == "metrics") r.kind = RouteKind::metrics;
    else if (seg[0] == "datasets") r.kind = RouteKind::datasets;
    else if (seg[0] == "websub") r.kind = RouteKind::websub;
    else if (seg[0] == "keys") r.kind = RouteKind::keys;
    return r;
  }
  if (n == 2 && seg[0] == "keys") {
    // /keys/{id}.pub and /keys/{id}.pub.minisig: an id as minisign prints it.
    std::string_view file = seg[1];
    const bool endorsement = file.ends_with(".pub.minisig");
    if (endorsement) file.remove_suffix(std::string_view(".minisig").size());
    if (!file.ends_with(".pub")) return r;
    file.remove_suffix(4);
    if (file.size() != 16 || file.find_first_not_of("0123456789ABCDEF") != std::string_view::npos) return r;
    r.key_id = std::string(file);
    r.kind = endorsement ? RouteKind::key_endorsement : RouteKind::key_file;
    return r;
  }
  if (seg[0] == "feeds") {
    // /feeds/{ds}.{atom,json} and /feeds/{ds}/archive/{page}.{atom,json}
    auto split_ext = [&](const std::string& file, std::string& stem) {
      for (const char* ext : {"atom", "json"}) {
        const std::string suffix = std::string(".") + ext;
        if (file.size() > suffix.size() && file.ends_with(suffix)) {
          stem = file.substr(0, file.size() - suffix.size());
          r.extension = ext;
          return true;
        }
      }
      return false;
    };
    std::string stem;
    if (n == 2 && split_ext(seg[1], stem)) {
      auto ds = DatasetId::parse(stem);
      if (!ds.ok()) return r;
      r.dataset = ds->str();
      r.kind = RouteKind::feed;
    } else if (n == 4 && seg[2] == "areas" && split_ext(seg[3], stem)) {
      auto ds = DatasetId::parse(seg[1]);
      if (!ds.ok() || !is_area_code_text(stem)) return r;
      r.dataset = ds->str();
      r.area = stem;
      r.kind = RouteKind::area_feed;
    } else if (n == 6 && seg[2] == "areas" && seg[4] == "archive" && split_ext(seg[5], stem)) {
      auto ds = DatasetId::parse(seg[1]);
      if (!ds.ok() || !is_area_code_text(seg[3]) || stem.empty() || stem.size() > 9 || stem[0] == '0' ||
          stem.find_first_not_of("0123456789") != std::string::npos)
        return r;
      r.dataset = ds->str();
      r.area = seg[3];
      r.page = std::stoul(stem);
      r.kind = RouteKind::area_feed_archive;
    } else if (n == 4 && seg[2] == "archive" && split_ext(seg[3], stem)) {
      auto ds = DatasetId::parse(seg[1]);
      if (!ds.ok() || stem.empty() || stem.size() > 9 || stem[0] == '0' ||
          stem.find_first_not_of("0123456789") != std::string::npos)
        return r;
      r.dataset = ds->str();
      r.page = std::stoul(stem);
      r.kind = RouteKind::feed_archive;
    }
    return r;
  }
  auto notice_id = [](const std::string& id) {
    bool ok = !id.empty() && id.size() <= 64;
    for (char c : id) ok = ok && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_');
    return ok;
  };
  if (n == 2 && seg[0] == "notices") {
    if (notice_id(seg[1])) {
      r.kind = RouteKind::notice;
      r.notice = seg[1];
    }
    return r;
  }
  if (seg[0] != "datasets") return r;
  auto ds = DatasetId::parse(seg[1]);
  if (!ds.ok()) return r;
  r.dataset = ds->str();
  if (n == 2) {
    r.kind = RouteKind::dataset;
    return r;
  }
  if (n == 3 && seg[2] == "releases") r.kind = RouteKind::releases;
  else if (n == 3 && seg[2] == "releases.minisig") r.kind = RouteKind::releases_signature;
  else if (n == 4 && seg[2] == "changes") {
    // {from}..{to}.json, and its .minisig: two release ids.
    std::string_view file = seg[3];
    const bool signature = file.ends_with(".json.minisig");
    if (signature) file.remove_suffix(std::string_view(".minisig").size());
    if (!file.ends_with(".json")) return r;
    file.remove_suffix(5);
    const std::size_t dots = file.find("..");
    if (dots == std::string_view::npos) return r;
    auto from = ReleaseId::parse(file.substr(0, dots));
    auto to = ReleaseId::parse(file.substr(dots + 2));
    if (!from.ok() || !to.ok()) return r;
    r.from = from->str();
    r.release = to->str();
    r.kind = signature ? RouteKind::changes_signature : RouteKind::changes_file;
  }
  else if (n == 6 && seg[2] == "v" && seg[4] == "latest") {
    const std::string& major = seg[3];
    if (major.empty() || major.size() > 6 || major[0] == '0' || major.find_first_not_of("0123456789") != std::string::npos)
      return r;
    r.major = std::stoi(major);
    r.file = seg[5];
    r.kind = RouteKind::versioned_latest;
  }
  else if (n == 3 && seg[2] == "contract") r.kind = RouteKind::contract;
  else if (n == 3 && seg[2] == "changes") r.kind = RouteKind::changes;
  else if (n == 3 && seg[2] == "notices") r.kind = RouteKind::notices;
  else if (n == 4 && seg[2] == "notices" && notice_id(seg[3])) {
    r.kind = RouteKind::notice;
    r.notice = seg[3];
  }
  else if (n == 4 && seg[2] == "plans" && notice_id(seg[3])) {  // plan ids follow the notice pattern
    r.kind = RouteKind::plan;
    r.plan = seg[3];
  }
  else if ((n == 4 || (n == 5 && seg[4] == "history")) && seg[2] == "records") {
    bool printable = seg[3].size() <= 256;
    for (unsigned char c : seg[3]) printable = printable && c >= 0x20 && c != 0x7F;
    if (!printable) return r;
    r.kind = n == 4 ? RouteKind::record : RouteKind::record_history;
    r.key = seg[3];
  }
  else if ((n == 4 || n == 5) && seg[2] == "as-of") {
    r.kind = RouteKind::as_of;
    r.instant = seg[3];
    if (n == 5) r.file = seg[4];
  } else if (n == 4 && seg[2] == "releases") {
    auto rel = ReleaseId::parse(seg[3]);
    if (!rel.ok()) return r;
    r.release = rel->str();
    r.kind = RouteKind::release;
  } else if (n == 4 && seg[2] == "latest") {
    r.kind = RouteKind::latest;
    r.file = seg[3];
  } else if (n == 5 && seg[2] == "releases") {
    auto rel = ReleaseId::parse(seg[3]);
    if (!rel.ok()) return r;
    r.release = rel->str();
    r.file = seg[4];
    if (r.file == "manifest.json") {
      r.kind = RouteKind::manifest;
    } else if (r.file == "manifest.json.minisig") {
      r.kind = RouteKind::manifest_signature;
    } else if (r.file == "report.json") {
      r.kind = RouteKind::report;
    } else if (r.file == "areas") {
      r.kind = RouteKind::area_index;
    } else if (r.file == "areas.minisig") {
      r.kind = RouteKind::area_signature;
    } else {
      for (const char* ext : {"csv", "xml", "json", "geojson"}) {
        if (r.file == r.dataset + "." + ext) {
          r.kind = RouteKind::artefact;
          r.extension = ext;
        }
      }
    }
  } else if (n == 6 && seg[2] == "releases" && seg[4] == "areas") {
    auto rel = ReleaseId::parse(seg[3]);
    if (!rel.ok() || !is_area_code_text(seg[5])) return r;
    r.release = rel->str();
    r.area = seg[5];
    r.kind = RouteKind::area_page;
  } else if (n == 7 && seg[2] == "releases" && seg[4] == "areas") {
    auto rel = ReleaseId::parse(seg[3]);
    const std::string& code = seg[5];
    if (!rel.ok() || !is_area_code_text(code)) return r;
    r.release = rel->str();
    r.area = code;
    r.file = seg[6];
    for (const char* ext : {"csv", "xml", "json", "geojson"}) {
      if (r.file == r.dataset + "." + ext) {
        r.kind = RouteKind::area_artefact;
        r.extension = ext;
      }
    }
  }
  return r;
}

}  // namespace gazette::http
