// Notices to consumers and the plans of backfills, as values (their files are read by
// contract/notice_plan_parser.cpp; README, "Feeds, notices and push").
//
// Thread-safety: plain values.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "publisher/common/time.hpp"

namespace gazette {

enum class NoticeKind { deprecation, meaning_change, removal, restatement };
const char* to_string(NoticeKind k);

// What a notice or a plan speaks about: columns, keys, and/or records matching `where`.
struct Scope {
  std::vector<std::string> columns;
  std::vector<std::string> keys;
  std::map<std::string, std::vector<std::string>> where;  // column -> allowed values
  bool empty() const { return columns.empty() && keys.empty() && where.empty(); }
};

struct Notice {
  std::string id;
  NoticeKind kind = NoticeKind::deprecation;
  std::string title;
  std::string text;
  Scope scope;
  std::optional<UnixSeconds> effective_at;  // the sunset
  std::string link;
  UnixSeconds published_at = 0;  // set when published
  std::string release;           // the release it was published with, if any
  std::string json;              // as supplied, normalised
};

struct DefinitionChange {
  std::string name;
  int from = 1, to = 2;
  std::string text;
};

struct Plan {
  std::string id;
  std::string owner;
  std::vector<std::string> reviewed_by;
  std::string intent;
  std::vector<DefinitionChange> definitions;
  Scope blast_radius;  // columns and where; keys unused
  std::uint64_t max_records = 0;
  std::string json;
};

}  // namespace gazette
