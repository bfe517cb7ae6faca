// The pages for people, as a browser sees them: Debian's Chromium, headless, against the real
// server over loopback. Each page is loaded (scripts on, as a visitor's browser would) and its
// DOM read back; every link on every page is followed; the same URLs answer JSON to programs;
// and a record whose name is a script shows as text, with no script run.
#include <nlohmann/json.hpp>

#include <deque>
#include <fstream>
#include <map>
#include <set>

#include "tests/e2e/e2e_support.hpp"

using namespace gazette::testing;

namespace {

constexpr const char* kChromium = "/usr/bin/chromium";

// Chromium, headless, with a profile of its own (tests run in parallel). A script that ran an
// alert() would hold the page open: the timeout turns that into a failure, not a hang.
std::vector<std::string> chromium(const TempDir& dir, std::vector<std::string> args) {
  std::vector<std::string> argv = {"/usr/bin/timeout", "60", kChromium, "--headless", "--no-sandbox", "--disable-gpu",
                                   "--hide-scrollbars", "--user-data-dir=" + (dir / "chromium-profile").string()};
  argv.insert(argv.end(), args.begin(), args.end());
  return argv;
}

// The document as Chromium holds it after loading `url` and running whatever it would run.
std::string dom_of(const TempDir& dir, const std::string& url) {
  auto r = run_process(chromium(dir, {"--dump-dom", url}));
  INFO(url << ": " << r.err.substr(0, 2000));
  REQUIRE(r.exit_code == 0);  // 124: timed out (a dialog held the page)
  REQUIRE_FALSE(r.out.empty());
  return r.out;
}

std::string unescape_attribute(std::string s) {
  for (std::size_t p; (p = s.find("&amp;")) != std::string::npos;) s.replace(p, 5, "&");
  return s;
}

// Site-relative links of a page (href attributes), in document order.
std::vector<std::string> links_of(const std::string& dom) {
  std::vector<std::string> out;
  static const std::regex kHref("href=\"([^\"]*)\"");
  for (std::sregex_iterator it(dom.begin(), dom.end(), kHref), end; it != end; ++it) {
    std::string href = unescape_attribute((*it)[1].str());
    if (!href.empty() && href[0] == '/') out.push_back(href);
  }
  return out;
}

std::size_t count_of(const std::string& haystack, const std::string& needle) {
  std::size_t n = 0;
  for (std::size_t p = haystack.find(needle); p != std::string::npos; p = haystack.find(needle, p + 1)) ++n;
  return n;
}

// Status codes of many URLs, fetched by one curl (connections reused), as a browser asks.
std::map<std::string, int> statuses(const TempDir& dir, const std::string& base, const std::set<std::string>& paths) {
  std::vector<std::string> argv = {"/usr/bin/curl", "-s", "-L", "--max-time", "20", "--path-as-is", "-H", "Accept: text/html",
                                   "-w", "%{http_code} %{url}\\n"};
  std::string list;
  for (const auto& p : paths) {
    argv.insert(argv.end(), {"-o", "/dev/null", base + p});
    list += p + "\n";
  }
  write_text(dir / "links.txt", list);
  auto r = run_process(argv);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  std::map<std::string, int> out;
  std::istringstream lines(r.out);
  for (std::string line; std::getline(lines, line);) {
    const std::size_t space = line.find(' ');
    out[line.substr(space + 1 + base.size())] = std::stoi(line.substr(0, space));
  }
  return out;
}

// The newest release's CSV with two stops renamed by a backfill: one to a script, one to markup
// whose handler would retitle the page.
const std::string kScriptName = "<script>alert(1)</script>";
const std::string kHandlerName = "<img src=x onerror=\"document.title='pwned'\">";

std::string csv_field(const std::string& v) {
  std::string out = "\"";
  for (char c : v) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::filesystem::path hostile_csv(const TempDir& dir, std::string& first_key, std::string& second_key) {
  std::string text = read_text(naptan_dir() / "csv/668Stops_2024-10-24.csv");
  std::size_t row = text.find('\n') + 1;
  auto rename = [&](std::size_t row_start, const std::string& name, std::string& key) {
    key = text.substr(row_start, text.find(',', row_start) - row_start);
    std::size_t start = row_start;
    for (int col = 0; col < 4; ++col) start = text.find(',', start) + 1;  // CommonName
    text.replace(start, text.find(',', start) - start, csv_field(name));
  };
  rename(row, kScriptName, first_key);
  rename(text.find('\n', row) + 1, kHandlerName, second_key);
  return write_text(dir / "hostile.csv", text);
}

struct Site {
  Served s;
  std::string script_key, handler_key;
  Site() {
    auto plan = write_text(s.dir / "plan.json", R"({"id": "bf-names", "owner": "stops-maintainer",
      "reviewed_by": ["data-quality-reviewer"], "intent": "Names from the new gazetteer",
      "blast_radius": {"columns": ["CommonName"], "max_records": 5}})");
    run_gazette(s.dir, {"release", "naptan-stops", stage(s.dir, hostile_csv(s.dir, script_key, handler_key).string()),
                        "--owner", "stops-maintainer", "--plan", plan.string(), "--published-at",
                        "2024-11-01T06:00:00Z"});
    run_gazette(s.dir, {"notice", "add", "naptan-stops",
                        write_text(s.dir / "notice.json", R"({"id": "notes-withdrawn", "kind": "deprecation",
                          "title": "Notes <em>withdrawn</em>", "text": "The Notes column goes.",
                          "scope": {"columns": ["Notes"]}, "effective_at": "2027-06-01T00:00:00Z"})")
                            .string()});
    // The server takes in the admin tool's changes in the background.
    REQUIRE(eventually([&] { return curl(s.dir, s.base + "/notices/notes-withdrawn").status == 200; }));
  }
};

}  // namespace

TEST_CASE("pages: each lists what it should, in a real browser", "[pages][e2e]") {
  Site site;
  const TempDir& dir = site.s.dir;
  const std::string& base = site.s.base;
  const std::string ds = base + "/datasets/naptan-stops";

  SECTION("the catalogue") {
    const std::string dom = dom_of(dir, base + "/");
    CHECK_THAT(dom, Catch::Contains("href=\"/datasets/naptan-stops\""));
    CHECK_THAT(dom, Catch::Contains("Open Government Licence"));
    CHECK_THAT(dom, Catch::Contains("2024-11-01"));           // the newest release
    CHECK_THAT(dom, Catch::Contains("<dd>356</dd>"));         // its records
    CHECK_THAT(dom, Catch::Contains("Notes &lt;em&gt;withdrawn&lt;/em&gt;"));  // an active notice, as text
    CHECK_THAT(dom, Catch::Contains("href=\"/feeds/naptan-stops.atom\""));
  }
  SECTION("the dataset, with its chart") {
    const std::string dom = dom_of(dir, ds);
    for (const char* rel : {"2024-10-13", "2024-10-24", "2024-11-01"})
      CHECK_THAT(dom, Catch::Contains("id=\"release-" + std::string(rel) + "\""));
    CHECK_THAT(dom, Catch::Contains("<svg id=\"changes-chart\""));
    CHECK(count_of(dom, "class=\"bar\"") == 3);  // a bar per release
    CHECK(count_of(dom, "class=\"mark-backfill\"") == 1);
    CHECK(count_of(dom, "class=\"notice-mark\"") == 1);
    CHECK_THAT(dom, Catch::Contains("data-notice=\"notes-withdrawn\""));  // active, with its sunset
    CHECK_THAT(dom, Catch::Contains("2027-06-01"));
    auto manifest = nlohmann::json::parse(curl(dir, ds + "/releases/2024-11-01/manifest.json").body);
    std::string csv_sha;
    for (const auto& a : manifest["artefacts"])
      if (a["name"] == "naptan-stops.csv") csv_sha = a["sha256"];
    REQUIRE_FALSE(csv_sha.empty());
    CHECK_THAT(dom, Catch::Contains(csv_sha));  // downloads with their digests
    CHECK_THAT(dom, Catch::Contains("<td>2</td>"));  // the backfill modified two records
    auto shot = run_process(chromium(dir, {"--window-size=1200,1800", "--screenshot=" + (dir / "dataset.png").string(), ds}));
    REQUIRE(shot.exit_code == 0);
    const std::string png = read_text(dir / "dataset.png");
    CHECK(png.substr(1, 3) == "PNG");
    CHECK(png.size() > 20000);  // a page with a table and a chart, not a blank
    std::filesystem::create_directories(std::filesystem::path(GAZETTE_BINARY_DIR) / "screenshots");
    std::filesystem::copy_file(dir / "dataset.png", std::filesystem::path(GAZETTE_BINARY_DIR) / "screenshots/dataset.png",
                               std::filesystem::copy_options::overwrite_existing);
  }
  SECTION("the backfill's release: report, samples, plan") {
    const std::string dom = dom_of(dir, ds + "/releases/2024-11-01");
    CHECK_THAT(dom, Catch::Contains("bf-names"));
    CHECK_THAT(dom, Catch::Contains("data-quality-reviewer"));
    CHECK_THAT(dom, Catch::Contains("Names from the new gazetteer"));
    CHECK_THAT(dom, Catch::Contains("href=\"/datasets/naptan-stops/releases/2024-10-24\""));  // parent
    CHECK_THAT(dom, Catch::Contains("&lt;script&gt;alert(1)&lt;/script&gt;"));  // a sample's new value
    CHECK_THAT(dom, Catch::Contains("sha256sum -c"));
    auto shot = run_process(chromium(dir, {"--window-size=1200,2400", "--screenshot=" + (dir / "release.png").string(),
                                           ds + "/releases/2024-11-01"}));
    CHECK(shot.exit_code == 0);
  }
  SECTION("changes: filters and the form") {
    const std::string all = dom_of(dir, ds + "/changes?from=2024-10-13&to=2024-10-24");
    CHECK_THAT(all, Catch::Contains("id=\"changes-form\""));
    CHECK(count_of(all, "class=\"change\"") == 10);  // ten stops retired
    const std::string modified = dom_of(dir, ds + "/changes?from=2024-10-13&to=2024-10-24&kind=modified");
    CHECK(count_of(modified, "class=\"change\"") == 0);
    const std::string breaking = dom_of(dir, ds + "/changes?from=2024-10-24&to=2024-11-01&severity=routine");
    CHECK_THAT(breaking, Catch::Contains("data-key=\"" + site.script_key + "\""));
  }
  SECTION("a record and its history; hostile names are text and nothing runs") {
    for (const std::string& url : {ds + "/records/" + site.script_key, ds + "/records/" + site.script_key + "/history",
                                   ds + "/records/" + site.handler_key, ds + "/changes?from=2024-10-24&to=2024-11-01",
                                   ds + "/releases/2024-11-01"}) {
      INFO(url);
      const std::string dom = dom_of(dir, url);
      CHECK(count_of(dom, "<script") == 0);  // the site sends no script: any element is injected
      CHECK(count_of(dom, "<img") == 0);
      CHECK_THAT(dom, !Catch::Contains("<title>pwned</title>"));
      CHECK((count_of(dom, "&lt;script&gt;alert(1)&lt;/script&gt;") + count_of(dom, "&lt;img src=x")) > 0);
    }
    const std::string history = dom_of(dir, ds + "/records/" + site.script_key + "/history");
    CHECK(count_of(history, "class=\"version\"") == 2);
    CHECK_THAT(history, Catch::Contains("descriptive-edit"));  // why: the gate's rule
    CHECK_THAT(history, Catch::Contains("CommonName"));        // what changed, field by field
  }
  SECTION("notices, the contract and the plan") {
    CHECK_THAT(dom_of(dir, ds + "/notices"), Catch::Contains("href=\"/datasets/naptan-stops/notices/notes-withdrawn\""));
    const std::string notice = dom_of(dir, ds + "/notices/notes-withdrawn");
    CHECK_THAT(notice, Catch::Contains("Sunset"));
    CHECK_THAT(notice, Catch::Contains("<code>Notes</code>"));
    const std::string contract = dom_of(dir, ds + "/contract");
    CHECK_THAT(contract, Catch::Contains("id=\"definition-position\""));
    CHECK_THAT(contract, Catch::Contains("class=\"definition-history\""));
    CHECK_THAT(contract, Catch::Contains("href=\"/datasets/naptan-stops/releases/2024-10-13\""));  // in force from
    CHECK_THAT(contract, Catch::Contains("closed: other values are refused"));
    CHECK_THAT(dom_of(dir, ds + "/plans/bf-names"), Catch::Contains("CommonName"));
  }
}

TEST_CASE("pages: every link answers, and every page is JSON to a program", "[pages][e2e]") {
  Site site;
  const TempDir& dir = site.s.dir;
  const std::string& base = site.s.base;
  // Crawl from the catalogue, loading each page in the browser: links to pages are followed;
  // every link found is asked for. Record pages are many and alike: a few are loaded.
  std::deque<std::string> queue = {"/"};
  std::set<std::string> seen = {"/"}, loaded, linked;
  std::size_t records_loaded = 0;
  while (!queue.empty()) {
    const std::string path = queue.front();
    queue.pop_front();
    auto head = curl(dir, base + path, {"-H", "Accept: text/html"});
    if (head.header("Content-Type").rfind("text/html", 0) != 0) continue;
    if (path.find("/records/") != std::string::npos && ++records_loaded > 4) continue;
    const std::string dom = dom_of(dir, base + path);
    loaded.insert(path);
    for (const auto& l : links_of(dom)) {
      linked.insert(l);
      const std::string last = l.substr(l.rfind('/') + 1);
      bool file = l.find("/latest/") != std::string::npos;
      for (const char* ext : {".csv", ".xml", ".json", ".geojson"}) file = file || last.ends_with(ext);
      if (!file && l.find("/feeds/") != 0 && l.find("format=csv") == std::string::npos && seen.insert(l).second)
        queue.push_back(l);
    }
  }
  INFO(loaded.size() << " pages loaded, " << linked.size() << " links");
  for (const char* page : {"/", "/datasets/naptan-stops", "/datasets/naptan-stops/releases/2024-11-01",
                           "/datasets/naptan-stops/contract", "/datasets/naptan-stops/notices",
                           "/datasets/naptan-stops/notices/notes-withdrawn", "/datasets/naptan-stops/plans/bf-names"})
    CHECK(loaded.count(page) == 1);
  CHECK(loaded.size() > 15);
  for (const auto& [path, status] : statuses(dir, base, linked)) {
    INFO(path);
    CHECK(status == 200);
  }
  // The same URLs answer JSON to programs.
  for (const auto& path : loaded) {
    INFO(path);
    auto r = curl(dir, base + path, {"-H", "Accept: application/json"});
    CHECK(r.status == 200);
    CHECK(r.header("Content-Type") == "application/json");
    CHECK(r.header("Vary") == "Accept");
    CHECK_FALSE(nlohmann::json::parse(r.body, nullptr, false).is_discarded());
  }
}
