// Records and record sets: the unit gazette stores, diffs and publishes.
//
// A record is the list of a dataset's column values in contract order; an empty value is a
// null (CSV cannot tell them apart, so neither do we). On disk and in memory a record is
// kept *encoded*: its values joined by U+001F, which import refuses inside values, so the
// encoding is unambiguous and two records are equal exactly when their bodies are equal.
// A RecordSet is a list of encoded records sorted by key (byte order), keys unique.
//
// Thread-safety: plain values.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "publisher/common/sha256.hpp"

namespace gazette {

inline constexpr char kFieldSeparator = '\x1f';

// Joins values into an encoded body. Values must not contain kFieldSeparator.
std::string encode_record(const std::vector<std::string>& values);
// Splits an encoded body into views of its values (into `out`, which is cleared first).
void decode_record(std::string_view body, std::vector<std::string_view>& out);
// The key of a record: its key values joined by kFieldSeparator.
std::string record_key(const std::vector<std::string>& values,
                       const std::vector<std::size_t>& key_indices);

// Where a value came from, for error messages: "stops.csv:1042:7:" or
// "stops.xml:88: StopPoint/Place/Location/Translation/Easting:".
struct ValueOrigin {
  std::uint64_t line = 0;
  std::uint64_t column = 0;  // 0 when the format has no useful column (XML)
  std::string element;       // XML element path, empty otherwise
};
std::string describe_origin(const std::string& source, const ValueOrigin& o);

struct EncodedRecord {
  std::string key;
  std::string body;
  bool operator==(const EncodedRecord&) const = default;
};

// Records as views into storage that outlives them (a mapped candidate file), key order:
// what a release is rendered and committed from without a copy of every body.
using RecordRefs = std::vector<std::pair<std::string_view, std::string_view>>;  // key, body

class RecordSet {
 public:
  RecordSet() = default;
  explicit RecordSet(std::vector<EncodedRecord> sorted) : records_(std::move(sorted)) {}

  const std::vector<EncodedRecord>& records() const { return records_; }
  std::vector<EncodedRecord>& mutable_records() { return records_; }
  std::size_t size() const { return records_.size(); }
  bool operator==(const RecordSet&) const = default;

  // Sorts by key. Returns the index of the first record whose key equals its predecessor's
  // (after sorting), or npos when keys are unique.
  std::size_t sort_and_find_duplicate();
  // The content hash of the set: SHA-256 over every (key, body) in key order.
  Digest content_hash() const;
  // Views of every record, valid while the set is neither changed nor destroyed.
  RecordRefs refs() const;

 private:
  std::vector<EncodedRecord> records_;
};

}  // namespace gazette
