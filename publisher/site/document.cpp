#include "publisher/site/document.hpp"

#include "publisher/common/sha256.hpp"

namespace gazette::site {

const char* cache_control(Caching c) {
  switch (c) {
    case Caching::immutable:
      return "public, max-age=31536000, immutable";
    case Caching::contract:
      return "public, max-age=300";
    case Caching::short_lived:
      break;
  }
  return "public, max-age=60";
}

Document make_document(std::string body, std::string media_type, Caching caching) {
  Document d;
  d.etag = etag_of(body);
  d.body = std::move(body);
  d.media_type = std::move(media_type);
  d.caching = caching;
  return d;
}

std::string etag_of(std::string_view body) { return etag_of_sha256(to_hex(sha256(body))); }

std::string etag_of_sha256(std::string_view hex) { return "\"" + std::string(hex.substr(0, 32)) + "\""; }

}  // namespace gazette::site
