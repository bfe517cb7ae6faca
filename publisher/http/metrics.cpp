#include "publisher/http/metrics.hpp"

#include <cstdio>

namespace gazette::http {

void Metrics::record(const std::string& route, int status, std::uint64_t bytes, double seconds) {
  std::lock_guard lock(mutex_);
  ++requests_[{route, status}];
  bytes_sent_ += bytes;
  ++observations_;
  seconds_sum_ += seconds;
  for (std::size_t i = 0; i < kBuckets.size(); ++i)
    if (seconds <= kBuckets[i]) ++bucket_counts_[i];
}

std::string Metrics::render(const std::map<std::string, std::size_t>& releases) const {
  std::lock_guard lock(mutex_);
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
  return out;
}

}  // namespace gazette::http
