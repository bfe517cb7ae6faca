// Releases, their artefacts and candidates, as values read from and written to the store.
//
// Thread-safety: plain values.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "publisher/common/time.hpp"

namespace gazette {

enum class ReleaseKind { routine, backfill, rollback };
const char* to_string(ReleaseKind k);

// A release's meaning version, MAJOR.MINOR.PATCH, from the gate's verdict on it: a consumer
// who pins a MAJOR keeps receiving releases that mean what the ones it holds meant.
struct MeaningVersion {
  int major = 1, minor = 0, patch = 0;
  std::string str() const;  // "2.1.0"
  // "MAJOR.MINOR.PATCH" of decimal numbers, nothing else.
  static std::optional<MeaningVersion> parse(std::string_view text);
  auto operator<=>(const MeaningVersion&) const = default;
};

// What a release did to meaning: changed a definition (a backfill under a plan, a contract
// with a new definition version), needed a notice (restatements, removals, code-list
// extensions, appended columns), or neither.
enum class VersionBump { major, minor, patch };
// The version of a release that follows one at `parent` (null: the first release, 1.0.0).
MeaningVersion next_version(const MeaningVersion* parent, VersionBump bump);

struct Artefact {
  std::string name;        // "naptan-stops.csv"
  std::string media_type;  // "text/csv; charset=utf-8; header=present"
  std::uint64_t bytes = 0;
  std::string sha256;      // hex
  // The precompressed gzip copy served on Accept-Encoding: gzip (empty when there is none).
  std::string gzip_sha256;
  std::uint64_t gzip_bytes = 0;
  // The files were removed to save space: the artefact is rendered again from the stored
  // records when asked for (byte for byte the same, checked before removal).
  bool evicted = false;
};

struct Release {
  std::string dataset;
  std::string id;         // "2026-11-24", "2026-11-24.2"
  std::int64_t seq = 0;   // 1, 2, ... in publication order within the dataset
  UnixSeconds published_at = 0;
  ReleaseKind kind = ReleaseKind::routine;
  std::string owner;
  std::string parent;     // previous release id, empty for the first
  int contract_version = 1;
  std::uint64_t record_count = 0;
  std::string candidate;  // the candidate it was cut from
  std::vector<Artefact> artefacts;
  std::string manifest_json;
  // What rendered its artefacts, as its manifest names it ("gazette-render/1"): evicted
  // artefacts are rendered again by the same version, or not at all.
  std::string renderer;
  MeaningVersion version;
  // The version was derived when read (a release cut before versions): documents published
  // before then do not carry it, and keep their bytes.
  bool version_derived = false;
};

// One area of a release (the contract's partition): how many records it holds and its
// artefacts. Area artefacts are never kept as files: they are rendered from the release's
// records when asked for, under the size and SHA-256 recorded here. An area a release left
// unchanged keeps the rendering of the release that last changed it (`since`), byte for byte,
// so its ETag stays and caches keep it.
struct ReleaseArea {
  std::string code;
  std::uint64_t records = 0;
  std::string since;                // the release whose rendering its artefacts are
  std::vector<Artefact> artefacts;  // evicted: rendered on request
  // The release's changeset (from its parent) in this area; a first release adds every record.
  std::uint64_t added = 0, removed = 0, retired = 0, modified = 0;
  bool changed() const { return added + removed + retired + modified > 0; }
};

struct Candidate {
  std::string dataset;
  std::string id;
  std::string format;  // csv, naptan-xml, json
  std::string source;  // the file name it was staged from
  std::uint64_t record_count = 0;
  UnixSeconds staged_at = 0;
  std::string stats_json;  // value counts of code columns (see contract::ValueCounts)
  // The contract its records were validated against: the dataset's when it was staged, or a
  // newer version proposed with it (stage --contract). Empty for candidates staged before
  // gazette kept it (the dataset's contract then).
  std::string contract_json;
};

}  // namespace gazette
