#include "publisher/model/release.hpp"

namespace gazette {

const char* to_string(ReleaseKind k) {
  switch (k) {
    case ReleaseKind::routine: return "routine";
    case ReleaseKind::backfill: return "backfill";
    case ReleaseKind::rollback: return "rollback";
  }
  return "routine";
}

std::string MeaningVersion::str() const {
  return std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(patch);
}

std::optional<MeaningVersion> MeaningVersion::parse(std::string_view text) {
  int parts[3] = {0, 0, 0};
  for (int i = 0; i < 3; ++i) {
    std::size_t n = 0;
    long value = 0;
    while (n < text.size() && n < 9 && text[n] >= '0' && text[n] <= '9') value = value * 10 + (text[n++] - '0');
    if (n == 0) return std::nullopt;
    parts[i] = static_cast<int>(value);
    text.remove_prefix(n);
    if (i < 2) {
      if (text.empty() || text.front() != '.') return std::nullopt;
      text.remove_prefix(1);
    }
  }
  if (!text.empty()) return std::nullopt;
  return MeaningVersion{parts[0], parts[1], parts[2]};
}

MeaningVersion next_version(const MeaningVersion* parent, VersionBump bump) {
  if (parent == nullptr) return {};
  switch (bump) {
    case VersionBump::major: return {parent->major + 1, 0, 0};
    case VersionBump::minor: return {parent->major, parent->minor + 1, 0};
    case VersionBump::patch: break;
  }
  return {parent->major, parent->minor, parent->patch + 1};
}

}  // namespace gazette
