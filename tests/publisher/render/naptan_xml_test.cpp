// NaPTAN 2.4 XML (renderer 2): valid against DfT's schema modules, read back by the same
// contract paths to the same records, and carrying the same StopPoint values, in the same
// order, as DfT's own XML of the same day.
#include <pugixml.hpp>

#include <algorithm>
#include <map>

#include "publisher/common/file_io.hpp"
#include "tests/publisher/render/render_support.hpp"
#include "tests/support/run_process.hpp"

using namespace gazette;
using namespace gazette::testing;

namespace {

// xmllint's complaint, or "" when `xml` is valid NaPTAN 2.4 (schemas/naptan-2.4.xsd wraps the
// official modules in data/naptan/xsd).
std::string schema_errors(const std::filesystem::path& xml) {
  auto r = run_process({"/usr/bin/xmllint", "--noout", "--schema",
                        (source_dir() / "schemas/naptan-2.4.xsd").string(), xml.string()});
  return r.exit_code == 0 ? "" : r.err.empty() ? "xmllint failed" : r.err;
}

// Every column the XML reader gives back by itself; derived ones are filled on staging.
void check_same_records(const Contract& c, const RecordSet& a, const RecordSet& b) {
  REQUIRE(a.size() == b.size());
  std::vector<std::string_view> fa, fb;
  for (std::size_t r = 0; r < a.size(); ++r) {
    REQUIRE(a.records()[r].key == b.records()[r].key);
    decode_record(a.records()[r].body, fa);
    decode_record(b.records()[r].body, fb);
    for (std::size_t i = 0; i < c.columns.size(); ++i) {
      if (!c.columns[i].derived_from.empty()) continue;
      INFO(a.records()[r].key << " " << c.columns[i].name);
      CHECK(fa[i] == fb[i]);
    }
  }
}

// A StopPoint's values as (path, text) in document order: attributes as path/@name. Left out:
// xml:lang (DfT writes "en" everywhere; the CSV says nothing), the ends of a hail-and-ride
// section (no column carries them), and gazette's Extensions.
using Leaves = std::vector<std::pair<std::string, std::string>>;
void collect(const pugi::xml_node& n, const std::string& path, Leaves& out) {
  for (auto a = n.first_attribute(); a; a = a.next_attribute())
    if (std::string_view(a.name()) != "xml:lang") out.emplace_back(path + "/@" + a.name(), a.value());
  bool element_children = false;
  for (auto ch = n.first_child(); ch; ch = ch.next_sibling()) {
    if (ch.type() != pugi::node_element) continue;
    element_children = true;
    const std::string name = ch.name();
    if (name == "StartPoint" || name == "EndPoint" || name == "Extensions") continue;
    collect(ch, path + "/" + name, out);
  }
  if (!element_children && !n.text().empty()) out.emplace_back(path, n.text().get());
}

std::map<std::string, Leaves> stop_points(const pugi::xml_document& doc) {
  std::map<std::string, Leaves> out;
  for (auto sp : doc.child("NaPTAN").child("StopPoints").children("StopPoint")) {
    Leaves leaves;
    collect(sp, "StopPoint", leaves);
    out[sp.child_value("AtcoCode")] = std::move(leaves);
  }
  return out;
}

pugi::xml_document parse_xml(const std::filesystem::path& p) {
  pugi::xml_document doc;
  auto parsed = doc.load_file(p.c_str());
  INFO(p.string() << ": " << parsed.description());
  REQUIRE(parsed);
  return doc;
}

}  // namespace

TEST_CASE("the NaPTAN XML of every bundled snapshot is valid NaPTAN 2.4 and reads back to the same records",
          "[render][naptan-xml][real]") {
  Contract c = load_naptan_contract();
  REQUIRE(has_naptan_layout(c));
  TempDir dir;
  std::size_t files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(naptan_dir() / "csv")) {
    INFO(entry.path().filename().string());
    auto set = read_set(c, entry.path(), InputFormat::csv);
    const std::string xml = render(c, set, ArtefactFormat::xml);
    CHECK(xml.rfind("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<NaPTAN xmlns=\"http://www.naptan.org.uk/\"", 0) == 0);
    CHECK(xml.find("SchemaVersion=\"2.4\"") != std::string::npos);
    CHECK(xml.find("CreationDateTime=\"2026-07-24T06:00:00Z\"") != std::string::npos);
    auto path = write_text(dir / "naptan.xml", xml);
    CHECK(schema_errors(path) == "");
    check_same_records(c, set, read_set(c, path, InputFormat::naptan_xml));
    ++files;
  }
  CHECK(files == 15);

  // And the check can fail: a StopPoint whose NaptanCode comes before its AtcoCode is refused.
  auto set = read_set(c, naptan_dir() / "csv/268Stops_2026-07-24.csv", InputFormat::csv);
  std::string xml = render(c, set, ArtefactFormat::xml);
  const std::size_t atco = xml.find("<AtcoCode>268006234</AtcoCode>\n");
  REQUIRE(atco != std::string::npos);
  const std::size_t code_end = xml.find('\n', atco + 31) + 1;
  std::string atco_line = xml.substr(atco, 31), code_line = xml.substr(atco + 31, code_end - atco - 31);
  REQUIRE(code_line.rfind("<NaptanCode>", 0) == 0);
  xml.replace(atco, code_end - atco, code_line + atco_line);
  CHECK_THAT(schema_errors(write_text(dir / "bad.xml", xml)), Catch::Contains("NaptanCode"));
}

TEST_CASE("each StopPoint carries DfT's own values of the same day, in DfT's order", "[render][naptan-xml][real]") {
  Contract c = load_naptan_contract();
  TempDir dir;
  for (const char* area : {"268", "149"}) {
    INFO(area);
    auto set = read_set(c, naptan_dir() / (std::string("csv/") + area + "Stops_2026-07-24.csv"), InputFormat::csv);
    auto ours = stop_points(parse_xml(write_text(dir / "ours.xml", render(c, set, ArtefactFormat::xml))));
    auto theirs = stop_points(parse_xml(naptan_dir() / (std::string("xml/") + area + "_2026-07-24.xml")));
    REQUIRE(ours.size() == theirs.size());
    // What DfT says and we do not is what no column of DfT's CSV carries.
    const std::vector<std::string> not_in_csv = {
        "StopPoint/StopAreas/",          "StopPoint/PlusbusZones/", "StopPoint/Place/MainNptgLocalities/",
        "StopPoint/Descriptor/Crossing", "Bearing/Degrees",         "/AnnotatedCoachRef/",
        "/HailAndRideSection/@",        "StopPoint/AlternativeDescriptors/"};
    std::size_t compared = 0, left_out = 0;
    for (const auto& [atco, leaves] : ours) {
      INFO(atco);
      auto it = theirs.find(atco);
      REQUIRE(it != theirs.end());
      // Each of ours is found in DfT's, with the same value, after the one before it.
      std::size_t j = 0;
      for (const auto& leaf : leaves) {
        while (j < it->second.size() && it->second[j] != leaf) ++j;
        INFO(leaf.first << " = '" << leaf.second << "'");
        CHECK(j < it->second.size());
        if (j < it->second.size()) ++compared;
      }
      for (const auto& leaf : it->second) {
        if (std::find(leaves.begin(), leaves.end(), leaf) != leaves.end()) continue;
        ++left_out;
        INFO("DfT's " << leaf.first << " = '" << leaf.second << "'");
        CHECK(std::any_of(not_in_csv.begin(), not_in_csv.end(),
                          [&](const std::string& p) { return leaf.first.find(p) != std::string::npos; }));
      }
    }
    INFO(compared << " values the same, " << left_out << " of DfT's not in its CSV");
    CHECK(compared > 3000);
  }
}

TEST_CASE("the StopClassification of every stop type, positions in either form, and values with no place",
          "[render][naptan-xml]") {
  Contract c = load_naptan_contract();
  std::map<std::string, std::string> base = {
      {"CommonName", "Stop"}, {"NptgLocalityCode", "E0053629"}, {"Easting", "484957"}, {"Northing", "309677"},
      {"Longitude", "-0.744839"}, {"Latitude", "52.678163"}, {"GridType", "UKOS"}, {"AdministrativeAreaCode", "049"},
      {"CreationDateTime", "2002-12-10T00:00:00"}, {"Status", "active"}, {"Modification", "new"},
      {"RevisionNumber", "0"}};
  struct Row {
    std::string atco;
    std::map<std::string, std::string> values;
    std::string expect;  // a path whose text (or presence, when empty) the StopPoint must have
    std::string expect_value;
  };
  std::vector<Row> rows;
  int n = 0;
  auto add = [&](std::map<std::string, std::string> v, std::string expect, std::string value = "") {
    rows.push_back({"999" + std::to_string(100 + n++), std::move(v), std::move(expect), std::move(value)});
  };
  const std::vector<std::pair<std::string, std::string>> plain = {
      {"BCE", "OffStreet/BusAndCoach/Entrance"}, {"BST", "OffStreet/BusAndCoach/AccessArea"},
      {"TXR", "OnStreet/Taxi/TaxiRank"},         {"STR", "OnStreet/Taxi/SharedTaxiRank"},
      {"SDA", "OnStreet/Car/SetDownPickUpArea"}, {"AIR", "OffStreet/Air/Entrance"},
      {"GAT", "OffStreet/Air/AccessArea"},       {"FTD", "OffStreet/Ferry/Entrance"},
      {"FER", "OffStreet/Ferry/AccessArea"},     {"FBT", "OffStreet/Ferry/Berth"},
      {"RSE", "OffStreet/Rail/Entrance"},        {"RLY", "OffStreet/Rail/AccessArea"},
      {"RPL", "OffStreet/Rail/Platform"},        {"TMU", "OffStreet/Metro/Entrance"},
      {"MET", "OffStreet/Metro/AccessArea"},     {"PLT", "OffStreet/Metro/Platform"},
      {"LSE", "OffStreet/Telecabine/Entrance"},  {"LCB", "OffStreet/Telecabine/AccessArea"},
      {"LPL", "OffStreet/Telecabine/Platform"}};
  for (const auto& [type, path] : plain) add({{"StopType", type}}, "StopClassification/" + path);
  add({{"StopType", "BCS"}, {"TimingStatus", "PTP"}}, "StopClassification/OffStreet/BusAndCoach/Bay/TimingStatus",
      "PTP");
  add({{"StopType", "BCQ"}, {"TimingStatus", "OTH"}},
      "StopClassification/OffStreet/BusAndCoach/VariableBay/TimingStatus", "OTH");
  const std::map<std::string, std::string> bus = {
      {"StopType", "BCT"}, {"TimingStatus", "TIP"}, {"Bearing", "NE"}};
  auto with = [](std::map<std::string, std::string> m, std::map<std::string, std::string> more) {
    for (auto& [k, v] : more) m[k] = v;
    return m;
  };
  add(with(bus, {{"BusStopType", "MKD"}}), "StopClassification/OnStreet/Bus/MarkedPoint/Bearing/CompassPoint", "NE");
  add(with(bus, {{"BusStopType", "CUS"}}), "StopClassification/OnStreet/Bus/UnmarkedPoint/Bearing/CompassPoint",
      "NE");
  add(with(bus, {{"BusStopType", "HAR"}}),
      "StopClassification/OnStreet/Bus/HailAndRideSection/StartPoint/Translation/Easting", "484957");
  add(with(bus, {{"BusStopType", "FLX"}}), "StopClassification/OnStreet/Bus/FlexibleZone/Location/Translation/Northing",
      "309677");
  // Only a grid position: Location holds it directly, without Translation (which needs both).
  add({{"StopType", "RSE"}, {"Longitude", ""}, {"Latitude", ""}}, "Place/Location/Easting", "484957");
  // Values NaPTAN has no place for here: a bus stop type and bearing on a bay, a town's language.
  add({{"StopType", "BCS"}, {"BusStopType", "MKD"}, {"Bearing", "E"}}, "Extensions/gz:Columns/gz:BusStopType", "MKD");
  add({{"StopType", "RSE"}, {"Town", "Flitwick"}, {"TownLang", "EN"}}, "Extensions/gz:Columns/gz:TownLang", "EN");
  // Spaces at either end of a name are the name's.
  add({{"StopType", "RSE"}, {"Landmark", " No 129 "}}, "Descriptor/Landmark", " No 129 ");

  std::string csv;
  for (std::size_t i = 0; i < c.columns.size(); ++i) csv += (i ? "," : "") + c.columns[i].name;
  csv += "\r\n";
  for (const auto& row : rows) {
    auto values = with(base, row.values);
    values["ATCOCode"] = row.atco;
    for (std::size_t i = 0; i < c.columns.size(); ++i) {
      if (i) csv += ',';
      auto it = values.find(c.columns[i].name);
      if (it != values.end()) csv += it->second;
    }
    csv += "\r\n";
  }
  TempDir dir;
  auto set = read_set(c, write_text(dir / "layouts.csv", csv), InputFormat::csv);
  auto path = write_text(dir / "layouts.xml", render(c, set, ArtefactFormat::xml));
  CHECK(schema_errors(path) == "");
  check_same_records(c, set, read_set(c, path, InputFormat::naptan_xml));

  auto doc = parse_xml(path);
  std::map<std::string, pugi::xml_node> by_atco;
  for (auto sp : doc.child("NaPTAN").child("StopPoints").children("StopPoint")) by_atco[sp.child_value("AtcoCode")] = sp;
  for (const auto& row : rows) {
    INFO(row.atco << " " << row.expect);
    pugi::xml_node at = by_atco[row.atco];
    REQUIRE(at);
    for (const auto& step : xml_path_steps(row.expect)) at = at.child(step.c_str());
    CHECK(at);
    if (!row.expect_value.empty()) CHECK(std::string(at.text().get()) == row.expect_value);
  }
  // A stop with every value in its place has no Extensions; Translation only with both forms.
  CHECK_FALSE(by_atco[rows.front().atco].child("Extensions"));
  CHECK(by_atco[rows.front().atco].child("Place").child("Location").child("Translation"));
}
