#include "tests/publisher/ingest/ingest_support.hpp"

using namespace gazette;
using namespace gazette::testing;

namespace {
using Rows = std::vector<std::vector<std::string>>;
std::string parse_err(const std::string& text) {
  CollectingSink sink;
  Status s = read_text_as(text, InputFormat::json, three_columns(), sink, "in.json");
  REQUIRE_FALSE(s.ok());
  return s.message();
}
}  // namespace

TEST_CASE("JSON records: an array of objects, or gazette's own release document", "[ingest][json]") {
  CollectingSink a, b;
  REQUIRE(read_text_as(R"([{"id": "1", "name": "x"}, {"id": 2, "note": 1.50, "name": null}])",
                       InputFormat::json, three_columns(), a).ok());
  CHECK(a.rows == Rows{{"1", "x", ""}, {"2", "", "1.50"}});  // numbers keep their spelling
  REQUIRE(read_text_as(R"({"dataset": "t", "release": "2026-11-24", "records": [
      {"id": "1", "name": "x", "note": null}]})",
                       InputFormat::json, three_columns(), b).ok());
  CHECK(b.rows == Rows{{"1", "x", ""}});
}

TEST_CASE("broken JSON is named with its line and column", "[ingest][json]") {
  CHECK_THAT(parse_err("[\n{\"id\": \"1\",}\n]"), Catch::StartsWith("in.json:2:") &&
                                                     Catch::Contains("not valid JSON"));
  CHECK_THAT(parse_err("[\n{\"id\": \"1\", \"colour\": \"red\"}]"),
             Catch::StartsWith("in.json:2:") && Catch::Contains("unknown column 'colour'"));
  CHECK_THAT(parse_err("[{\"id\": {\"nested\": 1}}]"), Catch::Contains("not objects"));
  CHECK_THAT(parse_err("[{\"id\": \"1\", \"id\": \"2\"}]"), Catch::Contains("appears twice"));
  CHECK_THAT(parse_err("[1, 2]"), Catch::Contains("each record must be a JSON object"));
  CHECK_THAT(parse_err("{\"dataset\": \"t\"}"), Catch::Contains("expected an array of records"));
}
