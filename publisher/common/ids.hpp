// Typed identifiers, validated once where they enter the system (command line, URL, file).
//
// A DatasetId or ReleaseId that exists has a safe spelling: it may be joined to a path or a
// URL without further checks. Thread-safety: plain values.
#pragma once

#include <string>
#include <string_view>

#include "publisher/common/status.hpp"

namespace gazette {

// `naptan-stops`: lower-case letters, digits and '-', starting with a letter, at most 64.
class DatasetId {
 public:
  static Result<DatasetId> parse(std::string_view text);
  const std::string& str() const { return v_; }
  bool operator==(const DatasetId&) const = default;

 private:
  std::string v_;
};

// `2026-11-24`, or `2026-11-24.2` and on for later releases of the same day.
class ReleaseId {
 public:
  static Result<ReleaseId> parse(std::string_view text);
  // The id for the `ordinal`-th release (1-based) published on `date` (YYYY-MM-DD).
  static ReleaseId for_day(const std::string& date, int ordinal);
  const std::string& str() const { return v_; }
  bool operator==(const ReleaseId&) const = default;

 private:
  std::string v_;
};

// A candidate id: 16 lower-case hex digits of a content hash.
class CandidateId {
 public:
  static Result<CandidateId> parse(std::string_view text);
  static CandidateId from_hex(std::string hex16) {
    CandidateId c;
    c.v_ = std::move(hex16);
    return c;
  }
  const std::string& str() const { return v_; }
  bool operator==(const CandidateId&) const = default;

 private:
  std::string v_;
};

}  // namespace gazette
