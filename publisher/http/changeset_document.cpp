// Method: a release's whole changeset from its parent is served as it was signed: rendered
// again from the store a page at a time (its own read-only connection), under the size and
// SHA-256 kept with its signature. The bytes are hashed as they go; a rendering that no
// longer gives the signed bytes is reported (the status line is gone by then, and a consumer's
// signature check refuses the body).
#include <cstdio>

#include "publisher/common/sha256.hpp"
#include "publisher/http/queries.hpp"

namespace gazette::http {

namespace {

class SignedChangeset : public BodySource {
 public:
  SignedChangeset(std::unique_ptr<Store> store, Contract contract, const Release& parent, const Release& release,
                  std::string expected_sha)
      : store_(std::move(store)), contract_(std::move(contract)),
        doc_(std::make_unique<ChangesetDocument>(*store_, contract_, parent, release)),
        expected_(std::move(expected_sha)), what_(release.dataset + " " + parent.id + ".." + release.id) {}

  bool next(std::string_view& view) override {
    if (!doc_) return false;
    auto more = doc_->next(buf_);
    if (!more.ok()) {
      std::fprintf(stderr, "gazette: the changeset %s failed: %s\n", what_.c_str(), more.status().message().c_str());
      doc_.reset();
      return false;
    }
    if (!*more) {
      const std::string got = to_hex(hash_.finish());
      if (got != expected_)
        std::fprintf(stderr, "gazette: ERROR: the changeset %s rendered again to sha256 %s, not the signed %s\n",
                     what_.c_str(), got.c_str(), expected_.c_str());
      doc_.reset();
      return false;
    }
    hash_.update(buf_);
    view = buf_;
    return true;
  }

 private:
  std::unique_ptr<Store> store_;  // outlives the document (declared first, destroyed last)
  Contract contract_;
  std::unique_ptr<ChangesetDocument> doc_;
  std::string buf_;
  Sha256 hash_;
  std::string expected_, what_;
};

}  // namespace

Result<std::shared_ptr<BodySource>> Queries::changeset_document(const site::ServedRelease& parent,
                                                                const site::ServedRelease& release) {
  auto store = Store::open(data_dir_, OpenMode::read);
  if (!store.ok()) return store.status();
  auto contract = release_contract(**store, release.release);
  if (!contract.ok()) return contract.status();
  return std::shared_ptr<BodySource>(std::make_shared<SignedChangeset>(
      std::move(*store), std::move(*contract), parent.release, release.release, release.changes_sha256));
}

}  // namespace gazette::http
