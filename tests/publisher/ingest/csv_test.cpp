#include "tests/publisher/ingest/ingest_support.hpp"

using namespace gazette;
using namespace gazette::testing;

namespace {
std::vector<std::vector<std::string>> parse_ok(const std::string& text) {
  CollectingSink sink;
  Status s = read_text_as(text, InputFormat::csv, three_columns(), sink, "in.csv");
  INFO(s.message());
  REQUIRE(s.ok());
  return sink.rows;
}
std::string parse_err(const std::string& text) {
  CollectingSink sink;
  Status s = read_text_as(text, InputFormat::csv, three_columns(), sink, "in.csv");
  REQUIRE_FALSE(s.ok());
  CHECK(s.message().find('\n') == std::string::npos);  // one line
  return s.message();
}
using Rows = std::vector<std::vector<std::string>>;
}  // namespace

TEST_CASE("RFC 4180: quotes, doubled quotes, commas and newlines inside fields", "[ingest][csv]") {
  CHECK(parse_ok("id,name,note\n1,\"a, b\",\"say \"\"hi\"\"\"\n") ==
        Rows{{"1", "a, b", "say \"hi\""}});
  CHECK(parse_ok("id,name,note\r\n1,\"two\r\nlines\",x\r\n2,,\r\n") ==
        Rows{{"1", "two\r\nlines", "x"}, {"2", "", ""}});
  CHECK(parse_ok("id,name,note\n1,\"\",\"\"\n") == Rows{{"1", "", ""}});
}

TEST_CASE("RFC 4180: CRLF or LF, a final line without a newline, a UTF-8 BOM", "[ingest][csv]") {
  const Rows expected{{"1", "x", "y"}, {"2", "z", ""}};
  CHECK(parse_ok("id,name,note\r\n1,x,y\r\n2,z,\r\n") == expected);
  CHECK(parse_ok("id,name,note\n1,x,y\n2,z,\n") == expected);
  CHECK(parse_ok("id,name,note\n1,x,y\n2,z,") == expected);
  CHECK(parse_ok("\xEF\xBB\xBFid,name,note\n1,x,y\n2,z,\n") == expected);
  CHECK(parse_ok("id,name,note\n1,x,y\n2,z,\n\n") == expected);  // trailing blank line
}

TEST_CASE("columns are matched by header name, not position", "[ingest][csv]") {
  CHECK(parse_ok("note,id,name\nn,1,a\n") == Rows{{"1", "a", "n"}});
}

TEST_CASE("each kind of broken CSV is named with its line and column", "[ingest][csv]") {
  CHECK(parse_err("id,name,note\n1,x,y\n2,\"open,z\n3,a,b\n") ==
        "in.csv:3:3: unterminated quoted field");
  CHECK(parse_err("id,name,note\n1,x,y\n2,z\n") == "in.csv:3:3: expected 3 fields, found 2");
  CHECK(parse_err("id,name,note\n1,x,y,extra\n") == "in.csv:2:7: expected 3 fields, found 4");
  CHECK(parse_err("id,name,note\n1,ab\"c,y\n") ==
        "in.csv:2:5: quote inside an unquoted field (RFC 4180 needs the field quoted)");
  CHECK(parse_err("id,name,note\n1,\"x\"y,z\n") ==
        "in.csv:2:6: unexpected character after a closing quote");
  CHECK(parse_err("id,name,note\n1,x\ry,z\n") ==
        "in.csv:2:4: carriage return not followed by a line feed");
  CHECK(parse_err("id,name,nope\n") ==
        "in.csv:1:9: unknown column 'nope' (not in the t contract)");
  CHECK(parse_err("id,name\n1,x\n") == "in.csv:1:1: header lacks contract column(s): note");
  CHECK(parse_err("id,name,name,note\n") == "in.csv:1:9: column 'name' appears twice");
  CHECK(parse_err("id,name,note\n1,x,y\n\n2,z,w\n") == "in.csv:3:1: blank line inside the data");
  CHECK(parse_err("") == "in.csv:1:1: empty file: no header row");
}

TEST_CASE("columns count characters, not bytes", "[ingest][csv]") {
  // 'é' is two bytes; the quote error is at the 5th character of line 2.
  CHECK(parse_err("id,name,note\n1,\xC3\xA9\"c,y\n") ==
        "in.csv:2:4: quote inside an unquoted field (RFC 4180 needs the field quoted)");
}

TEST_CASE("values report the line and column where they start", "[ingest][csv]") {
  CollectingSink sink;
  REQUIRE(read_text_as("id,name,note\n1,\"multi\nline\",z\n2,b,c\n", InputFormat::csv,
                       three_columns(), sink, "in.csv").ok());
  REQUIRE(sink.rows.size() == 2);
  CHECK(sink.origins[0][2].line == 3);
  CHECK(sink.origins[0][2].column == 7);
  CHECK(sink.origins[1][1].line == 4);
  CHECK(sink.origins[1][1].column == 3);
}

TEST_CASE("an oversized field is refused without reading it whole", "[ingest][csv]") {
  CollectingSink sink;
  TempDir dir;
  auto path = write_text(dir / "big.csv", "id,name,note\n1," + std::string(2u << 20, 'x') + ",y\n");
  auto r = read_records(path, InputFormat::csv, three_columns(), sink);
  REQUIRE_FALSE(r.ok());
  CHECK_THAT(r.status().message(), Catch::Contains(":2:3: field longer than 1048576 bytes"));
}

TEST_CASE("csv: a header row's names as written (quoted, doubled quotes, a byte order mark), or an error",
          "[ingest][csv][mirror]") {
  auto names = parse_csv_header("\xEF\xBB\xBF" "ATCOCode,\"Common, Name\",\"Say \"\"hi\"\"\"\r\n1,2,3\r\n", "r.csv");
  REQUIRE(names.ok());
  CHECK(*names == std::vector<std::string>{"ATCOCode", "Common, Name", "Say \"hi\""});
  auto lf = parse_csv_header("a,b\n", "r.csv");
  REQUIRE(lf.ok());
  CHECK(*lf == std::vector<std::string>{"a", "b"});
  auto cut = parse_csv_header("a,\"b", "r.csv");
  REQUIRE_FALSE(cut.ok());
  CHECK(cut.status().message() == "r.csv:1:1: no complete header row");
}
