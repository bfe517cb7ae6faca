// The release list (`GET /datasets/{ds}/releases`) as it is signed: the document is made here,
// once per release, signed and kept in the store with its signature, and served as kept, so
// that the bytes a consumer checks are the bytes the publisher signed, whatever a later
// gazette would render.
//
// Thread-safety: pure functions.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "publisher/common/time.hpp"
#include "publisher/model/release.hpp"

namespace gazette {

// One release as the list and the release's page describe it: id, version, publication, kind,
// owner, parent, counts, manifest URL and artefacts (URL, media type, bytes, SHA-256).
nlohmann::ordered_json release_summary(const Release& release);

// The list of `releases` (oldest first; listed newest first). With a signature's window
// (signed_at, valid_until non-zero) it says when it was signed and until when it may be trusted.
std::string release_list_json(const std::string& dataset, const std::vector<Release>& releases,
                              UnixSeconds signed_at = 0, UnixSeconds valid_until = 0);

}  // namespace gazette
