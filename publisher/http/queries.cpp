#include "publisher/http/queries.hpp"


namespace gazette::http {

Queries::Queries(std::filesystem::path data_dir, std::size_t cached)
    : data_dir_(std::move(data_dir)), cache_capacity_(cached) {}

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

Result<std::shared_ptr<const Changeset>> Queries::changeset(const ServedDataset& dataset,
                                                            const ServedRelease* from,
                                                            const ServedRelease& to) {
  const std::string cache_key =
      dataset.info.id + "\n" + (from ? from->release.id : "") + "\n" + to.release.id;
  {
    std::lock_guard lock(cache_mutex_);
    for (auto it = cache_.begin(); it != cache_.end(); ++it) {
      if (it->first == cache_key) {
        cache_.splice(cache_.begin(), cache_, it);
        return it->second;
      }
    }
  }
  auto store = acquire();
  if (!store.ok()) return store.status();
  // A release against its parent comes back as stored when it was cut (the gate's labels);
  // any other pair is computed from the keys whose versions changed in between.
  auto cs = changeset_between(**store, *dataset.contract, dataset.info.id, from ? &from->release : nullptr,
                              to.release);
  release(std::move(*store));
  if (!cs.ok()) return cs.status();
  auto shared = std::make_shared<const Changeset>(std::move(*cs));
  std::lock_guard lock(cache_mutex_);
  cache_.emplace_front(cache_key, shared);
  if (cache_.size() > cache_capacity_) cache_.pop_back();
  return shared;
}

Result<std::vector<RecordEvent>> Queries::history(const std::string& dataset,
                                                  const std::string& key) {
  auto store = acquire();
  if (!store.ok()) return store.status();
  auto h = record_history(**store, dataset, key);
  release(std::move(*store));
  return h;
}

}  // namespace gazette::http
