// Method: one exact-match location per exported document, carrying the origin's Content-Type,
// Cache-Control, ETag (answering If-None-Match itself: nginx compares only its own tags) and
// the headers particular to it; a few prefix locations for what is computed from the request
// (content negotiation, changes?from=&to=, latest/). The block is self-contained (no `map`,
// which would have to live outside the server block), so it can be included as it is.
#include "publisher/site/export_nginx.hpp"

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
                       const std::vector<std::pair<std::string, Document>>& changesets) {
  const std::string id = ds.info.id;
  const std::string base = urls::dataset(id);
  const HeaderList& deprecated = ds.notice_headers;
  std::string out;
  out += "# gazette export of " + id + ": a server block serving the exported tree byte for byte as the\n";
  out += "# origin does. Include it in nginx's http block; set `listen` (and TLS) to taste.\n";
  out += "# Served by the origin only: record lookups, as-of, paged or other changesets, the WebSub hub.\n";
  out += "server {\n  listen 8080;\n  root " + q(root.string()) + ";\n";
  out += "  etag off;\n  absolute_redirect off;\n  server_tokens off;\n\n";

  // Documents that are folders too: JSON, or HTML for a browser (Accept: text/html).
  auto negotiated = [&](const std::string& path, const std::string& folder, const Document& json,
                        const Document* html, const HeaderList& extra) {
    const bool with_html = html != nullptr;
    out += "  location = " + path + " {\n";
    out += "    types { application/json json; text/html html; }\n    charset utf-8;\n";
    // Rewrite-module directives run in order, and an `if` that matches serves from its own
    // context: so the tag is chosen first, the 304 answered next, the HTML rewritten last.
    out += "    set $gazette_tag " + q(json.etag) + ";\n";
    if (with_html) out += "    if ($http_accept ~* text/html) { set $gazette_tag " + q(html->etag) + "; }\n";
    out += "    add_header Cache-Control " + q(cache_control(json.caching)) + ";\n    add_header ETag $gazette_tag;\n";
    if (with_html) out += "    add_header Vary Accept;\n";
    for (const auto& [name, value] : extra) out += "    add_header " + name + " " + q(value) + ";\n";
    out += "    if ($http_if_none_match = $gazette_tag) { return 304; }\n";
    if (with_html) out += "    if ($http_accept ~* text/html) { rewrite ^ " + folder + "/index.html break; }\n";
    out += "    try_files " + folder + "/index.json =404;\n  }\n";
  };
  emit(out, "/", catalog.index_html, {}, "/index.html");
  negotiated("/datasets", "/datasets", catalog.datasets_json, &catalog.index_html, {});
  negotiated(base, base, ds.metadata_json, &ds.metadata_html, deprecated);
  negotiated(base + "/releases", base + "/releases", ds.releases_json, nullptr, deprecated);
  negotiated(base + "/notices", base + "/notices", ds.notices_json, nullptr, {});
  emit(out, base + "/contract", ds.contract_json, deprecated);
  for (const auto& p : ds.plans) emit(out, urls::plan(id, p.plan.id), p.doc);
  for (const auto& n : ds.notices) {
    emit(out, urls::notice(id, n.notice.id), n.doc);
    emit(out, urls::site_notice(n.notice.id), n.doc);
  }

  for (const auto& sr : ds.releases) {
    const std::string& rel = sr.release.id;
    emit(out, urls::manifest(id, rel), sr.manifest, deprecated);
    if (sr.report) emit(out, urls::report(id, rel), sr.report_doc);
    for (const auto& a : sr.artefacts) {
      HeaderList extra = {{"Vary", "Accept-Encoding"},
                          {"Content-Disposition", "attachment; filename=\"" + a.download_name + "\""},
                          {"Repr-Digest", a.identity.repr_digest}};
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
  // The changeset of each release from its parent, whole: ?from=A&to=B names a file.
  // The arguments become a path: only release ids may (no "..", no separators).
  const std::string id_pattern = "'^[0-9]{4}-[0-9]{2}-[0-9]{2}(\\.[0-9]+)?$'";
  out += "  location = " + base + "/changes {\n";
  out += "    if ($arg_from !~ " + id_pattern + ") { return 404; }\n";
  out += "    if ($arg_to !~ " + id_pattern + ") { return 404; }\n";
  out += "    rewrite ^ " + base + "/changes/$arg_from..$arg_to.json last;\n  }\n";
  for (const auto& [path, doc] : changesets) emit(out, path, doc, deprecated);

  auto feed = [&](const std::string& fid, const ServedFeed& f) {
    auto page_url = [&](std::size_t page, const char* ext) {
      return page == 0 ? urls::feed(fid, ext) : urls::feed_archive(fid, page, ext);
    };
    for (std::size_t page = 0; page < f.atom.size(); ++page) {
      emit(out, page_url(page, "atom"), f.atom[page].doc, {{"Link", f.hub_link}, {"Link", f.atom[page].self_link}});
      emit(out, page_url(page, "json"), f.json[page].doc, {{"Link", f.hub_link}, {"Link", f.json[page].self_link}});
    }
    // The page after the newest archive is linked before it is full.
    for (const char* ext : {"atom", "json"})
      redirect(out, urls::feed_archive(fid, f.atom.size(), ext), urls::feed(fid, ext), {});
  };
  feed(id, ds.feed);
  feed("all", catalog.all_feed);
  // Everything else is not a resource (this file among them).
  out += "  location / {\n    return 404;\n  }\n";
  out += "}\n";
  return out;
}

}  // namespace gazette::site
