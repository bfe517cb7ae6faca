// End to end: the real `gazette` binary, its exit statuses and its one-line errors.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <signal.h>
#include <sqlite3.h>

#include <random>
#include <regex>
#include <thread>

#include "publisher/common/sha256.hpp"
#include "tools/bench/naptan_generator.hpp"
#include "tests/support/background_process.hpp"
#include "tests/support/run_process.hpp"
#include "tests/support/temp_dir.hpp"

using namespace gazette;
using namespace gazette::testing;

namespace {

struct Gazette {
  TempDir dir;
  std::string data() const { return (dir / "store").string(); }
  ProcessResult run(std::vector<std::string> args, std::map<std::string, std::string> env = {}) {
    args.insert(args.begin(), {GAZETTE_BINARY, "--data", data()});
    return run_process(args, env);
  }
  ProcessResult ok(std::vector<std::string> args) {
    auto r = run(std::move(args));
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    return r;
  }
  void setup() {
    ok({"init"});
    ok({"dataset", "create", "naptan-stops", "--contract", naptan_contract().string()});
  }
  std::string stage(const std::filesystem::path& f) {
    auto r = ok({"stage", "naptan-stops", f.string()});
    return r.out.substr(0, r.out.size() - 1);
  }
};

std::size_t count_lines(const std::string& s) { return std::count(s.begin(), s.end(), '\n'); }

}  // namespace

TEST_CASE("usage errors exit 2 with the command's usage", "[cli]") {
  Gazette g;
  CHECK(run_process({GAZETTE_BINARY}).exit_code == 2);
  auto unknown = g.run({"frobnicate"});
  CHECK(unknown.exit_code == 2);
  CHECK_THAT(unknown.err, Catch::Contains("unknown command 'frobnicate'"));
  auto no_owner = g.run({"release", "naptan-stops", "0123456789abcdef"});
  CHECK(no_owner.exit_code == 2);
  CHECK_THAT(no_owner.err, Catch::Contains("missing --owner") &&
                               Catch::Contains("usage: gazette release ID CAND --owner NAME"));
  CHECK(g.run({"stage", "naptan-stops"}).exit_code == 2);
  CHECK(g.run({"history", "naptan-stops", "--colour"}).exit_code == 2);
  auto help = g.run({"--help"});
  CHECK(help.exit_code == 0);
  CHECK_THAT(help.out, Catch::Contains("gazette stage ID FILE [--format csv|naptan-xml|json]"));
  // A command's own help: its synopsis, each option, an example; the same both ways.
  auto release_help = g.run({"help", "release"});
  CHECK(release_help.exit_code == 0);
  CHECK_THAT(release_help.out,
             Catch::StartsWith("usage: gazette release ID CAND --owner NAME [--plan FILE] [--notice FILE]... "
                               "[--published-at ISO8601]\n") &&
                 Catch::Contains("  --notice FILE") && Catch::Contains("(required)") &&
                 Catch::Contains("example:\n  gazette release naptan-stops"));
  CHECK(g.run({"release", "--help"}).out == release_help.out);
  CHECK_THAT(g.run({"notice", "list", "-h"}).out, Catch::StartsWith("usage: gazette notice list ID\n"));
  CHECK_THAT(g.run({"help", "diff"}).out, Catch::Contains("the parent of --to"));
  // A word that begins several commands names them.
  auto notice = g.run({"notice"});
  CHECK(notice.exit_code == 2);
  CHECK_THAT(notice.err, Catch::Contains("'notice' needs a subcommand: notice add, notice list"));
  CHECK(g.run({"help", "frobnicate"}).exit_code == 2);
}

TEST_CASE("candidates and notices are listed, a candidate is named by any unambiguous prefix", "[cli]") {
  Gazette g;
  g.setup();
  CHECK(g.ok({"candidate", "list", "naptan-stops"}).out == "naptan-stops has no candidates\n");
  CHECK(g.ok({"notice", "list", "naptan-stops"}).out == "naptan-stops has no notices\n");
  const std::string a = g.stage(naptan_dir() / "csv/668Stops_2024-10-13.csv");
  const std::string b = g.stage(naptan_dir() / "csv/668Stops_2024-10-24.csv");
  REQUIRE(a != b);
  // Four characters or more of an id, as long as they name one candidate.
  auto rel = g.ok({"release", "naptan-stops", a.substr(0, 6), "--owner", "alice", "--published-at",
                   "2024-10-13T06:00:00Z"});
  CHECK_THAT(rel.out, Catch::StartsWith("published naptan-stops 2024-10-13"));
  CHECK(g.ok({"verify", "naptan-stops", b.substr(0, 5)}).exit_code == 0);
  auto short_id = g.run({"verify", "naptan-stops", "abc"});
  CHECK(short_id.exit_code == 1);
  CHECK_THAT(short_id.err, Catch::Contains("'abc' is not a candidate id"));
  const std::string none = a[0] == 'f' ? "0000" : "ffff";
  CHECK_THAT(g.run({"verify", "naptan-stops", none}).err, Catch::Contains("no candidate '" + none + "'"));
  auto list = g.ok({"candidate", "list", "naptan-stops"});
  REQUIRE(count_lines(list.out) == 2);
  CHECK_THAT(list.out, Catch::Contains(a + "  356 records  from 668Stops_2024-10-13.csv  staged ") &&
                           Catch::Contains("contract v1  released as 2024-10-13\n"));
  const std::string b_line = list.out.substr(list.out.find(b));
  CHECK(b_line.substr(0, b_line.find('\n')).find("released") == std::string::npos);  // staged, not released

  write_text(g.dir / "n.json", R"({"id": "notes-withdrawn", "kind": "deprecation", "title": "Notes go",
                                   "text": "t", "scope": {"columns": ["Notes"]}, "effective_at": "2099-06-01T00:00:00Z"})");
  g.ok({"notice", "add", "naptan-stops", (g.dir / "n.json").string()});
  auto notices = g.ok({"notice", "list", "naptan-stops"});
  CHECK_THAT(notices.out, Catch::StartsWith("notes-withdrawn  deprecation  published ") &&
                              Catch::Contains("  effective 2099-06-01T00:00:00Z\n  Notes go\n"));
}

TEST_CASE("stage prints the candidate id alone, and release and history report it", "[cli]") {
  Gazette g;
  g.setup();
  auto list = g.ok({"dataset", "list"});
  CHECK_THAT(list.out, Catch::StartsWith("naptan-stops\tcontract v1\t0 release(s)"));
  std::string cand = g.stage(naptan_dir() / "csv/268Stops_2026-07-24.csv");
  CHECK(std::regex_match(cand, std::regex("[0-9a-f]{16}")));
  auto rel = g.ok({"release", "naptan-stops", cand, "--owner", "alice", "--published-at",
                   "2026-07-24T06:00:00Z"});
  CHECK_THAT(rel.out, Catch::StartsWith("published naptan-stops 2026-07-24 (routine, 258 records") && Catch::Contains("2026-07-24T06:00:00Z, version 1.0.0)\n"));
  auto hist = g.ok({"history", "naptan-stops"});
  REQUIRE(count_lines(hist.out) == 2);
  CHECK_THAT(hist.out, Catch::Contains("2026-07-24    2026-07-24T06:00:00Z routine   1.0.0    alice"));
  // The history's CSV hash is the hash of the artefact's bytes.
  std::smatch m;
  REQUIRE(std::regex_search(hist.out, m, std::regex("([0-9a-f]{64})")));
  auto bytes = read_text(std::filesystem::path(g.data()) / "objects" / m[1].str().substr(0, 2) / m[1].str());
  CHECK(to_hex(sha256(bytes)) == m[1].str());

  auto same = g.ok({"release", "naptan-stops", cand, "--owner", "alice"});
  CHECK_THAT(same.out, Catch::StartsWith("nothing to publish: candidate " + cand +
                                         " is identical to the newest release, 2026-07-24"));
  auto asof = g.ok({"as-of", "naptan-stops", "2026-08-01T00:00:00Z"});
  CHECK_THAT(asof.out, Catch::StartsWith("2026-07-24\t"));
  CHECK(g.run({"as-of", "naptan-stops", "2020-01-01"}).exit_code == 1);
}

TEST_CASE("bad input exits 1 with one line naming the file, line and column", "[cli]") {
  Gazette g;
  g.setup();
  auto bad = write_text(g.dir / "bad.csv", read_text(naptan_dir() / "csv/268Stops_2026-07-24.csv")
                                                   .substr(0, 2000) + "\"unterminated\n");
  auto r = g.run({"stage", "naptan-stops", bad.string()});
  CHECK(r.exit_code == 1);
  CHECK(r.out.empty());
  CHECK(count_lines(r.err) == 1);
  CHECK(std::regex_search(r.err, std::regex("^gazette: .*bad\\.csv:[0-9]+:[0-9]+: ")));

  auto fmt = g.run({"stage", "naptan-stops", bad.string(), "--format", "xlsx"});
  CHECK(fmt.exit_code == 1);
  CHECK_THAT(fmt.err, Catch::Contains("unknown format 'xlsx'"));

  auto contract = write_text(g.dir / "c.json", "{\n  \"dataset\": \"x\",\n  ]\n");
  auto c = g.run({"dataset", "create", "x", "--contract", contract.string()});
  CHECK(c.exit_code == 1);
  CHECK_THAT(c.err, Catch::Contains("c.json:3:"));

  CHECK(g.run({"stage", "Bad/Id", bad.string()}).exit_code == 1);
  CHECK(g.run({"release", "naptan-stops", "0123456789abcdef", "--owner", "a"}).exit_code == 1);
  auto cand = g.stage(naptan_dir() / "csv/268Stops_2026-07-24.csv");
  auto future = g.run({"release", "naptan-stops", cand, "--owner", "a", "--published-at", "2999-01-01"});
  CHECK(future.exit_code == 1);
  CHECK_THAT(future.err, Catch::Contains("is in the future"));
  CHECK(g.ok({"history", "naptan-stops"}).out == "no releases of naptan-stops yet\n");
}

TEST_CASE("what no reader could take is refused at staging, and input bytes never reach the terminal raw",
          "[cli][hardening]") {
  Gazette g;
  g.setup();
  const std::string csv = read_text(naptan_dir() / "csv/268Stops_2026-07-24.csv");
  const std::size_t second_line = csv.find('\n') + 1;
  // U+FFFE in a value: xmllint refused the XML artefact it ended up in.
  std::string with_nonchar = csv;
  const std::size_t comma = with_nonchar.find(',', second_line);
  with_nonchar.insert(comma, "\xEF\xBF\xBE");
  auto r = g.run({"stage", "naptan-stops", write_text(g.dir / "nonchar.csv", with_nonchar).string()});
  CHECK(r.exit_code == 1);
  CHECK(count_lines(r.err) == 1);
  CHECK_THAT(r.err, Catch::Contains("nonchar.csv:2:") && Catch::Contains("noncharacter U+FFFE"));

  // A column name carrying escape sequences is quoted back escaped, not obeyed.
  std::string evil = csv;
  evil.insert(second_line - 1, ",\x1b]0;owned\x07\x1b[2J");
  auto e = g.run({"stage", "naptan-stops", write_text(g.dir / "evil.csv", evil).string()});
  INFO(e.err);
  CHECK(e.err.find('\x1b') == std::string::npos);
  CHECK(e.err.find('\x07') == std::string::npos);
  CHECK_THAT(e.err, Catch::Contains("\\x1b]0;owned\\x07\\x1b[2J"));
}

TEST_CASE("diff and record show what changed, plainly or as JSON", "[cli][changes]") {
  Gazette g;
  g.setup();
  g.ok({"release", "naptan-stops", g.stage(naptan_dir() / "csv/668Stops_2024-10-13.csv"), "--owner", "a",
        "--published-at", "2024-10-13T06:00:00Z"});
  g.ok({"release", "naptan-stops", g.stage(naptan_dir() / "csv/668Stops_2024-10-24.csv"), "--owner", "a",
        "--published-at", "2024-10-24T06:00:00Z"});
  auto plain = g.ok({"diff", "naptan-stops", "--from", "2024-10-13", "--to", "2024-10-24"});
  CHECK_THAT(plain.out, Catch::StartsWith("naptan-stops: 2024-10-13 -> 2024-10-24\n"
                                          "  added 0, removed 0, retired 10, modified 0\n"));
  CHECK_THAT(plain.out, Catch::Contains("retired 66806210056  [retired-through-lifecycle, routine]  ") &&
                            Catch::Contains("Status 'active' -> 'inactive'"));
  auto json = g.ok({"diff", "naptan-stops", "--from", "2024-10-13", "--json"});
  CHECK_THAT(json.out, Catch::StartsWith("{\"dataset\":\"naptan-stops\",\"from\":\"2024-10-13\",\"to\":\"2024-10-24\","
                                         "\"summary\":{\"added\":0,\"removed\":0,\"retired\":10,\"modified\":0}"));
  auto cand = g.stage(naptan_dir() / "csv/668Stops_2024-12-03.csv");
  auto to_cand = g.ok({"diff", "naptan-stops", "--candidate", cand});
  CHECK_THAT(to_cand.out, Catch::StartsWith("naptan-stops: 2024-10-24 -> candidate:" + cand));
  CHECK(g.run({"diff", "naptan-stops", "--to", "2024-10-24", "--candidate", cand}).exit_code == 1);
  CHECK(g.run({"diff", "naptan-stops", "--from", "1999-01-01"}).exit_code == 1);
  // With no options: the newest release against its parent, as /changes answers.
  CHECK_THAT(g.ok({"diff", "naptan-stops"}).out, Catch::StartsWith("naptan-stops: 2024-10-13 -> 2024-10-24\n"));
  CHECK_THAT(g.ok({"diff", "naptan-stops", "--to", "2024-10-13"}).out,
             Catch::StartsWith("naptan-stops: (nothing) -> 2024-10-13\n  added 356"));
  auto rec = g.ok({"record", "naptan-stops", "66806210056"});
  CHECK_THAT(rec.out, Catch::StartsWith("66806210056 (current since 2024-10-24)") &&
                          Catch::Contains("  Status: inactive\n") &&
                          Catch::Contains("  2024-10-13  added  (routine, a)\n"
                                          "  2024-10-24  retired  (routine, a)  [retired-through-lifecycle, routine]\n"
                                          "      ModificationDateTime '2019-03-28T18:25:13.000' -> '2024-10-23T10:38:04.166'\n"
                                          "      RevisionNumber '6' -> '7'\n      Status 'active' -> 'inactive'\n"));
  CHECK(g.run({"record", "naptan-stops", "nope"}).exit_code == 1);
  // Out of retirement again, under a restatement: shown as a revival, with its rule.
  auto restated = write_text(g.dir / "restated.json", R"({"id": "reopened", "kind": "restatement", "title": "Reopened",
    "text": "Ten stops reopened.", "scope": {"columns": ["Status"]}})");
  g.ok({"release", "naptan-stops", g.stage(naptan_dir() / "csv/668Stops_2024-10-13.csv"), "--owner", "a",
        "--published-at", "2024-10-25T06:00:00Z", "--notice", restated.string()});
  CHECK_THAT(g.ok({"record", "naptan-stops", "66806210056"}).out,
             Catch::Contains("  2024-10-25  revived  (routine, a)  [version-restored, notice]\n") &&
                 Catch::Contains("      Status 'inactive' -> 'active'\n"));
}

TEST_CASE("verify and release exit 0, 3 or 4, a notice or plan lets them through", "[cli][gate]") {
  Gazette g;
  g.setup();
  auto base = read_text(naptan_dir() / "csv/268Stops_2026-07-24.csv");
  g.ok({"release", "naptan-stops", g.stage(naptan_dir() / "csv/268Stops_2026-07-24.csv"), "--owner", "alice",
        "--published-at", "2026-07-24T06:00:00Z"});
  // A week in which one stop vanishes: exit 3 until a removal notice covers it.
  auto first_row_end = base.find('\n', base.find('\n') + 1);
  const std::string vanished = base.substr(base.find('\n') + 1, 9);  // its ATCOCode
  auto gone = write_text(g.dir / "gone.csv", base.substr(0, base.find('\n') + 1) + base.substr(first_row_end + 1));
  auto cand = g.stage(gone);
  auto v = g.run({"verify", "naptan-stops", cand});
  CHECK(v.exit_code == 3);
  CHECK_THAT(v.out, Catch::Contains("key-vanished-without-tombstone") && Catch::Contains("needs a notice"));
  auto refused = g.run({"release", "naptan-stops", cand, "--owner", "alice"});
  CHECK(refused.exit_code == 3);
  CHECK_THAT(refused.err, Catch::Contains("nothing was published"));
  CHECK(count_lines(g.ok({"history", "naptan-stops"}).out) == 2);
  auto notice = write_text(g.dir / "n.json", R"({"id": "stop-closed", "kind": "removal", "title": "A stop closed",
    "text": "Closed for good.", "scope": {"keys": [")" + vanished + R"("]}})");
  auto json = g.run({"verify", "naptan-stops", cand, "--notice", notice.string(), "--json"});
  CHECK(json.exit_code == 0);
  CHECK_THAT(json.out, Catch::Contains("\"outcome\": \"publishable\"") && Catch::Contains("notice stop-closed"));
  auto with_notice = g.ok({"release", "naptan-stops", cand, "--owner", "alice", "--notice", notice.string(),
                           "--published-at", "2026-07-25T06:00:00Z"});
  CHECK_THAT(with_notice.out, Catch::Contains("  with notice stop-closed (removal): A stop closed\n"));
  // The notice is published once, with the release; publishing it again is refused.
  CHECK(g.run({"notice", "add", "naptan-stops", notice.string()}).exit_code == 1);
  g.ok({"notice", "add", "naptan-stops", (source_dir() / "data/demo/notes-withdrawn.notice.json").string()});
  // The history shows what each release carried, and the notices published alone.
  auto history = g.ok({"history", "naptan-stops"}).out;
  CHECK_THAT(history, Catch::Contains("\n2026-07-25 ") && Catch::Contains("\n  notice stop-closed (removal)\n"));
  CHECK_THAT(history, Catch::Contains("notices published alone:\n  notes-withdrawn (deprecation)  "));

  // A position moved 5 km: refused as breaking, whatever notice comes with it.
  auto moved_text = base;
  auto row = moved_text.find('\n') + 1;
  for (int col = 0; col < 27; ++col) row = moved_text.find(',', row) + 1;
  moved_text.replace(row, 6, std::to_string(std::stol(moved_text.substr(row, 6)) + 5000));
  auto moved = write_text(g.dir / "moved.csv", moved_text);
  auto mc = g.stage(moved);
  auto broken = g.run({"verify", "naptan-stops", mc});
  CHECK(broken.exit_code == 4);
  CHECK_THAT(broken.out, Catch::Contains("breaking  key-reused"));
  CHECK(g.run({"release", "naptan-stops", mc, "--owner", "alice", "--published-at", "2026-07-26T06:00:00Z"}).exit_code == 4);

  // Malformed plans and notices are errors (exit 1), not verdicts.
  auto bad_plan = write_text(g.dir / "bad-plan.json", R"({"id": "p", "owner": "a"})");
  auto r = g.run({"verify", "naptan-stops", mc, "--plan", bad_plan.string()});
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.err, Catch::Contains("bad-plan.json:1:1: $: missing \"intent\""));
  auto self = write_text(g.dir / "self.json", R"({"id": "p", "owner": "a", "reviewed_by": ["a"], "intent": "i",
    "blast_radius": {"columns": ["Easting"], "max_records": 5}})");
  CHECK(g.run({"verify", "naptan-stops", mc, "--plan", self.string()}).exit_code == 4);
}

TEST_CASE("stage --contract brings a new contract version, judged and put in force by the release",
          "[cli][gate][contract]") {
  Gazette g;
  g.setup();
  auto base = read_text(naptan_dir() / "csv/268Stops_2026-07-24.csv");
  g.ok({"release", "naptan-stops", g.stage(naptan_dir() / "csv/268Stops_2026-07-24.csv"), "--owner", "alice",
        "--published-at", "2026-07-24T06:00:00Z"});
  auto contract = read_text(naptan_contract());
  // The same contract under the same version, changed: refused, naming the file (exit 1).
  auto same_version = write_text(g.dir / "loosened.contract.json",
                                 std::regex_replace(contract, std::regex(R"("name": "Notes",)"),
                                                    R"("name": "Remarks",)"));
  auto r = g.run({"stage", "naptan-stops", (naptan_dir() / "csv/268Stops_2026-07-24.csv").string(), "--contract",
                  same_version.string()});
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.err, Catch::Contains("loosened.contract.json: version 1 is not newer"));
  // Version 2 renames Notes: the data stages, the gate refuses it as breaking (exit 4).
  auto v2 = std::regex_replace(contract, std::regex(R"("version": 1,)"), R"("version": 2,)",
                               std::regex_constants::format_first_only);
  auto renamed = write_text(g.dir / "renamed.contract.json",
                            std::regex_replace(v2, std::regex(R"("name": "Notes",)"), R"("name": "Remarks",)"));
  auto renamed_csv = write_text(g.dir / "renamed.csv", std::regex_replace(base, std::regex(",Notes,"), ",Remarks,",
                                                                          std::regex_constants::format_first_only));
  auto cand = g.ok({"stage", "naptan-stops", renamed_csv.string(), "--contract", renamed.string()}).out;
  cand.pop_back();
  auto v = g.run({"verify", "naptan-stops", cand});
  CHECK(v.exit_code == 4);
  CHECK_THAT(v.out, Catch::Contains("breaking  column-renamed") && Catch::Contains("Notes renamed Remarks"));
  CHECK(g.run({"release", "naptan-stops", cand, "--owner", "alice"}).exit_code == 4);
  // Version 2 that only loosens a rule: a notice scoped to the column lets it through, and
  // the contract served afterwards is version 2.
  auto loosened = write_text(g.dir / "v2.contract.json",
                             std::regex_replace(v2, std::regex(R"("notice_m": 50)"), R"("notice_m": 75)"));
  auto cand2 = g.ok({"stage", "naptan-stops", (naptan_dir() / "csv/268Stops_2026-07-24.csv").string(),
                     "--contract", loosened.string()}).out;
  cand2.pop_back();
  auto needs = g.run({"verify", "naptan-stops", cand2});
  CHECK(needs.exit_code == 3);
  CHECK_THAT(needs.out, Catch::Contains("contract-loosened") && Catch::Contains("50 m -> 75 m"));
  auto notice = write_text(g.dir / "tolerance.json", R"({"id": "wider-tolerance", "kind": "meaning-change",
    "title": "Positions may move 75 m without notice", "text": "t", "scope": {"columns": ["Easting", "Northing"]}})");
  g.ok({"release", "naptan-stops", cand2, "--owner", "alice", "--notice", notice.string()});
  CHECK_THAT(g.ok({"dataset", "list"}).out, Catch::Contains("v2"));
}

TEST_CASE("rollback publishes a release whose CSV bytes equal the old one's", "[cli][gate]") {
  Gazette g;
  g.setup();
  g.ok({"release", "naptan-stops", g.stage(naptan_dir() / "csv/668Stops_2025-11-18.csv"), "--owner", "a",
        "--published-at", "2025-11-18T06:00:00Z"});
  g.ok({"release", "naptan-stops", g.stage(naptan_dir() / "csv/668Stops_2026-01-20.csv"), "--owner", "a",
        "--published-at", "2026-01-20T06:00:00Z"});
  CHECK(g.run({"rollback", "naptan-stops", "--to", "2025-11-18", "--owner", "b"}).exit_code == 2);  // no reason
  // Notices given with it are checked and published like any release's.
  auto stale = write_text(g.dir / "stale.json", R"({"id": "old-sunset", "kind": "deprecation", "title": "t",
    "text": "t", "scope": {"columns": ["Notes"]}, "effective_at": "2020-01-01T00:00:00Z"})");
  auto refused = g.run({"rollback", "naptan-stops", "--to", "2025-11-18", "--owner", "b", "--reason", "r",
                        "--notice", stale.string()});
  CHECK(refused.exit_code == 1);
  CHECK_THAT(refused.err, Catch::Contains("is already past"));
  auto why = write_text(g.dir / "why.json", R"({"id": "why-rollback", "kind": "meaning-change", "title": "t",
    "text": "t", "scope": {"columns": ["CommonName"]}})");
  auto r = g.ok({"rollback", "naptan-stops", "--to", "2025-11-18", "--owner", "b", "--reason",
                 "The January edits used the wrong gazetteer.", "--notice", why.string()});
  CHECK_THAT(r.out, Catch::Contains("(rollback to 2025-11-18, 356 records)"));
  auto hist = g.ok({"history", "naptan-stops"}).out;
  std::smatch m1, m3;
  REQUIRE(std::regex_search(hist, m1, std::regex("2025-11-18 .* ([0-9a-f]{64})")));
  REQUIRE(std::regex_search(hist, m3, std::regex("rollback .* ([0-9a-f]{64})")));
  CHECK(m1[1] == m3[1]);
}

TEST_CASE("staging shows progress on a terminal, and only there", "[cli]") {
  Gazette g;
  g.setup();
  const std::string file = (naptan_dir() / "csv/021Stops_2026-07-23.csv").string();
  // `script` gives the command a pseudo-terminal, as a person at a terminal would have.
  auto tty = run_process({"/usr/bin/script", "-qec",
                          std::string(GAZETTE_BINARY) + " --data " + g.data() + " stage naptan-stops " + file,
                          "/dev/null"});
  CHECK(tty.exit_code == 0);
  CHECK_THAT(tty.out, Catch::Contains("staging 021Stops_2026-07-23.csv: 100%"));
  auto piped = g.run({"stage", "naptan-stops", file});
  CHECK(piped.err.find('%') == std::string::npos);
}

TEST_CASE("GAZETTE_DATA names the store when --data is absent", "[cli]") {
  TempDir dir;
  auto r = run_process({GAZETTE_BINARY, "init"}, {{"GAZETTE_DATA", (dir / "envstore").string()}});
  CHECK(r.exit_code == 0);
  CHECK(std::filesystem::exists(dir / "envstore/gazette.db"));
}

TEST_CASE("a release killed at any step leaves the old state or the new, never half",
          "[cli][crash]") {
  for (const char* point : {"after-artefact-csv", "after-artefacts", "before-commit", "after-commit"}) {
    INFO(point);
    Gazette g;
    g.setup();
    auto first = g.stage(naptan_dir() / "csv/668Stops_2024-10-13.csv");
    g.ok({"release", "naptan-stops", first, "--owner", "a", "--published-at", "2024-10-13T06:00:00Z"});
    auto second = g.stage(naptan_dir() / "csv/668Stops_2024-10-24.csv");
    auto killed = g.run({"release", "naptan-stops", second, "--owner", "a", "--published-at",
                         "2024-10-24T06:00:00Z"},
                        {{"GAZETTE_CRASH_AT", point}});
    CHECK(killed.signal == SIGKILL);
    const bool committed = std::string(point) == "after-commit";

    // The next writer sweeps orphans; every artefact left matches its manifest's hash.
    g.ok({"stage", "naptan-stops", (naptan_dir() / "csv/668Stops_2024-10-24.csv").string()});
    auto hist = g.ok({"history", "naptan-stops"});
    CHECK(count_lines(hist.out) == (committed ? 3u : 2u));
    std::size_t objects = 0;
    for (auto& e : std::filesystem::recursive_directory_iterator(std::filesystem::path(g.data()) / "objects")) {
      if (!e.is_regular_file()) continue;
      ++objects;
      CHECK(to_hex(sha256(read_text(e.path()))) == e.path().filename().string());
    }
    CHECK(objects == (committed ? 16u : 8u));  // each artefact (CSV, XML, JSON, GeoJSON) and its gzip copy
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open((std::filesystem::path(g.data()) / "gazette.db").c_str(), &db) == SQLITE_OK);
    sqlite3_stmt* st = nullptr;
    sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, nullptr);
    REQUIRE(sqlite3_step(st) == SQLITE_ROW);
    CHECK(std::string(reinterpret_cast<const char*>(sqlite3_column_text(st, 0))) == "ok");
    sqlite3_finalize(st);
    sqlite3_close(db);

    // And the release can simply be run again.
    auto again = g.run({"release", "naptan-stops", second, "--owner", "a", "--published-at",
                        "2024-10-24T06:00:00Z"});
    if (committed) {
      CHECK_THAT(again.out, Catch::StartsWith("nothing to publish"));
    } else {
      INFO(again.err);
      CHECK(again.exit_code == 0);
      CHECK_THAT(again.out, Catch::StartsWith("published naptan-stops 2024-10-24"));
    }
  }
}

TEST_CASE("the demo builds a store from the bundled NaPTAN excerpt and serves it", "[cli][demo]") {
  Gazette g;
  for (int round = 0; round < 2; ++round) {  // running it again rebuilds the demo store
    BackgroundProcess demo({GAZETTE_BINARY, "--data", g.data(), "demo", "--listen", "127.0.0.1:0",
                            "--no-access-log"});
    const std::string banner = demo.wait_for_line("serving", std::chrono::seconds(60));
    INFO(demo.error_output());
    REQUIRE(port_from_banner(banner) > 0);
    CHECK_THAT(demo.output(), Catch::Contains("released 2024-10-13: 3328 stops in 4 areas"));
    CHECK_THAT(demo.output(), Catch::Contains("released 2026-07-24: 5031 stops in 6 areas"));
    CHECK_THAT(demo.output(), Catch::Contains("released 2026-07-24.2: backfill under plan bf-2026-07-rutland-positions (258 positions recomputed)"));
    const std::string base = "http://127.0.0.1:" + std::to_string(port_from_banner(banner));
    CHECK(demo.wait_for_line("curl " + base + "/datasets/naptan-stops") != "");
    auto r = run_process({"/usr/bin/curl", "-s", "-f", base + "/datasets/naptan-stops/releases"});
    CHECK(r.exit_code == 0);
    CHECK_THAT(r.out, Catch::Contains("\"id\": \"2026-07-24\""));
    // Meaning versions: PATCH for a routine week, MINOR where the gate asked for notices
    // (2026-04-22, 2026-07-23), MAJOR for the backfill under its plan.
    std::string versions;
    auto list = nlohmann::json::parse(r.out);
    for (auto it = list["releases"].rbegin(); it != list["releases"].rend(); ++it)
      versions += (*it)["id"].get<std::string>() + " " + (*it)["version"].get<std::string>() + "\n";
    CHECK(versions ==
          "2024-10-13 1.0.0\n2024-10-24 1.0.1\n2024-12-03 1.0.2\n2024-12-12 1.0.3\n2025-11-18 1.0.4\n"
          "2026-01-20 1.0.5\n2026-04-22 1.1.0\n2026-06-02 1.1.1\n2026-07-22 1.1.2\n2026-07-23 1.2.0\n"
          "2026-07-24 1.2.1\n2026-07-24.2 2.0.0\n");
    // A consumer pinned to major 1 keeps the newest release that means what 1 meant.
    auto pinned = run_process({"/usr/bin/curl", "-s", "-D", "-", "-o", "/dev/null",
                               base + "/datasets/naptan-stops/v/1/latest/naptan-stops.csv"});
    CHECK_THAT(pinned.out, Catch::StartsWith("HTTP/1.1 302") &&
                               Catch::Contains("Location: /datasets/naptan-stops/releases/2026-07-24/naptan-stops.csv"));
    auto two = run_process({"/usr/bin/curl", "-s", "-I", "-L", base + "/datasets/naptan-stops/v/2/latest/naptan-stops.csv"});
    CHECK_THAT(two.out, Catch::Contains("releases/2026-07-24.2/naptan-stops.csv") &&
                            Catch::Contains("Dataset-Version: 2.0.0"));
    CHECK(run_process({"/usr/bin/curl", "-s", "-f", "-o", "/dev/null", base + "/datasets/naptan-stops/v/3/latest/naptan-stops.csv"})
              .exit_code != 0);
    auto manifest = run_process({"/usr/bin/curl", "-s", base + "/datasets/naptan-stops/releases/2026-07-23/manifest.json"});
    CHECK(nlohmann::json::parse(manifest.out)["version"] == "1.2.0");
    CHECK(demo.stop(SIGTERM) == 0);
  }
  auto hist = g.ok({"history", "naptan-stops"});
  // A header, 11 snapshot days and a backfill (each with what it carried).
  CHECK(std::count(hist.out.begin(), hist.out.end(), 'Z') == 12);
  CHECK_THAT(hist.out, Catch::Contains("2026-07-24.2  2026-07-24T18:00:00Z backfill  2.0.0    stops-maintainer") &&
                           Catch::Contains("\n  plan bf-2026-07-rutland-positions\n"));
  // But it never overwrites a store it did not make.
  Gazette other;
  other.setup();
  CHECK(other.run({"demo"}).exit_code == 1);
}

TEST_CASE("key rotate: the new key is signed by the old, lists are signed again, older signatures stand",
          "[cli][signing]") {
  Gazette g;
  g.setup();
  for (const char* day : {"2024-10-13", "2024-10-24"})
    g.ok({"release", "naptan-stops", g.stage(naptan_dir() / ("csv/668Stops_" + std::string(day) + ".csv")), "--owner",
          "alice", "--published-at", std::string(day) + "T06:00:00Z"});
  auto minisign_ok = [&](const std::filesystem::path& pub, const std::filesystem::path& file,
                         const std::filesystem::path& sig) {
    return run_process({"/usr/bin/minisign", "-V", "-q", "-p", pub.string(), "-m", file.string(), "-x", sig.string()})
               .exit_code == 0;
  };
  auto before = g.dir / "before";
  g.ok({"export", "naptan-stops", "--to", before.string()});
  auto keys_before = nlohmann::json::parse(read_text(before / "keys/index.json"));
  REQUIRE(keys_before["keys"].size() == 1);
  const std::string old_id = keys_before["keys"][0]["id"];
  const auto old_pub = before / ("keys/" + old_id + ".pub");

  // Releasing what is already published publishes nothing, but signs the list afresh.
  const std::string list_before = read_text(before / "datasets/naptan-stops/releases/index.json");
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  auto same = g.ok({"release", "naptan-stops", g.stage(naptan_dir() / "csv/668Stops_2024-10-24.csv"), "--owner", "alice"});
  CHECK_THAT(same.err, Catch::Contains("signed the release list again, valid until "));

  auto rotated = g.ok({"key", "rotate"});
  CHECK_THAT(rotated.out, Catch::Matches("signing key [0-9A-F]{16} replaces " + old_id + "; (.|\n)*signed 1 release list again(.|\n)*"));
  auto after = g.dir / "after";
  g.ok({"export", "naptan-stops", "--to", after.string()});
  auto keys = nlohmann::json::parse(read_text(after / "keys/index.json"))["keys"];
  REQUIRE(keys.size() == 2);
  CHECK(keys[0]["id"] == old_id);
  CHECK_FALSE(keys[0]["valid_until"].is_null());
  CHECK(keys[1]["valid_until"].is_null());
  const std::string new_id = keys[1]["id"];
  const auto new_pub = after / ("keys/" + new_id + ".pub");
  // The new public key, signed by the old: a consumer who trusts the old can trust the new.
  CHECK(minisign_ok(old_pub, new_pub, after / ("keys/" + new_id + ".pub.minisig")));
  CHECK_FALSE(minisign_ok(new_pub, new_pub, after / ("keys/" + new_id + ".pub.minisig")));
  // The list is signed by the new key now; manifests keep the old key's signatures.
  const auto list = after / "datasets/naptan-stops/releases/index.json";
  const auto list_sig = after / "datasets/naptan-stops/releases.minisig";
  CHECK(minisign_ok(new_pub, list, list_sig));
  CHECK_FALSE(minisign_ok(old_pub, list, list_sig));
  CHECK(read_text(list) != list_before);
  const auto manifest = after / "datasets/naptan-stops/releases/2024-10-24/manifest.json";
  CHECK(minisign_ok(old_pub, manifest, manifest.string() + ".minisig"));
  // The next release signs with the new key.
  g.ok({"release", "naptan-stops", g.stage(naptan_dir() / "csv/668Stops_2024-12-03.csv"), "--owner", "alice",
        "--published-at", "2024-12-03T06:00:00Z"});
  auto next = g.dir / "next";
  g.ok({"export", "naptan-stops", "--to", next.string()});
  const auto newest = next / "datasets/naptan-stops/releases/2024-12-03/manifest.json";
  CHECK(minisign_ok(new_pub, newest, newest.string() + ".minisig"));
  const auto changes = next / "datasets/naptan-stops/changes/2024-10-24..2024-12-03.json";
  CHECK(minisign_ok(new_pub, changes, changes.string() + ".minisig"));
}

TEST_CASE("fsck checks every signature against the bytes consumers get, and --repair signs what is unsigned",
          "[cli][fsck][signing]") {
  Gazette g;
  g.setup();
  for (const char* day : {"2024-10-13", "2024-10-24"})
    g.ok({"release", "naptan-stops", g.stage(naptan_dir() / ("csv/668Stops_" + std::string(day) + ".csv")), "--owner",
          "alice", "--published-at", std::string(day) + "T06:00:00Z"});
  CHECK_THAT(g.ok({"fsck", "naptan-stops"}).out, Catch::EndsWith("; 0 problems\n"));
  const std::string db = (std::filesystem::path(g.data()) / "gazette.db").string();
  auto sql = [&](const std::string& statement) {
    REQUIRE(run_process({"/usr/bin/sqlite3", db, statement}).exit_code == 0);
  };
  // A release stopped before its changeset was signed: found, and signed by --repair.
  sql("DROP TRIGGER signatures_undeletable; DELETE FROM signatures WHERE subject = 'changes/2024-10-24'; "
      "CREATE TRIGGER signatures_undeletable BEFORE DELETE ON signatures WHEN OLD.subject <> 'releases' "
      "BEGIN SELECT RAISE(ABORT, 'signatures are immutable'); END;");
  auto missing = g.run({"fsck", "naptan-stops"});
  CHECK(missing.exit_code == 1);
  CHECK_THAT(missing.out, Catch::StartsWith("release 2024-10-24: changeset not signed (--repair signs it)\n"));
  CHECK_THAT(g.ok({"fsck", "naptan-stops", "--repair"}).out,
             Catch::StartsWith("signed 1 document(s)") && Catch::EndsWith("; 0 problems\n"));
  // One manifest's signature put on another: it does not verify.
  sql("DROP TRIGGER signatures_immutable; UPDATE signatures SET signature = (SELECT signature FROM signatures "
      "WHERE subject = 'manifest/2024-10-13') WHERE subject = 'manifest/2024-10-24'; "
      "CREATE TRIGGER signatures_immutable BEFORE UPDATE ON signatures WHEN OLD.subject <> 'releases' "
      "BEGIN SELECT RAISE(ABORT, 'signatures are immutable'); END;");
  auto swapped = g.run({"fsck", "naptan-stops"});
  CHECK(swapped.exit_code == 1);
  CHECK_THAT(swapped.out, Catch::Contains("release 2024-10-24 manifest: its signature does not verify: "
                                          "signature does not match the data\n"));
}

TEST_CASE("staging the national scale streams in well under 1 GB of memory", "[cli][scale]") {
  Gazette g;
  g.setup();
  auto file = g.dir / "national.csv";
  const std::uint64_t kSeed = 2026;
  INFO("seed " << kSeed);
  // Generated by a child process, so that this process stays small: a forked child's peak
  // memory counts the pages it shared with its parent before exec.
  auto gen = run_process({GAZETTE_GEN, file.string(), std::to_string(bench::kNationalStopCount),
                          std::to_string(kSeed)});
  REQUIRE(gen.exit_code == 0);
  CHECK(std::filesystem::file_size(file) > 90u * 1000 * 1000);
  auto r = g.run({"stage", "naptan-stops", file.string()});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.err, Catch::Contains("staged 435029 records"));
  INFO("peak RSS " << r.max_rss_kb << " kB");
#ifndef GAZETTE_SANITIZED  // AddressSanitizer's shadow memory and quarantine are not ours to count
  CHECK(r.max_rss_kb < 1024 * 1024);
  // Streaming, not whole-file buffers: far less than the file and its parsed copy together.
  CHECK(static_cast<std::uintmax_t>(r.max_rss_kb) * 1024 < 3 * std::filesystem::file_size(file));
#endif
}

TEST_CASE("fsck finds what was damaged, one line each, and --repair removes only what no release references",
          "[cli][fsck][hardening]") {
  Gazette g;
  g.setup();
  const char* days[] = {"2024-10-13", "2024-10-24", "2024-12-03"};
  for (const char* day : days)
    g.ok({"release", "naptan-stops", g.stage(naptan_dir() / ("csv/668Stops_" + std::string(day) + ".csv")), "--owner",
          "alice", "--published-at", std::string(day) + "T06:00:00Z"});
  auto clean = g.run({"fsck", "naptan-stops"});
  INFO(clean.out << clean.err);
  CHECK(clean.exit_code == 0);
  CHECK_THAT(clean.out, Catch::StartsWith("fsck naptan-stops: 3 releases, 12 artefacts (") && Catch::EndsWith("; 0 problems\n"));
  CHECK(clean.out.find("(0 rendered again)") == std::string::npos);  // the first release's files were evicted

  // Damage, four ways.
  const std::filesystem::path store = g.data();
  const std::string history = g.ok({"history", "naptan-stops"}).out;
  const std::string csv_sha = history.substr(history.rfind(' ') + 1, 64);  // the newest release's CSV
  const auto csv_file = store / "objects" / csv_sha.substr(0, 2) / csv_sha;
  {
    std::string bytes = read_text(csv_file);
    bytes[bytes.size() / 2] ^= 1;
    std::filesystem::permissions(csv_file, std::filesystem::perms::owner_write, std::filesystem::perm_options::add);
    write_text(csv_file, bytes);
  }
  const auto stray = store / "objects" / "zz" / std::string(64, 'z');
  std::filesystem::create_directories(stray.parent_path());
  write_text(stray, "left by a crash");
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open((store / "gazette.db").c_str(), &db) == SQLITE_OK);
  REQUIRE(sqlite3_exec(db,
                       "DROP TRIGGER ledger_append_only; "
                       "DELETE FROM record_spans WHERE (dataset, key, first_seq) IN (SELECT dataset, key, first_seq FROM "
                       "record_spans WHERE first_seq = 1 ORDER BY last_seq IS NULL, key LIMIT 1)",
                       nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(db);

  auto damaged = g.run({"fsck", "naptan-stops"});
  INFO(damaged.out);
  CHECK(damaged.exit_code == 1);
  CHECK_THAT(damaged.out, Catch::Contains("release 2024-12-03 naptan-stops.csv: file " + csv_file.string() + " hashes to"));
  CHECK_THAT(damaged.out, Catch::Contains("objects/zz/" + std::string(64, 'z') + ": no release references this file"));
  CHECK_THAT(damaged.out, Catch::Contains("database: trigger ledger_append_only is missing"));
  CHECK_THAT(damaged.out, Catch::Contains("release 2024-10-13: holds 355 records, but was published with 356"));
  CHECK_THAT(damaged.out, Catch::Contains("release 2024-10-13 naptan-stops.csv: evicted, and rendering it again gives"));
  CHECK_THAT(damaged.out, Catch::EndsWith(" problems\n"));

  // --repair removes the stray file and nothing else; the damage it cannot undo is still named.
  auto repaired = g.run({"fsck", "naptan-stops", "--repair"});
  CHECK(repaired.exit_code == 1);
  CHECK_THAT(repaired.out, Catch::Contains("removed objects/zz/" + std::string(64, 'z')));
  CHECK_FALSE(std::filesystem::exists(stray));
  CHECK(std::filesystem::exists(csv_file));
  auto again = g.run({"fsck", "naptan-stops"});
  CHECK(again.out.find("no release references") == std::string::npos);
}

TEST_CASE("kill -9 at random instants of a release, a rollback or a notice: the store is the old one or the new",
          "[cli][crash][hardening]") {
#ifdef GAZETTE_SANITIZED
  const int release_trials = 16, other_trials = 5;  // the same, slower: fewer trials
#else
  const int release_trials = 50, other_trials = 20;
#endif
  Gazette g;
  g.setup();
  // Tens of thousands of records, a weekly change of them, and a notice to publish.
  const auto w0 = g.dir / "w0.csv", w1 = g.dir / "w1.csv";
  REQUIRE(run_process({GAZETTE_GEN, w0.string(), "20000", "7"}).exit_code == 0);
  REQUIRE(run_process({GAZETTE_GEN, "--weekly", w1.string(), "20000", "7", "1"}).exit_code == 0);
  g.ok({"release", "naptan-stops", g.stage(w0), "--owner", "alice", "--published-at", "2026-01-01T00:00:00Z"});
  const std::string week = g.stage(w1);
  const auto notice = write_text(g.dir / "n.json", R"({"id": "notes-go", "kind": "deprecation", "title": "Notes go",
    "text": "The Notes column is withdrawn.", "scope": {"columns": ["Notes"]}, "effective_at": "2027-06-01T00:00:00Z"})");
  const std::filesystem::path base = g.data();

  std::mt19937 random(20261130);
  struct Outcome {
    int trials = 0, old_state = 0, new_state = 0, inconsistent = 0;
  };
  auto count = [](const std::filesystem::path& store, const char* table) {
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open_v2((store / "gazette.db").c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
    sqlite3_stmt* st = nullptr;
    sqlite3_prepare_v2(db, (std::string("SELECT count(*) FROM ") + table).c_str(), -1, &st, nullptr);
    REQUIRE(sqlite3_step(st) == SQLITE_ROW);
    const auto n = static_cast<std::size_t>(sqlite3_column_int64(st, 0));
    sqlite3_finalize(st);
    sqlite3_close(db);
    return n;
  };
  // How long `args` takes uninterrupted on a copy of the store (a sanitizer build is several
  // times slower): the kills are spread over that span and a little beyond.
  auto span_of = [&](std::vector<std::string> args) {
    const auto copy = g.dir / "timing";
    std::filesystem::copy(base, copy, std::filesystem::copy_options::recursive);
    args.insert(args.begin(), {GAZETTE_BINARY, "--data", copy.string()});
    const auto t0 = std::chrono::steady_clock::now();
    auto r = run_process(args);
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    std::filesystem::remove_all(copy);
    return static_cast<int>(ms * 3 / 2);
  };
  // Runs `args` on a copy of the store, kills it after a random delay within `span_ms`, then
  // checks the copy as the next command would find it: sound, and with `table` holding the
  // rows it held or one more.
  auto trial = [&](std::vector<std::string> args, int span_ms, const char* table, Outcome& o) {
    const auto copy = g.dir / ("trial-" + std::to_string(o.trials));
    std::filesystem::copy(base, copy, std::filesystem::copy_options::recursive);
    args.insert(args.begin(), {GAZETTE_BINARY, "--data", copy.string()});
    BackgroundProcess victim(args);
    std::this_thread::sleep_for(std::chrono::milliseconds(std::uniform_int_distribution<int>(0, span_ms)(random)));
    victim.stop(SIGKILL);
    ++o.trials;
    // The next writer sweeps what the killed one left; then everything must check out.
    auto fsck = run_process({GAZETTE_BINARY, "--data", copy.string(), "fsck", "naptan-stops", "--repair"});
    const std::size_t before = count(base, table), after = count(copy, table);
    INFO(fsck.out << fsck.err);
    const bool sound = fsck.exit_code == 0 && (after == before || after == before + 1);
    CHECK(sound);
    o.inconsistent += !sound;
    (after == before ? o.old_state : o.new_state) += 1;
    // And the command can simply be run again (a notice that made it is refused as a repeat).
    auto again = run_process(args);
    INFO(again.err);
    if (std::string(table) == "notices" && after > before)
      CHECK_THAT(again.err, Catch::Contains("already published"));
    else
      CHECK(again.exit_code == 0);
    std::filesystem::remove_all(copy);
  };
  Outcome release, rollback, notice_add;
  const std::vector<std::string> release_args = {"release", "naptan-stops", week, "--owner", "alice",
                                                 "--published-at", "2026-01-08T00:00:00Z"};
  const int release_span = span_of(release_args);
  for (int i = 0; i < release_trials; ++i) trial(release_args, release_span, "releases", release);
  // The weekly release in the original, so that a rollback to the first has something to undo.
  g.ok({"release", "naptan-stops", week, "--owner", "alice", "--published-at", "2026-01-08T00:00:00Z"});
  const std::vector<std::string> rollback_args = {"rollback", "naptan-stops", "--to", "2026-01-01", "--owner", "alice",
                                                  "--reason", "test"};
  const int rollback_span = span_of(rollback_args);
  for (int i = 0; i < other_trials; ++i) trial(rollback_args, rollback_span, "releases", rollback);
  const std::vector<std::string> notice_args = {"notice", "add", "naptan-stops", notice.string()};
  const int notice_span = span_of(notice_args);
  for (int i = 0; i < other_trials; ++i) trial(notice_args, notice_span, "notices", notice_add);
  for (const auto& [what, o] : {std::pair{"release", release}, {"rollback", rollback}, {"notice add", notice_add}})
    WARN(what << ": " << o.trials << " kill -9 trials, " << o.old_state << " left the old state, " << o.new_state
              << " the new, " << o.inconsistent << " inconsistent");
  CHECK(release.old_state > 0);
  CHECK(release.new_state > 0);  // the kills landed on both sides of the commit
  CHECK(rollback.old_state + rollback.new_state == other_trials);
}

TEST_CASE("a release onto a full disk, at any stage of it, is one clear error and leaves the store as it was",
          "[cli][disk][hardening]") {
  // A small tmpfs in a private mount namespace (unshare: as root, or as anyone where user
  // namespaces are allowed), filled so that the release finds room for 0% to 150% of what it
  // needs: its artefact files, then the database, run out of space in turn.
  TempDir dir;
  const auto w0 = dir / "w0.csv", w1 = dir / "w1.csv", out = dir / "trials.txt", mnt = dir / "mnt";
  std::filesystem::create_directories(mnt);
  REQUIRE(run_process({GAZETTE_GEN, w0.string(), "5000", "7"}).exit_code == 0);
  REQUIRE(run_process({GAZETTE_GEN, "--weekly", w1.string(), "5000", "7", "1"}).exit_code == 0);
  std::vector<std::string> script = {"/bin/bash", (source_dir() / "tests/tools/gazette/full_disk.sh").string(),
                                     GAZETTE_BINARY, naptan_contract().string(), w0.string(), w1.string(),
                                     mnt.string(), out.string()};
  for (int permille : {0, 10, 150, 300, 450, 600, 750, 900, 980, 990, 1000, 1010, 1020, 1030, 1040, 1500})
    script.push_back(std::to_string(permille));
  ProcessResult r{};
  for (const char* flags : {"-rm", "-m"}) {  // a user namespace first, so that root is not needed
    std::vector<std::string> args = {"/usr/bin/unshare", flags};
    args.insert(args.end(), script.begin(), script.end());
    r = run_process(args);
    if (r.exit_code != 3 && r.err.find("unshare:") == std::string::npos) break;
  }
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);

  std::istringstream trials(read_text(out));
  std::string line;
  int failed = 0, artefact_full = 0, database_full = 0, succeeded = 0;
  while (std::getline(trials, line)) {
    if (line.rfind("trial ", 0) != 0) continue;
    INFO(line);
    std::istringstream f(line.substr(6));
    int permille, exit_code, stderr_lines, fsck, releases, retry, releases_after;
    f >> permille >> exit_code >> stderr_lines >> fsck >> releases >> retry >> releases_after;
    REQUIRE_FALSE(f.fail());
    const std::string message = line.substr(line.find(" | ") + 3);
    CHECK(fsck == 0);  // sound either way, and nothing left behind that no release references
    if (exit_code == 0) {
      ++succeeded;
      CHECK(releases == 2);
    } else {
      ++failed;
      CHECK(exit_code == 1);
      CHECK(stderr_lines == 1);
      CHECK(releases == 1);  // the store as it was
      const bool says_full = message.find("No space left on device") != std::string::npos ||
                             message.find("disk is full") != std::string::npos;
      CHECK(says_full);
      artefact_full += message.find("write failed") != std::string::npos;
      database_full += message.find("gazette.db") != std::string::npos;
      CHECK(retry == 0);  // with room again, the same command simply succeeds
      CHECK(releases_after == 2);
    }
  }
  WARN("full disk: " << failed << " releases failed (" << artefact_full << " writing an artefact, " << database_full
                     << " in the database), " << succeeded << " had room");
  CHECK(failed >= 10);
  CHECK(artefact_full > 0);
  CHECK(database_full > 0);
  CHECK(succeeded > 0);
}

TEST_CASE("init makes the publisher's signing key, owner-only, and key generate never replaces it", "[cli][signing]") {
  Gazette g;
  auto init = g.ok({"init"});
  const auto key = std::filesystem::path(g.data()) / "keys/signing.key";
  CHECK_THAT(init.out, Catch::Matches("initialised an empty gazette store in .*\nsigning key [0-9A-F]{16} in .*"
                                      "/keys/signing.key\n"));
  CHECK((std::filesystem::status(key).permissions() & std::filesystem::perms::all) ==
        (std::filesystem::perms::owner_read | std::filesystem::perms::owner_write));
  CHECK((std::filesystem::status(key.parent_path()).permissions() & std::filesystem::perms::all) ==
        std::filesystem::perms::owner_all);
  const std::string before = read_text(key);
  auto again = g.run({"key", "generate"});
  CHECK(again.exit_code == 1);
  CHECK_THAT(again.err, Catch::Matches("gazette: " + key.string() +
                                       ": the store has a signing key \\([0-9A-F]{16}\\); gazette key rotate replaces it\n"));
  CHECK(read_text(key) == before);

  // A lost key is not quietly replaced: consumers trust the store's key, and only a rotation
  // (signed by the old key) hands that trust on.
  std::filesystem::remove(key);
  auto lost = g.run({"key", "generate"});
  CHECK(lost.exit_code == 1);
  CHECK_THAT(lost.err, Catch::Contains("is missing: restore it from a backup"));
  CHECK_FALSE(std::filesystem::exists(key));
  // Nor by a release, which needs the key to sign with.
  g.ok({"dataset", "create", "naptan-stops", "--contract", naptan_contract().string()});
  auto release = g.run({"release", "naptan-stops", g.stage(naptan_dir() / "csv/668Stops_2024-10-13.csv"), "--owner", "alice"});
  CHECK(release.exit_code == 1);
  CHECK_THAT(release.err, Catch::Contains("is missing: restore it from a backup"));
  CHECK_FALSE(std::filesystem::exists(key));
  CHECK(g.ok({"history", "naptan-stops"}).out == "no releases of naptan-stops yet\n");
}

TEST_CASE("a store made before keys gets one at its first key generate", "[cli][signing]") {
  Gazette g;
  g.ok({"init"});
  // As a store from before gazette signed: no key file, no key recorded.
  std::filesystem::remove_all(std::filesystem::path(g.data()) / "keys");
  {
    auto db = std::filesystem::path(g.data()) / "gazette.db";
    auto r = run_process({"/usr/bin/sqlite3", db.string(), "DROP TRIGGER signing_keys_undeletable; DELETE FROM signing_keys;"});
    REQUIRE(r.exit_code == 0);
  }
  auto made = g.ok({"key", "generate"});
  CHECK_THAT(made.out, Catch::Contains("public key, for minisign -V -p:\nuntrusted comment: minisign public key "));
  CHECK(std::filesystem::exists(std::filesystem::path(g.data()) / "keys/signing.key"));
}
