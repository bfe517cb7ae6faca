// A Beast Body whose bytes come from a BodySource as they are sent (an artefact rendered
// again from the store), with a Content-Length known in advance. Internal to the HTTP layer.
#pragma once

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/optional.hpp>
#include <memory>
#include <string>

#include "publisher/http/http.hpp"

namespace gazette::http {

struct GeneratedBody {
  struct value_type {
    std::shared_ptr<BodySource> source;
    std::uint64_t length = 0;
  };

  static std::uint64_t size(const value_type& v) { return v.length; }

  class writer {
   public:
    using const_buffers_type = boost::asio::const_buffer;

    template <bool isRequest, class Fields>
    writer(boost::beast::http::header<isRequest, Fields>&, const value_type& body) : body_(body) {}

    void init(boost::beast::error_code& ec) {
      remain_ = body_.length;
      ec = {};
    }

    boost::optional<std::pair<const_buffers_type, bool>> get(boost::beast::error_code& ec) {
      ec = {};
      if (remain_ == 0) return boost::none;
      if (!body_.source->next(chunk_) || chunk_.empty() || chunk_.size() > remain_) {
        // Fewer or more bytes than announced: end the connection rather than send a lie.
        ec = boost::beast::http::error::partial_message;
        return boost::none;
      }
      remain_ -= chunk_.size();
      return {{const_buffers_type(chunk_.data(), chunk_.size()), remain_ > 0}};
    }

   private:
    const value_type& body_;
    std::uint64_t remain_ = 0;
    std::string_view chunk_;
  };
};

}  // namespace gazette::http
