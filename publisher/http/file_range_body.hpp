// A Beast Body that streams a byte range of a file with pread(2): Beast's file_body always
// starts at offset 0, and Range responses need any offset. Internal to the HTTP layer.
#pragma once

#include <unistd.h>

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/optional.hpp>
#include <cstdint>
#include <memory>

namespace gazette::http {

struct FileRangeBody {
  struct value_type {
    std::shared_ptr<int> fd;  // closed by its deleter
    std::uint64_t offset = 0;
    std::uint64_t length = 0;
  };

  static std::uint64_t size(const value_type& v) { return v.length; }

  class writer {
   public:
    using const_buffers_type = boost::asio::const_buffer;

    template <bool isRequest, class Fields>
    writer(boost::beast::http::header<isRequest, Fields>&, const value_type& body) : body_(body) {}

    void init(boost::beast::error_code& ec) {
      pos_ = body_.offset;
      remain_ = body_.length;
      ec = {};
    }

    boost::optional<std::pair<const_buffers_type, bool>> get(boost::beast::error_code& ec) {
      if (remain_ == 0) {
        ec = {};
        return boost::none;
      }
      const std::size_t want = remain_ < sizeof buf_ ? static_cast<std::size_t>(remain_) : sizeof buf_;
      ssize_t n = ::pread(*body_.fd, buf_, want, static_cast<off_t>(pos_));
      if (n <= 0) {
        ec = boost::beast::error_code(n < 0 ? errno : EIO, boost::beast::system_category());
        return boost::none;
      }
      pos_ += static_cast<std::uint64_t>(n);
      remain_ -= static_cast<std::uint64_t>(n);
      ec = {};
      return {{const_buffers_type(buf_, static_cast<std::size_t>(n)), remain_ > 0}};
    }

   private:
    const value_type& body_;
    std::uint64_t pos_ = 0, remain_ = 0;
    char buf_[256 * 1024];
  };
};

}  // namespace gazette::http
