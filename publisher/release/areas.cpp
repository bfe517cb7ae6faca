// Method: a partition's code is a prefix of the key, so in a release's records (in key order)
// each area is one run. A run the release changed (a key of its changeset in it, or a parent
// rendered differently) is rendered once per format into a hash, never to a file; a run it
// left alone keeps its parent's entry, whose artefacts are the bytes of the release that last
// changed it. Both together cost at most one more pass over the records.
#include <nlohmann/json.hpp>
#include <algorithm>
#include <set>

#include "publisher/common/sha256.hpp"
#include "publisher/release/release.hpp"
#include "publisher/release/render_stream.hpp"
#include "publisher/urls/urls.hpp"

namespace gazette {

namespace {

// One format of one area, rendered into its SHA-256 and size only.
Result<Artefact> hash_area_artefact(const Contract& contract, const ReleaseHeader& header, ArtefactFormat format,
                                    RecordRefs::const_iterator first, RecordRefs::const_iterator last) {
  Artefact a;
  a.name = header.dataset + "." + extension(format);
  a.media_type = media_type(format);
  a.evicted = true;
  Sha256 hash;
  GAZETTE_RETURN_IF_ERROR(render_stream(
      contract, header, format,
      [&](auto&& emit) -> Status {
        for (auto it = first; it != last; ++it) GAZETTE_RETURN_IF_ERROR(emit(it->second));
        return {};
      },
      [&](const std::string& bytes) -> Status {
        hash.update(bytes);
        a.bytes += bytes.size();
        return {};
      }));
  a.sha256 = to_hex(hash.finish());
  return a;
}

}  // namespace

std::string areas_subject(std::string_view release) { return "areas/" + std::string(release); }

ReleaseHeader area_header(const Release& since, std::uint64_t records) {
  ReleaseHeader h = release_header(since);
  h.record_count = records;
  return h;
}

Result<std::vector<ReleaseArea>> cut_areas(const Contract& contract, const Release& release, const RecordRefs& records,
                                           const AreaParent& parent) {
  std::vector<ReleaseArea> out;
  if (!contract.partition) return out;
  const Partition& p = *contract.partition;
  std::map<std::string, const ReleaseArea*> before;
  for (const auto& a : parent.areas) before[a.code] = &a;
  const bool first_release = release.parent.empty();
  // One area's entry: the parent's rendering when it still holds, else rendered now.
  auto add_area = [&](const std::string& code, RecordRefs::const_iterator first,
                      RecordRefs::const_iterator last) -> Status {
    ReleaseArea area;
    area.code = code;
    area.records = static_cast<std::uint64_t>(last - first);
    auto counts = parent.changes.find(code);
    if (counts != parent.changes.end()) {
      area.added = counts->second.added;
      area.removed = counts->second.removed;
      area.retired = counts->second.retired;
      area.modified = counts->second.modified;
    } else if (first_release) {
      area.added = area.records;
    }
    auto kept = before.find(code);
    if (parent.renders_alike && kept != before.end() && !area.changed() && kept->second->records == area.records) {
      area.since = kept->second->since;
      area.artefacts = kept->second->artefacts;
    } else {
      area.since = release.id;
      const ReleaseHeader header = area_header(release, area.records);
      for (ArtefactFormat f : kArtefactFormats) {
        if (!has_format(contract, f)) continue;
        auto a = hash_area_artefact(contract, header, f, first, last);
        if (!a.ok()) return a.status();
        area.artefacts.push_back(std::move(*a));
      }
    }
    out.push_back(std::move(area));
    return {};
  };
  std::set<std::string> present;
  for (auto first = records.begin(); first != records.end();) {
    const std::string code(p.code_of(first->first));
    auto last = first;
    while (last != records.end() && p.code_of(last->first) == code) ++last;
    GAZETTE_RETURN_IF_ERROR(add_area(code, first, last));
    present.insert(code);
    first = last;
  }
  // An area whose records all went: listed once more, with empty files, so that its consumers
  // see it emptied (its feed tells them); a release after that lists it no more.
  for (const auto& a : parent.areas)
    if (a.records > 0 && !present.count(a.code)) GAZETTE_RETURN_IF_ERROR(add_area(a.code, records.end(), records.end()));
  std::sort(out.begin(), out.end(), [](const ReleaseArea& x, const ReleaseArea& y) { return x.code < y.code; });
  return out;
}

std::string area_index_json(const Contract& contract, const Release& release, const std::vector<ReleaseArea>& areas) {
  using ojson = nlohmann::ordered_json;
  const Partition& p = *contract.partition;
  ojson doc;
  doc["dataset"] = release.dataset;
  doc["release"] = release.id;
  doc["partition"] = {{"column", p.column}, {"length", p.length}, {"title", p.title}};
  ojson list = ojson::array();
  for (const auto& a : areas) {
    ojson j;
    j["code"] = a.code;
    const std::string name = p.name_of(a.code);
    j["name"] = name.empty() ? ojson(nullptr) : ojson(name);
    j["records"] = a.records;
    j["since"] = a.since;
    j["changes"] = {{"added", a.added}, {"removed", a.removed}, {"retired", a.retired}, {"modified", a.modified}};
    ojson arts = ojson::array();
    for (const auto& art : a.artefacts)
      arts.push_back({{"name", art.name},
                      {"url", urls::area_file(release.dataset, release.id, a.code, art.name)},
                      {"media_type", art.media_type},
                      {"bytes", art.bytes},
                      {"sha256", art.sha256}});
    j["artefacts"] = std::move(arts);
    list.push_back(std::move(j));
  }
  doc["areas"] = std::move(list);
  return doc.dump(2) + "\n";
}

Status render_area_bytes(Store& store, const Contract& contract, const Release& since, const ReleaseArea& area,
                         ArtefactFormat format, const std::function<Status(const std::string&)>& sink) {
  auto cursor = store.records_of(since.dataset, since.seq, area.code);
  if (!cursor.ok()) return cursor.status();
  return render_stream(
      contract, area_header(since, area.records), format,
      [&](auto&& emit) -> Status {
        std::string_view key, body;
        for (;;) {
          auto more = (*cursor)->next(key, body);
          if (!more.ok()) return more.status();
          if (!*more) return {};
          GAZETTE_RETURN_IF_ERROR(emit(body));
        }
      },
      sink);
}

}  // namespace gazette
