#include "publisher/http/queries.hpp"
#include "publisher/site/feeds.hpp"


namespace gazette::http {

Queries::Queries(std::filesystem::path data_dir, std::uint64_t render_cache_bytes, std::size_t cached)
    : data_dir_(std::move(data_dir)), cache_capacity_(cached), render_cache_(data_dir_ / "cache", render_cache_bytes) {}

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
  std::optional<ChangeSummary> known;
  {
    std::lock_guard lock(cache_mutex_);
    for (auto it = summaries_.begin(); it != summaries_.end(); ++it) {
      if (it->first == cache_key) {
        summaries_.splice(summaries_.begin(), summaries_, it);
        known = it->second;
        break;
      }
    }
  }
  auto store = acquire();
  if (!store.ok()) return store.status();
  auto page = gazette::changeset_page(**store, *dataset.contract, dataset.info.id, from ? &from->release : nullptr,
                                      to.release, after, limit, known, filter);
  release(std::move(*store));
  if (!page.ok() || known) return page;
  std::lock_guard lock(cache_mutex_);
  summaries_.emplace_front(cache_key, page->changeset.summary);
  if (summaries_.size() > cache_capacity_) summaries_.pop_back();
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
  auto store = acquire();
  if (!store.ok()) return store.status();
  auto a = (*store)->release_area(dataset, release, code);
  this->release(std::move(*store));
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
  constexpr std::size_t kKept = 64;
  const std::string key = dataset.info.id + "\n" + code + "\n" + std::to_string(dataset.releases.size()) + "\n" +
                          std::to_string(dataset.notices.size());
  {
    std::lock_guard lock(feeds_mutex_);
    for (auto it = area_feeds_.begin(); it != area_feeds_.end(); ++it)
      if (it->first == key) {
        area_feeds_.splice(area_feeds_.begin(), area_feeds_, it);
        return it->second;
      }
  }
  auto store = acquire();
  if (!store.ok()) return store.status();
  auto feed = site::render_area_feed(**store, options, dataset, code);
  this->release(std::move(*store));
  if (!feed.ok()) return feed.status();
  std::shared_ptr<const site::ServedFeed> out;
  if (*feed) out = std::make_shared<const site::ServedFeed>(std::move(**feed));
  std::lock_guard lock(feeds_mutex_);
  area_feeds_.emplace_front(key, out);
  if (area_feeds_.size() > kKept) area_feeds_.pop_back();
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
