#include "publisher/urls/urls.hpp"

#include "publisher/common/url.hpp"

namespace gazette::urls {

namespace {

std::string join(std::initializer_list<std::string_view> parts) {
  std::string out;
  for (auto p : parts) out += p;
  return out;
}

// A path segment: everything but unreserved characters (RFC 3986) and ':' percent-encoded.
std::string segment(std::string_view s) { return percent_encode(s, ":"); }

}  // namespace

std::string datasets() { return "/datasets"; }
std::string dataset(std::string_view ds) { return join({"/datasets/", ds}); }
std::string releases(std::string_view ds) { return join({"/datasets/", ds, "/releases"}); }
std::string release(std::string_view ds, std::string_view rel) { return join({"/datasets/", ds, "/releases/", rel}); }
std::string release_file(std::string_view ds, std::string_view rel, std::string_view file) {
  return join({"/datasets/", ds, "/releases/", rel, "/", file});
}
std::string manifest(std::string_view ds, std::string_view rel) { return release_file(ds, rel, "manifest.json"); }
std::string report(std::string_view ds, std::string_view rel) { return release_file(ds, rel, "report.json"); }
std::string area_index(std::string_view ds, std::string_view rel) { return release_file(ds, rel, "areas"); }
std::string area_page(std::string_view ds, std::string_view rel, std::string_view code) {
  return join({"/datasets/", ds, "/releases/", rel, "/areas/", code});
}
std::string area_file(std::string_view ds, std::string_view rel, std::string_view code, std::string_view file) {
  return join({"/datasets/", ds, "/releases/", rel, "/areas/", code, "/", file});
}
std::string latest(std::string_view ds, std::string_view file) { return join({"/datasets/", ds, "/latest/", file}); }
std::string as_of(std::string_view ds, std::string_view instant) {
  return join({"/datasets/", ds, "/as-of/", segment(instant)});
}

std::string as_of(std::string_view ds, std::string_view instant, std::string_view file) {
  return join({"/datasets/", ds, "/as-of/", segment(instant), "/", file});
}
std::string contract(std::string_view ds) { return join({"/datasets/", ds, "/contract"}); }
std::string changes(std::string_view ds) { return join({"/datasets/", ds, "/changes"}); }

std::string changes(std::string_view ds, std::string_view from, std::string_view to) {
  return join({"/datasets/", ds, "/changes?from=", form_encode(from), "&to=", form_encode(to)});
}
std::string changes_file(std::string_view ds, std::string_view from, std::string_view to) {
  return join({"/datasets/", ds, "/changes/", from, "..", to, ".json"});
}
std::string signature(std::string_view document_url) { return join({document_url, ".minisig"}); }
std::string versioned_latest(std::string_view ds, int major, std::string_view file) {
  return join({"/datasets/", ds, "/v/", std::to_string(major), "/latest/", file});
}
std::string keys() { return "/keys"; }
std::string key_file(std::string_view id) { return join({"/keys/", id, ".pub"}); }
std::string record(std::string_view ds, std::string_view key) { return join({"/datasets/", ds, "/records/", segment(key)}); }
std::string record_history(std::string_view ds, std::string_view key) { return record(ds, key) + "/history"; }
std::string notices(std::string_view ds) { return join({"/datasets/", ds, "/notices"}); }
std::string notice(std::string_view ds, std::string_view id) { return join({"/datasets/", ds, "/notices/", id}); }
std::string site_notice(std::string_view id) { return join({"/notices/", id}); }
std::string plan(std::string_view ds, std::string_view id) { return join({"/datasets/", ds, "/plans/", id}); }
std::string feed_base(std::string_view id) { return join({"/feeds/", id}); }
std::string feed(std::string_view id, std::string_view ext) { return join({"/feeds/", id, ".", ext}); }
std::string feed_archive(std::string_view id, std::size_t page, std::string_view ext) {
  return join({"/feeds/", id, "/archive/", std::to_string(page), ".", ext});
}

std::string area_feed_base(std::string_view ds, std::string_view code) { return join({"/feeds/", ds, "/areas/", code}); }
std::string area_feed(std::string_view ds, std::string_view code, std::string_view ext) {
  return area_feed_base(ds, code) + "." + std::string(ext);
}
std::string area_feed_archive(std::string_view ds, std::string_view code, std::size_t page, std::string_view ext) {
  return area_feed_base(ds, code) + "/archive/" + std::to_string(page) + "." + std::string(ext);
}

}  // namespace gazette::urls
