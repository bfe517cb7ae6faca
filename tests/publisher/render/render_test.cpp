#include <catch2/catch.hpp>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "publisher/common/file_io.hpp"
#include "publisher/common/sha256.hpp"
#include "tests/publisher/render/render_support.hpp"
#include "tests/support/run_process.hpp"

using namespace gazette;
using namespace gazette::testing;

namespace {
Contract naptan() { return load_naptan_contract(); }
}  // namespace

TEST_CASE("CSV fields are quoted only when they must be", "[render]") {
  std::string out;
  append_csv_field(out, "plain");
  out += ',';
  append_csv_field(out, "a, b");
  out += ',';
  append_csv_field(out, "say \"hi\"");
  out += ',';
  append_csv_field(out, "two\nlines");
  CHECK(out == "plain,\"a, b\",\"say \"\"hi\"\"\",\"two\nlines\"");
  std::string x;
  append_xml_escaped(x, "a<b & \"c\"\r");
  CHECK(x == "a&lt;b &amp; &quot;c&quot;&#13;");
  std::string j;
  append_json_string(j, "q\"\\\n\x01");
  CHECK(j == "\"q\\\"\\\\\\n\\u0001\"");
}

TEST_CASE("the CSV artefact has the NaPTAN header, rows sorted by key, CRLF line ends", "[render]") {
  Contract c = naptan();
  auto set = read_set(c, naptan_dir() / "csv/268Stops_2026-07-24.csv", InputFormat::csv);
  std::string csv = render(c, set, ArtefactFormat::csv);
  CHECK(csv.rfind("ATCOCode,NaptanCode,PlateCode,", 0) == 0);
  CHECK(csv.find("\r\n") == csv.find('\n') - 1);
  std::size_t lines = 0;
  for (std::size_t i = 0; i + 1 < csv.size(); ++i) {
    if (csv[i] == '\n') CHECK(csv[i - 1] == '\r');
    lines += csv[i] == '\n';
  }
  CHECK(lines + 1 == set.size() + 1);
  // Rows in key order: the first data row is the smallest ATCOCode, 268006234.
  CHECK(csv.substr(csv.find("\r\n") + 2, 10) == "268006234,");
  CHECK(set.records().front().key == "268006234");
}

TEST_CASE("rendering is byte-deterministic and parse(render(x)) == x", "[render]") {
  Contract c = naptan();
  TempDir dir;
  for (const char* file : {"csv/149Stops_2026-07-24.csv", "csv/021Stops_2026-07-23.csv",
                           "legacy/bustimes-fixture-Stops-legacy.csv"}) {
    INFO(file);
    auto set = read_set(c, naptan_dir() / file, InputFormat::csv);
    for (ArtefactFormat f : {ArtefactFormat::csv, ArtefactFormat::xml, ArtefactFormat::json})
      CHECK(sha256(render(c, set, f)) == sha256(render(c, set, f)));
    auto csv_path = write_text(dir / "again.csv", render(c, set, ArtefactFormat::csv));
    CHECK(read_set(c, csv_path, InputFormat::csv) == set);
    auto json_path = write_text(dir / "again.json", render(c, set, ArtefactFormat::json));
    CHECK(read_set(c, json_path, InputFormat::json) == set);
  }
}

TEST_CASE("the shipped XSD is the one generated from the contract", "[render]") {
  Contract c = naptan();
  const auto shipped = source_dir() / "schemas/naptan-stops.xsd";
  const std::string generated = render_xsd(c);
  if (std::getenv("GAZETTE_UPDATE_SCHEMAS")) write_text(shipped, generated);
  INFO("regenerate with GAZETTE_UPDATE_SCHEMAS=1 build/tests/render_test");
  CHECK(read_text(shipped) == generated);
}

TEST_CASE("the generic XML artefact is well-formed and valid against the shipped XSD", "[render]") {
  // Renderer 1's layout for every dataset, renderer 2's for a dataset with no XML mapping.
  Contract c = naptan();
  Contract unmapped = naptan();
  unmapped.xml_namespace.clear();
  REQUIRE_FALSE(has_naptan_layout(unmapped));
  TempDir dir;
  for (const char* file : {"csv/149Stops_2026-07-24.csv", "csv/611Stops_2024-10-13.csv"}) {
    auto set = read_set(c, naptan_dir() / file, InputFormat::csv);
    const std::string v1 = render(c, set, ArtefactFormat::xml, 1);
    CHECK(render(unmapped, set, ArtefactFormat::xml, 2) == v1);
    CHECK(v1.find("<release xmlns=\"urn:gazette:release:1\"") != std::string::npos);
    auto xml = write_text(dir / "release.xml", v1);
    auto r = run_process({"/usr/bin/xmllint", "--noout", "--schema",
                          (source_dir() / "schemas/naptan-stops.xsd").string(), xml.string()});
    INFO(file << ": " << r.err);
    CHECK(r.exit_code == 0);
  }
  // And the check can fail: an element out of order is refused.
  auto bad = write_text(dir / "bad.xml",
                        "<release xmlns=\"urn:gazette:release:1\" dataset=\"d\" id=\"i\" "
                        "published_at=\"p\" contract_version=\"1\" records=\"1\"><record>"
                        "<NaptanCode>x</NaptanCode><ATCOCode>1</ATCOCode></record></release>");
  auto r = run_process({"/usr/bin/xmllint", "--noout", "--schema",
                        (source_dir() / "schemas/naptan-stops.xsd").string(), bad.string()});
  CHECK(r.exit_code != 0);
}

TEST_CASE("a changeset read as it streams in is the one written, one change at a time", "[render][mirror]") {
  Changeset cs;
  cs.dataset = "naptan-stops";
  cs.from = "2026-07-24";
  cs.to = "2026-07-24.2";
  cs.summary = {1, 1, 1, 1};
  cs.changes = {{"0100A", ChangeKind::added, {{"ATCOCode", "", "0100A"}, {"CommonName", "", "Quay \"1\", \\ é"}}, "key-added",
                 Severity::routine},
                {"0100B", ChangeKind::removed, {}, "key-vanished-without-tombstone", Severity::notice},
                {"0100C", ChangeKind::retired, {{"Status", "active", "inactive"}}, "retired-through-lifecycle",
                 Severity::routine},
                {"0100D\x1f" "2", ChangeKind::modified, {{"Notes", "old", ""}}, "descriptive-edit", Severity::routine}};
  const std::string text = render_changeset_json(cs, 0, cs.changes.size());
  std::istringstream in(text);
  Changeset head;
  std::vector<Change> seen;
  REQUIRE(read_changeset_json(in, "cs.json", head, [&](Change& c) -> Status {
            seen.push_back(c);
            return {};
          }).ok());
  CHECK(head.dataset == cs.dataset);
  CHECK(head.from == cs.from);
  CHECK(head.to == cs.to);
  CHECK(head.summary == cs.summary);
  CHECK(seen == cs.changes);
  CHECK(seen == parse_changeset_json(text)->changes);

  // The reader's error stops it there; a document cut short is one line naming it.
  std::istringstream again(text);
  int calls = 0;
  auto stopped = read_changeset_json(again, "cs.json", head, [&](Change&) -> Status {
    return ++calls == 2 ? Status::invalid_input("no such record") : Status();
  });
  CHECK(stopped.message() == "no such record");
  CHECK(calls == 2);
  std::istringstream cut(text.substr(0, text.size() / 2));
  auto broken = read_changeset_json(cut, "cs.json", head, [](Change&) { return Status(); });
  CHECK_FALSE(broken.ok());
  CHECK_THAT(broken.message(), Catch::StartsWith("cs.json: not a changeset at byte"));
}
