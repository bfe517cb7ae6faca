#include "publisher/http/http.hpp"

#include <strings.h>

namespace gazette::http {

std::string_view Request::header(std::string_view name) const {
  for (const auto& [k, v] : headers)
    if (k == name) return v;
  return {};
}

bool Request::has_header(std::string_view name) const {
  for (const auto& [k, v] : headers)
    if (k == name) return true;
  return false;
}

void Response::set(std::string name, std::string value) {
  for (auto& [k, v] : headers) {
    if (k.size() == name.size() && ::strncasecmp(k.c_str(), name.c_str(), k.size()) == 0) {
      v = std::move(value);
      return;
    }
  }
  headers.emplace_back(std::move(name), std::move(value));
}

std::string_view Response::header(std::string_view name) const {
  for (const auto& [k, v] : headers)
    if (k.size() == name.size() && ::strncasecmp(k.c_str(), name.data(), k.size()) == 0) return v;
  return {};
}

}  // namespace gazette::http
