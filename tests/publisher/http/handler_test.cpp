// handle_request without a socket: a real store, a real catalogue, requests as values.
#include "publisher/http/handler.hpp"

#include <nlohmann/json.hpp>

#include "publisher/common/gzip.hpp"
#include "publisher/http/data_routes.hpp"
#include "publisher/http/queries.hpp"
#include <set>
#include "tests/publisher/release/release_support.hpp"

using namespace gazette;
using namespace gazette::http;
using namespace gazette::testing;

namespace {

struct Fixture {
  NaptanStore s;
  Metrics metrics;
  std::shared_ptr<const site::Catalog> catalog;
  Fixture() {
    auto a = s.stage_ok(naptan_dir() / "csv/668Stops_2024-10-13.csv");
    auto b = s.stage_ok(naptan_dir() / "csv/668Stops_2024-10-24.csv");
    REQUIRE(s.release_ok(a.candidate.id, "2024-10-13T06:00:00Z").release);
    REQUIRE(s.release_ok(b.candidate.id, "2024-10-24T06:00:00Z").release);
    reload();
  }
  void reload() {
    auto c = site::build_catalog(s.store());
    REQUIRE(c.ok());
    catalog = *c;
  }
  Response get(const std::string& target, std::vector<std::pair<std::string, std::string>> headers = {},
               const std::string& method = "GET") {
    Request r;
    r.method = method;
    r.target = target;
    r.headers = std::move(headers);
    return handle_request(r, *catalog, metrics, &queries);
  }
  Queries queries{s.root()};
  const site::ServedArtefact& csv(const std::string& rel = "2024-10-24") {
    return *catalog->dataset("naptan-stops")->release(rel)->artefact("csv");
  }
};

const std::string kCsv = "/datasets/naptan-stops/releases/2024-10-24/naptan-stops.csv";

std::string read_span(const Response& r) {
  REQUIRE(r.file);
  auto all = read_text(r.file->path);
  return all.substr(r.file->offset, r.file->length);
}

}  // namespace

TEST_CASE("an artefact carries its validators, cache and download headers", "[http]") {
  Fixture f;
  Response r = f.get(kCsv);
  CHECK(r.status == 200);
  CHECK(r.header("ETag") == "\"" + f.csv().artefact.sha256 + "\"");
  CHECK(r.header("Cache-Control") == "public, max-age=31536000, immutable");
  CHECK(r.header("Last-Modified") == "Thu, 24 Oct 2024 06:00:00 GMT");
  CHECK(r.header("Content-Type") == "text/csv; charset=utf-8; header=present");
  CHECK(r.header("Content-Disposition") == "attachment; filename=\"naptan-stops-2024-10-24.csv\"");
  CHECK(r.header("Vary") == "Accept-Encoding");
  CHECK(r.header("Repr-Digest").substr(0, 9) == "sha-256=:");
  CHECK(to_hex(sha256(read_span(r))) == f.csv().artefact.sha256);
  CHECK(r.route == "artefact");
}

TEST_CASE("If-None-Match and If-Modified-Since answer 304", "[http]") {
  Fixture f;
  const std::string etag = "\"" + f.csv().artefact.sha256 + "\"";
  CHECK(f.get(kCsv, {{"if-none-match", etag}}).status == 304);
  CHECK(f.get(kCsv, {{"if-none-match", "\"other\", W/" + etag}}).status == 304);
  CHECK(f.get(kCsv, {{"if-none-match", "*"}}).status == 304);
  CHECK(f.get(kCsv, {{"if-none-match", "\"other\""}}).status == 200);
  CHECK(f.get(kCsv, {{"if-modified-since", "Thu, 24 Oct 2024 06:00:00 GMT"}}).status == 304);
  CHECK(f.get(kCsv, {{"if-modified-since", "Thu, 24 Oct 2024 05:59:59 GMT"}}).status == 200);
  // If-None-Match wins over If-Modified-Since.
  CHECK(f.get(kCsv, {{"if-none-match", "\"other\""}, {"if-modified-since", "Fri, 01 Jan 2100 00:00:00 GMT"}}).status == 200);
  Response nm = f.get(kCsv, {{"if-none-match", etag}});
  CHECK_FALSE(nm.file);
  CHECK(nm.header("ETag") == etag);
}

TEST_CASE("Range answers 206 with the right bytes, or 416", "[http]") {
  Fixture f;
  const std::string whole = read_text(f.csv().identity.path);
  const std::uint64_t size = whole.size();
  Response a = f.get(kCsv, {{"range", "bytes=0-99"}});
  CHECK(a.status == 206);
  CHECK(read_span(a) == whole.substr(0, 100));
  CHECK(a.header("Content-Range") == "bytes 0-99/" + std::to_string(size));
  Response b = f.get(kCsv, {{"range", "bytes=1000-"}});
  CHECK(read_span(b) == whole.substr(1000));
  Response c = f.get(kCsv, {{"range", "bytes=-50"}});
  CHECK(read_span(c) == whole.substr(size - 50));
  Response d = f.get(kCsv, {{"range", "bytes=100-999999999"}});
  CHECK(read_span(d) == whole.substr(100));
  Response bad = f.get(kCsv, {{"range", "bytes=" + std::to_string(size) + "-"}});
  CHECK(bad.status == 416);
  CHECK(bad.header("Content-Range") == "bytes */" + std::to_string(size));
  CHECK(bad.header("Content-Type") == "application/problem+json");
  // Several ranges, another unit or bad syntax: the whole representation.
  CHECK(f.get(kCsv, {{"range", "bytes=0-1,5-6"}}).status == 200);
  CHECK(f.get(kCsv, {{"range", "items=0-1"}}).status == 200);
  CHECK(f.get(kCsv, {{"range", "bytes=9-3"}}).status == 200);
}

TEST_CASE("If-Range takes strong validators only", "[http]") {
  Fixture f;
  const std::string etag = "\"" + f.csv().artefact.sha256 + "\"";
  CHECK(f.get(kCsv, {{"range", "bytes=0-9"}, {"if-range", etag}}).status == 206);
  CHECK(f.get(kCsv, {{"range", "bytes=0-9"}, {"if-range", "W/" + etag}}).status == 200);
  CHECK(f.get(kCsv, {{"range", "bytes=0-9"}, {"if-range", "\"stale\""}}).status == 200);
  CHECK(f.get(kCsv, {{"range", "bytes=0-9"}, {"if-range", "Thu, 24 Oct 2024 06:00:00 GMT"}}).status == 200);
}

TEST_CASE("gzip is served precompressed when asked for, never when refused", "[http]") {
  Fixture f;
  Response g = f.get(kCsv, {{"accept-encoding", "br, gzip;q=0.8"}});
  CHECK(g.header("Content-Encoding") == "gzip");
  CHECK(g.header("ETag") != "\"" + f.csv().artefact.sha256 + "\"");
  CHECK(g.header("Vary") == "Accept-Encoding");
  auto plain = gunzip(read_span(g));
  REQUIRE(plain.ok());
  CHECK(to_hex(sha256(*plain)) == f.csv().artefact.sha256);
  CHECK(f.get(kCsv, {{"accept-encoding", "gzip;q=0"}}).header("Content-Encoding").empty());
  CHECK(f.get(kCsv, {{"accept-encoding", "identity"}}).header("Content-Encoding").empty());
  CHECK(f.get(kCsv).header("Content-Encoding").empty());
}

TEST_CASE("HEAD answers the headers of GET without a body", "[http]") {
  Fixture f;
  Response h = f.get(kCsv, {}, "HEAD");
  CHECK(h.status == 200);
  CHECK(h.head);
  CHECK(h.content_length() == f.csv().artefact.bytes);
  Response l = f.get("/datasets", {}, "HEAD");
  CHECK(l.head);
}

TEST_CASE("moving pointers redirect with a short max-age and an ETag", "[http]") {
  Fixture f;
  Response latest = f.get("/datasets/naptan-stops/latest/naptan-stops.csv");
  CHECK(latest.status == 302);
  CHECK(latest.header("Location") == kCsv);
  CHECK(latest.header("Cache-Control") == "public, max-age=60");
  CHECK_FALSE(latest.header("ETag").empty());
  CHECK(f.get("/datasets/naptan-stops/latest/manifest.json").header("Location") ==
        "/datasets/naptan-stops/releases/2024-10-24/manifest.json");
  CHECK(f.get("/datasets/naptan-stops/latest/other.csv").status == 404);

  auto asof = [&](const std::string& t) { return f.get("/datasets/naptan-stops/as-of/" + t); };
  CHECK(asof("2024-10-13T05:59:59Z").status == 404);
  CHECK(asof("2024-10-13T06:00:00Z").header("Location") ==
        "/datasets/naptan-stops/releases/2024-10-13/manifest.json");
  CHECK(asof("2024-10-20T00:00:00Z").header("Location") ==
        "/datasets/naptan-stops/releases/2024-10-13/manifest.json");
  CHECK(asof("2024-10-20T00:00:00Z").header("Cache-Control") == "public, max-age=31536000, immutable");
  CHECK(asof("2030-01-01T00:00:00Z").header("Location") ==
        "/datasets/naptan-stops/releases/2024-10-24/manifest.json");
  CHECK(asof("2030-01-01T00:00:00Z").header("Cache-Control") == "public, max-age=60");
  CHECK(asof("yesterday").status == 400);
  // A file of the release current then: the artefact itself, for a consumer who knows the name.
  CHECK(asof("2024-10-20T00:00:00Z/naptan-stops.csv").header("Location") ==
        "/datasets/naptan-stops/releases/2024-10-13/naptan-stops.csv");
  CHECK(asof("2030-01-01T00:00:00Z/manifest.json").header("Location") ==
        "/datasets/naptan-stops/releases/2024-10-24/manifest.json");
  CHECK(asof("2024-10-20T00:00:00Z/other.csv").status == 404);
  CHECK(asof("2024-10-13T05:59:59Z/naptan-stops.csv").status == 404);
}

TEST_CASE("lists and metadata carry ETags and answer 304", "[http]") {
  Fixture f;
  for (const char* t : {"/datasets", "/datasets/naptan-stops", "/datasets/naptan-stops/releases",
                        "/datasets/naptan-stops/contract", "/"}) {
    INFO(t);
    Response r = f.get(t);
    REQUIRE(r.status == 200);
    REQUIRE_FALSE(r.header("ETag").empty());
    CHECK(f.get(t, {{"if-none-match", std::string(r.header("ETag"))}}).status == 304);
  }
  // The catalogue lists datasets: a page for a browser, JSON for a program.
  Response page = f.get("/", {{"accept", "text/html,application/xhtml+xml,*/*;q=0.8"}});
  CHECK_THAT(page.body, Catch::Contains("<a href=\"/datasets/naptan-stops\">") && Catch::Contains("2024-10-24"));
  CHECK(page.header("Vary") == "Accept");
  Response listing = f.get("/", {{"accept", "application/json"}});
  CHECK(listing.header("Content-Type") == "application/json");
  CHECK(nlohmann::json::parse(listing.body)["datasets"][0]["id"] == "naptan-stops");
  CHECK(listing.header("ETag") != page.header("ETag"));
  auto rels = nlohmann::json::parse(f.get("/datasets/naptan-stops/releases").body);
  REQUIRE(rels["releases"].size() == 2);
  CHECK(rels["releases"][0]["id"] == "2024-10-24");  // newest first
  CHECK(f.get("/datasets", {{"accept", "text/html"}}).header("Content-Type") == "text/html; charset=utf-8");
  auto manifest = f.get("/datasets/naptan-stops/releases/2024-10-13/manifest.json");
  CHECK(manifest.header("Cache-Control") == "public, max-age=31536000, immutable");
  CHECK(nlohmann::json::parse(manifest.body)["release"] == "2024-10-13");
}

TEST_CASE("errors are problem+json: 400, 404, 405", "[http]") {
  Fixture f;
  auto check = [&](const Response& r, int status) {
    CHECK(r.status == status);
    CHECK(r.header("Content-Type") == "application/problem+json");
    auto j = nlohmann::json::parse(r.body);
    CHECK(j["status"] == status);
    CHECK(j["title"].is_string());
    CHECK(j["detail"].is_string());
  };
  check(f.get("/datasets/%2e%2e/secret"), 400);
  check(f.get("/nothing-here"), 404);
  check(f.get("/datasets/unknown"), 404);
  check(f.get("/datasets/naptan-stops/releases/2001-01-01/naptan-stops.csv"), 404);
  Response m = f.get("/datasets", {}, "DELETE");
  check(m, 405);
  CHECK(m.header("Allow") == "GET, HEAD");
}

TEST_CASE("metrics are in the Prometheus text format", "[http]") {
  Fixture f;
  f.metrics.record("artefact", 200, 1234, 0.002);
  Response m = f.get("/metrics");
  CHECK(m.header("Content-Type") == "text/plain; version=0.0.4; charset=utf-8");
  CHECK_THAT(m.body, Catch::Contains("gazette_http_requests_total{route=\"artefact\",status=\"200\"} 1") &&
                         Catch::Contains("gazette_http_response_bytes_total 1234") &&
                         Catch::Contains("gazette_http_request_duration_seconds_bucket{le=\"0.0025\"} 1") &&
                         Catch::Contains("gazette_releases_published{dataset=\"naptan-stops\"} 2"));
}

TEST_CASE("changes are paged by cursor and every change is visited exactly once", "[http][changes]") {
  Fixture f;
  const std::string base = "/datasets/naptan-stops/changes?from=2024-10-13&to=2024-10-24";
  auto whole = nlohmann::json::parse(f.get(base).body);
  const std::size_t total = whole["changes"].size();
  REQUIRE(total == 10);  // ten real retirements in Clackmannanshire that week
  CHECK(whole["summary"]["retired"] == 10);
  CHECK(f.get(base).header("Cache-Control") == "public, max-age=31536000, immutable");
  const std::string etag(f.get(base).header("ETag"));
  REQUIRE_FALSE(etag.empty());
  CHECK(f.get(base, {{"if-none-match", etag}}).status == 304);
  for (std::size_t limit : {1u, 3u, 4u, 10u}) {
    INFO("limit " << limit);
    std::multiset<std::string> seen;
    std::string url = base + "&limit=" + std::to_string(limit);
    int pages = 0;
    for (;;) {
      auto page = nlohmann::json::parse(f.get(url).body);
      CHECK(page["summary"] == whole["summary"]);  // the summary is always whole
      CHECK(page["changes"].size() <= limit);
      for (const auto& c : page["changes"]) seen.insert(c["key"].get<std::string>());
      ++pages;
      if (!page.contains("next_cursor")) break;
      url = base + "&limit=" + std::to_string(limit) + "&cursor=" + page["next_cursor"].get<std::string>();
      REQUIRE(pages < 50);
    }
    CHECK(seen.size() == total);
    CHECK(std::set<std::string>(seen.begin(), seen.end()).size() == total);
    CHECK(pages == static_cast<int>((total + limit - 1) / limit));
  }
  // CSV: one row per changed field, with the same paging.
  Response csv = f.get(base + "&format=csv&limit=2");
  CHECK(csv.header("Content-Type") == "text/csv; charset=utf-8; header=present");
  CHECK(csv.body.rfind("key,kind,column,old,new\r\n", 0) == 0);
  CHECK_THAT(csv.body, Catch::Contains(",retired,Status,active,inactive\r\n"));
  CHECK_THAT(std::string(csv.header("Link")), Catch::Contains("format=csv") && Catch::Contains("rel=\"next\""));
  // Defaults: to the newest, from its parent; backwards works too.
  CHECK(nlohmann::json::parse(f.get("/datasets/naptan-stops/changes").body)["from"] == "2024-10-13");
  auto back = nlohmann::json::parse(f.get("/datasets/naptan-stops/changes?from=2024-10-24&to=2024-10-13").body);
  CHECK(back["summary"]["modified"] == 10);
  auto nothing = nlohmann::json::parse(f.get("/datasets/naptan-stops/changes?from=&to=2024-10-13").body);
  CHECK(nothing["summary"]["added"] == 356);
  CHECK(f.get(base + "&limit=0").status == 400);
  CHECK(f.get(base + "&cursor=%%%").status == 400);
  // A made-up cursor is refused, not taken for the end of the list.
  Response garbage = f.get(base + "&cursor=zzz");
  CHECK(garbage.status == 400);
  CHECK_THAT(garbage.body, Catch::Contains("cursor"));
  CHECK(f.get(base + "&format=xml").status == 400);
  CHECK(f.get("/datasets/naptan-stops/changes?from=2001-01-01&to=2024-10-13").status == 404);
}

TEST_CASE("a release is a resource: its manifest, the gate's findings, notices, plan, parent and child", "[http]") {
  Fixture f;
  Response r = f.get("/datasets/naptan-stops/releases/2024-10-13");
  REQUIRE(r.status == 200);
  CHECK(r.header("Content-Type") == "application/json");
  CHECK(r.header("Vary") == "Accept");
  auto j = nlohmann::json::parse(r.body);
  CHECK(j["release"] == "2024-10-13");
  CHECK(j["parent"].is_null());
  CHECK(j["child"] == "2024-10-24");
  CHECK(j["manifest_document"]["release"] == "2024-10-13");
  CHECK(j["changes"]["added"] == 356);  // from nothing, every record
  auto newest = nlohmann::json::parse(f.get("/datasets/naptan-stops/releases/2024-10-24").body);
  CHECK(newest["child"].is_null());
  CHECK(newest["changes"]["retired"] == 10);
  CHECK(newest["report"]["counts"]["routine"] == 10);
  CHECK(newest["report"]["rules"][0]["keys"] == 10);  // counted; report.json lists them
  CHECK(newest["report"]["url"] == "/datasets/naptan-stops/releases/2024-10-24/report.json");
  CHECK(newest["notices"].is_array());
  Response page = f.get("/datasets/naptan-stops/releases/2024-10-24", {{"accept", "text/html"}});
  CHECK(page.header("Content-Type") == "text/html; charset=utf-8");
  CHECK_THAT(page.body, Catch::Contains("retired-through-lifecycle"));
  CHECK(f.get("/datasets/naptan-stops/releases/2001-01-01").status == 404);
}

TEST_CASE("changes filtered by kind or severity are paged over the matches, the summary stays whole", "[http][changes]") {
  Fixture f;
  const std::string base = "/datasets/naptan-stops/changes?from=2024-10-13&to=2024-10-24";
  auto collect = [&](const std::string& filter, std::size_t limit, int& pages) {
    std::vector<nlohmann::json> out;
    std::string url = base + filter + "&limit=" + std::to_string(limit);
    for (pages = 0; pages < 50; ) {
      Response r = f.get(url);
      REQUIRE(r.status == 200);
      auto page = nlohmann::json::parse(r.body);
      CHECK(page["summary"]["retired"] == 10);
      ++pages;
      for (const auto& c : page["changes"]) out.push_back(c);
      if (!page.contains("next_cursor")) break;
      CHECK_THAT(std::string(r.header("Link")), Catch::Contains(filter));  // the next page keeps the filter
      url = base + filter + "&limit=" + std::to_string(limit) + "&cursor=" + page["next_cursor"].get<std::string>();
    }
    return out;
  };
  int pages = 0;
  auto retired = collect("&kind=retired", 3, pages);
  CHECK(retired.size() == 10);
  CHECK(pages == 4);
  for (const auto& c : retired) CHECK(c["kind"] == "retired");
  // Nothing matches: one page, empty, and no cursor taken for more.
  CHECK(collect("&kind=added", 3, pages).empty());
  CHECK(pages == 1);
  CHECK(collect("&severity=breaking", 3, pages).empty());
  CHECK(collect("&severity=routine", 4, pages).size() == 10);
  CHECK(f.get(base + "&kind=moved").status == 400);
  CHECK(f.get(base + "&severity=loud").status == 400);
}

TEST_CASE("a record now, in a given release, and its history", "[http][changes]") {
  Fixture f;
  auto now = f.get("/datasets/naptan-stops/records/66806210056");
  REQUIRE(now.status == 200);
  auto j = nlohmann::json::parse(now.body);
  CHECK(j["record"]["Status"] == "inactive");
  CHECK(j["since"] == "2024-10-24");
  CHECK(j["record"]["PlateCode"].is_null());
  auto then = nlohmann::json::parse(f.get("/datasets/naptan-stops/records/66806210056?release=2024-10-13").body);
  CHECK(then["record"]["Status"] == "active");
  CHECK(f.get("/datasets/naptan-stops/records/66806210056?release=2024-10-13").header("Cache-Control") ==
        "public, max-age=31536000, immutable");
  auto h = nlohmann::json::parse(f.get("/datasets/naptan-stops/records/66806210056/history").body);
  REQUIRE(h["versions"].size() == 2);
  CHECK(h["versions"][0]["release"] == "2024-10-13");
  CHECK(h["versions"][0]["change"] == "added");
  CHECK(h["versions"][1]["change"] == "retired");
  CHECK(h["versions"][1]["owner"] == "stops-maintainer");
  CHECK(f.get("/datasets/naptan-stops/records/nope").status == 404);
  CHECK(f.get("/datasets/naptan-stops/records/nope/history").status == 404);
}

TEST_CASE("cursors round-trip, are opaque, and belong to one changeset", "[http][changes]") {
  for (const std::string& k : std::vector<std::string>{"1", "66806210056", "a\x1f" "b", std::string(100, 'z')}) {
    auto c = encode_cursor(k, "2024-10-13..2024-10-24");
    CHECK(c.find_first_of("+/=") == std::string::npos);
    CHECK(*decode_cursor(c, "2024-10-13..2024-10-24") == k);
    CHECK_FALSE(decode_cursor(c, "..2024-10-24").ok());  // another changeset's
    std::string mistyped = c;
    mistyped[0] = mistyped[0] == 'A' ? 'B' : 'A';
    CHECK_FALSE(decode_cursor(mistyped, "2024-10-13..2024-10-24").ok());
  }
  for (const char* garbage : {"zzz", "", ".", "zzz.00000000", "MQ"})
    CHECK(decode_cursor(garbage, "2024-10-13..2024-10-24").status().code() == StatusCode::invalid_input);
}

TEST_CASE("each release's report and the dataset's notices are served", "[http][gate]") {
  Fixture f;
  auto report = f.get("/datasets/naptan-stops/releases/2024-10-24/report.json");
  REQUIRE(report.status == 200);
  CHECK(report.header("Cache-Control") == "public, max-age=31536000, immutable");
  auto j = nlohmann::json::parse(report.body);
  CHECK(j["outcome"] == "publishable");
  CHECK(j["rules"][0]["rule"] == "retired-through-lifecycle");
  CHECK(nlohmann::json::parse(f.get("/datasets/naptan-stops/releases/2024-10-24/manifest.json").body)["report"] ==
        "report.json");
  CHECK(f.get("/datasets/naptan-stops/releases/2001-01-01/report.json").status == 404);

  auto contract = *load_contract(f.s.store(), "naptan-stops");
  auto n = parse_notice(read_text(source_dir() / "data/demo/notes-withdrawn.notice.json"), "n", contract);
  REQUIRE(f.s.store().put_notice("naptan-stops", {n->id, "deprecation", n->json, "", 1800000000}, "t").ok());
  f.reload();
  auto list = nlohmann::json::parse(f.get("/datasets/naptan-stops/notices").body);
  REQUIRE(list["notices"].size() == 1);
  CHECK(list["notices"][0]["id"] == "notes-withdrawn");
  CHECK(list["notices"][0]["url"] == "/datasets/naptan-stops/notices/notes-withdrawn");
  CHECK(nlohmann::json::parse(f.get("/notices/notes-withdrawn").body)["kind"] == "deprecation");
  CHECK(nlohmann::json::parse(f.get("/datasets/naptan-stops/notices/notes-withdrawn").body)["effective_at"] ==
        "2027-06-01T00:00:00Z");
  CHECK(f.get("/notices/nope").status == 404);
}

TEST_CASE("a backfill's plan is served at its URL and linked from the manifest, report and feed", "[http][gate][plan]") {
  Fixture f;
  // Rename the first stop of the newest release under a reviewed plan.
  std::string text = read_text(naptan_dir() / "csv/668Stops_2024-10-24.csv");
  std::size_t row = text.find('\n') + 1, start = row;
  for (int col = 0; col < 4; ++col) start = text.find(',', start) + 1;
  text.replace(start, text.find(',', start) - start, "Renamed By Backfill");
  auto file = f.s.dir() / "renamed.csv";
  REQUIRE(write_file_durably(file, text).ok());
  auto cand = f.s.stage_ok(file);
  auto contract = *load_contract(f.s.store(), "naptan-stops");
  CutOptions o;
  o.owner = "stops-maintainer";
  o.published_at = *parse_instant("2024-11-01T06:00:00Z");
  o.plan = *parse_plan(R"({"id": "bf-names", "owner": "stops-maintainer", "reviewed_by": ["reviewer"],
      "intent": "Names from the new gazetteer", "blast_radius": {"columns": ["CommonName"], "max_records": 5}})",
                       "plan", contract);
  auto cut = cut_release(f.s.store(), "naptan-stops", cand.candidate.id, o);
  REQUIRE(cut.ok());
  INFO((cut->verification ? cut->verification->text : std::string()));
  REQUIRE(cut->release);
  f.reload();
  auto plan = f.get("/datasets/naptan-stops/plans/bf-names");
  REQUIRE(plan.status == 200);
  CHECK(plan.header("Cache-Control") == "public, max-age=31536000, immutable");
  auto p = nlohmann::json::parse(plan.body);
  CHECK(p["intent"] == "Names from the new gazetteer");
  CHECK(p["owner"] == "stops-maintainer");
  CHECK(p["reviewed_by"][0] == "reviewer");
  CHECK(p["release"] == cut->release->id);
  CHECK(p["blast_radius"]["max_records"] == 5);
  CHECK(f.get("/datasets/naptan-stops/plans/nope").status == 404);
  const std::string rel = "/datasets/naptan-stops/releases/" + cut->release->id;
  CHECK(nlohmann::json::parse(f.get(rel + "/manifest.json").body)["plan_url"] == "/datasets/naptan-stops/plans/bf-names");
  CHECK(nlohmann::json::parse(f.get(rel + "/report.json").body)["plan"]["url"] ==
        "/datasets/naptan-stops/plans/bf-names");
  auto feed = nlohmann::json::parse(f.get("/feeds/naptan-stops.json").body);
  bool linked = false;
  for (const auto& item : feed["items"])
    if (item["_gazette"].contains("plan")) linked = item["_gazette"]["plan"]["url"] == "/datasets/naptan-stops/plans/bf-names";
  CHECK(linked);
}

TEST_CASE("request text that is not UTF-8 is answered, never thrown out of a request", "[http][hardening]") {
  // Each of these ended the process (nlohmann's type_error.316 escaping the event loop).
  Fixture f;
  for (const std::string target :
       {"/datasets/naptan-stops/records/%FF", "/datasets/naptan-stops/records/%FF/history",
        "/datasets/naptan-stops/records/66806210056?release=%FF", "/datasets/naptan-stops/changes?to=%FF",
        "/datasets/naptan-stops/as-of/%FF", "/datasets/naptan-stops/records/\xff", "/nope/\xc3"}) {
    INFO(target);
    auto r = f.get(target);
    CHECK(r.status >= 400);
    CHECK(r.status < 500);
    auto body = nlohmann::json::parse(r.body, nullptr, false);
    REQUIRE_FALSE(body.is_discarded());
    CHECK(body["status"] == r.status);
  }
}
