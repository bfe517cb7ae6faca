#include <catch2/catch.hpp>

#include "publisher/http/router.hpp"

using namespace gazette::http;

TEST_CASE("targets match routes with typed ids", "[http][router]") {
  auto r = match_route("/datasets/naptan-stops/releases/2026-07-24.2/naptan-stops.csv?x=1&y=a+b");
  REQUIRE(r.ok());
  CHECK(r->kind == RouteKind::artefact);
  CHECK(r->dataset == "naptan-stops");
  CHECK(r->release == "2026-07-24.2");
  CHECK(r->extension == "csv");
  CHECK(r->query.at("y") == "a b");
  CHECK(match_route("/")->kind == RouteKind::index);
  CHECK(match_route("/datasets")->kind == RouteKind::datasets);
  CHECK(match_route("/datasets/")->kind == RouteKind::datasets);
  CHECK(match_route("/datasets/naptan-stops")->kind == RouteKind::dataset);
  CHECK(match_route("/datasets/naptan-stops/releases")->kind == RouteKind::releases);
  CHECK(match_route("/datasets/naptan-stops/releases/2026-07-24/manifest.json")->kind == RouteKind::manifest);
  CHECK(match_route("/datasets/naptan-stops/latest/naptan-stops.json")->kind == RouteKind::latest);
  CHECK(match_route("/datasets/naptan-stops/contract")->kind == RouteKind::contract);
  auto asof = match_route("/datasets/naptan-stops/as-of/2025-01-01T00%3A00%3A00Z");
  CHECK(asof->kind == RouteKind::as_of);
  CHECK(asof->instant == "2025-01-01T00:00:00Z");
  CHECK(match_route("/healthz")->kind == RouteKind::healthz);
  CHECK(match_route("/metrics")->kind == RouteKind::metrics);
}

TEST_CASE("unknown names and malformed ids match nothing", "[http][router]") {
  for (const char* t : {"/nope", "/datasets/Naptan", "/datasets/naptan-stops/releases/2026-13-01/naptan-stops.csv",
                        "/datasets/naptan-stops/releases/2026-07-24/other.csv",
                        "/datasets/naptan-stops/releases/2026-07-24/naptan-stops.exe",
                        "/datasets//releases", "/datasets/naptan-stops/extra/deep/path/x/y"})
    CHECK(match_route(t)->kind == RouteKind::not_found);
}

TEST_CASE("targets that try to leave the tree are refused, encoded or not", "[http][router]") {
  for (const char* t : {"/datasets/../etc/passwd", "/datasets/%2e%2e/etc", "/datasets/%2E%2E",
                        "/./datasets", "/datasets/naptan-stops%2F..%2F..", "/datasets/a%5Cb",
                        "/datasets/a%00b", "/datasets/%zz", "relative/path", "http://x/datasets"}) {
    INFO(t);
    CHECK_FALSE(match_route(t).ok());
  }
}
