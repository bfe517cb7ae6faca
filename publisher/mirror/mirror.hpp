// gazette mirror: the consumer's side of gazette. It keeps DIR/ID.sqlite equal to the newest
// release (or the newest of a major version) of a gazette origin or of any copy of its export,
// and proves it: the release list, manifests and changesets are checked against the
// publisher's signatures, and after every update the copy is rendered as the release's CSV
// and its SHA-256 compared with the signed manifest's. A copy that would differ is never kept.
//
//   first run     signed list → signed manifest → the CSV artefact (resumable download,
//                 SHA-256 checked) → a new copy built aside, proven, moved into place
//   later runs    the changes from the held release to the target, in one transaction of the
//                 copy: one `changes?from=&to=` request to an origin, else the chain of signed
//                 changesets `changes/P..R.json` of a static export; proven, then committed
//   --area CODE   the same for one area: its CSV from the signed area index the manifest
//                 vouches for, its changes by `changes?…&area=CODE`
//
// Killed at any instant, the copy is the release it held or the new one (SQLite's journal), and
// a download cut short continues where it stopped.
//
// Thread-safety: one run at a time per DIR.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "publisher/common/status.hpp"
#include "publisher/common/time.hpp"

namespace gazette {

struct MirrorOptions {
  std::string source;   // "https://stops.example.org" (an origin or a copy of its export)
  std::string dataset;  // "naptan-stops"
  std::filesystem::path dir;
  // The publisher's minisign public key (its .pub text or base64 line). Empty: the keys the
  // copy trusts; on the first run, those the publisher lists at /keys (trust on first use).
  std::string key;
  bool keep_csv = false;          // keep DIR/ID.csv, the release's CSV, beside the table
  // One area of the dataset's partition: the copy is DIR/ID-AREA.sqlite (and .csv), proven
  // against the area's CSV in the release's signed area index. Brought forward by the origin's
  // changes of that area; from a static export, by the area's CSV when it changed.
  std::string area;
  std::optional<int> max_major;   // hold at this major version
  UnixSeconds now = 0;            // 0: the clock's
  // (what, bytes so far, bytes expected or 0), for a progress line on a terminal.
  std::function<void(std::string_view, std::uint64_t, std::uint64_t)> progress;
  // One line each, for the user (a key pinned, a rotation followed, a repaired CSV).
  std::function<void(const std::string&)> note;
};

// A notice that touches the copy, told once.
struct HeldNotice {
  std::string id, kind, title, url;
  std::string effective_at;  // RFC 3339, empty when it has none
};

struct MirrorOutcome {
  std::string from_release, from_version;  // empty on a first run
  std::string release, version;            // what the copy now equals
  bool updated = false;
  bool new_major = false;  // the copy moved to a higher major version: a person should look
  std::string method;      // "the whole CSV", "one changeset request", "3 signed changesets"
  std::uint64_t changes_applied = 0;
  std::uint64_t bytes_received = 0;
  std::vector<HeldNotice> notices;
  std::string held_back;  // the newest release, when --max-version keeps the copy from it
  std::string held_back_version;
};

Result<MirrorOutcome> run_mirror(const MirrorOptions& options);

}  // namespace gazette
