// Shared by the ingest tests: a sink that keeps what it is given, and small contracts.
#pragma once

#include <catch2/catch.hpp>

#include "publisher/common/file_io.hpp"
#include "publisher/contract/contract.hpp"
#include "publisher/ingest/ingest.hpp"
#include "tests/support/naptan_contract.hpp"
#include "tests/support/temp_dir.hpp"

namespace gazette::testing {

struct CollectingSink : RecordSink {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::vector<ValueOrigin>> origins;
  Status on_record(std::vector<std::string>& values,
                   const std::vector<ValueOrigin>& o) override {
    rows.push_back(values);
    origins.push_back(o);
    return {};
  }
};

// A contract with columns id, name, note (all strings; id the key).
inline Contract three_columns() {
  auto c = parse_contract(R"({"dataset": "t", "version": 1, "title": "T", "key": ["id"],
    "xml": {"record_element": "Item"},
    "columns": [
      {"name": "id", "type": "string", "role": "identity", "nullable": false, "xml": ["@id"]},
      {"name": "name", "type": "string", "role": "descriptive", "xml": ["Name"]},
      {"name": "note", "type": "string", "role": "descriptive", "xml": ["Detail/*/Note"]}]})",
                          "three.json");
  REQUIRE(c.ok());
  return *c;
}

inline Contract naptan_contract_parsed() { return load_naptan_contract(); }

// Reads `text` written to a temp file; returns the status and fills `sink`.
inline Status read_text_as(const std::string& text, InputFormat f, const Contract& c,
                           CollectingSink& sink, const std::string& name = "in.txt") {
  TempDir dir;
  auto path = write_text(dir / name, text);
  auto r = read_records(path, f, c, sink);
  if (r.ok()) return {};
  // Messages name the file; tests compare what follows the file name.
  Status s = r.status();
  std::string m = s.message();
  auto at = m.find(name);
  return Status::invalid_input(at == std::string::npos ? m : m.substr(at));
}

}  // namespace gazette::testing
