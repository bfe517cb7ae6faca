// Method: stream the file through the format's reader into a sink that fills derived
// columns, validates every value, and keeps each record encoded (one string per record, so
// 435,000 records stay near 150 MB). Then sort by key, refuse duplicate keys with both
// lines named, hash the sorted set for the candidate id, and write the candidate once.
#include <algorithm>
#include <numeric>
#include <unordered_map>

#include "publisher/contract/contract.hpp"
#include "publisher/release/release.hpp"

namespace gazette {

Result<Contract> load_contract(Store& store, const std::string& dataset) {
  auto info = store.dataset(dataset);
  if (!info.ok()) return info.status();
  return parse_contract(info->contract_json, "contract of " + dataset);
}

Result<Contract> candidate_contract(Store& store, const Candidate& candidate) {
  if (candidate.contract_json.empty()) return load_contract(store, candidate.dataset);
  return parse_contract(candidate.contract_json, "contract of candidate " + candidate.id);
}

namespace {

// The contract to stage against: the dataset's, or a newer version proposed with the file.
Result<Contract> staging_contract(Store& store, const std::string& dataset, const StageOptions& options) {
  auto current = load_contract(store, dataset);
  if (!current.ok() || options.contract_json.empty()) return current;
  auto proposed = parse_contract(options.contract_json, options.contract_source);
  if (!proposed.ok()) return proposed.status();
  if (proposed->dataset_id != dataset)
    return Status::invalid_input(options.contract_source + ": a contract for dataset '" + proposed->dataset_id +
                                 "', not '" + dataset + "'");
  if (proposed->version == current->version && proposed->canonical_json == current->canonical_json)
    return current;  // the contract in force, given again
  if (proposed->version <= current->version)
    return Status::invalid_input(options.contract_source + ": version " + std::to_string(proposed->version) +
                                 " is not newer than the dataset's contract (v" +
                                 std::to_string(current->version) + "); raise \"version\"");
  return proposed;
}

// Fills derived columns (LocalityName through NptgLocalityCode, ...) for formats that do not
// carry them, from pairs seen in the newest release.
struct DerivedFill {
  std::size_t column;
  std::size_t from;
  std::unordered_map<std::string, std::string> lookup;
  std::uint64_t filled = 0, unresolved = 0;
};

class StagingSink : public RecordSink {
 public:
  StagingSink(const Contract& contract, const std::string& source,
              std::vector<DerivedFill>& fills)
      : contract_(contract), source_(source), validator_(contract), fills_(fills) {}

  Status on_record(std::vector<std::string>& values,
                   const std::vector<ValueOrigin>& origins) override {
    for (auto& f : fills_) {
      if (!values[f.column].empty() || values[f.from].empty()) continue;
      auto it = f.lookup.find(values[f.from]);
      if (it == f.lookup.end()) {
        ++f.unresolved;
      } else {
        values[f.column] = it->second;
        ++f.filled;
      }
    }
    GAZETTE_RETURN_IF_ERROR(validator_.validate(values, source_, origins));
    std::size_t key_col = contract_.key_indices.front();
    records_.push_back({record_key(values, contract_.key_indices), encode_record(values)});
    lines_.push_back(origins[key_col].line);
    return {};
  }

  std::vector<EncodedRecord> records_;
  std::vector<std::uint64_t> lines_;

 private:
  const Contract& contract_;
  const std::string& source_;
  RecordValidator validator_;
  std::vector<DerivedFill>& fills_;
};

}  // namespace

std::string candidate_id_for(const std::string& dataset, const Contract& contract,
                             const RecordSet& records) {
  // The id depends on the dataset, the contract (its version and text: two proposals of one
  // version are two candidates) and the records; not on the format or the file's name.
  Sha256 h;
  h.update("gazette-candidate-v2\n" + dataset + "\n" + std::to_string(contract.version) + "\n");
  h.update(to_hex(sha256(contract.canonical_json)) + "\n");
  h.update(to_hex(records.content_hash()));
  return to_hex(h.finish()).substr(0, 16);
}

Result<StageResult> stage(Store& store, const std::string& dataset,
                          const std::filesystem::path& file, const StageOptions& options) {
  auto contract = staging_contract(store, dataset, options);
  if (!contract.ok()) return contract.status();
  const Contract& c = *contract;

  // Which columns can this format carry? CSV and JSON carry all; XML those with paths.
  std::vector<DerivedFill> fills;
  if (options.format == InputFormat::naptan_xml) {
    for (std::size_t i = 0; i < c.columns.size(); ++i)
      if (c.columns[i].xml_paths.empty() && !c.columns[i].derived_from.empty())
        fills.push_back({i, c.column_index(c.columns[i].derived_from), {}, 0, 0});
  }
  std::string filled_from;
  if (!fills.empty()) {
    auto newest = store.newest_release(dataset);
    if (!newest.ok()) return newest.status();
    if (newest->has_value()) {
      filled_from = (*newest)->id;
      std::vector<std::string_view> fields;
      GAZETTE_RETURN_IF_ERROR(store.for_each_record(
          dataset, (*newest)->seq, [&](std::string_view, std::string_view body) {
            decode_record(body, fields);
            for (auto& f : fills)
              if (f.from < fields.size() && f.column < fields.size() && !fields[f.from].empty())
                f.lookup.emplace(std::string(fields[f.from]), std::string(fields[f.column]));
            return Status{};
          }));
    }
  }

  const std::string source = file.string();
  StagingSink sink(c, source, fills);
  IngestOptions io;
  io.progress = options.progress;
  auto summary = read_records(file, options.format, c, sink, io);
  if (!summary.ok()) return summary.status();

  // An empty file, or an XML document with no record element, is almost always a broken
  // export; published, it would tell every consumer that every record vanished.
  if (sink.records_.empty())
    return Status::invalid_input(source + ":1:1: no records" +
                                 (options.format == InputFormat::naptan_xml && !c.xml_record_element.empty()
                                      ? " (no " + c.xml_record_element + " element)"
                                      : std::string()) +
                                 "; a dataset's records are withdrawn through its lifecycle or notices, not by an "
                                 "empty file");
  // Sort by key (byte order) and refuse duplicate keys, naming both lines.
  std::vector<std::uint32_t> order(sink.records_.size());
  std::iota(order.begin(), order.end(), 0u);
  std::sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
    const auto& ka = sink.records_[a].key;
    const auto& kb = sink.records_[b].key;
    return ka < kb || (ka == kb && a < b);
  });
  for (std::size_t i = 1; i < order.size(); ++i) {
    const auto& prev = sink.records_[order[i - 1]];
    const auto& cur = sink.records_[order[i]];
    if (prev.key == cur.key) {
      std::string shown = cur.key;
      std::replace(shown.begin(), shown.end(), kFieldSeparator, '|');
      return Status::invalid_input(source + ":" + std::to_string(sink.lines_[order[i]]) +
                                   ":1: duplicate key '" + shown + "' (first at line " +
                                   std::to_string(sink.lines_[order[i - 1]]) + ")");
    }
  }
  std::vector<EncodedRecord> sorted;
  sorted.reserve(order.size());
  for (auto idx : order) sorted.push_back(std::move(sink.records_[idx]));
  sink.records_.clear();
  sink.records_.shrink_to_fit();
  RecordSet records(std::move(sorted));

  std::string id = candidate_id_for(dataset, c, records);

  StageResult result;
  result.candidate.dataset = dataset;
  result.candidate.id = id;
  result.candidate.format = to_string(options.format);
  result.candidate.source = file.filename().string();
  result.candidate.record_count = records.size();
  result.candidate.staged_at = now_utc();
  ValueCounter counter(c);
  for (const auto& r : records.records()) counter.add(r.body);
  result.candidate.stats_json = counts_json(counter.take());
  result.candidate.contract_json = c.canonical_json;  // what its records were validated against
  auto existing = store.candidate(dataset, id);
  if (!existing.ok()) return existing.status();
  result.already_staged = existing->has_value();
  if (!fills.empty()) {
    std::string names;
    std::uint64_t filled = 0, unresolved = 0;
    for (const auto& f : fills) {
      names += (names.empty() ? "" : ", ") + c.columns[f.column].name;
      filled = std::max(filled, f.filled);
      unresolved = std::max(unresolved, f.unresolved);
    }
    std::string note = names + ": not carried by " + result.candidate.format + "; ";
    if (filled_from.empty())
      note += "no release yet to take them from, so left empty";
    else
      note += "taken through " + c.columns[fills.front().from].name + " from release " +
              filled_from + " for " + std::to_string(filled) + " records" +
              (unresolved ? ", " + std::to_string(unresolved) + " left empty (code unknown there)"
                          : std::string());
    result.notes.push_back(std::move(note));
  }
  GAZETTE_RETURN_IF_ERROR(store.write_candidate(result.candidate, records, options.actor));
  return result;
}

}  // namespace gazette
