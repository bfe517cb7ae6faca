// Method: one exact-match location per exported document, carrying the origin's Content-Type,
// Cache-Control, ETag (answering If-None-Match itself: nginx compares only its own tags) and
// the headers particular to it; a few prefix locations for what is computed from the request
// (content negotiation, changes?from=&to=, latest/). The block is self-contained (no `map`,
// which would have to live outside the server block), so it can be included as it is.
#include "publisher/site/export_nginx.hpp"

#include <map>

#include "publisher/urls/urls.hpp"

namespace gazette::site {

namespace {

// nginx single-quoted strings: backslash and quote are escaped.
std::string q(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\\' || c == '\'') out.push_back('\\');
    out.push_back(c);
  }
  return out + "'";
}

// The location of one file, with the headers the origin sends with it.
struct Block {
  std::string path, content_type;
  Caching caching;
  std::string etag;
  HeaderList extra;
  std::string file = {};  // the file, when it is not the path itself
};

void emit(std::string& out, const Block& b) {
  out += "  location = " + b.path + " {\n";
  out += "    types { }\n    default_type " + q(b.content_type) + ";\n";
  out += "    add_header Cache-Control " + q(cache_control(b.caching)) + ";\n";
  out += "    add_header ETag " + q(b.etag) + ";\n";
  for (const auto& [name, value] : b.extra) out += "    add_header " + name + " " + q(value) + ";\n";
  out += "    if ($http_if_none_match = " + q(b.etag) + ") { return 304; }\n";
  if (!b.file.empty()) out += "    try_files " + b.file + " =404;\n";
  out += "  }\n";
}

// A document of the site at `path`: its headers are the document's own.
void emit(std::string& out, const std::string& path, const Document& doc, HeaderList extra = {},
          std::string file = {}) {
  emit(out, {path, doc.media_type, doc.caching, doc.etag, std::move(extra), std::move(file)});
}

// A moving pointer: 302 with the origin's validators (its body is nginx's own).
void redirect(std::string& out, const std::string& path, const std::string& location, const HeaderList& extra) {
  out += "  location = " + path + " {\n    add_header Cache-Control " + q(cache_control(Caching::short_lived)) + ";\n";
  out += "    add_header ETag " + q(etag_of(location)) + ";\n";
  for (const auto& [name, value] : extra) out += "    add_header " + name + " " + q(value) + ";\n";
  out += "    return 302 " + location + ";\n  }\n";
}

}  // namespace

std::string page_file(const std::string& url_path) { return url_path + ".html"; }

Status check_nginx_value(const std::string& value, const std::string& what) {
  for (char c : value) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '$' || u < 0x20 || u == 0x7f)
      return Status::invalid_input(what + ": '" + (c == '$' ? std::string("$") : "control character") +
                                   "' cannot be written into nginx.conf (it would be read as configuration)");
  }
  return {};
}

std::string nginx_conf(const Catalog& catalog, const ServedDataset& ds, const std::filesystem::path& root,
                       const std::vector<std::pair<std::string, Document>>& changesets,
                       const std::vector<ExportedFile>& area_files, const std::vector<ExportedPage>& area_pages,
                       const std::vector<ExportedFeed>& area_feeds) {
  const std::string id = ds.info.id;
  const std::string base = urls::dataset(id);
  const HeaderList& deprecated = ds.notice_headers;
  std::string out;
  out += "# gazette export of " + id + ": a server block serving the exported tree byte for byte as the\n";
  out += "# origin does. Include it in nginx's http block; set `listen` (and TLS) to taste.\n";
  out += "# Served by the origin only: record lookups, as-of, paged or other changesets, the WebSub hub.\n";
  out += "server {\n  listen 8080;\n  root " + q(root.string()) + ";\n";
  out += "  etag off;\n  absolute_redirect off;\n  server_tokens off;\n\n";

  // Every resource people look at: JSON, or HTML for a browser (Accept: text/html). A path
  // that is also a folder keeps them as index.json and index.html inside it; another as the
  // path itself and the path with ".html" (page_file).
  auto negotiated = [&](const std::string& path, const std::string& json_file, const Document& json,
                        const std::string& html_file, const Document& html, const HeaderList& extra) {
    out += "  location = " + path + " {\n";
    // The page is text/html (kHtml, with nginx's charset); the JSON is any other file.
    out += "    types { text/html html; }\n    charset utf-8;\n    default_type " + q(json.media_type) + ";\n";
    // Rewrite-module directives run in order, and an `if` that matches serves from its own
    // context: so the tag is chosen first, the 304 answered next, the HTML rewritten last.
    out += "    set $gazette_tag " + q(json.etag) + ";\n";
    out += "    if ($http_accept ~* text/html) { set $gazette_tag " + q(html.etag) + "; }\n";
    out += "    add_header Cache-Control " + q(cache_control(json.caching)) + ";\n    add_header ETag $gazette_tag;\n";
    out += "    add_header Vary Accept;\n";
    for (const auto& [name, value] : extra) out += "    add_header " + name + " " + q(value) + ";\n";
    out += "    if ($http_if_none_match = $gazette_tag) { return 304; }\n";
    out += "    if ($http_accept ~* text/html) { rewrite ^ " + html_file + " break; }\n";
    out += "    try_files " + json_file + " =404;\n  }\n";
  };
  auto folder = [&](const std::string& path, const Document& json, const Document& html, const HeaderList& extra) {
    negotiated(path, (path == "/" ? "" : path) + "/index.json", json, (path == "/" ? "" : path) + "/index.html", html, extra);
  };
  auto page = [&](const std::string& path, const Document& json, const Document& html, const HeaderList& extra) {
    negotiated(path, path, json, page_file(path), html, extra);
  };
  folder("/", catalog.datasets_json, catalog.index_html, {});
  folder("/datasets", catalog.datasets_json, catalog.index_html, {});
  folder(base, ds.metadata_json, ds.metadata_html, deprecated);
  folder(base + "/releases", ds.releases_json, ds.metadata_html, deprecated);
  folder(base + "/notices", ds.notices_json, ds.notices_html, {});
  page(base + "/contract", ds.contract_json, ds.contract_html, deprecated);
  for (const auto& p : ds.plans) page(urls::plan(id, p.plan.id), p.doc, p.html, {});
  for (const auto& n : ds.notices) {
    page(urls::notice(id, n.notice.id), n.doc, n.html, {});
    page(urls::site_notice(n.notice.id), n.doc, n.html, {});
  }
  for (const auto& sr : ds.releases) folder(urls::release(id, sr.release.id), sr.page_json, sr.page_html, deprecated);

  for (const auto& sr : ds.releases) {
    const std::string& rel = sr.release.id;
    emit(out, urls::manifest(id, rel), sr.manifest, deprecated);
    if (sr.report) emit(out, urls::report(id, rel), sr.report_doc);
    for (const auto& a : sr.artefacts) {
      HeaderList extra = {{"Vary", "Accept-Encoding"},
                          {"Content-Disposition", "attachment; filename=\"" + a.download_name + "\""},
                          {"Repr-Digest", a.identity.repr_digest},
                          {kDatasetVersionHeader, sr.release.version.str()}};
      extra.insert(extra.end(), deprecated.begin(), deprecated.end());
      emit(out, {urls::release_file(id, rel, a.artefact.name), a.artefact.media_type, Caching::immutable,
                 a.identity.etag, extra});
    }
  }
  if (const ServedRelease* newest = ds.newest()) {
    std::vector<std::string> files = {"manifest.json"};
    for (const auto& a : newest->artefacts) files.push_back(a.artefact.name);
    for (const auto& f : files)
      redirect(out, urls::latest(id, f), urls::release_file(id, newest->release.id, f), deprecated);
  }
  // The newest release of each major version.
  std::map<int, const ServedRelease*> newest_of_major;
  for (const auto& sr : ds.releases) newest_of_major[sr.release.version.major] = &sr;
  for (const auto& [major, sr] : newest_of_major) {
    std::vector<std::string> files = {"manifest.json"};
    for (const auto& a : sr->artefacts) files.push_back(a.artefact.name);
    for (const auto& f : files)
      redirect(out, urls::versioned_latest(id, major, f), urls::release_file(id, sr->release.id, f), deprecated);
  }
  // Signatures and the keys that made them.
  for (const auto& sr : ds.releases) {
    if (!sr.manifest_signature.body.empty())
      emit(out, urls::signature(urls::manifest(id, sr.release.id)), sr.manifest_signature);
    if (!sr.changes_signature.body.empty())
      emit(out, urls::signature(urls::changes_file(id, sr.release.parent, sr.release.id)), sr.changes_signature);
  }
  if (!ds.releases_signature.body.empty()) emit(out, urls::signature(urls::releases(id)), ds.releases_signature);
  emit(out, urls::keys(), catalog.keys_json, {}, urls::keys() + "/index.json");
  for (const auto& [key_id, doc] : catalog.key_files) emit(out, urls::key_file(key_id), doc);
  for (const auto& [key_id, doc] : catalog.key_endorsements) emit(out, urls::signature(urls::key_file(key_id)), doc);
  // The changeset of each release from its parent, whole: ?from=A&to=B names a file.
  // The arguments become a path: only release ids may (no "..", no separators).
  const std::string id_pattern = "'^[0-9]{4}-[0-9]{2}-[0-9]{2}(\\.[0-9]+)?$'";
  out += "  location = " + base + "/changes {\n";
  // A subset's changeset, or a filtered one, is the origin's to compute: never the whole file.
  for (const char* filter : {"area", "where", "kind", "severity"})
    out += "    if ($arg_" + std::string(filter) + " != '') { return 404; }\n";
  out += "    if ($arg_from !~ " + id_pattern + ") { return 404; }\n";
  out += "    if ($arg_to !~ " + id_pattern + ") { return 404; }\n";
  out += "    rewrite ^ " + base + "/changes/$arg_from..$arg_to.json last;\n  }\n";
  // The origin answers a person with a page of the changeset; the export has only its JSON.
  HeaderList changeset_headers = deprecated;
  changeset_headers.emplace_back("Vary", "Accept");
  for (const auto& [path, doc] : changesets) emit(out, path, doc, changeset_headers);

  // Areas: each release's area index and its signature, each area's files.
  for (const auto& f : area_files) emit(out, {f.path, f.headers.media_type, f.headers.caching, f.headers.etag, f.extra, f.file});
  for (const auto& p : area_pages) folder(p.path, p.json, p.html, p.extra);

  // A feed whose subscription document is `base`.{atom,json}, its archives under `base`/archive/.
  auto feed_at = [&](const std::string& base_path, const ServedFeed& f) {
    auto page_url = [&](std::size_t page, const char* ext) {
      return base_path + (page == 0 ? std::string() : "/archive/" + std::to_string(page)) + "." + ext;
    };
    for (std::size_t page = 0; page < f.atom.size(); ++page) {
      emit(out, page_url(page, "atom"), f.atom[page].doc, {{"Link", f.hub_link}, {"Link", f.atom[page].self_link}});
      emit(out, page_url(page, "json"), f.json[page].doc, {{"Link", f.hub_link}, {"Link", f.json[page].self_link}});
    }
    // The page after the newest archive is linked before it is full.
    for (const char* ext : {"atom", "json"}) redirect(out, page_url(f.atom.size(), ext), page_url(0, ext), {});
  };
  feed_at(urls::feed_base(id), ds.feed);
  feed_at(urls::feed_base("all"), catalog.all_feed);
  for (const auto& f : area_feeds) feed_at(f.base, f.feed);
  // Everything else is not a resource (this file among them).
  out += "  location / {\n    return 404;\n  }\n";
  out += "}\n";
  return out;
}

}  // namespace gazette::site
