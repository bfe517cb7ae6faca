#include <nlohmann/json.hpp>
#include <map>
#include <set>

#include "publisher/store/store.hpp"
#include "tests/publisher/release/release_support.hpp"
#include "tests/support/run_process.hpp"
#include "tools/gazette/exit_codes.hpp"

using namespace gazette;
using namespace gazette::testing;

namespace {

// Everything a failed command must leave untouched: candidates, releases, ledger, files.
struct Snapshot {
  std::size_t ledger = 0, releases = 0;
  std::set<std::string> files;
  bool operator==(const Snapshot&) const = default;
};

Snapshot snapshot(NaptanStore& s) {
  Snapshot snap;
  snap.ledger = s.store().ledger("")->size();
  snap.releases = s.store().releases("naptan-stops")->size();
  for (auto& e : std::filesystem::recursive_directory_iterator(s.root()))
    if (e.is_regular_file() && e.path().filename().string().rfind("gazette.db", 0) != 0)
      snap.files.insert(e.path().string());
  return snap;
}

std::string sample_rows(int n) {
  // Real rows from Rutland, for hand-made bad files.
  auto text = read_text(naptan_dir() / "csv/268Stops_2026-07-24.csv");
  std::size_t pos = 0;
  for (int i = 0; i <= n; ++i) pos = text.find('\n', pos) + 1;
  return text.substr(0, pos);
}

}  // namespace

TEST_CASE("staging the same bytes twice gives the same candidate id", "[release]") {
  NaptanStore s;
  auto file = naptan_dir() / "csv/668Stops_2024-10-13.csv";
  auto first = s.stage_ok(file);
  auto second = s.stage_ok(file);
  CHECK(first.candidate.id == second.candidate.id);
  CHECK_FALSE(first.already_staged);
  CHECK(second.already_staged);
  CHECK(first.candidate.record_count == 356);
  auto records = s.store().read_candidate_records("naptan-stops", first.candidate.id);
  REQUIRE(records.ok());
  CHECK(records->size() == 356);
  // Another snapshot gives another id.
  CHECK(s.stage_ok(naptan_dir() / "csv/668Stops_2024-10-24.csv").candidate.id != first.candidate.id);
}

TEST_CASE("the CSV and the XML of one snapshot stage to identical records", "[release][real]") {
  const char* when[] = {"2026-07-24T06:00:00Z", "2026-07-24T07:00:00Z"};
  int i = 0;
  for (const char* area : {"268", "149"}) {
    INFO(area);
    NaptanStore s;  // one store per area: each snapshot is a whole dataset
    auto csv = s.stage_ok(naptan_dir() / (std::string("csv/") + area + "Stops_2026-07-24.csv"));
    auto cut = s.release_ok(csv.candidate.id, when[i++]);
    REQUIRE(cut.release);
    auto xml = s.stage_ok(naptan_dir() / (std::string("xml/") + area + "_2026-07-24.xml"));
    CHECK(xml.candidate.id == csv.candidate.id);
    CHECK(xml.candidate.format == "naptan-xml");
    REQUIRE(xml.notes.size() == 1);
    CHECK_THAT(xml.notes[0], Catch::Contains("LocalityName") &&
                                 Catch::Contains("from release " + cut.release->id));
    // So releasing the second publishes nothing new.
    auto again = s.release_ok(xml.candidate.id, "2026-07-25T00:00:00Z");
    CHECK_FALSE(again.release);
    CHECK(again.identical_to == cut.release->id);
    CHECK(s.store().releases("naptan-stops")->size() == 1);
  }
}

TEST_CASE("a release's NaPTAN XML is valid and stages to the same candidate as the CSV it was cut from",
          "[release][real][naptan-xml]") {
  // The contract's XML paths drive reading and writing alike, so the two cannot drift.
  std::size_t snapshots = 0;
  for (const auto& entry : std::filesystem::directory_iterator(naptan_dir() / "csv")) {
    INFO(entry.path().filename().string());
    NaptanStore s;
    auto csv = s.stage_ok(entry.path());
    auto cut = s.release_ok(csv.candidate.id, "2026-07-24T06:00:00Z");
    REQUIRE(cut.release);
    CHECK_THAT(cut.release->manifest_json, Catch::Contains("\"renderer\": \"gazette-render/2\""));
    std::filesystem::path published;
    for (const auto& a : cut.release->artefacts)
      if (a.name == "naptan-stops.xml") published = s.dir() / "naptan-stops.xml";
    REQUIRE_FALSE(published.empty());
    for (const auto& a : cut.release->artefacts)
      if (a.name == "naptan-stops.xml") std::filesystem::copy_file(s.store().object_path(a.sha256), published);
    CHECK(read_text(published).find("<NaPTAN xmlns=\"http://www.naptan.org.uk/\"") != std::string::npos);
    auto valid = run_process({"/usr/bin/xmllint", "--noout", "--schema",
                              (source_dir() / "schemas/naptan-2.4.xsd").string(), published.string()});
    INFO(valid.err);
    CHECK(valid.exit_code == 0);
    auto xml = s.stage_ok(published);
    CHECK(xml.candidate.format == "naptan-xml");
    CHECK(xml.candidate.id == csv.candidate.id);
    ++snapshots;
  }
  CHECK(snapshots == 15);
}

TEST_CASE("each kind of bad input names its line and changes nothing", "[release]") {
  NaptanStore s;
  auto header_and_two = sample_rows(2);
  const std::string header = header_and_two.substr(0, header_and_two.find('\n') + 1);
  const std::string row1 = sample_rows(1).substr(header.size());
  const std::string row2 = header_and_two.substr(header.size() + row1.size());
  auto row_with = [&](const std::string& row, std::size_t field, const std::string& value) {
    std::vector<std::string> f;
    std::size_t start = 0;
    for (;;) {
      auto comma = row.find(',', start);
      if (comma == std::string::npos) {
        f.push_back(row.substr(start, row.size() - start - 1));
        break;
      }
      f.push_back(row.substr(start, comma - start));
      start = comma + 1;
    }
    f[field] = value;
    std::string out;
    for (std::size_t i = 0; i < f.size(); ++i) out += (i ? "," : "") + f[i];
    return out + "\n";
  };
  struct Case {
    const char* name;
    std::string text;
    InputFormat format;
    std::string expected;  // the message after the file name
  };
  std::vector<Case> cases = {
      {"broken quoting", header + row1 + "\"268060002,unterminated\n", InputFormat::csv,
       ":3:1: unterminated quoted field"},
      {"wrong field count", header + row1 + "268060002,x,y\n", InputFormat::csv,
       ":3:13: expected 43 fields, found 3"},
      {"invalid UTF-8", header + row1 + row_with(row2, 4, "Caf\xC3("), InputFormat::csv,
       ":3:22: CommonName: invalid UTF-8 at byte 3 of the value"},
      {"closed code list", header + row1 + row_with(row2, 31, "ZZZ"), InputFormat::csv,
       ":3:136: StopType: 'ZZZ' is not in the closed code list (AIR, GAT, FTD"},
      {"duplicate key", header + row1 + row2 + row1, InputFormat::csv,
       ":4:1: duplicate key '268060001' (first at line 2)"},
      {"malformed XML", "<NaPTAN>\n<StopPoints>\n<StopPoint Status=\"active\">\n<AtcoCode>1</AtcoCode>\n</StopPoints>\n</NaPTAN>\n",
       InputFormat::naptan_xml, ":5:1: end tag </StopPoints> does not match <StopPoint> opened at line 3"},
      {"bad XML value", "<NaPTAN>\n<StopPoints>\n<StopPoint Status=\"active\">\n<AtcoCode>268060001</AtcoCode>\n"
       "<Place><Location><Translation><Easting>east</Easting></Translation></Location></Place>\n"
       "</StopPoint>\n</StopPoints>\n</NaPTAN>\n",
       InputFormat::naptan_xml, ":3: StopPoint: CommonName: a value is required"},
  };
  for (const auto& c : cases) {
    INFO(c.name);
    Snapshot before = snapshot(s);
    auto file = write_text(s.dir() / (std::string("bad-") + c.name), c.text);
    Status st = s.stage_error(file, c.format);
    CHECK(st.code() == StatusCode::invalid_input);
    CHECK(st.message().find('\n') == std::string::npos);
    INFO(st.message());
    CHECK(st.message().rfind(file.string() + c.expected, 0) == 0);
    CHECK(snapshot(s) == before);
  }
}

TEST_CASE("re-rendering a release gives the bytes its manifest names", "[release]") {
  NaptanStore s;
  auto c1 = s.stage_ok(naptan_dir() / "csv/149Stops_2026-07-24.csv");
  auto cut = s.release_ok(c1.candidate.id, "2026-07-24T06:00:00Z");
  REQUIRE(cut.release);
  auto contract = load_contract(s.store(), "naptan-stops");
  REQUIRE(contract.ok());
  const Release& r = *cut.release;
  REQUIRE(r.artefacts.size() == 4);  // NaPTAN has a position: GeoJSON too
  const ArtefactFormat formats[] = {ArtefactFormat::csv, ArtefactFormat::xml, ArtefactFormat::json,
                                    ArtefactFormat::geojson};
  for (std::size_t i = 0; i < 4; ++i) {
    const Artefact& a = r.artefacts[i];
    INFO(a.name);
    auto bytes = read_text(s.store().object_path(a.sha256));
    CHECK(to_hex(sha256(bytes)) == a.sha256);
    CHECK(bytes.size() == a.bytes);
    auto again = render_release_artefact(s.store(), *contract, r, formats[i]);
    REQUIRE(again.ok());
    CHECK(*again == bytes);
  }
  CHECK(r.artefacts[0].name == "naptan-stops.csv");
  CHECK(r.artefacts[0].media_type == "text/csv; charset=utf-8; header=present");
  CHECK_THAT(r.manifest_json, Catch::Contains("\"record_count\": 1397") &&
                                  Catch::Contains("\"kind\": \"routine\"") &&
                                  Catch::Contains("\"owner\": \"stops-maintainer\"") &&
                                  Catch::Contains("\"sha256\": \"" + r.artefacts[2].sha256 + "\""));
}

TEST_CASE("GeoJSON: a Point per record in longitude, latitude order, from whichever position a record has",
          "[release][render][geojson]") {
  // 149 has longitude and latitude; 611 only eastings and northings (British National Grid).
  for (const char* file : {"csv/149Stops_2026-07-24.csv", "csv/611Stops_2026-04-22.csv"}) {
    INFO(file);
    NaptanStore s;
    auto contract = load_contract(s.store(), "naptan-stops");
    REQUIRE(contract.ok());
    auto cut = s.release_ok(s.stage_ok(naptan_dir() / file).candidate.id, "2026-07-24T06:00:00Z");
    REQUIRE(cut.release);
    const Release& r = *cut.release;
    REQUIRE(r.artefacts.size() == 4);
    CHECK(r.artefacts[3].name == "naptan-stops.geojson");
    CHECK(r.artefacts[3].media_type == "application/geo+json");
    auto text = render_release_artefact(s.store(), *contract, r, ArtefactFormat::geojson);
    REQUIRE(text.ok());
    auto doc = nlohmann::json::parse(*text);
    CHECK(doc["type"] == "FeatureCollection");
    REQUIRE(doc["features"].size() == r.record_count);
    auto csv = nlohmann::json::parse(*render_release_artefact(s.store(), *contract, r, ArtefactFormat::json));
    for (std::size_t i = 0; i < r.record_count; ++i) {
      const auto& f = doc["features"][i];
      const auto& record = csv["records"][i];
      CHECK(f["type"] == "Feature");
      CHECK(f["id"] == record["ATCOCode"]);
      CHECK(f["properties"] == record);  // every column, typed as in the JSON artefact
      REQUIRE(f["geometry"]["type"] == "Point");
      const double lon = f["geometry"]["coordinates"][0], lat = f["geometry"]["coordinates"][1];
      if (!record["Longitude"].is_null()) {
        CHECK(lon == record["Longitude"].get<double>());  // as published
        CHECK(lat == record["Latitude"].get<double>());
      }
      // Great Britain, longitude first (RFC 7946).
      CHECK(lon > -8.7);
      CHECK(lon < 2.0);
      CHECK(lat > 49.8);
      CHECK(lat < 61.0);
    }
  }
}

TEST_CASE("renderer 1 makes the bytes it always made, and renderer 2 changes only a NaPTAN dataset's XML",
          "[release][render]") {
  // Pinned from releases cut before GeoJSON was added: a renderer change that moved one byte
  // of these would change what consumers hold, and must be a new renderer version instead.
  NaptanStore s;
  auto cut = s.release_ok(s.stage_ok(naptan_dir() / "csv/668Stops_2024-10-13.csv").candidate.id, "2024-10-13T06:00:00Z");
  REQUIRE(cut.release);
  std::map<std::string, std::string> sha;
  for (const auto& a : cut.release->artefacts) sha[a.name] = a.sha256;
  CHECK(sha["naptan-stops.csv"] == "910e1601647a1bd80ef1231a560942825a56aa710893be8732ec8b54a6ee311d");
  CHECK(sha["naptan-stops.json"] == "8ae015d2d668208edcad61e3c8efc02e08c446302a2ba8d973f731d6a03b7960");
  CHECK(sha["naptan-stops.xml"] != "0f4de365feb2534b0c1b7e4495c992b54f438f0ebf1990f2756b7042a7a4e920");
  CHECK(cut.release->renderer == "gazette-render/2");
  CHECK_THAT(cut.release->manifest_json, Catch::Contains("\"renderer\": \"gazette-render/2\""));
  // The same release as renderer 1 cut it.
  Release as_cut_by_1 = *cut.release;
  as_cut_by_1.renderer = "gazette-render/1";
  auto contract = release_contract(s.store(), as_cut_by_1);
  REQUIRE(contract.ok());
  CHECK(*rendered_sha256(s.store(), *contract, as_cut_by_1, ArtefactFormat::xml) ==
        "0f4de365feb2534b0c1b7e4495c992b54f438f0ebf1990f2756b7042a7a4e920");
  CHECK(*rendered_sha256(s.store(), *contract, as_cut_by_1, ArtefactFormat::csv) == sha["naptan-stops.csv"]);
  // A renderer this gazette does not have renders nothing, and says so.
  Release from_the_future = *cut.release;
  from_the_future.renderer = "gazette-render/9";
  auto none = rendered_sha256(s.store(), *contract, from_the_future, ArtefactFormat::csv);
  REQUIRE_FALSE(none.ok());
  CHECK_THAT(none.status().message(), Catch::Contains("rendered by 'gazette-render/9', which this gazette does not have"));
}

TEST_CASE("releases are ordered by time and dated by their publication day", "[release]") {
  NaptanStore s;
  std::vector<std::string> cands;
  for (const char* d : {"2024-10-13", "2024-10-24", "2024-12-03", "2024-12-12"})
    cands.push_back(s.stage_ok(naptan_dir() / (std::string("csv/668Stops_") + d + ".csv")).candidate.id);
  CHECK(s.release_ok(cands[0], "2024-10-13T06:00:00Z").release->id == "2024-10-13");
  CHECK(s.release_ok(cands[1], "2024-10-13T18:00:00Z").release->id == "2024-10-13.2");
  auto third = s.release_ok(cands[2], "2024-10-13T19:00:00Z");
  CHECK(third.release->id == "2024-10-13.3");
  CHECK(third.release->parent == "2024-10-13.2");

  // Time never moves backwards: an earlier publication time is refused and changes nothing.
  CutOptions o;
  o.owner = "x";
  o.published_at = *parse_instant("2024-10-13T12:00:00Z");
  auto late = cut_release(s.store(), "naptan-stops", cands[3], o);
  CHECK(late.status().code() == StatusCode::conflict);
  CHECK(s.store().releases("naptan-stops")->size() == 3);

  auto rels = *s.store().releases("naptan-stops");
  for (std::size_t i = 1; i < rels.size(); ++i) CHECK(rels[i].published_at > rels[i - 1].published_at);

  // As-of: before the first, at an instant, between two.
  CHECK_FALSE(release_as_of(s.store(), "naptan-stops", *parse_instant("2024-10-13T05:59:59Z"))->has_value());
  CHECK((*release_as_of(s.store(), "naptan-stops", *parse_instant("2024-10-13T06:00:00Z")))->id == "2024-10-13");
  CHECK((*release_as_of(s.store(), "naptan-stops", *parse_instant("2024-10-13T18:30:00Z")))->id == "2024-10-13.2");
  CHECK((*release_as_of(s.store(), "naptan-stops", *parse_instant("2030-01-01T00:00:00Z")))->id == "2024-10-13.3");
}

TEST_CASE("the gate holds an added key by its key alone, its report's samples still show the values",
          "[release][memory]") {
  // A first national release held every value of 435,029 added keys a second time (1.8 GB).
  NaptanStore s;
  auto a = s.stage_ok(naptan_dir() / "csv/668Stops_2025-11-18.csv");
  auto verified = verify_candidate(s.store(), "naptan-stops", a.candidate.id, {{}, {}, *parse_instant("2025-11-18T06:00:00Z")});
  REQUIRE(verified.ok());
  REQUIRE(verified->changes.summary.added > 300);
  REQUIRE(verified->changes.changes.size() == verified->changes.summary.added);
  for (const auto& ch : verified->changes.changes) {
    CHECK(ch.kind == ChangeKind::added);
    CHECK(ch.fields.empty());
  }
  auto report = nlohmann::json::parse(verified->json);
  bool sampled = false;
  for (const auto& rule : report["rules"]) {
    if (rule["rule"] != "key-added") continue;
    REQUIRE_FALSE(rule["samples"].empty());
    for (const auto& sample : rule["samples"]) {
      CHECK(sample["fields"].size() > 5);
      CHECK(sample["fields"][0]["column"] == "ATCOCode");
      CHECK(sample["fields"][0]["new"] == sample["key"]);
    }
    sampled = true;
  }
  CHECK(sampled);
  // A consumer's changeset of the same spells every value out.
  auto contract = *load_contract(s.store(), "naptan-stops");
  auto consumers = changeset_to_candidate(s.store(), contract, "naptan-stops", nullptr, a.candidate.id);
  REQUIRE(consumers.ok());
  for (const auto& ch : consumers->changes) CHECK(ch.fields.size() > 5);
}

TEST_CASE("a candidate identical to the newest release publishes nothing", "[release]") {
  NaptanStore s;
  auto a = s.stage_ok(naptan_dir() / "csv/668Stops_2025-11-18.csv");
  auto b = s.stage_ok(naptan_dir() / "csv/668Stops_2026-01-20.csv");
  REQUIRE(s.release_ok(a.candidate.id, "2025-11-18T06:00:00Z").release);
  auto same = s.release_ok(a.candidate.id, "2025-11-19T06:00:00Z");
  CHECK_FALSE(same.release);
  CHECK(same.identical_to == "2025-11-18");
  REQUIRE(s.release_ok(b.candidate.id, "2026-01-20T06:00:00Z").release);
  // Going back to older content is a new release (a correction), not "nothing"; it moves
  // modification times backwards, so the gate wants a restatement notice.
  CutOptions o;
  o.owner = "stops-maintainer";
  o.published_at = *parse_instant("2026-01-21T06:00:00Z");
  auto refused = cut_release(s.store(), "naptan-stops", a.candidate.id, o);
  REQUIRE(refused.ok());
  CHECK_FALSE(refused->release);
  CHECK(cli::exit_code_for(refused->verification->verdict) == 3);
  auto contract = *load_contract(s.store(), "naptan-stops");
  o.notices.push_back(*parse_notice(R"({"id": "undo-2026-01-20", "kind": "restatement", "title": "Back to 2025-11-18",
      "text": "The 2026-01-20 edits are withdrawn.", "scope": {"columns": ["ModificationDateTime", "RevisionNumber"]}})",
                                    "notice.json", contract));
  auto restated = cut_release(s.store(), "naptan-stops", a.candidate.id, o);
  REQUIRE(restated.ok());
  CHECK(restated->release);
  CHECK(s.store().releases("naptan-stops")->size() == 3);
}

TEST_CASE("a write, fsync or rename failing anywhere in a stage or a release changes nothing, and a retry succeeds",
          "[release][faults][hardening]") {
  NaptanStore s;
  auto first = s.stage_ok(naptan_dir() / "csv/668Stops_2024-10-13.csv");
  REQUIRE(s.release_ok(first.candidate.id, "2024-10-13T06:00:00Z").release);
  const auto file = naptan_dir() / "csv/668Stops_2024-10-24.csv";
  // What the next command sees: it sweeps files no release references when it opens the store.
  auto settled = [&] {
    REQUIRE(s.store().remove_unreferenced_files().ok());
    return snapshot(s);
  };

  int stage_faults = 0;
  std::string candidate;
  for (int n = 1;; ++n) {
    INFO("stage, operation " << n << " fails");
    const Snapshot before = settled();
    StageOptions o;
    o.format = InputFormat::csv;
    arm_io_fault(n);
    auto r = stage(s.store(), "naptan-stops", file, o);
    disarm_io_fault();
    if (r.ok()) {
      candidate = r->candidate.id;
      break;
    }
    ++stage_faults;
    CHECK(r.status().code() == StatusCode::io_error);
    CHECK(settled() == before);
    REQUIRE(n < 500);
  }
  CHECK(stage_faults > 0);

  int release_faults = 0;
  for (int n = 1;; ++n) {
    INFO("release, operation " << n << " fails");
    const Snapshot before = settled();
    CutOptions o;
    o.owner = "stops-maintainer";
    o.published_at = *parse_instant("2024-10-24T06:00:00Z");
    arm_io_fault(n);
    auto r = cut_release(s.store(), "naptan-stops", candidate, o);
    disarm_io_fault();
    if (r.ok() && r->release) break;
    ++release_faults;
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().code() == StatusCode::io_error);
    CHECK(settled() == before);
    CHECK(s.store().releases("naptan-stops")->size() == 1);
    REQUIRE(n < 500);
  }
  CHECK(release_faults > 3);  // at least the CSV, XML and JSON artefacts and their copies
  CHECK(s.store().releases("naptan-stops")->size() == 2);
  auto report = fsck(s.store(), "naptan-stops", {});
  REQUIRE(report.ok());
  CHECK(report->problems.empty());
}

TEST_CASE("two releases within one second both succeed, their times and ids in order", "[release]") {
  NaptanStore s;
  // The newest release is stamped later than the clock now reads (as it is when a pipeline
  // releases twice within one second): a release with no time given comes a second after it.
  CutOptions first;
  first.owner = "pipeline";
  first.published_at = now_utc() + 100;
  auto a = cut_release(s.store(), "naptan-stops", s.stage_ok(naptan_dir() / "csv/668Stops_2024-10-13.csv").candidate.id, first);
  REQUIRE(a.ok());
  REQUIRE(a->release);
  CutOptions second;
  second.owner = "pipeline";
  auto b = cut_release(s.store(), "naptan-stops", s.stage_ok(naptan_dir() / "csv/668Stops_2024-10-24.csv").candidate.id, second);
  INFO(b.status().message());
  REQUIRE(b.ok());
  REQUIRE(b->release);
  CHECK(b->release->published_at == a->release->published_at + 1);
  CHECK(b->release->id > a->release->id);
  // A time the maintainer gives is taken as given: not later, so refused.
  CutOptions given;
  given.owner = "pipeline";
  given.published_at = b->release->published_at;
  auto c = cut_release(s.store(), "naptan-stops", s.stage_ok(naptan_dir() / "csv/668Stops_2024-12-03.csv").candidate.id, given);
  CHECK(c.status().code() == StatusCode::conflict);
}
