#include "publisher/release/release_list.hpp"

#include "publisher/urls/urls.hpp"

namespace gazette {

using ojson = nlohmann::ordered_json;

ojson release_summary(const Release& r) {
  ojson j;
  j["id"] = r.id;
  j["version"] = r.version.str();
  j["published_at"] = format_rfc3339(r.published_at);
  j["kind"] = to_string(r.kind);
  j["owner"] = r.owner;
  j["parent"] = r.parent.empty() ? ojson(nullptr) : ojson(r.parent);
  j["record_count"] = r.record_count;
  j["contract_version"] = r.contract_version;
  j["manifest"] = urls::manifest(r.dataset, r.id);
  ojson arts = ojson::object();
  for (const auto& a : r.artefacts) {
    ojson aj;
    aj["url"] = urls::release_file(r.dataset, r.id, a.name);
    aj["media_type"] = a.media_type;
    aj["bytes"] = a.bytes;
    aj["sha256"] = a.sha256;
    arts[a.name.substr(a.name.rfind('.') + 1)] = std::move(aj);
  }
  j["artefacts"] = std::move(arts);
  return j;
}

std::string release_list_json(const std::string& dataset, const std::vector<Release>& releases,
                              UnixSeconds signed_at, UnixSeconds valid_until) {
  ojson rels = ojson::array();
  for (auto it = releases.rbegin(); it != releases.rend(); ++it) rels.push_back(release_summary(*it));
  ojson list;
  list["dataset"] = dataset;
  if (signed_at != 0) list["signed_at"] = format_rfc3339(signed_at);
  if (valid_until != 0) list["valid_until"] = format_rfc3339(valid_until);
  list["releases"] = std::move(rels);
  return list.dump(2) + "\n";
}

}  // namespace gazette
