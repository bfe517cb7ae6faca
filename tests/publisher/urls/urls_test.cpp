// Every URL the site builds routes back to the resource it names: urls is the router's inverse.
#include <catch2/catch.hpp>

#include "publisher/http/router.hpp"
#include "publisher/urls/urls.hpp"

using namespace gazette;
using http::RouteKind;

namespace {

http::Route route_of(const std::string& url) {
  INFO(url);
  auto r = http::match_route(url);
  REQUIRE(r.ok());
  return *r;
}

}  // namespace

TEST_CASE("every built URL routes back to the same resource", "[urls]") {
  const std::string ds = "naptan-stops", rel = "2026-11-24.2", other = "2026-11-17";
  CHECK(route_of(urls::datasets()).kind == RouteKind::datasets);
  CHECK(route_of(urls::dataset(ds)).kind == RouteKind::dataset);
  CHECK(route_of(urls::dataset(ds)).dataset == ds);
  CHECK(route_of(urls::releases(ds)).kind == RouteKind::releases);
  CHECK(route_of(urls::contract(ds)).kind == RouteKind::contract);
  CHECK(route_of(urls::notices(ds)).kind == RouteKind::notices);

  auto m = route_of(urls::manifest(ds, rel));
  CHECK((m.kind == RouteKind::manifest && m.dataset == ds && m.release == rel));
  auto rep = route_of(urls::report(ds, rel));
  CHECK((rep.kind == RouteKind::report && rep.release == rel));
  for (const char* ext : {"csv", "xml", "json"}) {
    auto a = route_of(urls::release_file(ds, rel, ds + "." + ext));
    CHECK((a.kind == RouteKind::artefact && a.release == rel && a.extension == ext));
    auto l = route_of(urls::latest(ds, ds + "." + ext));
    CHECK((l.kind == RouteKind::latest && l.file == ds + "." + ext));
  }
  auto ai = route_of(urls::area_index(ds, rel));
  CHECK((ai.kind == RouteKind::area_index && ai.release == rel));
  auto as = route_of(urls::signature(urls::area_index(ds, rel)));
  CHECK((as.kind == RouteKind::area_signature && as.release == rel));
  for (const char* ext : {"csv", "xml", "json", "geojson"}) {
    auto a = route_of(urls::area_file(ds, rel, "910", ds + "." + ext));
    CHECK((a.kind == RouteKind::area_artefact && a.release == rel && a.area == "910" && a.extension == ext));
  }
  for (const char* ext : {"atom", "json"}) {
    auto f = route_of(urls::area_feed(ds, "910", ext));
    CHECK((f.kind == RouteKind::area_feed && f.dataset == ds && f.area == "910" && f.extension == ext));
    auto a = route_of(urls::area_feed_archive(ds, "910", 3, ext));
    CHECK((a.kind == RouteKind::area_feed_archive && a.area == "910" && a.page == 3 && a.extension == ext));
  }
  // An area code is letters, digits, '-' and '_': anything else names no area.
  CHECK(route_of(urls::area_file(ds, rel, "9.0", ds + ".csv")).kind == RouteKind::not_found);
  CHECK(route_of(urls::area_file(ds, rel, std::string(17, '9'), ds + ".csv")).kind == RouteKind::not_found);
  auto asof = route_of(urls::as_of(ds, "2025-01-01T00:00:00Z"));
  CHECK((asof.kind == RouteKind::as_of && asof.instant == "2025-01-01T00:00:00Z"));
  auto asof_file = route_of(urls::as_of(ds, "2025-01-01T00:00:00Z", "naptan-stops.csv"));
  CHECK((asof_file.kind == RouteKind::as_of && asof_file.instant == "2025-01-01T00:00:00Z" &&
         asof_file.file == "naptan-stops.csv"));

  auto ch = route_of(urls::changes(ds, other, rel));
  CHECK((ch.kind == RouteKind::changes && ch.query.at("from") == other && ch.query.at("to") == rel));
  auto first = route_of(urls::changes(ds, "", rel));
  CHECK((first.kind == RouteKind::changes && first.query.at("from").empty()));

  // Keys are data: whatever they hold comes back whole, as one segment (but for a '/', and "."
  // or "..", which the router refuses in any segment, encoded or not).
  for (const std::string key : {"0100BRP90310", "a b?c#d%e", "É&=+;x", "~tilde:colon", "...x"}) {
    auto r = route_of(urls::record(ds, key));
    CHECK((r.kind == RouteKind::record && r.key == key));
    auto h = route_of(urls::record_history(ds, key));
    CHECK((h.kind == RouteKind::record_history && h.key == key));
  }

  auto n = route_of(urls::notice(ds, "bus-stops-retire"));
  CHECK((n.kind == RouteKind::notice && n.dataset == ds && n.notice == "bus-stops-retire"));
  auto sn = route_of(urls::site_notice("bus-stops-retire"));
  CHECK((sn.kind == RouteKind::notice && sn.dataset.empty() && sn.notice == "bus-stops-retire"));
  auto p = route_of(urls::plan(ds, "bf-2026-names"));
  CHECK((p.kind == RouteKind::plan && p.plan == "bf-2026-names"));

  for (const std::string& id : {ds, std::string("all")}) {
    for (const char* ext : {"atom", "json"}) {
      auto f = route_of(urls::feed(id, ext));
      CHECK((f.kind == RouteKind::feed && f.dataset == id && f.extension == ext));
      CHECK(urls::feed(id, ext) == urls::feed_base(id) + "." + ext);
      auto a = route_of(urls::feed_archive(id, 12, ext));
      CHECK((a.kind == RouteKind::feed_archive && a.dataset == id && a.page == 12 && a.extension == ext));
    }
  }
}
