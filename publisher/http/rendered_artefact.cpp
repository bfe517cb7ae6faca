// Method: pull records through a cursor (its own read-only connection, its own snapshot) into
// the release's renderer, a quarter megabyte at a time, dropping the bytes before a range's
// start: memory is a chunk, whatever the artefact's size. A rendering that reaches the
// artefact's end (a whole download, a resumed one, a suffix range) has rendered every byte:
// it is hashed as it goes and checked against the manifest at the end. The bytes are sent by
// then, but a renderer that no longer reproduces a release is reported, and only a faithful
// rendering is kept in the render cache, from which later downloads and ranges are served as
// files. A range that stops short renders up to its end, no further, and is not kept.
#include <algorithm>
#include <cstdio>

#include "publisher/common/sha256.hpp"
#include "publisher/http/queries.hpp"

namespace gazette::http {

namespace {

constexpr std::size_t kChunk = 256 * 1024;

class RenderedArtefact : public BodySource {
 public:
  // Renders the records of release `seq` whose keys begin with `key_prefix` (all when empty)
  // under `header`.
  RenderedArtefact(std::unique_ptr<Store> store, Contract contract, const ReleaseHeader& header, std::int64_t seq,
                   std::string key_prefix, ArtefactFormat format, std::uint64_t offset, std::uint64_t length,
                   std::uint64_t total, std::string expected_sha, RenderCache* cache, std::string what)
      : store_(std::move(store)), contract_(std::move(contract)), skip_(offset), remain_(length),
        to_end_(offset + length == total), expected_(std::move(expected_sha)), what_(std::move(what)) {
    renderer_ = make_renderer(format, contract_, header);
    dataset_ = header.dataset;
    seq_ = seq;
    key_prefix_ = std::move(key_prefix);
    // Written to the render cache as it goes, for the next requests.
    if (to_end_ && cache != nullptr) entry_ = cache->start(total);
  }

  bool next(std::string_view& view) override {
    std::string& out = chunk_;
    out.clear();
    while (remain_ > 0) {
      if (pos_ == buf_.size()) {
        buf_.clear();
        pos_ = 0;
        if (!fill()) return false;
        if (buf_.empty()) return false;  // ended early: fewer bytes than the manifest says
      }
      std::size_t avail = buf_.size() - pos_;
      if (skip_ > 0) {
        const std::size_t drop = static_cast<std::size_t>(std::min<std::uint64_t>(skip_, avail));
        if (to_end_) keep_bytes(std::string_view(buf_).substr(pos_, drop));
        pos_ += drop;
        skip_ -= drop;
        continue;
      }
      const std::size_t take = static_cast<std::size_t>(std::min<std::uint64_t>({remain_, avail, kChunk - out.size()}));
      out.append(buf_, pos_, take);
      pos_ += take;
      remain_ -= take;
      if (out.size() == kChunk) break;
    }
    if (to_end_) {
      keep_bytes(out);
      if (remain_ == 0) {
        const std::string got = to_hex(hash_.finish());
        if (got != expected_)
          std::fprintf(stderr, "gazette: ERROR: %s rendered again to sha256 %s, not its manifest's %s\n",
                       what_.c_str(), got.c_str(), expected_.c_str());
        else if (entry_)
          entry_->keep(expected_);
        entry_.reset();
      }
    }
    view = out;
    return !out.empty();
  }

 private:
  // Renders the next records into buf_; false on a read error.
  bool fill() {
    if (!begun_) {
      begun_ = true;
      auto c = store_->records_of(dataset_, seq_, key_prefix_);
      if (!c.ok()) return report(c.status());
      cursor_ = std::move(*c);
      renderer_->begin(buf_);
    }
    std::string_view key, body;
    while (!ended_ && buf_.size() < kChunk) {
      auto more = cursor_->next(key, body);
      if (!more.ok()) return report(more.status());
      if (!*more) {
        renderer_->end(buf_);
        ended_ = true;
        cursor_.reset();  // ends the read snapshot
        break;
      }
      renderer_->record(body, buf_);
    }
    return true;
  }

  // Every rendered byte of a rendering that reaches the end, sent or skipped.
  void keep_bytes(std::string_view bytes) {
    hash_.update(bytes);
    if (entry_ && !entry_->append(bytes).ok()) entry_.reset();  // a full cache disk: serve uncached
  }

  bool report(const Status& s) {
    std::fprintf(stderr, "gazette: rendering %s again failed: %s\n", what_.c_str(), s.message().c_str());
    return false;
  }

  std::unique_ptr<Store> store_;  // outlives the cursor (declared first, destroyed last)
  std::unique_ptr<Store::RecordCursor> cursor_;
  Contract contract_;
  std::unique_ptr<ArtefactRenderer> renderer_;
  std::string dataset_;
  std::int64_t seq_ = 0;
  std::string key_prefix_;
  std::string buf_, chunk_;
  std::size_t pos_ = 0;
  std::uint64_t skip_, remain_;
  bool begun_ = false, ended_ = false;
  bool to_end_;
  Sha256 hash_;
  std::string expected_, what_;
  std::unique_ptr<RenderCache::Entry> entry_;
};

// The records of `source` whose keys begin with `key_prefix`, rendered under `header` as
// `artefact` (a whole artefact, or an area's). `where` names it if `source`'s renderer is gone;
// `what` names the rendering in the log.
Result<std::shared_ptr<BodySource>> render_records(const std::filesystem::path& data_dir, RenderCache* cache,
                                                   const Release& source, const ReleaseHeader& header,
                                                   std::string key_prefix, const site::ServedArtefact& artefact,
                                                   std::uint64_t offset, std::uint64_t length, const std::string& where,
                                                   std::string what) {
  const std::optional<ArtefactFormat> format = format_from_extension(artefact.extension);
  if (!format) return Status::not_found("no renderer for " + artefact.artefact.name);
  auto store = Store::open(data_dir, OpenMode::read);
  if (!store.ok()) return store.status();
  auto contract = release_contract(**store, source);
  if (!contract.ok()) return contract.status();
  if (header.renderer == 0) return Status::corruption(where + ": " + missing_renderer(source.renderer));
  return std::shared_ptr<BodySource>(std::make_shared<RenderedArtefact>(
      std::move(*store), std::move(*contract), header, source.seq, std::move(key_prefix), *format, offset, length,
      artefact.artefact.bytes, artefact.artefact.sha256, cache, std::move(what)));
}

}  // namespace

Result<std::shared_ptr<BodySource>> Queries::rendered_artefact(const site::ServedRelease& release,
                                                               const site::ServedArtefact& artefact, std::uint64_t offset,
                                                               std::uint64_t length) {
  const Release& r = release.release;
  return render_records(data_dir_, &render_cache_, r, release_header(r), std::string(), artefact, offset, length,
                        r.id + "/" + artefact.artefact.name, r.id);
}

Result<std::shared_ptr<BodySource>> Queries::rendered_area_artefact(const site::ServedRelease& since,
                                                                    const ReleaseArea& area,
                                                                    const site::ServedArtefact& artefact,
                                                                    std::uint64_t offset, std::uint64_t length) {
  // Unchanged since `since`, the area's records are those of that release.
  const Release& r = since.release;
  const std::string what = r.id + " area " + area.code;
  return render_records(data_dir_, &render_cache_, r, area_header(r, area.records), area.code, artefact, offset,
                        length, what, what);
}

}  // namespace gazette::http
