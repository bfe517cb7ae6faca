// Feed documents as pure functions of their entries: what RFC 4287, RFC 5005 and JSON Feed 1.1
// require of each, and the promise that an archive page never changes once full.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <pugixml.hpp>

#include <regex>

#include "feeds/feed/feed.hpp"

using namespace gazette;
using namespace gazette::feeds;

namespace {

FeedSite site(std::size_t page_size) {
  FeedSite s;
  s.base_url = "https://stops.example.org";
  s.hub_url = "https://stops.example.org/websub";
  s.path = "/feeds/naptan-stops";
  s.title = "NaPTAN: releases & notices";
  s.home_path = "/datasets/naptan-stops";
  s.id_name = "gazette:feed:naptan-stops";
  s.page_size = page_size;
  return s;
}

// `n` entries: releases on consecutive days, every third day a notice published with it.
std::vector<FeedEntry> entries(std::size_t n) {
  std::vector<FeedEntry> out;
  for (std::size_t i = 0; out.size() < n; ++i) {
    ReleaseFacts r;
    r.id = "2026-01-" + std::string(i + 1 < 10 ? "0" : "") + std::to_string(i + 1);
    r.kind = i == 4 ? "backfill" : "routine";
    r.owner = "stops-maintainer";
    r.parent = i ? "2026-01-" + std::string(i < 10 ? "0" : "") + std::to_string(i) : "";
    r.published_at = 1767254400 + static_cast<UnixSeconds>(i) * 86400;
    r.record_count = 100 + i;
    r.modified = i;
    r.artefacts = {{"/datasets/naptan-stops/releases/" + r.id + "/naptan-stops.csv", "text/csv", 1234}};
    if (i == 4) {
      r.plan_id = "bf-1";
      r.plan_owner = "stops-maintainer";
    }
    out.push_back(release_entry("naptan-stops", r));
    if (i % 3 == 2 && out.size() < n) {
      NoticeFacts f{"notice-" + std::to_string(i), "deprecation", "Notes <to> go & soon", "Text.", "", r.id,
                    "2027-06-01T00:00:00Z", r.published_at};
      out.push_back(notice_entry("naptan-stops", f));
    }
  }
  sort_entries(out);
  return out;
}

std::vector<std::string> links(const pugi::xml_node& feed, const char* rel) {
  std::vector<std::string> out;
  for (auto l : feed.children("link"))
    if (std::string(l.attribute("rel").value()) == rel) out.push_back(l.attribute("href").value());
  return out;
}

std::size_t count(const pugi::xml_node& n, const char* name) {
  std::size_t c = 0;
  for (auto x : n.children(name)) (void)x, ++c;
  return c;
}

}  // namespace

TEST_CASE("feeds: Atom has what RFC 4287 requires of a feed and of every entry", "[feeds]") {
  auto all = entries(7);
  pugi::xml_document doc;
  const std::string text = render_feed(site(50), all, 0, FeedFormat::atom);
  REQUIRE(doc.load_string(text.c_str()));
  auto feed = doc.child("feed");
  CHECK(std::string(feed.attribute("xmlns").value()) == "http://www.w3.org/2005/Atom");
  CHECK(count(feed, "id") == 1);
  CHECK(count(feed, "title") == 1);
  CHECK(count(feed, "updated") == 1);
  CHECK(std::string(feed.child_value("title")) == "NaPTAN: releases & notices");
  CHECK(links(feed, "self") == std::vector<std::string>{"https://stops.example.org/feeds/naptan-stops.atom"});
  CHECK(links(feed, "hub") == std::vector<std::string>{"https://stops.example.org/websub"});
  CHECK(count(feed, "entry") == 7);
  // Newest first; the feed's updated is the newest entry's.
  CHECK(std::string(feed.child_value("updated")) == std::string(feed.child("entry").child_value("updated")));
  const std::regex urn("urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
  for (auto e : feed.children("entry")) {
    CHECK(count(e, "id") == 1);
    CHECK(count(e, "title") == 1);
    CHECK(count(e, "updated") == 1);
    CHECK(std::regex_match(std::string(e.child_value("id")), urn));
    CHECK_FALSE(std::string(e.child("author").child_value("name")).empty());
    CHECK(links(e, "alternate").size() == 1);
    const std::string category = e.child("category").attribute("term").value();
    if (category == "deprecation") {
      CHECK(std::string(e.child_value("title")) == "naptan-stops notice (deprecation): Notes <to> go & soon");
      // A person following the entry reads the notice's page (the URL answers JSON to programs).
      CHECK(std::string(e.find_child_by_attribute("link", "rel", "alternate").attribute("type").value()) == "text/html");
    } else {
      CHECK(links(e, "describedby").size() == 1);
      CHECK(links(e, "enclosure").size() == 1);
    }
  }
}

TEST_CASE("feeds: archives are full pages, linked both ways, and never change", "[feeds]") {
  const FeedSite s = site(3);
  auto seven = entries(7);
  CHECK(archive_count(7, 3) == 2);
  pugi::xml_document current;
  auto text = render_feed(s, seven, 0, FeedFormat::atom);
  REQUIRE(current.load_string(text.c_str()));
  CHECK(count(current.child("feed"), "entry") == 3);
  CHECK(links(current.child("feed"), "prev-archive") ==
        std::vector<std::string>{"https://stops.example.org/feeds/naptan-stops/archive/2.atom"});
  CHECK(current.child("feed").child("fh:archive").empty());

  for (std::size_t page : {1, 2}) {
    pugi::xml_document doc;
    auto archived = render_feed(s, seven, page, FeedFormat::atom);
    REQUIRE(doc.load_string(archived.c_str()));
    auto feed = doc.child("feed");
    CHECK_FALSE(feed.child("fh:archive").empty());
    CHECK(count(feed, "entry") == 3);
    CHECK(links(feed, "current") == std::vector<std::string>{"https://stops.example.org/feeds/naptan-stops.atom"});
    CHECK(links(feed, "next-archive") == std::vector<std::string>{"https://stops.example.org/feeds/naptan-stops/archive/" +
                                                                  std::to_string(page + 1) + ".atom"});
    CHECK(links(feed, "prev-archive").size() == (page == 1 ? 0u : 1u));
    // Appending entries, as later releases do, leaves a full page byte for byte the same.
    CHECK(render_feed(s, entries(11), page, FeedFormat::atom) == archived);
    CHECK(render_feed(s, entries(11), page, FeedFormat::json) == render_feed(s, seven, page, FeedFormat::json));
  }
}

TEST_CASE("feeds: JSON Feed 1.1 carries the same entries and the extension object", "[feeds]") {
  auto all = entries(7);
  auto j = nlohmann::json::parse(render_feed(site(3), all, 0, FeedFormat::json));
  CHECK(j["version"] == "https://jsonfeed.org/version/1.1");
  CHECK(j["feed_url"] == "https://stops.example.org/feeds/naptan-stops.json");
  CHECK(j["next_url"] == "https://stops.example.org/feeds/naptan-stops/archive/2.json");
  CHECK(j["hubs"][0]["type"] == "WebSub");
  REQUIRE(j["items"].size() == 3);
  pugi::xml_document atom;
  auto text = render_feed(site(3), all, 0, FeedFormat::atom);
  REQUIRE(atom.load_string(text.c_str()));
  auto entry = atom.child("feed").child("entry");
  for (const auto& item : j["items"]) {
    CHECK(item["id"] == entry.child_value("id"));  // one entry, one id, in both formats
    CHECK(item.contains("content_text"));
    CHECK(std::regex_match(item["date_published"].get<std::string>(), std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)")));
    entry = entry.next_sibling("entry");
  }
  // The backfill's item names its plan; every release item links its changeset and manifest.
  auto backfill = nlohmann::json::parse(render_feed(site(50), all, 0, FeedFormat::json));
  bool found = false;
  for (const auto& item : backfill["items"]) {
    const auto& x = item["_gazette"];
    if (x["type"] != "release") continue;
    CHECK(x["manifest_url"].get<std::string>().starts_with("https://stops.example.org/datasets/naptan-stops/releases/"));
    CHECK(x.contains("severity"));
    if (x["kind"] == "backfill") {
      found = true;
      CHECK(x["plan"]["id"] == "bf-1");
      CHECK(x["changeset_url"] == "https://stops.example.org/datasets/naptan-stops/changes?from=2026-01-04&to=2026-01-05");
    }
  }
  CHECK(found);
}
