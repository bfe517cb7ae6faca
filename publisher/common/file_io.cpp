#include "publisher/common/file_io.hpp"

#include "publisher/common/sha256.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace gazette {

namespace {

constexpr std::size_t kBufferBytes = 1u << 20;
int g_fault_countdown = 0;

// Returns true when the armed fault fires on this operation.
bool fault_fires() {
  if (g_fault_countdown <= 0) return false;
  return --g_fault_countdown == 0;
}

Status errno_status(const std::string& what, const std::filesystem::path& p) {
  return Status::io_error(p.string() + ": " + what + ": " + std::strerror(errno));
}

}  // namespace

void arm_io_fault(int nth) { g_fault_countdown = nth; }
void disarm_io_fault() { g_fault_countdown = 0; }

void crash_point(std::string_view name) {
  const char* at = std::getenv("GAZETTE_CRASH_AT");
  if (at != nullptr && name == at) ::kill(::getpid(), SIGKILL);
}

Result<FileDigest> digest_file(const std::filesystem::path& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::io_error(path.string() + ": cannot open: " + std::strerror(errno));
  Sha256 hash;
  FileDigest out;
  std::string buffer(1u << 20, '\0');
  for (;;) {
    ssize_t n = ::read(fd, buffer.data(), buffer.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      Status s = errno_status("read failed", path);
      ::close(fd);
      return s;
    }
    if (n == 0) break;
    hash.update(std::string_view(buffer.data(), static_cast<std::size_t>(n)));
    out.bytes += static_cast<std::uint64_t>(n);
  }
  ::close(fd);
  out.sha256 = to_hex(hash.finish());
  return out;
}

Result<std::string> read_small_file(const std::filesystem::path& path, std::size_t max_bytes) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::invalid_input(path.string() + ": cannot open: " + std::strerror(errno));
  // Read straight into a buffer of the file's size (one allocation, no regrowth).
  struct stat st {};
  std::string out;
  if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
    if (static_cast<std::uint64_t>(st.st_size) > max_bytes) {
      ::close(fd);
      return Status::invalid_input(path.string() + ": file is larger than " +
                                   std::to_string(max_bytes) + " bytes");
    }
    out.reserve(static_cast<std::size_t>(st.st_size) + 65536);
  }
  std::size_t used = 0;
  for (;;) {
    if (out.size() - used < 65536) out.resize(std::max<std::size_t>(out.capacity(), used + 65536));
    ssize_t n = ::read(fd, out.data() + used, out.size() - used);
    if (n < 0) {
      if (errno == EINTR) continue;
      Status s = errno_status("read failed", path);
      ::close(fd);
      return s;
    }
    if (n == 0) break;
    used += static_cast<std::size_t>(n);
    if (used > max_bytes) {
      ::close(fd);
      return Status::invalid_input(path.string() + ": file is larger than " +
                                   std::to_string(max_bytes) + " bytes");
    }
  }
  ::close(fd);
  out.resize(used);
  return out;
}

Status sync_directory(const std::filesystem::path& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return errno_status("cannot open folder", dir);
  bool failed = fault_fires();
  if (failed) errno = EIO;
  if (failed || ::fsync(fd) != 0) {
    Status s = errno_status("fsync of folder failed", dir);
    ::close(fd);
    return s;
  }
  ::close(fd);
  return {};
}

DurableFile::~DurableFile() { abandon(); }

Status DurableFile::open(const std::filesystem::path& temp_path) {
  temp_ = temp_path;
  fd_ = ::open(temp_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd_ < 0) return errno_status("cannot create", temp_);
  buffer_.reserve(kBufferBytes);
  written_ = 0;
  return {};
}

Status DurableFile::flush_buffer() {
  size_t off = 0;
  while (off < buffer_.size()) {
    if (fault_fires()) {
      errno = ENOSPC;
      return errno_status("write failed", temp_);
    }
    ssize_t n = ::write(fd_, buffer_.data() + off, buffer_.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno_status("write failed", temp_);
    }
    off += static_cast<size_t>(n);
  }
  buffer_.clear();
  return {};
}

Status DurableFile::write(std::string_view bytes) {
  if (fd_ < 0) return Status::io_error("write to a file that is not open");
  written_ += bytes.size();
  if (buffer_.size() + bytes.size() > kBufferBytes) {
    GAZETTE_RETURN_IF_ERROR(flush_buffer());
    if (bytes.size() > kBufferBytes) {
      buffer_.assign(bytes);
      return flush_buffer();
    }
  }
  buffer_.append(bytes);
  return {};
}

Status DurableFile::commit(const std::filesystem::path& final_path) {
  GAZETTE_RETURN_IF_ERROR(flush_buffer());
  if (fault_fires()) {
    errno = EIO;
    return errno_status("fsync failed", temp_);
  }
  if (::fsync(fd_) != 0) return errno_status("fsync failed", temp_);
  ::close(fd_);
  fd_ = -1;
  bool failed = fault_fires();
  if (failed) errno = EIO;
  if (failed || ::rename(temp_.c_str(), final_path.c_str()) != 0) {
    Status s = errno_status("rename failed", final_path);
    ::unlink(temp_.c_str());
    temp_.clear();
    return s;
  }
  temp_.clear();
  return sync_directory(final_path.parent_path());
}

void DurableFile::abandon() {
  if (fd_ >= 0) {
    ::close(fd_);
    fd_ = -1;
  }
  if (!temp_.empty()) {
    ::unlink(temp_.c_str());
    temp_.clear();
  }
}

Status write_file_durably(const std::filesystem::path& final_path, std::string_view bytes) {
  DurableFile f;
  auto temp = final_path;
  temp += ".tmp." + std::to_string(::getpid());
  GAZETTE_RETURN_IF_ERROR(f.open(temp));
  GAZETTE_RETURN_IF_ERROR(f.write(bytes));
  return f.commit(final_path);
}

}  // namespace gazette
