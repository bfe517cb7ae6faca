// gazette export end to end: nginx serving the exported tree answers as the origin does, byte
// for byte and header for header, for every kind of resource a file can hold.
#include <catch2/catch.hpp>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "publisher/common/time.hpp"
#include "tests/e2e/e2e_support.hpp"

using namespace gazette;
using namespace gazette::testing;

namespace {

// The headers a client can tell apart (the rest are the server's own: Date, Server, ...).
std::string comparable_headers(const Fetched& f) {
  std::string out = "status " + std::to_string(f.status) + "\n";
  for (const char* h : {"Content-Type", "Cache-Control", "ETag", "Content-Disposition", "Repr-Digest", "Vary",
                        "Deprecation", "Sunset", "Location", "Content-Encoding", "Dataset-Version"})
    out += std::string(h) + ": " + f.header(h) + "\n";
  std::smatch m;
  std::string rest = f.headers;
  static const std::regex kLink("(^|\\n)Link: ([^\\r\\n]*)", std::regex::icase);
  std::vector<std::string> links;
  while (std::regex_search(rest, m, kLink)) {
    links.push_back(m[2].str());
    rest = m.suffix();
  }
  std::sort(links.begin(), links.end());
  for (const auto& l : links) out += "Link: " + l + "\n";
  return out;
}


}  // namespace

TEST_CASE("export: nginx serves the exported tree as the origin does", "[export][e2e]") {
  Served s({"--feed-page-size", "2"});
  run_gazette(s.dir, {"release", "naptan-stops", stage(s.dir, "csv/668Stops_2024-12-03.csv"), "--owner", "alice",
                      "--published-at", "2024-12-03T06:00:00Z"});  // evicts the first release's files
  run_gazette(s.dir, {"notice", "add", "naptan-stops",
                      write_text(s.dir / "n.json", R"({"id": "notes-withdrawn", "kind": "deprecation", "title": "t",
                        "text": "t", "scope": {"columns": ["Notes"]}, "effective_at": "2027-06-01T00:00:00Z"})")
                          .string()});
  const auto tree = s.dir / "public";
  auto exported = run_gazette(s.dir, {"export", "naptan-stops", "--to", tree.string(), "--public-url", s.base,
                                      "--feed-page-size", "2"});
  CHECK_THAT(exported.out, Catch::Contains("rendered again"));
  // The running origin takes in the admin tool's changes in the background: wait for the last.
  REQUIRE(eventually([&] { return curl(s.dir, s.base + "/notices/notes-withdrawn").status == 200; }));

  NginxOnExport served_tree(tree, s.dir.path());
  BackgroundProcess& nginx = *served_tree.nginx;
  const std::string nbase = served_tree.base;

  const std::string rel = "/datasets/naptan-stops/releases/";
  struct Ask {
    std::string path;
    std::vector<std::string> curl_args;
  };
  std::vector<Ask> asks = {
      {"/", {}},
      {"/", {"-H", "Accept: text/html"}},
      {"/datasets", {}},
      {"/datasets", {"-H", "Accept: text/html"}},
      {"/datasets/naptan-stops", {}},
      {"/datasets/naptan-stops", {"-H", "Accept: text/html"}},
      {"/datasets/naptan-stops/releases", {}},
      {"/datasets/naptan-stops/releases", {"-H", "Accept: text/html"}},
      {rel + "2024-10-24", {}},
      {rel + "2024-10-24", {"-H", "Accept: text/html"}},
      {"/datasets/naptan-stops/contract", {}},
      {"/datasets/naptan-stops/contract", {"-H", "Accept: text/html,application/xhtml+xml"}},
      {"/datasets/naptan-stops/notices", {}},
      {"/datasets/naptan-stops/notices", {"-H", "Accept: text/html"}},
      {"/datasets/naptan-stops/notices/notes-withdrawn", {}},
      {"/datasets/naptan-stops/notices/notes-withdrawn", {"-H", "Accept: text/html"}},
      {"/notices/notes-withdrawn", {}},
      {"/notices/notes-withdrawn", {"-H", "Accept: text/html"}},
      {rel + "2024-10-13/naptan-stops.csv", {}},  // evicted: rendered again for the export
      {rel + "2024-10-13/naptan-stops.xml", {}},
      {rel + "2024-12-03/naptan-stops.json", {}},
      {rel + "2024-12-03/manifest.json", {}},
      {rel + "2024-12-03/report.json", {}},
      {rel + "2024-12-03/naptan-stops.csv", {"-r", "100-199"}},
      {"/datasets/naptan-stops/changes?from=2024-10-13&to=2024-10-24", {}},
      {"/datasets/naptan-stops/latest/naptan-stops.csv", {}},
      {"/feeds/naptan-stops.atom", {}},
      {"/feeds/naptan-stops.json", {}},
      {"/feeds/naptan-stops/archive/1.atom", {}},
      {"/feeds/naptan-stops/archive/2.json", {}},
      {"/feeds/naptan-stops/archive/3.atom", {}},  // not full yet: to the subscription document
      {"/feeds/all.atom", {}},
      {rel + "2024-12-03/manifest.json.minisig", {}},
      {"/datasets/naptan-stops/releases.minisig", {}},
      {"/datasets/naptan-stops/changes/2024-10-24..2024-12-03.json", {}},
      {"/datasets/naptan-stops/changes/2024-10-24..2024-12-03.json.minisig", {}},
      {"/datasets/naptan-stops/v/1/latest/naptan-stops.csv", {}},
      {"/keys", {}},
      // Areas: the index and its signature, files rendered and files shared with an older release, feeds.
      {rel + "2024-12-03/areas", {}},
      {rel + "2024-12-03/areas.minisig", {}},
      {rel + "2024-12-03/areas", {"-H", "Accept: text/html"}},
      {rel + "2024-10-24/areas/668", {}},
      {rel + "2024-10-24/areas/668", {"-H", "Accept: text/html"}},
      {rel + "2024-10-13/areas/668/naptan-stops.csv", {}},
      {rel + "2024-12-03/areas/668/naptan-stops.xml", {}},
      {rel + "2024-12-03/areas/668/naptan-stops.csv", {"-r", "100-199"}},
      {"/feeds/naptan-stops/areas/668.atom", {}},
      {"/feeds/naptan-stops/areas/668.json", {}},
      {"/feeds/naptan-stops/areas/668/archive/1.json", {}},
  };
  for (const auto& a : asks) {
    INFO(a.path << (a.curl_args.empty() ? "" : " " + a.curl_args.back()));
    auto origin = curl(s.dir, s.base + a.path, a.curl_args);
    auto mirror = curl(s.dir, nbase + a.path, a.curl_args);
    if (origin.status == 302) {  // a redirect's body and type are the server's own
      origin.body = mirror.body;
      origin.headers = std::regex_replace(origin.headers, std::regex("Content-Type: [^\\r\\n]*"), "");
      mirror.headers = std::regex_replace(mirror.headers, std::regex("Content-Type: [^\\r\\n]*"), "");
    }
    CHECK(comparable_headers(mirror) == comparable_headers(origin));
    CHECK(mirror.body == origin.body);
    // Validators work at the mirror too.
    const std::string etag = origin.header("ETag");
    if (origin.status == 200 && !etag.empty() && a.curl_args.empty())
      CHECK(curl(s.dir, nbase + a.path, {"-H", "If-None-Match: " + etag}).status == 304);
  }
  // A subset's changeset is the origin's to compute: the export never answers it with the whole.
  for (const char* q : {"&area=668", "&where=StopType:BCT", "&kind=retired"}) {
    INFO(q);
    CHECK(curl(s.dir, s.base + "/datasets/naptan-stops/changes?from=2024-10-13&to=2024-10-24" + q).status == 200);
    CHECK(curl(s.dir, nbase + "/datasets/naptan-stops/changes?from=2024-10-13&to=2024-10-24" + q).status == 404);
  }
  // Every signature, at the origin and in the export, is one Debian's minisign accepts, by the
  // key /keys publishes; a flipped byte is refused.
  auto keys = nlohmann::json::parse(curl(s.dir, s.base + "/keys").body);
  REQUIRE(keys["keys"].size() == 1);
  const std::string key_url = keys["keys"][0]["url"];
  const std::string pub = curl(s.dir, s.base + key_url).body;
  CHECK(curl(s.dir, nbase + key_url).body == pub);
  std::vector<std::string> signed_docs = {"/datasets/naptan-stops/releases"};
  const std::vector<std::string> ids = {"2024-10-13", "2024-10-24", "2024-12-03"};
  for (std::size_t i = 0; i < ids.size(); ++i) {
    signed_docs.push_back(rel + ids[i] + "/manifest.json");
    signed_docs.push_back(rel + ids[i] + "/areas");
    if (i > 0) signed_docs.push_back("/datasets/naptan-stops/changes/" + ids[i - 1] + ".." + ids[i] + ".json");
  }
  for (const auto& base : {s.base, nbase})
    for (const auto& doc : signed_docs) {
      INFO(base + doc);
      const std::string body = curl(s.dir, base + doc).body;
      const std::string sig = curl(s.dir, base + doc + ".minisig").body;
      CHECK(minisign_accepts(s.dir, pub, body, sig));
      std::string flipped = body;
      flipped[flipped.size() / 2] ^= 1;
      CHECK_FALSE(minisign_accepts(s.dir, pub, flipped, sig));
    }
  // The list says until when it may be trusted, and so does its signed comment.
  auto list = nlohmann::json::parse(curl(s.dir, nbase + "/datasets/naptan-stops/releases").body);
  const std::string until = list["valid_until"];
  CHECK(*parse_instant(until) - *parse_instant(list["signed_at"].get<std::string>()) == 35 * 86400);
  CHECK_THAT(curl(s.dir, nbase + "/datasets/naptan-stops/releases.minisig").body,
             Catch::Contains("trusted comment: timestamp:") && Catch::Contains(" valid_until:" + until + "\n"));

  // Only resources are served: not the configuration, not a path built from bad arguments.
  CHECK(curl(s.dir, nbase + "/nginx.conf").status == 404);
  CHECK(curl(s.dir, nbase + "/datasets/naptan-stops/changes?from=../../nginx.conf%23&to=x").status == 404);
  CHECK(curl(s.dir, nbase + "/datasets/naptan-stops/changes?from=2024-10-13&to=2024-12-03").status == 404);
  CHECK(nginx.stop(SIGTERM) == 0);
}

TEST_CASE("export: a directory or URL cannot write configuration into nginx.conf", "[export][hardening]") {
  TempDir d;
  run_gazette(d, {"init"});
  run_gazette(d, {"dataset", "create", "naptan-stops", "--contract", naptan_contract().string()});
  run_gazette(d, {"release", "naptan-stops", stage(d, "csv/668Stops_2024-10-13.csv"), "--owner", "alice",
                  "--published-at", "2024-10-13T06:00:00Z"});
  auto gazette = [&](std::vector<std::string> args) {
    args.insert(args.begin(), {GAZETTE_BINARY, "--data", data_of(d)});
    return run_process(args);
  };
  // `$` would be expanded by nginx as a variable, even quoted: refused, and nothing written.
  auto dollar = gazette({"export", "naptan-stops", "--to", (d / "out1").string(), "--public-url",
                         "https://stops.example.org/$request_uri"});
  CHECK(dollar.exit_code == 1);
  CHECK_THAT(dollar.err, Catch::Contains("--public-url: '$' cannot be written into nginx.conf"));
  CHECK_FALSE(std::filesystem::exists(d / "out1"));
  auto dir_dollar = gazette({"export", "naptan-stops", "--to", (d / "out$uri").string()});
  CHECK(dir_dollar.exit_code == 1);
  CHECK_FALSE(std::filesystem::exists(d / "out$uri"));

  // A directory name with ';' is a name, quoted: nginx reads it as the root and nothing more.
  const auto odd = d / "tree;autoindex on";
  auto r = gazette({"export", "naptan-stops", "--to", odd.string()});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const std::string conf = read_text(odd / "nginx.conf");
  CHECK_THAT(conf, Catch::Contains("root '" + odd.string() + "';"));
  write_text(d / "server.conf", conf);
  write_text(d / "test.conf", "pid " + (d / "nginx.pid").string() + "; error_log stderr; events {} http { include " +
                                  (d / "server.conf").string() + "; }\n");
  auto t = run_process({"/usr/sbin/nginx", "-t", "-q", "-c", (d / "test.conf").string()});
  INFO(t.err);
  CHECK(t.exit_code == 0);
}
