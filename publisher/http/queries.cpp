#include "publisher/http/queries.hpp"
#include "publisher/site/feeds.hpp"


namespace gazette::http {

Queries::Queries(std::filesystem::path data_dir, std::uint64_t render_cache_bytes, std::size_t cached)
    : data_dir_(std::move(data_dir)), summaries_(cached), render_cache_(data_dir_ / "cache", render_cache_bytes) {}

Queries::~Queries() = default;

Result<std::unique_ptr<Store>> Queries::acquire() {
  {
    std::lock_guard lock(pool_mutex_);
    if (!pool_.empty()) {
      auto s = std::move(pool_.back());
      pool_.pop_back();
      return s;
    }
  }
  return Store::open(data_dir_, OpenMode::read);
}

void Queries::release(std::unique_ptr<Store> store) {
  std::lock_guard lock(pool_mutex_);
  if (pool_.size() < 16) pool_.push_back(std::move(store));
}

Result<ChangesetPage> Queries::changeset_page(const site::ServedDataset& dataset, const site::ServedRelease* from,
                                              const site::ServedRelease& to, std::string_view after, std::size_t limit,
                                              const RecordFilter* filter) {
  const std::string cache_key = dataset.info.id + "\n" + (from ? from->release.id : "") + "\n" + to.release.id +
                                (filter ? "\n" + filter->query(*dataset.contract) : std::string());
  const std::optional<ChangeSummary> known = summaries_.get(cache_key);
  auto store = acquire();
  if (!store.ok()) return store.status();
  auto page = gazette::changeset_page(**store, *dataset.contract, dataset.info.id, from ? &from->release : nullptr,
                                      to.release, after, limit, known, filter);
  release(std::move(*store));
  if (!page.ok() || known) return page;
  summaries_.put(cache_key, page->changeset.summary);
  return page;
}

Result<std::vector<RecordEvent>> Queries::history(const std::string& dataset, const std::string& key,
                                                  bool explain) {
  auto store = acquire();
  if (!store.ok()) return store.status();
  auto h = record_history(**store, dataset, key, explain);
  release(std::move(*store));
  return h;
}

}  // namespace gazette::http

namespace gazette::http {

Result<std::optional<ReleaseArea>> Queries::area(const std::string& dataset, const std::string& release,
                                                 const std::string& code) {
  const std::string key = dataset + "\n" + release + "\n" + code;
  if (auto kept = areas_.get(key)) {
    if (!*kept) return std::optional<ReleaseArea>();
    return std::optional<ReleaseArea>(**kept);
  }
  auto store = acquire();
  if (!store.ok()) return store.status();
  auto a = (*store)->release_area(dataset, release, code);
  this->release(std::move(*store));
  if (!a.ok()) return a;
  // "No such area" is kept too: a published release never gains one.
  areas_.put(key, *a ? std::make_shared<const ReleaseArea>(**a) : nullptr);
  return a;
}

Result<std::optional<StoredSignature>> Queries::area_index(const std::string& dataset, const std::string& release) {
  auto store = acquire();
  if (!store.ok()) return store.status();
  auto s = (*store)->signature(dataset, areas_subject(release));
  this->release(std::move(*store));
  return s;
}

Result<std::shared_ptr<const site::ServedFeed>> Queries::area_feed(const site::ServedDataset& dataset,
                                                                   const site::CatalogOptions& options,
                                                                   const std::string& code) {
  const std::string key = dataset.info.id + "\n" + code + "\n" + std::to_string(dataset.releases.size()) + "\n" +
                          std::to_string(dataset.notices.size());
  if (auto kept = area_feeds_.get(key)) return *kept;
  auto store = acquire();
  if (!store.ok()) return store.status();
  auto feed = site::render_area_feed(**store, options, dataset, code);
  this->release(std::move(*store));
  if (!feed.ok()) return feed.status();
  std::shared_ptr<const site::ServedFeed> out;
  if (*feed) out = std::make_shared<const site::ServedFeed>(std::move(**feed));
  area_feeds_.put(key, out);
  return out;
}

Result<std::vector<ReleaseArea>> Queries::areas(const std::string& dataset, const std::string& release) {
  auto store = acquire();
  if (!store.ok()) return store.status();
  auto a = (*store)->release_areas(dataset, release);
  this->release(std::move(*store));
  return a;
}

Result<std::vector<std::pair<std::string, ReleaseArea>>> Queries::area_history(const std::string& dataset,
                                                                               const std::string& code) {
  auto store = acquire();
  if (!store.ok()) return store.status();
  auto h = (*store)->area_history(dataset, code);
  this->release(std::move(*store));
  return h;
}

}  // namespace gazette::http
