#include "publisher/http/metrics.hpp"

#include <atomic>
#include <cstdio>

namespace gazette::http {

Metrics::Metrics() = default;

void Metrics::record(const std::string& route, int status, std::uint64_t bytes, double seconds) {
  static std::atomic<std::size_t> next_shard{0};
  thread_local const std::size_t shard_index = next_shard++ % kShards;
  Shard& s = shards_[shard_index];
  std::lock_guard lock(s.mutex);
  ++s.requests[{route, status}];
  s.bytes_sent += bytes;
  ++s.observations;
  s.seconds_sum += seconds;
  for (std::size_t i = 0; i < kBuckets.size(); ++i)
    if (seconds <= kBuckets[i]) ++s.bucket_counts[i];
}

std::string Metrics::render(const std::map<std::string, std::size_t>& releases) const {
  std::map<std::pair<std::string, int>, std::uint64_t> requests_;
  std::array<std::uint64_t, kBuckets.size()> bucket_counts_{};
  std::uint64_t observations_ = 0, bytes_sent_ = 0;
  double seconds_sum_ = 0;
  for (const Shard& s : shards_) {
    std::lock_guard lock(s.mutex);
    for (const auto& [k, n] : s.requests) requests_[k] += n;
    for (std::size_t i = 0; i < kBuckets.size(); ++i) bucket_counts_[i] += s.bucket_counts[i];
    observations_ += s.observations;
    bytes_sent_ += s.bytes_sent;
    seconds_sum_ += s.seconds_sum;
  }
  std::string out;
  char line[256];
  out += "# HELP gazette_http_requests_total HTTP requests answered, by route and status.\n";
  out += "# TYPE gazette_http_requests_total counter\n";
  for (const auto& [key, n] : requests_) {
    std::snprintf(line, sizeof line, "gazette_http_requests_total{route=\"%s\",status=\"%d\"} %llu\n",
                  key.first.c_str(), key.second, static_cast<unsigned long long>(n));
    out += line;
  }
  out += "# HELP gazette_http_response_bytes_total Body bytes sent.\n";
  out += "# TYPE gazette_http_response_bytes_total counter\n";
  out += "gazette_http_response_bytes_total " + std::to_string(bytes_sent_) + "\n";
  out += "# HELP gazette_http_request_duration_seconds Time from request to response written.\n";
  out += "# TYPE gazette_http_request_duration_seconds histogram\n";
  for (std::size_t i = 0; i < kBuckets.size(); ++i) {
    std::snprintf(line, sizeof line, "gazette_http_request_duration_seconds_bucket{le=\"%g\"} %llu\n",
                  kBuckets[i], static_cast<unsigned long long>(bucket_counts_[i]));
    out += line;
  }
  out += "gazette_http_request_duration_seconds_bucket{le=\"+Inf\"} " +
         std::to_string(observations_) + "\n";
  std::snprintf(line, sizeof line, "gazette_http_request_duration_seconds_sum %.6f\n", seconds_sum_);
  out += line;
  out += "gazette_http_request_duration_seconds_count " + std::to_string(observations_) + "\n";
  out += "# HELP gazette_releases_published Releases published, by dataset.\n";
  out += "# TYPE gazette_releases_published gauge\n";
  for (const auto& [ds, n] : releases)
    out += "gazette_releases_published{dataset=\"" + ds + "\"} " + std::to_string(n) + "\n";
  if (extra_) out += extra_();
  return out;
}

}  // namespace gazette::http
