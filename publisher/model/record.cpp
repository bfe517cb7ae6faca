#include "publisher/model/record.hpp"

#include <algorithm>

namespace gazette {

std::string encode_record(const std::vector<std::string>& values) {
  std::size_t n = values.empty() ? 0 : values.size() - 1;
  for (const auto& v : values) n += v.size();
  std::string out;
  out.reserve(n);
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i) out.push_back(kFieldSeparator);
    out += values[i];
  }
  return out;
}

void decode_record(std::string_view body, std::vector<std::string_view>& out) {
  out.clear();
  std::size_t start = 0;
  for (;;) {
    std::size_t sep = body.find(kFieldSeparator, start);
    if (sep == std::string_view::npos) {
      out.push_back(body.substr(start));
      return;
    }
    out.push_back(body.substr(start, sep - start));
    start = sep + 1;
  }
}

std::string record_key(const std::vector<std::string>& values,
                       const std::vector<std::size_t>& key_indices) {
  if (key_indices.size() == 1) return values[key_indices[0]];
  std::string key;
  for (std::size_t i = 0; i < key_indices.size(); ++i) {
    if (i) key.push_back(kFieldSeparator);
    key += values[key_indices[i]];
  }
  return key;
}

std::string describe_origin(const std::string& source, const ValueOrigin& o) {
  std::string s = source + ":" + std::to_string(o.line);
  if (o.column) s += ":" + std::to_string(o.column);
  s += ":";
  if (!o.element.empty()) s += " " + o.element + ":";
  return s;
}

std::size_t RecordSet::sort_and_find_duplicate() {
  std::sort(records_.begin(), records_.end(),
            [](const EncodedRecord& a, const EncodedRecord& b) { return a.key < b.key; });
  for (std::size_t i = 1; i < records_.size(); ++i)
    if (records_[i].key == records_[i - 1].key) return i;
  return static_cast<std::size_t>(-1);
}

Digest RecordSet::content_hash() const {
  Sha256 h;
  for (const auto& r : records_) {
    // Length-prefix both parts so that no two different sets hash the same bytes.
    std::string len = std::to_string(r.key.size()) + ":" + std::to_string(r.body.size()) + ";";
    h.update(len);
    h.update(r.key);
    h.update(r.body);
  }
  return h.finish();
}

RecordRefs RecordSet::refs() const {
  RecordRefs out;
  out.reserve(records_.size());
  for (const auto& r : records_) out.emplace_back(r.key, r.body);
  return out;
}

}  // namespace gazette
