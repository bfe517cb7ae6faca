// gazette mirror end to end: the real binary keeps a copy of the demo's dataset from the real
// server and from nginx serving its export, across releases, a backfill (a new major version)
// and a rollback; refuses what a signature or a hash does not vouch for, and a stale list; and
// killed with SIGKILL at random instants, never leaves a copy that differs from a release.
#include <catch2/catch.hpp>
#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <random>

#include <nlohmann/json.hpp>

#include "publisher/mirror/local_copy.hpp"
#include "publisher/render/render.hpp"
#include "tests/e2e/e2e_support.hpp"

using namespace gazette;
using namespace gazette::testing;

namespace {

const std::string kDs = "naptan-stops";
const std::string kBeforeBackfill = "2026-07-24", kBackfill = "2026-07-24.2";

// The demo's store (eleven releases, then a backfill: 1.0.0 … 1.2.1, 2.0.0), served.
struct Demo {
  TempDir dir;
  std::unique_ptr<BackgroundProcess> server;
  std::string base;
  Demo() {
    server = std::make_unique<BackgroundProcess>(std::vector<std::string>{
        GAZETTE_BINARY, "--data", data_of(dir), "demo", "--listen", "127.0.0.1:0", "--no-access-log", "--threads", "2"});
    const std::string banner = server->wait_for_line("serving", std::chrono::seconds(180));
    INFO(server->error_output());
    REQUIRE(port_from_banner(banner) > 0);
    base = "http://127.0.0.1:" + std::to_string(port_from_banner(banner));
  }
  ProcessResult mirror(const std::string& source, const std::filesystem::path& into, std::vector<std::string> extra = {},
                       const std::map<std::string, std::string>& env = {}) const {
    std::vector<std::string> argv = {GAZETTE_BINARY, "mirror", source, kDs, "--into", into.string()};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return run_process(argv, env);
  }
  // The artefact's bytes as the origin serves them.
  std::string csv_of(const std::string& release) const {
    auto r = run_process({"/usr/bin/curl", "-s", "-f", base + "/datasets/" + kDs + "/releases/" + release + "/" + kDs + ".csv"});
    REQUIRE(r.exit_code == 0);
    return r.out;
  }
  // Rolls the backfill back (a new release, 3.0.0: a definition returns) and waits for the origin to list it.
  std::string roll_back() const {
    auto notice = write_text(dir / "restored.json", R"({"id": "positions-restored", "kind": "meaning-change",
      "title": "Positions as before the backfill", "text": "The backfill of Rutland's positions is rolled back.",
      "scope": {"columns": ["Easting", "Northing", "Longitude", "Latitude"]}})");
    auto out = run_gazette(dir, {"rollback", kDs, "--to", kBeforeBackfill, "--owner", "alice", "--reason",
                                 "undo the backfill", "--notice", notice.string()}).out;
    std::smatch m;
    REQUIRE(std::regex_search(out, m, std::regex("published naptan-stops (\\S+) \\(rollback")));
    const std::string newest = m[1];
    REQUIRE(eventually([&] { return read_text_of_url(base + "/datasets/" + kDs + "/releases").find("\"id\": \"" + newest + "\"") != std::string::npos; }));
    return newest;
  }
  static std::string read_text_of_url(const std::string& url) {
    return run_process({"/usr/bin/curl", "-s", "-f", url}).out;
  }
};

std::string held_release(const std::filesystem::path& into) {
  auto r = run_process({"/usr/bin/sqlite3", (into / (kDs + ".sqlite")).string(),
                        "SELECT value FROM gazette_mirror WHERE name = 'release'"});
  return r.out.empty() ? "" : r.out.substr(0, r.out.size() - 1);
}

std::string records_in(const std::filesystem::path& into) {
  auto r = run_process({"/usr/bin/sqlite3", (into / (kDs + ".sqlite")).string(), "SELECT count(*) FROM records"});
  return r.out;
}

}  // namespace

TEST_CASE("mirror from the origin: a first copy, a backfill (exit 3), a rollback, notices told once, keys",
          "[mirror][e2e]") {
  Demo demo;
  const auto into = demo.dir / "copy";

  // First use: held at major version 1; the CSV kept is the published one, byte for byte.
  auto first = demo.mirror(demo.base, into, {"--max-version", "1", "--csv"});
  INFO(first.err);
  REQUIRE(first.exit_code == 0);
  CHECK_THAT(first.out, Catch::Contains("is release 2026-07-24 (version 1.2.1), from the whole CSV"));
  CHECK_THAT(first.out, Catch::Contains("held at major version 1 (--max-version); release 2026-07-24.2 (version 2.0.0) is newer"));
  CHECK_THAT(first.err, Catch::Contains("trusting the publisher's key"));
  CHECK(held_release(into) == kBeforeBackfill);
  CHECK(records_in(into) == "5031\n");
  CHECK(read_text(into / (kDs + ".csv")) == demo.csv_of(kBeforeBackfill));
  // A plain table: empty values are NULL, and anyone can query it.
  auto nulls = run_process({"/usr/bin/sqlite3", (into / (kDs + ".sqlite")).string(),
                            "SELECT count(*) FROM records WHERE PlateCode IS NULL"});
  CHECK(nulls.out != "0\n");

  // The backfill: the changes in one request, proven, and exit 3 for a new major version.
  auto major = demo.mirror(demo.base, into, {"--csv"});
  INFO(major.err);
  CHECK(major.exit_code == 3);
  CHECK_THAT(major.out, Catch::Contains("went from release 2026-07-24 (1.2.1) to 2026-07-24.2 (2.0.0) by the changes from "
                                        "2026-07-24 in one request: 258 changes"));
  CHECK_THAT(major.err, Catch::Contains("a new major version (was 1.2.1)"));
  CHECK(held_release(into) == kBackfill);
  CHECK(read_text(into / (kDs + ".csv")) == demo.csv_of(kBackfill));

  // Nothing new: exit 0, nothing said twice.
  auto same = demo.mirror(demo.base, into, {"--csv"});
  CHECK(same.exit_code == 0);
  CHECK_THAT(same.out, Catch::Contains("is release 2026-07-24.2 (version 2.0.0), the newest"));

  // A notice that touches the copy is told once; one about a column the copy lacks is not.
  run_gazette(demo.dir, {"notice", "add", kDs, write_text(demo.dir / "n1.json", R"({"id": "plates-withdrawn",
    "kind": "deprecation", "title": "Plate codes to be withdrawn", "text": "t", "scope": {"columns": ["PlateCode"]},
    "effective_at": "2099-06-01T00:00:00Z"})").string()});
  REQUIRE(eventually([&] { return Demo::read_text_of_url(demo.base + "/datasets/" + kDs + "/notices").find("plates-withdrawn") != std::string::npos; }));
  auto told = demo.mirror(demo.base, into);
  CHECK(told.exit_code == 0);
  CHECK_THAT(told.out, Catch::Contains("notice deprecation plates-withdrawn (effective 2099-06-01T00:00:00Z): "
                                       "Plate codes to be withdrawn <" + demo.base + "/datasets/naptan-stops/notices/plates-withdrawn>"));
  CHECK_THAT(demo.mirror(demo.base, into).out, !Catch::Contains("plates-withdrawn"));

  // The rollback: 3.0.0, its notice told with it.
  const std::string rolled = demo.roll_back();
  auto back = demo.mirror(demo.base, into, {"--csv"});
  INFO(back.err);
  CHECK(back.exit_code == 3);
  CHECK_THAT(back.out, Catch::Contains("to " + rolled + " (3.0.0) by the changes from 2026-07-24.2 in one request: 258 changes"));
  CHECK_THAT(back.out, Catch::Contains("notice meaning-change positions-restored"));
  CHECK(read_text(into / (kDs + ".csv")) == demo.csv_of(rolled));
  CHECK(demo.csv_of(rolled) == demo.csv_of(kBeforeBackfill));

  // The publisher rotates its key: the copy follows the endorsement, then trusts the new key.
  const std::string list_signature_url = demo.base + "/datasets/" + kDs + "/releases.minisig";
  const std::string signed_before = Demo::read_text_of_url(list_signature_url);
  run_gazette(demo.dir, {"key", "rotate"});
  REQUIRE(eventually([&] { return Demo::read_text_of_url(list_signature_url) != signed_before; }));
  auto rotated = demo.mirror(demo.base, into);
  INFO(rotated.err);
  CHECK(rotated.exit_code == 0);
  CHECK_THAT(rotated.err, Catch::Contains("now trusting the publisher's key"));

  // A key that is not the publisher's: refused, and no copy made.
  TempDir other;
  REQUIRE(run_process({"/usr/bin/minisign", "-G", "-W", "-p", (other / "stranger.pub").string(), "-s",
                       (other / "stranger.key").string()}).exit_code == 0);
  const std::string stranger = (other / "stranger.pub").string();
  auto refused = demo.mirror(demo.base, demo.dir / "stranger", {"--key", stranger});
  CHECK(refused.exit_code == 1);
  CHECK_THAT(refused.err, Catch::Contains("which no trusted key endorses"));
  CHECK_FALSE(std::filesystem::exists(demo.dir / "stranger" / (kDs + ".sqlite")));

  // One run at a time per copy: a second one, while the first holds the copy, stops at once.
  {
    const int held = ::open((into / ("." + kDs + ".lock")).c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    REQUIRE(held >= 0);
    REQUIRE(::flock(held, LOCK_EX) == 0);
    auto second = demo.mirror(demo.base, into);
    CHECK(second.exit_code == 1);
    CHECK_THAT(second.err, Catch::Contains("another gazette mirror of naptan-stops is running there"));
    ::close(held);
    CHECK(demo.mirror(demo.base, into).exit_code == 0);
  }

  // Progress is shown on a terminal (here a pseudo-terminal from script(1)), and only there.
  CHECK(first.err.find('\r') == std::string::npos);
  auto on_tty = run_process({"/usr/bin/script", "-qec",
                             std::string(GAZETTE_BINARY) + " mirror " + demo.base + " " + kDs + " --into " +
                                 (demo.dir / "tty").string(),
                             "/dev/null"});
  INFO(on_tty.out);
  CHECK(on_tty.exit_code == 0);
  CHECK_THAT(on_tty.out, Catch::Contains("naptan-stops.csv: ") && Catch::Contains("(100%)") && Catch::Contains("\r"));
}

namespace {

// Replaces a file with a copy whose byte at `at` is flipped; returns its original text. (A
// new file: an exported artefact may be a hard link to the store's own.)
std::string flip_byte(const std::filesystem::path& file, std::size_t at) {
  const std::string original = read_text(file);
  std::string flipped = original;
  REQUIRE(at < flipped.size());
  flipped[at] = static_cast<char>(flipped[at] ^ 0x01);
  std::filesystem::remove(file);
  write_text(file, flipped);
  return original;
}

void restore(const std::filesystem::path& file, const std::string& text) {
  std::filesystem::remove(file);
  write_text(file, text);
}

}  // namespace

TEST_CASE("mirror from nginx serving the export: a chain of signed changesets, flipped bytes, a stale and a "
          "replayed list refused with the copy intact",
          "[mirror][e2e]") {
  Demo demo;
  const auto tree = demo.dir / "public";
  const auto into = demo.dir / "copy";
  run_gazette(demo.dir, {"export", kDs, "--to", tree.string()});
  NginxOnExport nginx(tree, demo.dir.path());
  const auto ds_dir = tree / "datasets" / kDs;

  auto first = demo.mirror(nginx.base, into, {"--max-version", "1", "--csv"});
  INFO(first.err);
  REQUIRE(first.exit_code == 0);
  CHECK_THAT(first.out, Catch::Contains("is release 2026-07-24 (version 1.2.1), from the whole CSV"));
  CHECK(read_text(into / (kDs + ".csv")) == demo.csv_of(kBeforeBackfill));
  const std::string old_list = read_text(ds_dir / "releases" / "index.json");
  const std::string old_list_signature = read_text(ds_dir / "releases.minisig");

  // The backfill and its rollback, exported again: two signed changesets from the copy's release.
  const std::string rolled = demo.roll_back();
  run_gazette(demo.dir, {"export", kDs, "--to", tree.string()});
  nginx.restart();

  // A byte flipped in the first changeset: its signature refuses it; the copy stays.
  const auto changeset = ds_dir / "changes" / (kBeforeBackfill + ".." + kBackfill + ".json");
  const std::string original = flip_byte(changeset, read_text(changeset).size() / 2);
  auto flipped = demo.mirror(nginx.base, into, {"--csv"});
  CHECK(flipped.exit_code == 1);
  CHECK_THAT(flipped.err, Catch::Contains(kBeforeBackfill + ".." + kBackfill + ".json"));
  CHECK(held_release(into) == kBeforeBackfill);
  CHECK(read_text(into / (kDs + ".csv")) == demo.csv_of(kBeforeBackfill));
  restore(changeset, original);

  // A release list past its validity (a mirror that stopped updating): refused.
  auto list = nlohmann::json::parse(read_text(ds_dir / "releases" / "index.json"));
  const auto valid_until = parse_instant(list["valid_until"].get<std::string>());
  REQUIRE(valid_until.ok());
  auto stale = demo.mirror(nginx.base, into, {"--csv"}, {{"GAZETTE_NOW", format_rfc3339(*valid_until + 86400)}});
  CHECK(stale.exit_code == 1);
  CHECK_THAT(stale.err, Catch::Contains("the release list expired at " + format_rfc3339(*valid_until)));
  CHECK(held_release(into) == kBeforeBackfill);

  // The whole chain: exit 3, the copy is the rollback's CSV byte for byte.
  auto chained = demo.mirror(nginx.base, into, {"--csv"});
  INFO(chained.err);
  CHECK(chained.exit_code == 3);
  CHECK_THAT(chained.out, Catch::Contains("to " + rolled + " (3.0.0) by 2 signed changesets: 516 changes"));
  CHECK(held_release(into) == rolled);
  CHECK(read_text(into / (kDs + ".csv")) == demo.csv_of(rolled));

  // The list from before, replayed by a mirror (still valid, correctly signed): refused as older.
  const std::string new_list = read_text(ds_dir / "releases" / "index.json");
  const std::string new_list_signature = read_text(ds_dir / "releases.minisig");
  restore(ds_dir / "releases" / "index.json", old_list);
  restore(ds_dir / "releases.minisig", old_list_signature);
  auto replayed = demo.mirror(nginx.base, into);
  CHECK(replayed.exit_code == 1);
  CHECK_THAT(replayed.err, Catch::Contains("an old list replayed"));
  CHECK(held_release(into) == rolled);
  restore(ds_dir / "releases" / "index.json", new_list);
  restore(ds_dir / "releases.minisig", new_list_signature);

  // A byte flipped in the CSV artefact: a first copy refuses it and makes nothing.
  const auto artefact = ds_dir / "releases" / rolled / (kDs + ".csv");
  const std::string csv = flip_byte(artefact, read_text(artefact).size() - 10);
  auto bad_csv = demo.mirror(nginx.base, demo.dir / "fresh");
  CHECK(bad_csv.exit_code == 1);
  CHECK_THAT(bad_csv.err, Catch::Contains("is not the one its signed manifest gives"));
  CHECK_FALSE(std::filesystem::exists(demo.dir / "fresh" / (kDs + ".sqlite")));
  restore(artefact, csv);
  auto good_csv = demo.mirror(nginx.base, demo.dir / "fresh");
  INFO(good_csv.err);
  CHECK(good_csv.exit_code == 0);
  CHECK(held_release(demo.dir / "fresh") == rolled);
}

namespace {

// What a copy left in `into` holds: "" when there is none; else its release, after checking
// that the table renders to exactly that release's published CSV.
std::string proven_release(const std::filesystem::path& into, const std::map<std::string, std::string>& csv_sha) {
  const auto file = into / (kDs + ".sqlite");
  if (!std::filesystem::exists(file)) return "";
  auto copy = mirror_detail::LocalCopy::open(file);  // a journal left by a kill is rolled back here
  INFO(copy.status().message());
  REQUIRE(copy.ok());
  const auto& state = (*copy)->state();
  REQUIRE(csv_sha.count(state.release) == 1);
  CHECK(state.csv_sha256 == csv_sha.at(state.release));
  auto rendered = (*copy)->render_csv(kRenderVersion);
  REQUIRE(rendered.ok());
  CHECK(rendered->sha256 == csv_sha.at(state.release));
  return state.release;
}

}  // namespace

TEST_CASE("mirror killed with SIGKILL at random instants leaves a copy equal to a published release",
          "[mirror][crash]") {
  Demo demo;
  std::map<std::string, std::string> csv_sha;  // release -> its CSV's SHA-256, as published
  auto list = nlohmann::json::parse(Demo::read_text_of_url(demo.base + "/datasets/" + kDs + "/releases"));
  for (const auto& r : list["releases"]) csv_sha[r["id"].get<std::string>()] = r["artefacts"]["csv"]["sha256"];

  // How long a whole run takes here (a first copy; an update), so that kills land inside one.
  using Clock = std::chrono::steady_clock;
  auto millis_since = [](Clock::time_point t) {
    return static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t).count());
  };
  const auto base_copy = demo.dir / "base";
  auto started = Clock::now();
  REQUIRE(demo.mirror(demo.base, base_copy, {"--max-version", "1", "--csv"}).exit_code == 0);
  const int first_ms = millis_since(started);
  REQUIRE(proven_release(base_copy, csv_sha) == kBeforeBackfill);
  std::filesystem::copy(base_copy, demo.dir / "timed", std::filesystem::copy_options::recursive);
  started = Clock::now();
  REQUIRE(demo.mirror(demo.base, demo.dir / "timed", {"--csv"}).exit_code == 3);
  const int update_ms = millis_since(started);

  std::mt19937 random(20261201);
  std::uniform_int_distribution<int> first_delay(0, first_ms * 9 / 10), update_delay(0, update_ms * 9 / 10);
  int killed = 0;
  const int kTrials = 40;
  for (int trial = 0; trial < kTrials; ++trial) {
    // Even trials: a first copy (killed while downloading, loading or proving); odd: an
    // update of a copy (killed inside its transaction or between the copy and its CSV).
    const auto into = demo.dir / ("trial-" + std::to_string(trial));
    if (trial % 2 == 1) std::filesystem::copy(base_copy, into, std::filesystem::copy_options::recursive);
    const int wait = trial % 2 == 1 ? update_delay(random) : first_delay(random);
    BackgroundProcess run({GAZETTE_BINARY, "mirror", demo.base, kDs, "--into", into.string(), "--csv"});
    std::this_thread::sleep_for(std::chrono::milliseconds(wait));
    if (run.stop(SIGKILL) == -1) ++killed;
    INFO("trial " << trial << ", killed after " << wait << " ms");
    const std::string left = proven_release(into, csv_sha);
    if (trial % 2 == 1) CHECK((left == kBeforeBackfill || left == kBackfill));
    else CHECK((left.empty() || left == kBackfill));

    // The next run continues, or starts over, from what was left.
    auto again = demo.mirror(demo.base, into, {"--csv"});
    INFO(again.err);
    CHECK((again.exit_code == 0 || again.exit_code == 3));
    CHECK(proven_release(into, csv_sha) == kBackfill);
    auto kept = run_process({"/usr/bin/sha256sum", (into / (kDs + ".csv")).string()});
    CHECK(kept.out.substr(0, 64) == csv_sha.at(kBackfill));
  }
  INFO(killed << " of " << kTrials << " runs were killed before they finished (a whole run: " << first_ms
              << " ms for a first copy, " << update_ms << " ms for an update)");
  CHECK(killed >= 30);
}
