#include "publisher/mirror/remote.hpp"

#include <chrono>
#include <fstream>

#include "publisher/http/client.hpp"

namespace gazette::mirror_detail {

namespace {

using namespace std::chrono_literals;
// A small document arrives in seconds; a large one may take long on a slow line, but never
// stops moving for a minute.
constexpr auto kSmallDeadline = 60s;
constexpr auto kLargeDeadline = std::chrono::milliseconds(3h);
constexpr auto kIdleTimeout = 60s;

http::ClientRequest request_for(const std::string& url) {
  http::ClientRequest r;
  r.url = url;
  r.user_agent = "gazette-mirror/1";
  // The consumer names the server; an origin on its own network is a normal place to mirror from.
  r.allow_private = true;
  r.deadline = kSmallDeadline;
  return r;
}

Status failure(const std::string& url, const http::ClientResponse& a) {
  if (!a.error.empty()) return Status::io_error(url + ": " + a.error);
  if (a.status == 404) return Status::not_found(url + ": 404 Not Found");
  return Status::io_error(url + ": HTTP " + std::to_string(a.status));
}

}  // namespace

Remote::Remote(std::string base, Progress progress) : base_(std::move(base)), progress_(std::move(progress)) {
  while (!base_.empty() && base_.back() == '/') base_.pop_back();
}

std::string Remote::url(std::string_view path) const { return base_ + std::string(path); }

Result<std::string> Remote::text(std::string_view path, std::size_t max_bytes) {
  auto r = request_for(url(path));
  r.max_body = max_bytes + 1;
  auto a = http::http_request(r);
  if (!a.error.empty() || a.status != 200) return failure(r.url, a);
  received_ += a.body.size();
  if (a.body.size() > max_bytes)
    return Status::invalid_input(r.url + ": larger than " + std::to_string(max_bytes) + " bytes");
  return std::move(a.body);
}

Result<std::string> Remote::head_bytes(std::string_view path, std::size_t bytes) {
  auto r = request_for(url(path));
  r.headers = {{"Range", "bytes=0-" + std::to_string(bytes - 1)}};
  r.max_body = bytes;
  auto a = http::http_request(r);
  if (!a.error.empty() || (a.status != 200 && a.status != 206)) return failure(r.url, a);
  received_ += a.body.size();
  return std::move(a.body);
}

Status Remote::stream(std::string_view path, const std::function<Status(std::string_view)>& sink,
                      std::uint64_t expected_bytes) {
  auto r = request_for(url(path));
  r.deadline = kLargeDeadline;
  r.idle_timeout = kIdleTimeout;
  std::uint64_t got = 0;
  bool ok_status = false;
  r.on_head = [&](int status, const auto&) -> Status {
    ok_status = status == 200;
    return {};
  };
  r.on_body = [&](std::string_view bytes) -> Status {
    if (!ok_status) return {};  // an error page: read and dropped
    got += bytes.size();
    received_ += bytes.size();
    if (progress_) progress_(path, got, expected_bytes);
    return sink(bytes);
  };
  auto a = http::http_request(r);
  if (!a.error.empty() || a.status != 200) return failure(r.url, a);
  return {};
}

Status Remote::download(std::string_view path, const std::filesystem::path& file, std::uint64_t expected_bytes,
                        const std::string& etag) {
  std::error_code ec;
  std::uint64_t have = std::filesystem::exists(file, ec) ? std::filesystem::file_size(file, ec) : 0;
  if (ec || have >= expected_bytes) have = 0;  // nothing to continue: start again
  auto r = request_for(url(path));
  r.deadline = kLargeDeadline;
  r.idle_timeout = kIdleTimeout;
  if (have > 0 && !etag.empty()) r.headers = {{"Range", "bytes=" + std::to_string(have) + "-"}, {"If-Range", etag}};
  std::ofstream out;
  std::uint64_t got = 0;
  r.on_head = [&](int status, const auto&) -> Status {
    if (status != 200 && status != 206) return {};  // reported below, from the status
    const bool resumed = status == 206 && have > 0;
    out.open(file, std::ios::binary | (resumed ? std::ios::app : std::ios::trunc));
    if (!out) return Status::io_error(file.string() + ": cannot write");
    got = resumed ? have : 0;
    return {};
  };
  r.on_body = [&](std::string_view bytes) -> Status {
    if (!out.is_open()) return {};
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!out) return Status::io_error(file.string() + ": cannot write");
    got += bytes.size();
    received_ += bytes.size();
    if (got > expected_bytes) return Status::invalid_input(r.url + ": longer than its manifest says");
    if (progress_) progress_(path, got, expected_bytes);
    return {};
  };
  auto a = http::http_request(r);
  out.close();
  if (!a.error.empty() || (a.status != 200 && a.status != 206)) return failure(r.url, a);
  if (got != expected_bytes)
    return Status::io_error(r.url + ": " + std::to_string(got) + " bytes of " + std::to_string(expected_bytes));
  return {};
}

}  // namespace gazette::mirror_detail
