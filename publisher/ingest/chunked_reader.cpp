#include "publisher/ingest/chunked_reader.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace gazette::ingest_detail {

ChunkedReader::~ChunkedReader() {
  if (fd_ >= 0) ::close(fd_);
}

Status ChunkedReader::open(const std::filesystem::path& path) {
  path_ = path;
  fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd_ < 0) return Status::invalid_input(path.string() + ": cannot open: " + std::strerror(errno));
  struct stat st {};
  if (::fstat(fd_, &st) != 0 || !S_ISREG(st.st_mode))
    return Status::invalid_input(path.string() + ": not a regular file");
  size_ = static_cast<std::uint64_t>(st.st_size);
  ::posix_fadvise(fd_, 0, 0, POSIX_FADV_SEQUENTIAL);
  return {};
}

Result<std::size_t> ChunkedReader::read_into(std::string& out, std::size_t max) {
  std::size_t old = out.size();
  out.resize(old + max);
  for (;;) {
    ssize_t n = ::read(fd_, out.data() + old, max);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      out.resize(old);
      return Status::io_error(path_.string() + ": read failed: " + std::strerror(errno));
    }
    out.resize(old + static_cast<std::size_t>(n));
    consumed_ += static_cast<std::uint64_t>(n);
    return static_cast<std::size_t>(n);
  }
}

}  // namespace gazette::ingest_detail
