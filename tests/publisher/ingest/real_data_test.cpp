// Every real NaPTAN file bundled in data/naptan (see its SOURCES.md) must import cleanly.
#include <map>

#include "tests/publisher/ingest/ingest_support.hpp"

using namespace gazette;
using namespace gazette::testing;

namespace {

struct ValidatingSink : RecordSink {
  explicit ValidatingSink(const Contract& c, std::string source)
      : validator(c), source(std::move(source)) {}
  RecordValidator validator;
  std::string source;
  std::map<std::string, std::vector<std::string>> by_key;
  Status on_record(std::vector<std::string>& values, const std::vector<ValueOrigin>& o) override {
    GAZETTE_RETURN_IF_ERROR(validator.validate(values, source, o));
    by_key[values[0]] = values;
    return {};
  }
};

std::map<std::string, std::vector<std::string>> read_file(const Contract& c,
                                                          const std::filesystem::path& p) {
  ValidatingSink sink(c, p.string());
  auto r = read_records(p, guess_input_format(p), c, sink);
  INFO(p.string());
  INFO(r.status().message());
  REQUIRE(r.ok());
  CHECK(r->records == sink.by_key.size());
  return sink.by_key;
}

}  // namespace

TEST_CASE("every real NaPTAN CSV and XML file imports without error", "[ingest][real]") {
  Contract c = naptan_contract_parsed();
  // Row counts from data/naptan/SOURCES.md.
  const std::map<std::string, std::size_t> expected = {
      {"csv/021Stops_2024-10-13.csv", 1885}, {"csv/021Stops_2026-07-23.csv", 1924},
      {"csv/037Stops_2024-10-13.csv", 512},  {"csv/037Stops_2026-07-22.csv", 523},
      {"csv/611Stops_2024-10-13.csv", 575},  {"csv/611Stops_2026-04-22.csv", 573},
      {"csv/668Stops_2024-10-13.csv", 356},  {"csv/668Stops_2024-10-24.csv", 356},
      {"csv/668Stops_2024-12-03.csv", 356},  {"csv/668Stops_2024-12-12.csv", 356},
      {"csv/668Stops_2025-11-18.csv", 356},  {"csv/668Stops_2026-01-20.csv", 356},
      {"csv/668Stops_2026-06-02.csv", 356},  {"csv/268Stops_2026-07-24.csv", 258},
      {"csv/149Stops_2026-07-24.csv", 1397}, {"legacy/bustimes-fixture-Stops-legacy.csv", 2},
      {"xml/149_2022-12-13.xml", 1377},      {"xml/149_2026-07-24.xml", 1397},
      {"xml/601_2023-02-01.xml", 1883},      {"xml/601_2026-07-24.xml", 1885},
      {"xml/268_2026-07-24.xml", 258},       {"nextbus-Naptan.xml", 48},
      {"nextbus-Naptan_099.xml", 42},        {"nextbus-Naptan_147.xml", 6}};
  for (const auto& [file, rows] : expected) {
    auto records = read_file(c, naptan_dir() / file);
    INFO(file);
    CHECK(records.size() == rows);
  }
}

TEST_CASE("the CSV and the XML of one snapshot agree on every column the XML carries",
          "[ingest][real]") {
  Contract c = naptan_contract_parsed();
  for (const char* area : {"268", "149"}) {
    auto csv = read_file(c, naptan_dir() / (std::string("csv/") + area + "Stops_2026-07-24.csv"));
    auto xml = read_file(c, naptan_dir() / (std::string("xml/") + area + "_2026-07-24.xml"));
    REQUIRE(csv.size() == xml.size());
    for (const auto& [key, row] : csv) {
      auto it = xml.find(key);
      REQUIRE(it != xml.end());
      for (std::size_t i = 0; i < c.columns.size(); ++i) {
        if (c.columns[i].xml_paths.empty()) continue;
        INFO(area << " " << key << " " << c.columns[i].name);
        CHECK(row[i] == it->second[i]);
      }
    }
  }
}

TEST_CASE("legacy CSV codes are read through the contract's declared aliases", "[ingest][real]") {
  Contract c = naptan_contract_parsed();
  auto rows = read_file(c, naptan_dir() / "legacy/bustimes-fixture-Stops-legacy.csv");
  const auto& r = rows.at("010000001");
  CHECK(r[c.column_index("Status")] == "active");
  CHECK(r[c.column_index("GridType")] == "UKOS");
  CHECK(rows.at("0610VR1022")[c.column_index("Modification")] == "revise");
}
