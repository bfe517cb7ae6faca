// The request path: router and handler, on a real store of two NaPTAN releases, with a request
// made of the input (the first line is "METHOD TARGET", each further line "name: value", then
// an empty line and the body). Every answer must be a well-formed response, never a throw.
#include <cstdlib>

#include "fuzz/fuzz_support.hpp"
#include "publisher/site/catalog.hpp"
#include "publisher/http/handler.hpp"
#include "publisher/http/queries.hpp"
#include "publisher/release/release.hpp"
#include "publisher/store/store.hpp"

namespace {

struct World {
  std::filesystem::path root;
  std::shared_ptr<const gazette::site::Catalog> catalog;
  gazette::http::Metrics metrics;
  std::unique_ptr<gazette::http::Queries> queries;
  World() {
    char tmpl[] = "/tmp/gazette-fuzz-XXXXXX";
    if (::mkdtemp(tmpl) == nullptr) std::abort();
    root = std::filesystem::path(tmpl) / "store";
    using namespace gazette;
    if (!Store::init(root).ok()) std::abort();
    auto store = Store::open(root, OpenMode::write);
    if (!store.ok()) std::abort();
    const Contract& c = fuzz::naptan_contract();
    if (!(*store)->create_dataset({"naptan-stops", c.title, c.version, c.canonical_json, 0}, "fuzz").ok()) std::abort();
    const std::filesystem::path csv = std::filesystem::path(GAZETTE_SOURCE_DIR) / "data/naptan/csv";
    for (const char* day : {"2024-10-13", "2024-10-24"}) {
      StageOptions so;
      so.format = InputFormat::csv;
      auto staged = stage(**store, "naptan-stops", csv / ("668Stops_" + std::string(day) + ".csv"), so);
      if (!staged.ok()) std::abort();
      CutOptions co;
      co.owner = "fuzz";
      co.published_at = *parse_instant(std::string(day) + "T06:00:00Z");
      if (!cut_release(**store, "naptan-stops", staged->candidate.id, co).ok()) std::abort();
    }
    auto built = site::build_catalog(**store);
    if (!built.ok()) std::abort();
    catalog = *built;
    queries = std::make_unique<http::Queries>(root);
  }
  ~World() { std::filesystem::remove_all(root.parent_path()); }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static World world;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  gazette::http::Request req;
  auto line = [&] {
    const auto nl = in.find('\n');
    std::string_view l = in.substr(0, nl);
    in = nl == std::string_view::npos ? std::string_view() : in.substr(nl + 1);
    return l;
  };
  const std::string_view first = line();
  const auto space = first.find(' ');
  req.method = std::string(first.substr(0, space));
  req.target = space == std::string_view::npos ? "/" : std::string(first.substr(space + 1));
  for (std::string_view h = line(); !h.empty(); h = line()) {
    const auto colon = h.find(':');
    if (colon == std::string_view::npos) continue;
    std::string name(h.substr(0, colon));
    for (auto& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    req.headers.emplace_back(std::move(name), std::string(h.substr(colon + 1)));
  }
  req.body = std::string(in);
  gazette::http::Response r = gazette::http::handle_request(req, *world.catalog, world.metrics, world.queries.get());
  if (r.status < 100 || r.status > 599) std::abort();
  if (r.stream) {  // a generated body is produced in full, as the server would send it
    std::string_view chunk;
    std::uint64_t total = 0;
    while (r.stream->next(chunk)) total += chunk.size();
    if (total > r.stream_length) std::abort();
  }
  return 0;
}
