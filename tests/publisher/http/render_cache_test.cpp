// The render cache on a real folder: what it keeps, and what it lets go.
#include <catch2/catch.hpp>

#include <thread>

#include "publisher/common/sha256.hpp"
#include "publisher/http/render_cache.hpp"
#include "tests/support/temp_dir.hpp"

TEST_CASE("the render cache keeps only faithful renderings, and the least recently used go first",
          "[http][storage]") {
  gazette::testing::TempDir dir;
  gazette::http::RenderCache cache(dir / "cache", 2500);
  auto put = [&](const std::string& bytes, const std::string& claimed_sha) {
    auto e = cache.start(bytes.size());
    REQUIRE(e);
    REQUIRE(e->append(bytes).ok());
    return e->keep(claimed_sha);
  };
  const std::string a(1000, 'a'), b(1000, 'b'), c(1000, 'c');
  const std::string sa = gazette::to_hex(gazette::sha256(a)), sb = gazette::to_hex(gazette::sha256(b)),
                    sc = gazette::to_hex(gazette::sha256(c));
  CHECK_FALSE(put(a, sb));  // bytes that do not hash to the name are not kept
  CHECK_FALSE(cache.find(sb));
  CHECK(put(a, sa));
  CHECK(put(b, sb));
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  CHECK(cache.find(sa));  // a is used again: b is now the least recently used
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  CHECK(put(c, sc));      // over the budget: b goes
  CHECK(cache.find(sa));
  CHECK_FALSE(cache.find(sb));
  CHECK(cache.find(sc));
  CHECK_FALSE(cache.start(3000));  // could never fit
  CHECK_FALSE(cache.find("../../etc/passwd"));
}
