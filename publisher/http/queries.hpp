// Live reads that the catalogue snapshot does not hold: pages of the changeset between any two
// releases and the versions of one record. Backed by a small pool of read-only store
// connections. A page is read from the store alone, so memory follows the page; only the
// summaries of changesets are kept (two published releases never change, so neither does
// their changeset's summary).
//
// Thread-safety: every method may be called from any thread.
#pragma once

#include <filesystem>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "publisher/site/catalog.hpp"
#include "publisher/http/http.hpp"
#include "publisher/http/lru_cache.hpp"
#include "publisher/http/render_cache.hpp"
#include "publisher/model/changeset.hpp"
#include "publisher/release/release.hpp"

namespace gazette::http {

class Queries {
 public:
  // Renderings of evicted artefacts are kept in DIR/cache up to `render_cache_bytes`.
  explicit Queries(std::filesystem::path data_dir, std::uint64_t render_cache_bytes = 2ull << 30,
                   std::size_t cached_summaries = 256);
  ~Queries();

  // A page of the classified changeset from `from` (null: before the first release) to `to`:
  // at most `limit` changes after key `after` (empty: from the first).
  // With `filter`, of that subset (release/release.hpp).
  Result<ChangesetPage> changeset_page(const site::ServedDataset& dataset, const site::ServedRelease* from,
                                       const site::ServedRelease& to, std::string_view after, std::size_t limit,
                                       const RecordFilter* filter = nullptr);
  // Every version of `key`, oldest first (empty when the key never existed).
  Result<std::vector<RecordEvent>> history(const std::string& dataset, const std::string& key, bool explain = true);
  // The render cache's file of an evicted artefact, if it holds one (served like any file).
  std::optional<std::filesystem::path> cached_rendering(const std::string& sha256) { return render_cache_.find(sha256); }
  // Bytes [offset, offset + length) of an evicted artefact, rendered again as they are sent.
  // The whole changeset of `release` from its `parent`, as it was signed, rendered as it is sent.
  Result<std::shared_ptr<BodySource>> changeset_document(const site::ServedRelease& parent,
                                                         const site::ServedRelease& release);
  Result<std::shared_ptr<BodySource>> rendered_artefact(const site::ServedRelease& release, const site::ServedArtefact& artefact,
                                                        std::uint64_t offset, std::uint64_t length);
  // The same for an area's artefact, rendered from the release that last changed the area.
  Result<std::shared_ptr<BodySource>> rendered_area_artefact(const site::ServedRelease& since, const ReleaseArea& area,
                                                             const site::ServedArtefact& artefact, std::uint64_t offset,
                                                             std::uint64_t length);
  // One area of a release (none: no such area, or a release without areas), and the
  // release's signed area index (its document and signature).
  Result<std::optional<ReleaseArea>> area(const std::string& dataset, const std::string& release, const std::string& code);
  Result<std::optional<StoredSignature>> area_index(const std::string& dataset, const std::string& release);
  Result<std::vector<ReleaseArea>> areas(const std::string& dataset, const std::string& release);
  Result<std::vector<std::pair<std::string, ReleaseArea>>> area_history(const std::string& dataset, const std::string& code);
  // The feed of area `code` of `dataset` (null: no such area). Rendered once for each state of
  // the dataset (its releases and notices only ever grow, so their counts name the state) and
  // kept for the next requests and the hub's rounds; a few dozen areas are kept.
  Result<std::shared_ptr<const site::ServedFeed>> area_feed(const site::ServedDataset& dataset,
                                                            const site::CatalogOptions& options, const std::string& code);

 private:
  // A store connection borrowed from the pool for one call.
  class Lease;
  Result<std::unique_ptr<Store>> acquire();
  void release(std::unique_ptr<Store> store);

  std::filesystem::path data_dir_;
  std::mutex pool_mutex_;
  std::vector<std::unique_ptr<Store>> pool_;

  LruCache<ChangeSummary> summaries_;

  RenderCache render_cache_;

  LruCache<std::shared_ptr<const site::ServedFeed>> area_feeds_{64};
  // Areas of published releases never change: an area's artefact costs a lookup, not a query.
  LruCache<std::shared_ptr<const ReleaseArea>> areas_{4096};
};

}  // namespace gazette::http
