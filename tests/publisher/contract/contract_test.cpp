#include <catch2/catch.hpp>

#include <algorithm>
#include <regex>

#include "publisher/common/file_io.hpp"
#include "publisher/common/time.hpp"
#include "publisher/contract/contract.hpp"
#include "tests/support/naptan_contract.hpp"
#include "tests/support/run_process.hpp"
#include "tests/support/temp_dir.hpp"
#include "tools/gazette/exit_codes.hpp"

using namespace gazette;
using namespace gazette::testing;

namespace {

Contract naptan() { return load_naptan_contract(); }

std::string minimal(const std::string& columns, const std::string& extra = "") {
  return R"({"dataset": "t", "version": 1, "title": "T", "key": ["id"], "columns": [)" +
         columns + "]" + extra + "}";
}

}  // namespace

TEST_CASE("the NaPTAN contract describes the real Stops.csv layout", "[contract]") {
  Contract c = naptan();
  const std::vector<std::string> expected = {
      "ATCOCode", "NaptanCode", "PlateCode", "CleardownCode", "CommonName", "CommonNameLang",
      "ShortCommonName", "ShortCommonNameLang", "Landmark", "LandmarkLang", "Street",
      "StreetLang", "Crossing", "CrossingLang", "Indicator", "IndicatorLang", "Bearing",
      "NptgLocalityCode", "LocalityName", "ParentLocalityName", "GrandParentLocalityName",
      "Town", "TownLang", "Suburb", "SuburbLang", "LocalityCentre", "GridType", "Easting",
      "Northing", "Longitude", "Latitude", "StopType", "BusStopType", "TimingStatus",
      "DefaultWaitTime", "Notes", "NotesLang", "AdministrativeAreaCode", "CreationDateTime",
      "ModificationDateTime", "RevisionNumber", "Modification", "Status"};
  REQUIRE(c.columns.size() == expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) CHECK(c.columns[i].name == expected[i]);
  CHECK(c.key == std::vector<std::string>{"ATCOCode"});
  CHECK(c.columns[0].role == ColumnRole::identity);
  CHECK(c.lifecycle.column == "Status");
  CHECK(c.lifecycle.retired_values == std::vector<std::string>{"inactive"});
  auto col = [&](const char* n) { return c.columns[c.column_index(n)]; };
  CHECK(col("Easting").role == ColumnRole::load_bearing);
  CHECK(col("Easting").unit == "m");
  CHECK(col("CommonName").role == ColumnRole::descriptive);
  CHECK(col("RevisionNumber").role == ColumnRole::bookkeeping);
  CHECK(col("StopType").codes_closed);
  CHECK(col("Status").code_aliases.at("act") == "active");
  CHECK(col("LocalityName").derived_from == "NptgLocalityCode");
  std::vector<std::string> defs;
  for (const auto& d : c.definitions) defs.push_back(d.name);
  for (const char* d : {"position", "status", "stop-type", "timestamps"})
    CHECK(std::find(defs.begin(), defs.end(), d) != defs.end());
}

TEST_CASE("the shipped contract is valid against its JSON Schema", "[contract]") {
  const std::string script =
      "import json,sys,jsonschema\n"
      "s=json.load(open(sys.argv[1])); c=json.load(open(sys.argv[2]))\n"
      "jsonschema.Draft202012Validator.check_schema(s)\n"
      "jsonschema.validate(c, s, cls=jsonschema.Draft202012Validator)\n"
      "bad=dict(c); bad['columns']=[dict(c['columns'][0], type='int')]\n"
      "try:\n  jsonschema.validate(bad, s, cls=jsonschema.Draft202012Validator); sys.exit(3)\n"
      "except jsonschema.ValidationError: pass\n";
  auto r = run_process({"/usr/bin/python3", "-c", script,
                        (source_dir() / "schemas/contract.schema.json").string(),
                        naptan_contract().string()});
  INFO(r.err);
  CHECK(r.exit_code == 0);
}

TEST_CASE("contract mistakes are named by place", "[contract]") {
  auto err = [](const std::string& text) {
    auto c = parse_contract(text, "c.json");
    REQUIRE_FALSE(c.ok());
    return c.status().message();
  };
  CHECK(err("{\n  \"dataset\": \"t\",\n  oops\n}").rfind("c.json:3:", 0) == 0);
  CHECK_THAT(err(minimal(R"({"name": "id", "type": "int", "role": "identity", "nullable": false})")),
             Catch::Contains("$.columns[0].type") && Catch::Contains("'int'"));
  CHECK_THAT(err(minimal(R"({"name": "x", "type": "string", "role": "descriptive"})")),
             Catch::Contains("$.key") && Catch::Contains("'id' is not a column"));
  CHECK_THAT(err(minimal(R"({"name": "id", "type": "string", "role": "identity"})")),
             Catch::Contains("must not be nullable"));
  CHECK_THAT(err(minimal(R"({"name": "id", "type": "string", "role": "identity", "nullable": false},
                            {"name": "id", "type": "string", "role": "descriptive"})")),
             Catch::Contains("declared twice"));
  CHECK_THAT(err(minimal(R"({"name": "id", "type": "code", "role": "identity", "nullable": false})")),
             Catch::Contains("needs a code list"));
  CHECK_THAT(err(minimal(R"({"name": "id", "type": "string", "role": "identity", "nullable": false, "pattern": "(["})")),
             Catch::Contains("not a valid regular expression"));
  CHECK_THAT(err(minimal(R"({"name": "id", "type": "string", "role": "identity", "nullable": false})",
                         R"(, "surprise": 1)")),
             Catch::Contains("unknown property \"surprise\""));
}

TEST_CASE("the NaPTAN contract cuts areas by ATCO area code, named as NPTG's AdminAreas names them", "[contract][areas]") {
  Contract c = naptan();
  REQUIRE(c.partition);
  CHECK(c.partition->column == "ATCOCode");
  CHECK(c.partition->length == 3);
  CHECK(c.partition->code_of("0100BRP90312") == "010");
  // Every admin area with an ATCO code, its code zero-padded to the three characters of ATCOCode.
  const std::string text = read_text(naptan_dir() / "nptg" / "AdminAreas.csv");
  std::size_t areas = 0;
  std::size_t at = text.find('\n') + 1;
  while (at < text.size()) {
    const std::size_t end = text.find('\n', at);
    const std::string line = text.substr(at, end == std::string::npos ? std::string::npos : end - at);
    at = end == std::string::npos ? text.size() : end + 1;
    const std::size_t c1 = line.find(','), c2 = line.find(',', c1 + 1), c3 = line.find(',', c2 + 1);
    if (c3 == std::string::npos) continue;
    std::string code = line.substr(c1 + 1, c2 - c1 - 1);
    code.insert(0, 3 - std::min<std::size_t>(3, code.size()), '0');
    INFO(code);
    CHECK(c.partition->name_of(code) == line.substr(c2 + 1, c3 - c2 - 1));
    ++areas;
  }
  CHECK(areas >= 147);
  CHECK(c.partition->name_of("668") == "Clackmannanshire");
  CHECK(c.partition->name_of("999").empty());
}

TEST_CASE("a partition is cut from the first key column, with codes that are path segments", "[contract][areas]") {
  auto err = [](const std::string& text) {
    auto c = parse_contract(text, "c.json");
    return c.ok() ? std::string() : c.status().message();
  };
  const std::string cols = R"({"name": "id", "type": "string", "role": "identity", "nullable": false},
                              {"name": "x", "type": "string", "role": "descriptive"})";
  CHECK(err(minimal(cols, R"(, "partition": {"column": "id", "length": 2, "names": {"ab": "A and B"}})")).empty());
  CHECK_THAT(err(minimal(cols, R"(, "partition": {"column": "x", "length": 2})")),
             Catch::Contains("$.partition.column: an area is cut from the first key column ('id'), not 'x'"));
  CHECK_THAT(err(minimal(cols, R"(, "partition": {"column": "id", "length": 0})")),
             Catch::Contains("$.partition.length: must be an integer from 1 to 16"));
  CHECK_THAT(err(minimal(cols, R"(, "partition": {"column": "id", "length": 2, "names": {"a/": "x"}})")),
             Catch::Contains("'a/' is not an area code"));
  CHECK_THAT(err(minimal(cols, R"(, "partition": {"column": "id", "length": 2, "names": {"abc": "x"}})")),
             Catch::Contains("'abc' is not an area code"));
  CHECK_THAT(err(minimal(cols, R"(, "partition": {"column": "id", "length": 2, "surprise": 1})")),
             Catch::Contains("unknown property \"surprise\""));
  // A key whose first characters are not a code is refused at staging, at its place.
  auto c = parse_contract(minimal(cols, R"(, "partition": {"column": "id", "length": 2})"), "c.json");
  REQUIRE(c.ok());
  RecordValidator v(*c);
  std::vector<ValueOrigin> origins(2, ValueOrigin{12, 7, ""});
  std::vector<std::string> r = {"ab-1", "x"};
  CHECK(v.validate(r, "stops.csv", origins).ok());
  for (const char* bad : {"a.1", "a", "\xC3\xA9t"}) {
    r = {bad, "x"};
    Status s = v.validate(r, "stops.csv", origins);
    CHECK_THAT(s.message(), Catch::StartsWith("stops.csv:12:7: id: '"));
    CHECK_THAT(s.message(), Catch::Contains("does not begin with an area code"));
  }
}

TEST_CASE("values are checked against type, pattern, code list and nullability", "[contract]") {
  Contract c = naptan();
  RecordValidator v(c);
  auto base = [&] {
    std::vector<std::string> r(c.columns.size());
    auto set = [&](const char* n, const char* val) { r[c.column_index(n)] = val; };
    set("ATCOCode", "268060001");
    set("CommonName", "Pasture Lane");
    set("NptgLocalityCode", "E0053629");
    set("Easting", "484957");
    set("Northing", "309677");
    set("Longitude", "-0.744839");
    set("StopType", "BCT");
    set("AdministrativeAreaCode", "049");
    set("CreationDateTime", "2002-12-10T00:00:00.000");
    set("Status", "active");
    return r;
  };
  std::vector<ValueOrigin> origins(c.columns.size(), ValueOrigin{12, 7, ""});
  auto check = [&](const char* column, const char* value) {
    auto r = base();
    r[c.column_index(column)] = value;
    Status s = v.validate(r, "stops.csv", origins);
    return s.ok() ? std::string() : s.message();
  };
  {
    auto r = base();
    REQUIRE(v.validate(r, "stops.csv", origins).ok());
  }
  CHECK(check("Easting", "48495.7") == "stops.csv:12:7: Easting: '48495.7' is not an integer");
  CHECK_THAT(check("Easting", "007"), Catch::Contains("not an integer"));
  CHECK_THAT(check("Longitude", "-0,74"), Catch::Contains("not a decimal"));
  CHECK(check("Longitude", "-0.5") == "");
  CHECK_THAT(check("CreationDateTime", "2002-12-10"), Catch::Contains("not a date and time"));
  CHECK_THAT(check("CreationDateTime", "2002-02-30T00:00:00"), Catch::Contains("not a date and time"));
  CHECK(check("StopType", "ZZZ") ==
        "stops.csv:12:7: StopType: 'ZZZ' is not in the closed code list (AIR, GAT, FTD, FER, FBT, RSE, RLY, RPL, "
        "TMU, MET, PLT, BCE, BST, BCS, BCQ, BCT, TXR, STR, LSE, LCB, LPL, SDA)");
  CHECK_THAT(check("ATCOCode", "26-8"), Catch::Contains("does not match the pattern"));
  CHECK(check("CommonName", "") == "stops.csv:12:7: CommonName: a value is required");
  CHECK_THAT(check("CommonName", "Caf\xC3"), Catch::Contains("invalid UTF-8"));
  CHECK_THAT(check("CommonName", "Bell\x07"), Catch::Contains("control character U+0007"));
  CHECK_THAT(check("CommonName", std::string(5000, 'x').c_str()), Catch::Contains("longer than"));
  {
    auto r = base();
    r[c.column_index("Status")] = "act";  // legacy spelling, declared as an alias
    REQUIRE(v.validate(r, "stops.csv", origins).ok());
    CHECK(r[c.column_index("Status")] == "active");
  }
}

TEST_CASE("notice and plan files follow their JSON Schemas, and the parser agrees", "[contract][schemas]") {
  const std::string script =
      "import json,sys,jsonschema\n"
      "V=jsonschema.Draft202012Validator\n"
      "for schema, doc in [(sys.argv[1], sys.argv[2]), (sys.argv[3], sys.argv[4])]:\n"
      "  s=json.load(open(schema)); V.check_schema(s); V(s).validate(json.load(open(doc)))\n"
      "bad=json.load(open(sys.argv[2])); bad['kind']='rumour'\n"
      "sys.exit(0 if not V(json.load(open(sys.argv[1]))).is_valid(bad) else 3)\n";
  auto r = run_process({"/usr/bin/python3", "-c", script, (source_dir() / "schemas/notice.schema.json").string(),
                        (source_dir() / "data/demo/notes-withdrawn.notice.json").string(),
                        (source_dir() / "schemas/plan.schema.json").string(),
                        (source_dir() / "data/demo/bf-positions.plan.json").string()});
  INFO(r.err);
  CHECK(r.exit_code == 0);
  Contract c = naptan();
  auto n = parse_notice(read_text(source_dir() / "data/demo/notes-withdrawn.notice.json"), "n.json", c);
  REQUIRE(n.ok());
  CHECK(n->kind == NoticeKind::deprecation);
  CHECK(n->scope.columns == std::vector<std::string>{"Notes", "NotesLang"});
  CHECK(n->effective_at.has_value());
  auto p = parse_plan(read_text(source_dir() / "data/demo/bf-positions.plan.json"), "p.json", c);
  REQUIRE(p.ok());
  CHECK(p->max_records == 500);
  CHECK(p->definitions.at(0).name == "position");
  auto err = [&](const std::string& text, bool plan) {
    return plan ? parse_plan(text, "p.json", c).status().message() : parse_notice(text, "n.json", c).status().message();
  };
  CHECK_THAT(err(R"({"id": "x", "kind": "rumour", "title": "t", "text": "t", "scope": {"columns": ["Notes"]}})", false),
             Catch::Contains(": $.kind: 'rumour'"));
  CHECK_THAT(err(R"({"id": "x", "kind": "removal", "title": "t", "text": "t", "scope": {"columns": ["Colour"]}})", false),
             Catch::Contains("$.scope.columns: 'Colour' is not a column"));
  CHECK_THAT(err(R"({"id": "x", "kind": "removal", "title": "t", "text": "t", "scope": {}})", false),
             Catch::Contains("names no columns, keys or records"));
  CHECK_THAT(err(R"({"id": "p", "owner": "a", "reviewed_by": ["b"], "intent": "i", "blast_radius": {"columns": []}})", true),
             Catch::Contains("$.blast_radius.max_records"));
  CHECK_THAT(err(R"({"id": "p", "owner": "a", "reviewed_by": ["b"], "intent": "i", "definitions": [{"name": "colour", "from": 1, "to": 2}],
                    "blast_radius": {"max_records": 5}})", true),
             Catch::Contains("'colour' is not a definition"));
  CHECK(err("{not json", true) == "p.json:1:3: not valid JSON");  // "no" cannot begin null
  CHECK(err("{\n  \"id\": \"p\",\n  ]\n", false) == "n.json:3:3: not valid JSON");
}

// "n.json:1:57: $.title: ..." without its line and column (tested in "mistakes in notice, plan
// and contract files are shown at their line and column").
std::string without_location(std::string m) {
  return std::regex_replace(m, std::regex("^([a-z]+\\.json):[0-9]+:[0-9]+: \\$"), "$1: $$");
}

TEST_CASE("notice and plan text is what feeds and pages can carry, links are web addresses", "[contract][hardening]") {
  Contract c = naptan();
  auto notice = [&](const std::string& members) {
    return without_location(
        parse_notice(R"({"id": "x", "kind": "removal", "scope": {"columns": ["Notes"]}, )" + members + "}", "n.json", c)
            .status()
            .message());
  };
  CHECK(notice(R"("title": "Notes go", "text": "Line one.\nLine two.", "link": "https://example.org/notes")").empty());
  // U+0001 in a title made the Atom feed and its immutable archive page malformed.
  CHECK(notice(R"("title": "a\u0001b", "text": "t")") == "n.json: $.title: control character U+0001 is not allowed");
  CHECK(notice(R"("title": "two\nlines", "text": "t")") == "n.json: $.title: must be one line");
  CHECK(notice(R"("title": "t", "text": "\uFFFF")") == "n.json: $.text: noncharacter U+FFFF is not allowed");
  CHECK(notice(R"("title": "t", "text": "esc \u001b[2J")") == "n.json: $.text: control character U+001B is not allowed");
  CHECK_THAT(notice(R"j("title": "t", "text": "t", "link": "javascript:alert(1)")j"), Catch::StartsWith("n.json: $.link: "));
  CHECK_THAT(notice(R"("title": "t", "text": "t", "link": "https://example.org/\r\nSet-Cookie: a=b")"),
             Catch::StartsWith("n.json: $.link: "));
  CHECK_THAT(notice(R"("title": "t", "text": "t", "link": "data:text/html,x")"), Catch::StartsWith("n.json: $.link: "));
  CHECK_THAT(notice("\"title\": \"" + std::string(600, 'a') + "\", \"text\": \"t\""), Catch::Contains("longer than 500"));
  auto plan = parse_plan(R"({"id": "p", "owner": "a\u0007", "reviewed_by": ["b"], "intent": "i",
                            "blast_radius": {"max_records": 5}})", "p.json", c);
  CHECK(without_location(plan.status().message()) == "p.json: $.owner: control character U+0007 is not allowed");
  plan = parse_plan(R"({"id": "p", "owner": "a", "reviewed_by": ["b\u001b"], "intent": "i",
                       "blast_radius": {"max_records": 5}})", "p.json", c);
  CHECK(without_location(plan.status().message()) == "p.json: $.reviewed_by: control character U+001B is not allowed");
}

TEST_CASE("mistakes in notice, plan and contract files are shown at their line and column", "[contract]") {
  Contract c = naptan();
  const std::string notice = "{\n  \"id\": \"x\",\n  \"kind\": \"rumour\",\n  \"title\": \"t\", \"text\": \"t\"\n}\n";
  CHECK(parse_notice(notice, "n.json", c).status().message() ==
        "n.json:3:3: $.kind: 'rumour' is not one of deprecation, meaning-change, removal, restatement");
  // Deeper, past other members and arrays, counting characters, not bytes.
  const std::string scoped = "{\"id\": \"x\", \"kind\": \"removal\", \"title\": \"Gleis \u00fc\u00e9\", \"text\": \"t\",\n"
                             " \"scope\": {\"keys\": [\"a\", \"b\"],\n   \"columns\": [\"Notes\", \"Colour\"]}}";
  CHECK_THAT(parse_notice(scoped, "n.json", c).status().message(),
             Catch::StartsWith("n.json:3:4: $.scope.columns: 'Colour' is not a column"));
  const std::string plan = "{\"id\": \"p\", \"owner\": \"a\", \"reviewed_by\": [\"b\"], \"intent\": \"i\",\n"
                           "  \"blast_radius\": {\"columns\": [\"CommonName\"]}}";
  CHECK_THAT(parse_plan(plan, "p.json", c).status().message(), Catch::StartsWith("p.json:2:3: $.blast_radius"));
  // A contract's column, by index into an array of objects.
  std::string contract = read_text(naptan_contract());
  const std::size_t second_type = contract.find("\"type\"", contract.find("\"type\"", contract.find("\"columns\"")) + 1);
  REQUIRE(second_type != std::string::npos);
  const std::size_t value = contract.find('"', contract.find(':', second_type));
  contract.replace(value, contract.find('"', value + 1) - value + 1, "\"int\"");
  auto bad = parse_contract(contract, "c.json");
  REQUIRE_FALSE(bad.ok());
  std::size_t line = 1 + static_cast<std::size_t>(std::count(contract.begin(), contract.begin() + static_cast<long>(second_type), '\n'));
  INFO(bad.status().message());
  CHECK_THAT(bad.status().message(), Catch::StartsWith("c.json:" + std::to_string(line) + ":") &&
                                         Catch::Contains("$.columns[1].type"));
}

TEST_CASE("a notice covers a change only if published the contract's lead time before", "[contract][gate]") {
  auto c = parse_contract(R"({"dataset": "t", "version": 1, "title": "T", "key": ["id"], "notice_lead_days": 7,
    "columns": [{"name": "id", "type": "string", "role": "identity", "nullable": false}]})", "c.json");
  REQUIRE(c.ok());
  Changeset cs;
  Change gone;
  gone.key = "k1";
  gone.kind = ChangeKind::removed;
  cs.changes.push_back(gone);
  BodyMap before{{"k1", "k1"}}, after;
  ValueCounts counts;
  counts.records = 100;  // one key of a hundred vanishes: not a truncated candidate
  GateInput in;
  in.changes = &cs;
  in.before = &before;
  in.after = &after;
  in.newest_counts = &counts;
  in.candidate_counts = &counts;
  in.publish_at = *parse_instant("2026-11-24T00:00:00Z");
  Notice n = *parse_notice(R"({"id": "n", "kind": "removal", "title": "t", "text": "t", "scope": {"keys": ["k1"]}})",
                           "n.json", *c);
  n.published_at = *parse_instant("2026-11-17T00:00:01Z");  // 7 days less a second
  in.notices = {n};
  CHECK(cli::exit_code_for(run_gate(*c, in)) == 3);
  in.notices[0].published_at = *parse_instant("2026-11-17T00:00:00Z");  // exactly 7 days
  CHECK(cli::exit_code_for(run_gate(*c, in)) == 0);
  in.notices[0].scope.keys = {"k2"};  // another key: out of scope
  CHECK(cli::exit_code_for(run_gate(*c, in)) == 3);
}

TEST_CASE("a published notice or plan is read without today's contract, a report by its writer", "[contract]") {
  Contract c = naptan();
  // A removal announced for a column the next contract version drops: today's contract would
  // refuse it, but it was checked when published and must still be served.
  const std::string notice = R"({"id": "gone", "kind": "removal", "title": "t", "text": "t",
                                 "scope": {"columns": ["NoSuchColumn"], "keys": ["k1"]}})";
  CHECK_THAT(parse_notice(notice, "n.json", c).status().message(), Catch::Contains("not a column"));
  auto read = read_published_notice(notice, "notice gone");
  REQUIRE(read.ok());
  CHECK(read->kind == NoticeKind::removal);
  CHECK(read->scope.columns == std::vector<std::string>{"NoSuchColumn"});
  CHECK(read->scope.keys == std::vector<std::string>{"k1"});
  const std::string plan = R"({"id": "p1", "owner": "o", "reviewed_by": ["r"], "intent": "i",
                               "definitions": [{"name": "retired-def", "from": 1, "to": 2}],
                               "blast_radius": {"columns": ["Old"], "max_records": 5}})";
  CHECK_FALSE(parse_plan(plan, "p.json", c).ok());
  auto p = read_published_plan(plan, "plan p1");
  REQUIRE(p.ok());
  CHECK(p->owner == "o");
  CHECK(p->max_records == 5);
  // Still a notice: what is malformed stays refused.
  CHECK_FALSE(read_published_notice(R"({"id": "x"})", "notice x").ok());

  Verdict v;
  const std::string report = render_verdict_json(v, "d", "", "2026-01-01");
  auto counts = read_published_report(report, "report");
  REQUIRE(counts.ok());
  CHECK(counts->routine + counts->notice + counts->breaking == 0);
  CHECK_THAT(read_published_report("[]", "report of d 2026-01-01").status().message(),
             Catch::Contains("report of d 2026-01-01"));
}
