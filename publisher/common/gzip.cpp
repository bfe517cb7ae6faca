#include "publisher/common/gzip.hpp"

#include <zlib.h>

#include <stdexcept>

namespace gazette {

struct GzipStream::Impl {
  z_stream z{};
  bool open = false;
};

GzipStream::GzipStream(int level) : impl_(std::make_unique<Impl>()) {
  // windowBits 15 + 16: a gzip wrapper with a zeroed header (no name, no mtime).
  if (deflateInit2(&impl_->z, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    throw std::runtime_error("deflateInit2 failed");
  impl_->open = true;
}

GzipStream::~GzipStream() {
  if (impl_->open) deflateEnd(&impl_->z);
}

namespace {
Status pump(z_stream& z, std::string& out, int flush) {
  char buf[65536];
  for (;;) {
    z.next_out = reinterpret_cast<Bytef*>(buf);
    z.avail_out = sizeof buf;
    int rc = deflate(&z, flush);
    if (rc == Z_STREAM_ERROR) return Status::io_error("gzip: deflate failed");
    out.append(buf, sizeof buf - z.avail_out);
    if (flush == Z_FINISH ? rc == Z_STREAM_END : z.avail_out != 0) return {};
  }
}
}  // namespace

Status GzipStream::write(std::string_view in, std::string& out) {
  impl_->z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  impl_->z.avail_in = static_cast<uInt>(in.size());
  return pump(impl_->z, out, Z_NO_FLUSH);
}

Status GzipStream::finish(std::string& out) {
  impl_->z.next_in = nullptr;
  impl_->z.avail_in = 0;
  return pump(impl_->z, out, Z_FINISH);
}

Result<std::string> gunzip(std::string_view in) {
  z_stream z{};
  if (inflateInit2(&z, 15 + 16) != Z_OK) return Status::io_error("gzip: inflateInit2 failed");
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  std::string out;
  char buf[65536];
  int rc;
  do {
    z.next_out = reinterpret_cast<Bytef*>(buf);
    z.avail_out = sizeof buf;
    rc = inflate(&z, Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END) {
      inflateEnd(&z);
      return Status::invalid_input("gzip: corrupt stream");
    }
    out.append(buf, sizeof buf - z.avail_out);
  } while (rc != Z_STREAM_END);
  inflateEnd(&z);
  return out;
}

}  // namespace gazette
