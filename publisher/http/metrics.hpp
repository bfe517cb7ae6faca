// Server metrics in the Prometheus text exposition format: requests by route and status,
// bytes sent, a latency histogram, and releases published.
//
// Thread-safety: record() may be called from any thread.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>

namespace gazette::http {

class Metrics {
 public:
  Metrics();
  void record(const std::string& route, int status, std::uint64_t bytes, double seconds);
  // The exposition text; `releases_by_dataset` is read from the current catalogue.
  std::string render(const std::map<std::string, std::size_t>& releases_by_dataset) const;

  // More exposition text, appended by render() (the hub's gauges). Set once, before serving.
  void set_extra(std::function<std::string()> extra) { extra_ = std::move(extra); }

  static constexpr std::array<double, 11> kBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                      0.05,   0.1,   0.25,   1.0,   5.0};

 private:
  // Each thread records into its own shard (chosen by thread id), so server threads do not
  // contend on one lock; render() adds the shards up.
  struct Shard {
    mutable std::mutex mutex;
    std::map<std::pair<std::string, int>, std::uint64_t> requests;
    std::array<std::uint64_t, kBuckets.size()> bucket_counts{};
    std::uint64_t observations = 0;
    double seconds_sum = 0;
    std::uint64_t bytes_sent = 0;
  };
  static constexpr std::size_t kShards = 16;
  std::array<Shard, kShards> shards_;
  std::function<std::string()> extra_;
};

}  // namespace gazette::http
