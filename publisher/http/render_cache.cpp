#include "publisher/http/render_cache.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

namespace gazette::http {

namespace fs = std::filesystem;

RenderCache::RenderCache(fs::path dir, std::uint64_t budget_bytes) : dir_(std::move(dir)), budget_(budget_bytes) {}

std::optional<fs::path> RenderCache::find(const std::string& sha256) {
  if (budget_ == 0 || sha256.size() != 64 || sha256.find_first_not_of("0123456789abcdef") != std::string::npos)
    return std::nullopt;
  const fs::path path = dir_ / sha256;
  // Marks it used: the modification time orders the files for trim().
  if (::utimensat(AT_FDCWD, path.c_str(), nullptr, 0) != 0) return std::nullopt;
  return path;
}

std::unique_ptr<RenderCache::Entry> RenderCache::start(std::uint64_t bytes) {
  if (bytes > budget_) return nullptr;
  std::error_code ec;
  fs::create_directories(dir_, ec);
  if (ec) return nullptr;
  fs::permissions(dir_, fs::perms::owner_all, fs::perm_options::replace, ec);
  std::uint64_t n;
  {
    std::lock_guard lock(mutex_);
    n = next_temp_++;
  }
  fs::path temp = dir_ / (".rendering-" + std::to_string(::getpid()) + "-" + std::to_string(n));
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return nullptr;
  return std::unique_ptr<Entry>(new Entry(*this, std::move(temp), fd));
}

RenderCache::Entry::~Entry() {
  if (fd_ >= 0) {
    ::close(fd_);
    ::unlink(temp_.c_str());
  }
}

Status RenderCache::Entry::append(std::string_view bytes) {
  if (fd_ < 0) return Status::io_error("render cache entry closed");
  hash_.update(bytes);
  bytes_ += bytes.size();
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd_, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return Status::io_error(temp_.string() + ": " + std::strerror(errno));
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return {};
}

bool RenderCache::Entry::keep(const std::string& sha256) {
  const bool ok = to_hex(hash_.finish()) == sha256;
  ::close(fd_);
  fd_ = -1;
  // No fsync: a cache file lost in a crash is rendered again; a torn one is never renamed in.
  if (!ok || ::rename(temp_.c_str(), (cache_.dir_ / sha256).c_str()) != 0) {
    ::unlink(temp_.c_str());
    return false;
  }
  cache_.trim();
  return true;
}

void RenderCache::trim() {
  std::lock_guard lock(mutex_);
  struct Kept {
    fs::path path;
    std::uint64_t bytes;
    fs::file_time_type used;
  };
  std::vector<Kept> kept;
  std::uint64_t total = 0;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir_, ec)) {
    if (e.path().filename().string().front() == '.') continue;  // being written
    std::error_code fe;
    const auto bytes = e.file_size(fe);
    const auto used = e.last_write_time(fe);
    if (fe) continue;
    kept.push_back({e.path(), bytes, used});
    total += bytes;
  }
  if (total <= budget_) return;
  std::sort(kept.begin(), kept.end(), [](const Kept& a, const Kept& b) { return a.used < b.used; });
  for (const auto& k : kept) {
    if (total <= budget_) break;
    fs::remove(k.path, ec);
    total -= k.bytes;
  }
}

}  // namespace gazette::http
