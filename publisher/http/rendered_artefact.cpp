// Method: pull records through a cursor (its own read-only connection, its own snapshot) into
// the release's renderer, a quarter megabyte at a time, dropping the bytes before a range's
// start. A whole download is hashed as it goes and checked against the manifest at the end:
// the bytes are sent by then, but a renderer that no longer reproduces a release is reported.
#include <algorithm>
#include <cstdio>

#include "publisher/common/sha256.hpp"
#include "publisher/http/queries.hpp"

namespace gazette::http {

namespace {

constexpr std::size_t kChunk = 256 * 1024;

// A slice of bytes kept in memory.
class CachedArtefact : public BodySource {
 public:
  CachedArtefact(std::shared_ptr<const std::string> bytes, std::uint64_t offset, std::uint64_t length)
      : bytes_(std::move(bytes)), pos_(static_cast<std::size_t>(offset)), end_(static_cast<std::size_t>(offset + length)) {}
  bool next(std::string_view& out) override {
    // Views into the kept bytes: nothing is copied until the socket's own buffers.
    const std::size_t take = std::min(kChunk, end_ - pos_);
    out = std::string_view(*bytes_).substr(pos_, take);
    pos_ += take;
    return take > 0;
  }

 private:
  std::shared_ptr<const std::string> bytes_;
  std::size_t pos_, end_;
};

class RenderedArtefact : public BodySource {
 public:
  RenderedArtefact(std::unique_ptr<Store> store, Contract contract, const Release& release, ArtefactFormat format,
                   std::uint64_t offset, std::uint64_t length, std::uint64_t total, std::string expected_sha,
                   Queries* keep_in)
      : store_(std::move(store)), contract_(std::move(contract)), skip_(offset), remain_(length),
        whole_(offset == 0 && length == total), expected_(std::move(expected_sha)), what_(release.id) {
    renderer_ = make_renderer(format, contract_, release_header(release));
    dataset_ = release.dataset;
    seq_ = release.seq;
    // Small enough to keep: collect a whole download for the next requests.
    if (whole_ && total <= Queries::kRenderedBudget / 4) {
      keep_in_ = keep_in;
      kept_.reserve(static_cast<std::size_t>(total));
    }
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
    if (whole_) {
      hash_.update(out);
      if (keep_in_) kept_ += out;
      if (remain_ == 0) {
        const std::string got = to_hex(hash_.finish());
        if (got != expected_)
          std::fprintf(stderr, "gazette: ERROR: %s rendered again to sha256 %s, not its manifest's %s\n",
                       what_.c_str(), got.c_str(), expected_.c_str());
        else if (keep_in_)
          keep_in_->remember_rendered(expected_, std::make_shared<const std::string>(std::move(kept_)));
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
      auto c = store_->records_of(dataset_, seq_);
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
  std::string buf_, chunk_;
  std::size_t pos_ = 0;
  std::uint64_t skip_, remain_;
  bool begun_ = false, ended_ = false;
  bool whole_;
  Sha256 hash_;
  std::string expected_, what_;
  Queries* keep_in_ = nullptr;
  std::string kept_;
};

}  // namespace

Result<std::shared_ptr<BodySource>> Queries::rendered_artefact(const ServedRelease& release,
                                                               const ServedArtefact& artefact, std::uint64_t offset,
                                                               std::uint64_t length) {
  std::optional<ArtefactFormat> format;
  for (ArtefactFormat f : {ArtefactFormat::csv, ArtefactFormat::xml, ArtefactFormat::json})
    if (artefact.extension == extension(f)) format = f;
  if (!format) return Status::not_found("no renderer for " + artefact.artefact.name);
  if (auto bytes = rendered(artefact.artefact.sha256))
    return std::shared_ptr<BodySource>(std::make_shared<CachedArtefact>(std::move(bytes), offset, length));
  auto store = Store::open(data_dir_, OpenMode::read);
  if (!store.ok()) return store.status();
  auto contract = release_contract(**store, release.release);
  if (!contract.ok()) return contract.status();
  return std::shared_ptr<BodySource>(std::make_shared<RenderedArtefact>(
      std::move(*store), std::move(*contract), release.release, *format, offset, length, artefact.artefact.bytes,
      artefact.artefact.sha256, this));
}

std::shared_ptr<const std::string> Queries::rendered(const std::string& sha256) {
  std::lock_guard lock(rendered_mutex_);
  for (auto it = rendered_.begin(); it != rendered_.end(); ++it)
    if (it->first == sha256) {
      rendered_.splice(rendered_.begin(), rendered_, it);
      return it->second;
    }
  return nullptr;
}

void Queries::remember_rendered(const std::string& sha256, std::shared_ptr<const std::string> bytes) {
  std::lock_guard lock(rendered_mutex_);
  for (const auto& [key, kept] : rendered_)
    if (key == sha256) return;  // rendered twice at once: keep the first
  rendered_bytes_ += bytes->size();
  rendered_.emplace_front(sha256, std::move(bytes));
  while (rendered_bytes_ > kRenderedBudget && !rendered_.empty()) {
    rendered_bytes_ -= rendered_.back().second->size();
    rendered_.pop_back();
  }
}

}  // namespace gazette::http
