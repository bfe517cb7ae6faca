// Test support for renderers: a file read into a record set, and a record set rendered.
#pragma once

#include <catch2/catch.hpp>

#include "publisher/contract/contract.hpp"
#include "publisher/ingest/ingest.hpp"
#include "publisher/model/record.hpp"
#include "publisher/render/render.hpp"
#include "tests/support/naptan_contract.hpp"
#include "tests/support/temp_dir.hpp"

namespace gazette::testing {

struct EncodingSink : RecordSink {
  const Contract& c;
  RecordValidator v;
  std::vector<EncodedRecord> recs;
  explicit EncodingSink(const Contract& c) : c(c), v(c) {}
  Status on_record(std::vector<std::string>& values, const std::vector<ValueOrigin>& o) override {
    GAZETTE_RETURN_IF_ERROR(v.validate(values, "x", o));
    recs.push_back({record_key(values, c.key_indices), encode_record(values)});
    return {};
  }
};

inline RecordSet read_set(const Contract& c, const std::filesystem::path& p, InputFormat f) {
  EncodingSink sink(c);
  auto r = read_records(p, f, c, sink);
  INFO(p.string() << ": " << r.status().message());
  REQUIRE(r.ok());
  RecordSet set(std::move(sink.recs));
  REQUIRE(set.sort_and_find_duplicate() == static_cast<std::size_t>(-1));
  return set;
}

inline std::string render(const Contract& c, const RecordSet& set, ArtefactFormat f, int renderer = kRenderVersion) {
  ReleaseHeader h{"naptan-stops", "2026-07-24", "2026-07-24T06:00:00Z", 1, set.size(), renderer};
  auto r = make_renderer(f, c, h);
  REQUIRE(r);
  std::string out;
  r->begin(out);
  for (const auto& rec : set.records()) r->record(rec.body, out);
  r->end(out);
  return out;
}

}  // namespace gazette::testing
