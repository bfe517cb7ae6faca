#include "tests/publisher/ingest/ingest_support.hpp"

using namespace gazette;
using namespace gazette::testing;

namespace {
const char* kDoc = R"(<?xml version="1.0" encoding="utf-8"?>
<Root xmlns="urn:x">
  <Items>
    <Item id="1">
      <Name>First &amp; best</Name>
      <Detail><Any><Note> spaced </Note></Any></Detail>
    </Item>
    <!-- a comment with <Item id="fake"> inside -->
    <Item id="2"><Name><![CDATA[<raw>]]></Name></Item>
    <Item id="3"/>
  </Items>
  <Other><Thing a=">"/></Other>
</Root>
)";

std::string parse_err(const std::string& text) {
  CollectingSink sink;
  Status s = read_text_as(text, InputFormat::naptan_xml, three_columns(), sink, "in.xml");
  REQUIRE_FALSE(s.ok());
  CHECK(s.message().find('\n') == std::string::npos);
  return s.message();
}
}  // namespace

TEST_CASE("XML records are read by their declared paths", "[ingest][xml]") {
  CollectingSink sink;
  Status s = read_text_as(kDoc, InputFormat::naptan_xml, three_columns(), sink, "in.xml");
  INFO(s.message());
  REQUIRE(s.ok());
  using Rows = std::vector<std::vector<std::string>>;
  // A string keeps its spaces, as XML Schema's xs:string does (and as DfT's CSV does).
  CHECK(sink.rows == Rows{{"1", "First & best", " spaced "}, {"2", "<raw>", ""}, {"3", "", ""}});
  CHECK(sink.origins[0][1].line == 5);
  CHECK(sink.origins[0][1].element == "Item/Name");
}

TEST_CASE("malformed and hostile XML is refused with its line", "[ingest][xml]") {
  CHECK(parse_err("<Root>\n<Items>\n<Item id=\"1\"><Name>x</Item>\n</Items>\n</Root>\n") ==
        "in.xml:3:21: end tag </Item> does not match <Name> opened at line 3");
  CHECK_THAT(parse_err("<Root>\n<Items>\n<Item id=\"1\">\n<Name a=1>x</Name></Item>\n</Items>\n</Root>\n"),
             Catch::StartsWith("in.xml:4: Item: malformed XML"));
  CHECK(parse_err("<Root>\n<Items>\n</Root>\n") ==
        "in.xml:3:1: end tag </Root> does not match <Items> opened at line 2");
  CHECK(parse_err("<Root>\n<Items>\n") ==
        "in.xml:3:1: unexpected end of file: <Items> opened at line 2 is not closed");
  CHECK_THAT(parse_err("<?xml version=\"1.0\"?>\n<!DOCTYPE r [<!ENTITY a \"aaaa\">]>\n<Root/>\n"),
             Catch::StartsWith("in.xml:2:1: DOCTYPE and other declarations are refused"));
  CHECK_THAT(parse_err("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n<Root/>\n"),
             Catch::Contains("encoding 'iso-8859-1' is not supported"));
  CHECK(parse_err("<Root/>\n<Root/>\n") == "in.xml:2:1: a second root element <Root>");
  CHECK(parse_err("junk\n") == "in.xml:1:1: text before the root element");
  CHECK(parse_err("") == "in.xml:1:1: no root element");
}

TEST_CASE("a reference to no character, or to an entity XML does not define, is an error naming the element",
          "[ingest][xml]") {
  // &#0; used to end the value silently ("ab"); an unknown entity was published as written.
  CHECK(parse_err("<Root>\n<Items>\n<Item id=\"1\">\n<Name>ab&#0;cd</Name></Item>\n</Items>\n</Root>\n") ==
        "in.xml:4: Name: '&#0;' is not a character XML allows or an entity it defines");
  CHECK_THAT(parse_err("<Root><Items><Item id=\"1\"><Name>&#xFFFE;</Name></Item></Items></Root>"),
             Catch::Contains("Name: '&#xFFFE;'"));
  CHECK_THAT(parse_err("<Root><Items><Item id=\"1\"><Name>&#xD800;</Name></Item></Items></Root>"),
             Catch::Contains("'&#xD800;'"));
  CHECK_THAT(parse_err("<Root><Items><Item id=\"1\"><Name>&nbsp;</Name></Item></Items></Root>"),
             Catch::Contains("Name: '&nbsp;'"));
  CHECK_THAT(parse_err("<Root><Items><Item id=\"&#1;\"/></Items></Root>"), Catch::Contains("Item: '&#1;'"));

  CollectingSink sink;
  Status s = read_text_as("<Root><Items><Item id=\"1\"><Name>&#65;&#x42;&lt;&amp;</Name></Item>"
                          "<Item id=\"2\"><Name><![CDATA[&#0;]]></Name></Item></Items></Root>",
                          InputFormat::naptan_xml, three_columns(), sink, "in.xml");
  INFO(s.message());
  REQUIRE(s.ok());
  CHECK(sink.rows.at(0).at(1) == "AB<&");
  CHECK(sink.rows.at(1).at(1) == "&#0;");  // CDATA is text, not references
}

TEST_CASE("a document split across read chunks parses the same", "[ingest][xml]") {
  // 40,000 records (~2.5 MB) cross several 1 MiB chunk boundaries.
  std::string doc = "<Root><Items>\n";
  for (int i = 0; i < 40000; ++i)
    doc += "<Item id=\"" + std::to_string(i) + "\"><Name>name " + std::to_string(i) +
           "</Name><!-- c --></Item>\n";
  doc += "</Items></Root>\n";
  CollectingSink sink;
  REQUIRE(read_text_as(doc, InputFormat::naptan_xml, three_columns(), sink, "in.xml").ok());
  REQUIRE(sink.rows.size() == 40000);
  CHECK(sink.rows[39999][1] == "name 39999");
  CHECK(sink.origins[39999][0].line == 40001);
}
