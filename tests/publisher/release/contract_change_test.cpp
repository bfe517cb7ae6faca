// Contract changes through the gate: a candidate staged under a new contract version is judged
// on how that contract differs from every one a release was published under. For each rule one
// change just inside (not reported, or routine) and one just outside; then the path end to end:
// stage --contract, verify, release, and the new version in force.
#include <nlohmann/json.hpp>

#include "tests/publisher/release/release_support.hpp"
#include "tools/bench/naptan_generator.hpp"
#include "tools/gazette/exit_codes.hpp"

using namespace gazette;
using namespace gazette::testing;
using json = nlohmann::json;

namespace {

json naptan_json() {
  auto text = read_small_file(naptan_contract());
  REQUIRE(text.ok());
  return json::parse(*text);
}

Contract parse_ok(const json& j) {
  auto c = parse_contract(j.dump(), "contract");
  INFO(c.status().message());
  REQUIRE(c.ok());
  return *c;
}

json& column(json& j, const std::string& name) {
  for (auto& c : j["columns"])
    if (c["name"] == name) return c;
  FAIL("no column " << name);
  throw;
}

std::size_t index_of(const json& j, const std::string& name) {
  for (std::size_t i = 0; i < j["columns"].size(); ++i)
    if (j["columns"][i]["name"] == name) return i;
  FAIL("no column " << name);
  return 0;
}

// The rules compare_contracts reports for `edit` applied to the shipped contract (as v2).
std::vector<std::string> rules_for(const std::function<void(json&)>& edit) {
  json old = naptan_json(), now = naptan_json();
  now["version"] = old["version"].get<int>() + 1;
  edit(now);
  std::vector<std::string> out;
  for (const auto& f : compare_contracts({parse_ok(old)}, parse_ok(now))) out.push_back(f.rule);
  return out;
}

bool contains(const std::vector<std::string>& v, const std::string& x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

json appended_column(const std::string& name) {
  return {{"name", name}, {"type", "string"}, {"role", "descriptive"}, {"nullable", true},
          {"description", "added in a later version"}};
}

}  // namespace

TEST_CASE("contract changes: the same contract again, or a tightening, reports nothing", "[gate][contract]") {
  CHECK(rules_for([](json&) {}).empty());
  CHECK(rules_for([](json& j) { column(j, "Notes")["description"] = "reworded"; }).empty());
  CHECK(rules_for([](json& j) { j["tolerances"]["position"]["notice_m"] = 40; }).empty());
  CHECK(rules_for([](json& j) { column(j, "Indicator")["nullable"] = false; }).empty());
}

TEST_CASE("contract changes: columns removed, renamed, retyped and reordered are breaking", "[gate][contract]") {
  json base = naptan_json();
  CHECK(rules_for([](json& j) {
          auto& cols = j["columns"];
          cols.erase(cols.begin() + static_cast<long>(index_of(j, "Notes")));
        }) == std::vector<std::string>{"column-removed"});
  auto renamed = rules_for([](json& j) { column(j, "Notes")["name"] = "Remarks"; });
  CHECK(renamed == std::vector<std::string>{"column-renamed"});
  CHECK(rules_for([](json& j) { column(j, "Easting")["type"] = "string"; }) ==
        std::vector<std::string>{"column-retyped"});
  CHECK(rules_for([](json& j) { column(j, "Easting")["unit"] = "km"; }) ==
        std::vector<std::string>{"column-retyped"});
  CHECK(rules_for([](json& j) {
          auto& cols = j["columns"];
          std::swap(cols[4], cols[5]);
        }) == std::vector<std::string>{"column-reordered"});
  // A column added at the end is new information (a notice); one step in, it moves the last
  // published column for every positional reader.
  CHECK(rules_for([](json& j) { j["columns"].push_back(appended_column("Accessibility")); }) ==
        std::vector<std::string>{"column-added"});
  CHECK(rules_for([&](json& j) {
          auto& cols = j["columns"];
          cols.insert(cols.end() - 1, appended_column("Accessibility"));
        }) == std::vector<std::string>{"column-reordered"});
  CHECK(contains(rules_for([](json& j) { j["key"] = json::array({"ATCOCode", "CommonName"}); }), "key-changed"));
}

TEST_CASE("contract changes: a rule that promises consumers less is a loosening to tell them of",
          "[gate][contract]") {
  CHECK(rules_for([](json& j) { column(j, "CommonName")["nullable"] = true; }) ==
        std::vector<std::string>{"contract-loosened"});
  CHECK(rules_for([](json& j) { j["tolerances"]["position"]["notice_m"] = 51; }) ==
        std::vector<std::string>{"contract-loosened"});
  CHECK(rules_for([](json& j) { j["tolerances"]["position"]["different_place_m"] = 2000; }) ==
        std::vector<std::string>{"contract-loosened"});
  CHECK(rules_for([](json& j) { j["drift"]["code_share"]["StopType"] = 0.5; }) ==
        std::vector<std::string>{"contract-loosened"});
  CHECK(rules_for([](json& j) { column(j, "StopType")["codes"]["values"].push_back("ZZZ"); }) ==
        std::vector<std::string>{"contract-loosened"});
  CHECK(rules_for([](json& j) { column(j, "NptgLocalityCode")["role"] = "descriptive"; }) ==
        std::vector<std::string>{"contract-loosened"});
  CHECK(rules_for([](json& j) { j["lifecycle"]["retired"].push_back("pending"); }) ==
        std::vector<std::string>{"lifecycle-redefined"});
  auto def = rules_for([](json& j) {
    for (auto& d : j["definitions"])
      if (d["name"] == "position") d["version"] = d["version"].get<int>() + 1;
  });
  CHECK(def == std::vector<std::string>{"definition-changed"});
}

TEST_CASE("contract changes: a partition removed or cut differently is a loosening, names and a new one are not",
          "[gate][contract][areas]") {
  CHECK(rules_for([](json& j) { j.erase("partition"); }) == std::vector<std::string>{"contract-loosened"});
  CHECK(rules_for([](json& j) { j["partition"]["length"] = 4; j["partition"].erase("names"); }) == std::vector<std::string>{"contract-loosened"});
  CHECK(rules_for([](json& j) { j["partition"]["names"]["010"] = "City of Bristol"; }).empty());
  CHECK(rules_for([](json& j) { j["partition"]["title"] = "area"; }).empty());
  // A contract that had none gains one: routine.
  json old = naptan_json(), now = naptan_json();
  old.erase("partition");
  now["version"] = 2;
  CHECK(compare_contracts({parse_ok(old)}, parse_ok(now)).empty());
}

TEST_CASE("contract changes: breaking ones are judged against every published version, the rest against the newest",
          "[gate][contract]") {
  json v1 = naptan_json(), v2 = naptan_json(), v3 = naptan_json();
  v2["version"] = 2;
  v2["columns"].push_back(appended_column("Accessibility"));
  v3 = v2;
  v3["version"] = 3;
  column(v3, "Accessibility")["nullable"] = true;
  // v3 against v1 and v2: the column v2 appended is not reported again (v2's gate did).
  CHECK(compare_contracts({parse_ok(v1), parse_ok(v2)}, parse_ok(v3)).empty());
  // Removing a column that v1 holders still read is breaking, even if v2 had not changed it.
  json v3b = v2;
  v3b["version"] = 3;
  v3b["columns"].erase(v3b["columns"].begin() + static_cast<long>(index_of(v3b, "Accessibility")));
  auto f = compare_contracts({parse_ok(v1), parse_ok(v2)}, parse_ok(v3b));
  REQUIRE(f.size() == 1);
  CHECK(f[0].rule == "column-removed");
  CHECK(f[0].severity == Severity::breaking);
}

// ---- End to end through the store --------------------------------------------------------

namespace {

using Rows = std::vector<bench::StopRow>;

// Writes rows under `header`, every field quoted.
void write_rows(const std::filesystem::path& path, const std::vector<std::string>& header, const Rows& rows) {
  std::string out;
  auto line = [&](const std::vector<std::string>& values) {
    for (std::size_t i = 0; i < values.size(); ++i) {
      out += i ? ",\"" : "\"";
      for (char ch : values[i]) out += ch == '"' ? std::string("\"\"") : std::string(1, ch);
      out += '"';
    }
    out += "\r\n";
  };
  line(header);
  for (const auto& r : rows) line(r);
  REQUIRE(write_file_durably(path, out).ok());
}

struct ContractScenario {
  NaptanStore s;
  Rows base = bench::generate_stops(200, 11);
  int step = 0;
  ContractScenario() {
    for (auto& r : base) r[42] = "active";
    s.release_ok(stage(bench::naptan_columns(), base), "2026-02-01T06:00:00Z");
  }
  std::string stage(const std::vector<std::string>& header, const Rows& rows, const std::string& contract = "") {
    auto f = s.dir() / ("rows-" + std::to_string(++step) + ".csv");
    write_rows(f, header, rows);
    StageOptions o;
    o.contract_json = contract;
    o.contract_source = "proposed.contract.json";
    auto r = gazette::stage(s.store(), "naptan-stops", f, o);
    INFO(r.status().message());
    REQUIRE(r.ok());
    return r->candidate.id;
  }
  // The shipped contract as version 2 with a column appended, and rows that carry it.
  std::string with_accessibility(std::vector<std::string>& header, Rows& rows, const std::string& value) {
    json j = naptan_json();
    j["version"] = 2;
    j["columns"].push_back(appended_column("Accessibility"));
    header = bench::naptan_columns();
    header.push_back("Accessibility");
    rows = base;
    for (auto& r : rows) r.push_back(value);
    return j.dump();
  }
  VerifyResult verify(const std::string& cand, std::vector<Notice> notices = {}) {
    VerifyOptions o;
    o.notices = std::move(notices);
    o.publish_at = *parse_instant("2026-03-01T06:00:00Z");
    auto r = verify_candidate(s.store(), "naptan-stops", cand, o);
    INFO(r.status().message());
    REQUIRE(r.ok());
    return *r;
  }
};

std::size_t count_of(const VerifyResult& r, const std::string& rule) {
  for (const auto& t : r.verdict.rules)
    if (t.id() == rule) return t.count;
  return 0;
}

}  // namespace

TEST_CASE("contract changes: an appended column needs a notice, then comes into force with the release",
          "[gate][contract]") {
  ContractScenario sc;
  std::vector<std::string> header;
  Rows rows;
  const std::string contract = sc.with_accessibility(header, rows, "");
  const std::string cand = sc.stage(header, rows, contract);
  auto verdict = sc.verify(cand);
  INFO(verdict.text);
  CHECK(cli::exit_code_for(verdict.verdict) == 3);
  CHECK(count_of(verdict, "column-added") == 1);
  // The new column is empty everywhere: no record changed for any consumer.
  CHECK(verdict.verdict.changed_records == 0);
  CHECK(count_of(verdict, "descriptive-edit") == 0);

  auto parsed = parse_contract(contract, "proposed");
  REQUIRE(parsed.ok());
  auto n = parse_notice(R"({"id": "accessibility-column", "kind": "meaning-change", "title": "A new column",
                            "text": "Accessibility is appended to every file", "scope": {"columns": ["Accessibility"]}})",
                        "notice", *parsed);
  REQUIRE(n.ok());
  CHECK(cli::exit_code_for(sc.verify(cand, {*n}).verdict) == 0);

  Rows edited = sc.base;
  edited[0][4] = "Renamed";
  const std::string stale = sc.stage(bench::naptan_columns(), edited);
  CutOptions o;
  o.owner = "stops-maintainer";
  o.published_at = *parse_instant("2026-03-01T06:00:00Z");
  o.notices = {*n};
  auto cut = cut_release(sc.s.store(), "naptan-stops", cand, o);
  REQUIRE(cut.ok());
  REQUIRE(cut->release);
  CHECK(cut->release->contract_version == 2);
  auto info = sc.s.store().dataset("naptan-stops");
  REQUIRE(info.ok());
  CHECK(info->contract_version == 2);
  auto in_force = load_contract(sc.s.store(), "naptan-stops");
  REQUIRE(in_force.ok());
  CHECK(in_force->columns.back().name == "Accessibility");
  auto csv = render_release_artefact(sc.s.store(), *in_force, *cut->release, ArtefactFormat::csv);
  REQUIRE(csv.ok());
  CHECK(csv->substr(0, csv->find('\n')).ends_with(",Accessibility\r"));
  // The stored changeset lists no record: appending an empty column changed no value.
  auto releases = sc.s.store().releases("naptan-stops");
  REQUIRE(releases.ok());
  auto between = changeset_between(sc.s.store(), *in_force, "naptan-stops", &releases->front(), releases->back());
  REQUIRE(between.ok());
  CHECK(between->changes.empty());

  // A candidate staged under v1 before v2 came into force cannot be judged under v2.
  auto refused = verify_candidate(sc.s.store(), "naptan-stops", stale, {});
  CHECK_FALSE(refused.ok());
}

TEST_CASE("contract changes: a removed column is refused and records are not compared", "[gate][contract]") {
  ContractScenario sc;
  json j = naptan_json();
  j["version"] = 2;
  const std::size_t notes = index_of(j, "Notes");
  j["columns"].erase(j["columns"].begin() + static_cast<long>(notes));
  auto header = bench::naptan_columns();
  header.erase(header.begin() + static_cast<long>(notes));
  Rows rows = sc.base;
  for (auto& r : rows) r.erase(r.begin() + static_cast<long>(notes));
  auto verdict = sc.verify(sc.stage(header, rows, j.dump()));
  INFO(verdict.text);
  CHECK(cli::exit_code_for(verdict.verdict) == 4);
  CHECK(count_of(verdict, "column-removed") == 1);
  CHECK_FALSE(verdict.verdict.records_compared);
  CHECK(verdict.text.find("records not compared") != std::string::npos);
  auto info = sc.s.store().dataset("naptan-stops");
  REQUIRE(info.ok());
  CHECK(info->contract_version == 1);  // nothing registered
}

TEST_CASE("contract changes: a definition change is declared by the backfill's plan, or refused", "[gate][contract]") {
  ContractScenario sc;
  json j = naptan_json();
  j["version"] = 2;
  for (auto& d : j["definitions"])
    if (d["name"] == "position") d["version"] = 2;
  const std::string cand = sc.stage(bench::naptan_columns(), sc.base, j.dump());
  auto proposed = parse_contract(j.dump(), "proposed");
  REQUIRE(proposed.ok());
  auto plan = [&](const std::string& definitions) {
    auto p = parse_plan(R"({"id": "bf-grid", "owner": "stops-maintainer", "reviewed_by": ["reviewer"],
        "intent": "new grid transform", "definitions": )" + definitions + R"(,
        "blast_radius": {"columns": ["Easting", "Northing"], "max_records": 10}})",
                        "plan", *proposed);
    INFO(p.status().message());
    REQUIRE(p.ok());
    return *p;
  };
  // No plan: a meaning change consumers must be told of.
  auto without = sc.verify(cand);
  CHECK(cli::exit_code_for(without.verdict) == 3);
  CHECK(count_of(without, "definition-changed") == 1);
  // A plan that declares it from the published version to the new one covers it.
  VerifyOptions o;
  o.publish_at = *parse_instant("2026-03-01T06:00:00Z");
  o.plan = plan(R"([{"name": "position", "from": 1, "to": 2, "text": "new transform"}])");
  auto with = verify_candidate(sc.s.store(), "naptan-stops", cand, o);
  REQUIRE(with.ok());
  INFO(with->text);
  CHECK(cli::exit_code_for(with->verdict) == 0);
  // A plan that declares another change, or none, is refused.
  o.plan = plan(R"([{"name": "position", "from": 1, "to": 3, "text": "new transform"}])");
  auto wrong = verify_candidate(sc.s.store(), "naptan-stops", cand, o);
  REQUIRE(wrong.ok());
  CHECK(cli::exit_code_for(wrong->verdict) == 4);
  o.plan = plan("[]");
  auto undeclared = verify_candidate(sc.s.store(), "naptan-stops", cand, o);
  REQUIRE(undeclared.ok());
  CHECK(cli::exit_code_for(undeclared->verdict) == 4);
}

TEST_CASE("contract changes: staging refuses a contract that is not a newer version of the dataset's",
          "[gate][contract]") {
  ContractScenario sc;
  auto attempt = [&](const json& j) {
    auto f = sc.s.dir() / "again.csv";
    write_rows(f, bench::naptan_columns(), sc.base);
    StageOptions o;
    o.contract_json = j.dump();
    o.contract_source = "proposed.contract.json";
    return gazette::stage(sc.s.store(), "naptan-stops", f, o).status();
  };
  json same = naptan_json();
  CHECK(attempt(same).ok());  // the contract in force, given again
  json changed = naptan_json();
  column(changed, "CommonName")["nullable"] = true;
  Status s = attempt(changed);
  CHECK(s.code() == StatusCode::invalid_input);
  CHECK(s.message().starts_with("proposed.contract.json: version 1 is not newer"));
  json other = naptan_json();
  other["version"] = 2;
  other["dataset"] = "other-stops";
  CHECK(attempt(other).code() == StatusCode::invalid_input);
}

TEST_CASE("contract changes: the detectors' thresholds loosened are a notice, tightened nothing", "[gate][contract]") {
  const std::vector<std::string> loosened{"contract-loosened"};
  CHECK(rules_for([](json& j) { j["tolerances"]["position"]["agreement_m"] = 100; }) == loosened);
  CHECK(rules_for([](json& j) { j["tolerances"]["position"]["agreement_m"] = 10; }).empty());
  CHECK(rules_for([](json& j) { j["tolerances"]["shift"]["min_records"] = 50; }) == loosened);
  CHECK(rules_for([](json& j) { j["tolerances"]["shift"]["min_records"] = 5; }).empty());
  CHECK(rules_for([](json& j) { j["tolerances"]["shift"]["spread_m"] = 1; }) == loosened);
  CHECK(rules_for([](json& j) { j["tolerances"]["max_vanished_share"] = 0.9; }) == loosened);
  CHECK(rules_for([](json& j) { j["tolerances"]["max_vanished_share"] = 0.1; }).empty());
  CHECK(rules_for([](json& j) { j["drift"]["lifecycle_share"] = 0.5; }) == loosened);
  CHECK(rules_for([](json& j) { j["tolerances"]["shift"]["time_spread_s"] = 0; }) == loosened);
}
