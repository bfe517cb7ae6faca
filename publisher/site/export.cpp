// Method: the documents come from a catalogue snapshot, the very values the server answers
// with, so an exported file and the origin's answer cannot drift apart. Artefacts are hard
// links to the store's objects where the file system allows (else copies), or rendered again
// when evicted; each file's time is its release's publication, as the origin's Last-Modified.
#include "publisher/site/export.hpp"

#include <fcntl.h>
#include <sys/stat.h>

#include <set>

#include "publisher/common/file_io.hpp"
#include "publisher/common/sha256.hpp"
#include "publisher/site/export_nginx.hpp"
#include "publisher/site/feeds.hpp"
#include "publisher/site/html.hpp"
#include "publisher/release/release.hpp"
#include "publisher/render/render.hpp"
#include "publisher/urls/urls.hpp"

namespace gazette::site {

namespace {

namespace fs = std::filesystem;

class TreeWriter {
 public:
  explicit TreeWriter(fs::path root) : root_(std::move(root)) {}

  Status text(const std::string& url_path, std::string_view bytes) {
    const fs::path p = path_of(url_path);
    GAZETTE_RETURN_IF_ERROR(make_parent(p));
    GAZETTE_RETURN_IF_ERROR(write_file_durably(p, bytes));
    ++summary.files;
    summary.bytes += bytes.size();
    return {};
  }

  // The object's bytes at `url_path`: a hard link when possible, else a copy.
  Status object(const std::string& url_path, const fs::path& object, UnixSeconds mtime) {
    const fs::path p = path_of(url_path);
    GAZETTE_RETURN_IF_ERROR(make_parent(p));
    std::error_code ec;
    fs::remove(p, ec);
    fs::create_hard_link(object, p, ec);
    if (ec) {
      ec.clear();
      fs::copy_file(object, p, fs::copy_options::overwrite_existing, ec);
      if (ec) return Status::io_error(p.string() + ": " + ec.message());
    } else {
      ++summary.linked;
    }
    ++summary.files;
    summary.bytes += fs::file_size(p, ec);
    return touch(p, mtime);
  }

  Status rendered(const std::string& url_path, Store& store, const Contract& contract, const Release& release,
                  ArtefactFormat format) {
    const fs::path p = path_of(url_path);
    GAZETTE_RETURN_IF_ERROR(make_parent(p));
    DurableFile f;
    GAZETTE_RETURN_IF_ERROR(f.open(p.string() + ".partial"));
    GAZETTE_RETURN_IF_ERROR(render_release_bytes(store, contract, release, format,
                                                 [&](const std::string& bytes) { return f.write(bytes); }));
    summary.bytes += f.bytes_written();
    GAZETTE_RETURN_IF_ERROR(f.commit(p));
    ++summary.files;
    ++summary.rendered;
    return touch(p, release.published_at);
  }

  // Bytes made a piece at a time by `next` (false at the end) at `url_path`; returns their
  // SHA-256 (hex).
  Result<std::string> generated(const std::string& url_path, UnixSeconds mtime,
                                const std::function<Result<bool>(std::string&)>& next) {
    const fs::path p = path_of(url_path);
    GAZETTE_RETURN_IF_ERROR(make_parent(p));
    DurableFile f;
    GAZETTE_RETURN_IF_ERROR(f.open(p.string() + ".partial"));
    Sha256 hash;
    std::string piece;
    for (;;) {
      auto more = next(piece);
      if (!more.ok()) return more.status();
      if (!*more) break;
      hash.update(piece);
      GAZETTE_RETURN_IF_ERROR(f.write(piece));
    }
    summary.bytes += f.bytes_written();
    GAZETTE_RETURN_IF_ERROR(f.commit(p));
    ++summary.files;
    GAZETTE_RETURN_IF_ERROR(touch(p, mtime));
    return to_hex(hash.finish());
  }

  // Bytes pushed by `produce` into a sink, at `url_path`; returns their SHA-256 (hex).
  using Sink = std::function<Status(const std::string&)>;
  Result<std::string> pushed(const std::string& url_path, UnixSeconds mtime, const std::function<Status(const Sink&)>& produce) {
    const fs::path p = path_of(url_path);
    GAZETTE_RETURN_IF_ERROR(make_parent(p));
    DurableFile f;
    GAZETTE_RETURN_IF_ERROR(f.open(p.string() + ".partial"));
    Sha256 hash;
    GAZETTE_RETURN_IF_ERROR(produce([&](const std::string& bytes) {
      hash.update(bytes);
      return f.write(bytes);
    }));
    summary.bytes += f.bytes_written();
    GAZETTE_RETURN_IF_ERROR(f.commit(p));
    ++summary.files;
    ++summary.rendered;
    GAZETTE_RETURN_IF_ERROR(touch(p, mtime));
    return to_hex(hash.finish());
  }

  // The file already exported at `from_url_path`, at `url_path` too (a hard link, else a copy).
  Status same_as(const std::string& url_path, const std::string& from_url_path, UnixSeconds mtime) {
    return object(url_path, path_of(from_url_path), mtime);
  }

  ExportSummary summary;

 private:
  fs::path path_of(const std::string& url_path) const { return root_ / url_path.substr(1); }

  static Status make_parent(const fs::path& p) {
    std::error_code ec;
    fs::create_directories(p.parent_path(), ec);
    if (ec) return Status::io_error(p.parent_path().string() + ": " + ec.message());
    return {};
  }

  static Status touch(const fs::path& p, UnixSeconds t) {
    // A hard link shares its inode with the store's object: setting its time touches that
    // object too, which is harmless (objects are found by name, never by time).
    struct timespec times[2] = {{t, 0}, {t, 0}};
    if (::utimensat(AT_FDCWD, p.c_str(), times, 0) != 0)
      return Status::io_error(p.string() + ": cannot set its time");
    return {};
  }

  fs::path root_;
};

Status write_feed(TreeWriter& w, const std::string& id, const ServedFeed& feed) {
  for (std::size_t page = 0; page < feed.atom.size(); ++page) {
    auto url = [&](const char* ext) { return page == 0 ? urls::feed(id, ext) : urls::feed_archive(id, page, ext); };
    GAZETTE_RETURN_IF_ERROR(w.text(url("atom"), feed.atom[page].doc.body));
    GAZETTE_RETURN_IF_ERROR(w.text(url("json"), feed.json[page].doc.body));
  }
  return {};
}

struct ExportedAreas {
  std::vector<ExportedFile> files;
  std::vector<ExportedPage> pages;
  std::vector<ExportedFeed> feeds;
};

// Each release's areas: its signed index, and each area's files. An area a release left
// unchanged is the file of the release that rendered it (a hard link), rendered once; each
// rendering is checked against the index's SHA-256. Then each area's feed.
Result<ExportedAreas> write_areas(TreeWriter& w, Store& store, const ServedDataset& ds, const CatalogOptions& options) {
  ExportedAreas out;
  const std::string& id = ds.info.id;
  std::set<std::string> codes;
  std::map<std::string, std::vector<std::pair<std::string, ReleaseArea>>> histories;  // by code
  for (const auto& sr : ds.releases) {
    const Release& r = sr.release;
    auto index = store.signature(id, areas_subject(r.id));
    if (!index.ok()) return index.status();
    if (!*index) continue;  // cut before its contract had a partition
    const std::string index_path = urls::area_index(id, r.id);
    auto areas = store.release_areas(id, r.id);
    if (!areas.ok()) return areas.status();
    // The index as signed for programs, a page listing the areas for people.
    const std::string index_html = render_area_index_html(ds, sr, *areas);
    GAZETTE_RETURN_IF_ERROR(w.text(index_path + "/index.json", (*index)->document));
    GAZETTE_RETURN_IF_ERROR(w.text(index_path + "/index.html", index_html));
    GAZETTE_RETURN_IF_ERROR(w.text(urls::signature(index_path), (*index)->signature));
    out.pages.push_back({index_path, {"", kJson, Caching::immutable, etag_of((*index)->document)},
                         {"", kHtml, Caching::immutable, etag_of(index_html)}, {}});
    out.files.push_back({urls::signature(index_path), {"", kSignature, Caching::immutable, etag_of((*index)->signature)}, {}, {}});
    std::optional<Contract> contract;
    for (const auto& area : *areas) {
      codes.insert(area.code);
      // Its page: JSON and HTML, with every release that changed it.
      auto& history = histories[area.code];
      if (history.empty()) {
        auto h = store.area_history(id, area.code);
        if (!h.ok()) return h.status();
        history = std::move(*h);
      }
      const AreaPage page{&sr, area, history};
      const std::string page_path = urls::area_page(id, r.id, area.code);
      const std::string page_json = area_page_json(ds, page), page_html = render_area_html(ds, page);
      GAZETTE_RETURN_IF_ERROR(w.text(page_path + "/index.json", page_json));
      GAZETTE_RETURN_IF_ERROR(w.text(page_path + "/index.html", page_html));
      out.pages.push_back({page_path, {"", kJson, Caching::short_lived, etag_of(page_json)},
                           {"", kHtml, Caching::short_lived, etag_of(page_html)}, ds.notice_headers});
      const ServedRelease* since = ds.release(area.since);
      if (since == nullptr) return Status::corruption("area " + area.code + " of " + r.id + " names an unknown release");
      for (const auto& a : area.artefacts) {
        const std::string path = urls::area_file(id, r.id, area.code, a.name);
        if (area.since != r.id) {
          GAZETTE_RETURN_IF_ERROR(w.same_as(path, urls::area_file(id, area.since, area.code, a.name), since->release.published_at));
        } else {
          if (!contract) {
            auto c = release_contract(store, r);
            if (!c.ok()) return c.status();
            contract = std::move(*c);
          }
          const auto format = format_from_extension(a.name.substr(a.name.rfind('.') + 1));
          if (!format) continue;
          auto sha = w.pushed(path, r.published_at, [&](const TreeWriter::Sink& sink) {
            return render_area_bytes(store, *contract, r, area, *format, sink);
          });
          if (!sha.ok()) return sha.status();
          if (*sha != a.sha256)
            return Status::corruption(path + " rendered to SHA-256 " + *sha + ", not its area index's " + a.sha256);
        }
        const ServedArtefact sa = served_area_artefact(id, area, a);
        HeaderList extra = {{"Vary", "Accept-Encoding"},
                            {"Content-Disposition", "attachment; filename=\"" + sa.download_name + "\""},
                            {"Repr-Digest", sa.identity.repr_digest},
                            {kDatasetVersionHeader, r.version.str()}};
        extra.insert(extra.end(), ds.notice_headers.begin(), ds.notice_headers.end());
        out.files.push_back({path, {"", a.media_type, Caching::immutable, sa.identity.etag}, std::move(extra), {}});
      }
    }
  }
  for (const auto& code : codes) {
    auto feed = render_area_feed(store, options, ds, code);
    if (!feed.ok()) return feed.status();
    if (!*feed) continue;
    const std::string base = urls::area_feed_base(id, code);
    for (std::size_t page = 0; page < (*feed)->atom.size(); ++page) {
      const std::string stem = base + (page == 0 ? std::string() : "/archive/" + std::to_string(page));
      GAZETTE_RETURN_IF_ERROR(w.text(stem + ".atom", (*feed)->atom[page].doc.body));
      GAZETTE_RETURN_IF_ERROR(w.text(stem + ".json", (*feed)->json[page].doc.body));
    }
    out.feeds.push_back({base, std::move(**feed)});
  }
  return out;
}

}  // namespace

Result<ExportSummary> export_tree(Store& store, const std::string& dataset, const std::filesystem::path& dir,
                                  const CatalogOptions& options) {
  // The export directory and the public URLs are written into nginx.conf, where `$` would name
  // a variable and a line break or control character would end the directive: refused before
  // anything is written.
  GAZETTE_RETURN_IF_ERROR(check_nginx_value(std::filesystem::absolute(dir).string(), "--to"));
  GAZETTE_RETURN_IF_ERROR(check_nginx_value(options.base_url, "--public-url"));
  GAZETTE_RETURN_IF_ERROR(check_nginx_value(options.hub_url, "--hub"));
  auto built = build_catalog(store, options);
  if (!built.ok()) return built.status();
  const Catalog& catalog = **built;
  const ServedDataset* ds = catalog.dataset(dataset);
  if (ds == nullptr) return Status::not_found("no dataset '" + dataset + "'");
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Status::io_error(dir.string() + ": " + ec.message());
  const std::filesystem::path root = std::filesystem::absolute(dir);
  TreeWriter w(root);
  std::vector<std::pair<std::string, Document>> changesets;  // URL path, its headers (no body)

  // A path that is also a folder holds its documents as index.json and index.html; another
  // resource's page is kept beside its JSON (page_file).
  auto folder = [&](const std::string& path, const Document& json, const Document& html) -> Status {
    const std::string dir_path = path == "/" ? "" : path;
    GAZETTE_RETURN_IF_ERROR(w.text(dir_path + "/index.json", json.body));
    return w.text(dir_path + "/index.html", html.body);
  };
  auto page = [&](const std::string& path, const Document& json, const Document& html) -> Status {
    GAZETTE_RETURN_IF_ERROR(w.text(path, json.body));
    return w.text(page_file(path), html.body);
  };
  GAZETTE_RETURN_IF_ERROR(folder("/", catalog.datasets_json, catalog.index_html));
  GAZETTE_RETURN_IF_ERROR(folder(urls::datasets(), catalog.datasets_json, catalog.index_html));
  GAZETTE_RETURN_IF_ERROR(folder(urls::dataset(dataset), ds->metadata_json, ds->metadata_html));
  GAZETTE_RETURN_IF_ERROR(folder(urls::releases(dataset), ds->releases_json, ds->metadata_html));
  GAZETTE_RETURN_IF_ERROR(folder(urls::notices(dataset), ds->notices_json, ds->notices_html));
  GAZETTE_RETURN_IF_ERROR(page(urls::contract(dataset), ds->contract_json, ds->contract_html));
  for (const auto& p : ds->plans) GAZETTE_RETURN_IF_ERROR(page(urls::plan(dataset, p.plan.id), p.doc, p.html));
  for (const auto& n : ds->notices) {
    GAZETTE_RETURN_IF_ERROR(page(urls::notice(dataset, n.notice.id), n.doc, n.html));
    GAZETTE_RETURN_IF_ERROR(page(urls::site_notice(n.notice.id), n.doc, n.html));
  }
  for (const auto& sr : ds->releases)
    GAZETTE_RETURN_IF_ERROR(folder(urls::release(dataset, sr.release.id), sr.page_json, sr.page_html));
  for (const auto& sr : ds->releases) {
    const Release& r = sr.release;
    GAZETTE_RETURN_IF_ERROR(w.text(urls::manifest(dataset, r.id), sr.manifest.body));
    if (sr.report) GAZETTE_RETURN_IF_ERROR(w.text(urls::report(dataset, r.id), sr.report_doc.body));
    std::optional<Contract> contract;  // parsed only when an artefact must be rendered again
    for (const auto& a : sr.artefacts) {
      const std::string path = urls::release_file(dataset, r.id, a.artefact.name);
      if (!a.artefact.evicted) {
        // Identity only: a gzip copy served under the identity's strong ETag would be a lie.
        GAZETTE_RETURN_IF_ERROR(w.object(path, a.identity.path, r.published_at));
        continue;
      }
      if (!contract) {
        auto c = release_contract(store, r);
        if (!c.ok()) return c.status();
        contract = std::move(*c);
      }
      if (auto f = format_from_extension(a.extension)) GAZETTE_RETURN_IF_ERROR(w.rendered(path, store, *contract, r, *f));
    }
    if (!sr.manifest_signature.body.empty())
      GAZETTE_RETURN_IF_ERROR(w.text(urls::signature(urls::manifest(dataset, r.id)), sr.manifest_signature.body));
    // The changeset from its parent, whole, as signed: the origin serves it at the same path,
    // and answers ?from=PARENT&to=REL with it too.
    if (const ServedRelease* parent = ds->release(r.parent)) {
      if (!contract) {
        auto c = release_contract(store, r);
        if (!c.ok()) return c.status();
        contract = std::move(*c);
      }
      const std::string path = urls::changes_file(dataset, r.parent, r.id);
      ChangesetDocument doc(store, *contract, parent->release, r);
      auto sha = w.generated(path, r.published_at, [&](std::string& piece) { return doc.next(piece); });
      if (!sha.ok()) return sha.status();
      Document headers{"", kJson, Caching::immutable, etag_of_sha256(*sha)};
      changesets.emplace_back(path, std::move(headers));
      if (!sr.changes_signature.body.empty())
        GAZETTE_RETURN_IF_ERROR(w.text(urls::signature(path), sr.changes_signature.body));
    }
  }
  auto areas = write_areas(w, store, *ds, options);
  if (!areas.ok()) return areas.status();
  if (!ds->releases_signature.body.empty())
    GAZETTE_RETURN_IF_ERROR(w.text(urls::signature(urls::releases(dataset)), ds->releases_signature.body));
  GAZETTE_RETURN_IF_ERROR(w.text(urls::keys() + "/index.json", catalog.keys_json.body));
  for (const auto& [id, doc] : catalog.key_files) GAZETTE_RETURN_IF_ERROR(w.text(urls::key_file(id), doc.body));
  for (const auto& [id, doc] : catalog.key_endorsements)
    GAZETTE_RETURN_IF_ERROR(w.text(urls::signature(urls::key_file(id)), doc.body));
  GAZETTE_RETURN_IF_ERROR(write_feed(w, dataset, ds->feed));
  GAZETTE_RETURN_IF_ERROR(write_feed(w, "all", catalog.all_feed));
  GAZETTE_RETURN_IF_ERROR(w.text("/nginx.conf", nginx_conf(catalog, *ds, root, changesets, areas->files, areas->pages, areas->feeds)));
  return w.summary;
}

}  // namespace gazette::site
