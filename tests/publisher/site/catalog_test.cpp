// The public site as data: a real store, a real catalogue. Its documents carry their own
// headers, its values are typed, and snapshots are rebuilt off the request path.
#include "publisher/site/catalog.hpp"

#include <atomic>
#include <condition_variable>
#include <future>
#include <mutex>
#include <thread>

#include <nlohmann/json.hpp>

#include "publisher/contract/contract.hpp"
#include "tests/publisher/release/release_support.hpp"

using namespace gazette;
using namespace gazette::testing;
using namespace std::chrono_literals;

namespace {

template <class F>
bool within(std::chrono::seconds limit, F done) {
  for (auto end = std::chrono::steady_clock::now() + limit; std::chrono::steady_clock::now() < end;
       std::this_thread::sleep_for(5ms))
    if (done()) return true;
  return done();
}

// A gate a thread waits at until the test opens it.
class Gate {
 public:
  void wait() {
    std::unique_lock lock(m_);
    waiting_ = true;
    cv_.notify_all();
    cv_.wait(lock, [&] { return open_; });
  }
  bool someone_waiting() {
    std::lock_guard lock(m_);
    return waiting_;
  }
  void open() {
    std::lock_guard lock(m_);
    open_ = true;
    cv_.notify_all();
  }

 private:
  std::mutex m_;
  std::condition_variable cv_;
  bool waiting_ = false, open_ = false;
};

void check_document(const site::Document& d, site::Caching caching, const std::string& media_type) {
  CHECK(d.media_type == media_type);
  CHECK(d.caching == caching);
  CHECK(d.etag == site::etag_of(d.body));
  CHECK_FALSE(d.body.empty());
}

}  // namespace

TEST_CASE("a new snapshot is built in the background while requests are answered from the last", "[site]") {
  NaptanStore s;
  REQUIRE(s.release_ok(s.stage_ok(naptan_dir() / "csv/668Stops_2024-10-13.csv").candidate.id,
                       "2024-10-13T06:00:00Z").release);
  Gate gate;
  auto source = site::CatalogSource::open(s.root(), 10ms, {}, [&] { gate.wait(); });
  REQUIRE(source.ok());
  const auto before = (*source)->current();
  CHECK(before->dataset("naptan-stops")->releases.size() == 1);

  REQUIRE(s.release_ok(s.stage_ok(naptan_dir() / "csv/668Stops_2024-10-24.csv").candidate.id,
                       "2024-10-24T06:00:00Z").release);
  // The builder saw the store move and is building; a request meanwhile gets the last
  // snapshot at once (were it to wait for the build, it would wait for the gate).
  REQUIRE(within(10s, [&] { return gate.someone_waiting(); }));
  auto during = std::async(std::launch::async, [&] { return (*source)->current(); });
  REQUIRE(during.wait_for(5s) == std::future_status::ready);
  CHECK(during.get() == before);

  gate.open();
  REQUIRE(within(10s, [&] { return (*source)->current() != before; }));
  const auto after = (*source)->current();
  CHECK(after->dataset("naptan-stops")->releases.size() == 2);
  CHECK(after->version > before->version);
  CHECK(before->dataset("naptan-stops")->releases.size() == 1);  // a snapshot never changes
}

TEST_CASE("every document of a snapshot carries its media type, caching and validator", "[site]") {
  NaptanStore s;
  REQUIRE(s.release_ok(s.stage_ok(naptan_dir() / "csv/668Stops_2024-10-13.csv").candidate.id,
                       "2024-10-13T06:00:00Z").release);
  REQUIRE(s.release_ok(s.stage_ok(naptan_dir() / "csv/668Stops_2024-10-24.csv").candidate.id,
                       "2024-10-24T06:00:00Z").release);
  const Contract contract = load_naptan_contract();
  auto notice = parse_notice(R"({"id": "notes-go", "kind": "deprecation", "title": "Notes go", "text": "soon",
                                "scope": {"columns": ["Notes"]}, "effective_at": "2027-06-01T00:00:00Z"})",
                             "n.json", contract);
  REQUIRE(notice.ok());
  REQUIRE(s.store().put_notice("naptan-stops", {notice->id, "deprecation", notice->json, "", 1730000000}, "test").ok());

  site::CatalogOptions options;
  options.feed_page_size = 1;  // three entries: each a full archive page
  auto built = site::build_catalog(s.store(), options);
  REQUIRE(built.ok());
  const site::Catalog& c = **built;
  using site::Caching;
  check_document(c.index_html, Caching::short_lived, site::kHtml);
  check_document(c.datasets_json, Caching::short_lived, site::kJson);
  const site::ServedDataset& d = *c.dataset("naptan-stops");
  check_document(d.metadata_json, Caching::short_lived, site::kJson);
  check_document(d.metadata_html, Caching::short_lived, site::kHtml);
  check_document(d.releases_json, Caching::short_lived, site::kJson);
  check_document(d.notices_json, Caching::short_lived, site::kJson);
  check_document(d.contract_json, Caching::contract, site::kJson);
  for (const auto& r : d.releases) check_document(r.manifest, Caching::immutable, site::kJson);
  REQUIRE(d.feed.atom.size() == 4);  // the subscription document and three archive pages
  check_document(d.feed.atom[0].doc, Caching::short_lived, "application/atom+xml; charset=utf-8");
  check_document(d.feed.json[0].doc, Caching::short_lived, "application/feed+json");
  for (std::size_t page = 1; page < 4; ++page) {
    check_document(d.feed.atom[page].doc, Caching::immutable, "application/atom+xml; charset=utf-8");
    check_document(d.feed.json[page].doc, Caching::immutable, "application/feed+json");
  }

  SECTION("notices, reports and the contract are typed values") {
    REQUIRE(d.notices.size() == 1);
    const Notice& n = d.notices[0].notice;
    CHECK(n.kind == NoticeKind::deprecation);
    CHECK(n.scope.columns == std::vector<std::string>{"Notes"});
    CHECK(n.published_at == 1730000000);
    REQUIRE(n.effective_at);
    CHECK(format_http_date(*n.effective_at) == "Tue, 01 Jun 2027 00:00:00 GMT");
    check_document(d.notices[0].doc, Caching::short_lived, site::kJson);
    // The notice deprecates the whole dataset (it is scoped by a column): its headers.
    bool sunset = false;
    for (const auto& [name, value] : d.notice_headers) sunset = sunset || (name == "Sunset" && value == format_http_date(*n.effective_at));
    CHECK(sunset);

    const site::ServedRelease& newest = *d.newest();
    REQUIRE(newest.report);
    check_document(newest.report_doc, Caching::immutable, site::kJson);
    const auto report = nlohmann::json::parse(newest.report_doc.body);
    CHECK(newest.report->routine == report["counts"]["routine"].get<std::uint64_t>());
    CHECK(newest.report->notice == report["counts"]["notice"].get<std::uint64_t>());
    CHECK(newest.report->routine + newest.report->notice + newest.report->breaking > 0);
    CHECK(d.contract->publisher == contract.publisher);
    CHECK(nlohmann::json::parse(d.metadata_json.body)["licence"] == contract.licence);
  }
}
