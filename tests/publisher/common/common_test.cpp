#include <catch2/catch.hpp>

#include "publisher/common/file_io.hpp"
#include "publisher/common/ids.hpp"
#include "publisher/common/sha256.hpp"
#include "publisher/common/time.hpp"
#include "publisher/common/url.hpp"
#include "publisher/common/utf8.hpp"
#include "tests/support/temp_dir.hpp"

using namespace gazette;
using gazette::testing::TempDir;

TEST_CASE("SHA-256 matches the FIPS 180-2 test vector", "[common]") {
  CHECK(to_hex(sha256("abc")) ==
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  Sha256 h;
  h.update("a");
  h.update("bc");
  CHECK(h.finish() == sha256("abc"));
  CHECK(to_base64(sha256("abc")) == "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=");
}

TEST_CASE("instants parse from ISO 8601 and format back in UTC", "[common]") {
  CHECK(*parse_instant("1970-01-01T00:00:00Z") == 0);
  CHECK(*parse_instant("2026-11-24T08:50:15Z") == 1795510215);
  CHECK(*parse_instant("2026-11-24T09:50:15+01:00") == 1795510215);
  CHECK(*parse_instant("2026-11-24") == 1795478400);
  CHECK(*parse_instant("2002-12-10T00:00:00.000") == 1039478400);
  CHECK(format_rfc3339(1795510215) == "2026-11-24T08:50:15Z");
  CHECK(format_date(1795510215) == "2026-11-24");
  CHECK(format_http_date(1795510215) == "Tue, 24 Nov 2026 08:50:15 GMT");
  for (const char* bad : {"", "2026-13-01", "2026-02-30", "2026-11-24T25:00:00Z",
                          "2026-11-24T08:50:15X", "yesterday", "2026-11-24T08:50:15+0100"})
    CHECK_FALSE(parse_instant(bad).ok());
}

TEST_CASE("ids are validated once, at parse time", "[common]") {
  CHECK(DatasetId::parse("naptan-stops").ok());
  CHECK_FALSE(DatasetId::parse("../etc").ok());
  CHECK_FALSE(DatasetId::parse("Naptan").ok());
  CHECK_FALSE(DatasetId::parse("").ok());
  CHECK(ReleaseId::parse("2026-11-24").ok());
  CHECK(ReleaseId::parse("2026-11-24.2").ok());
  CHECK_FALSE(ReleaseId::parse("2026-11-24.0").ok());
  CHECK_FALSE(ReleaseId::parse("2026-11-24.").ok());
  CHECK_FALSE(ReleaseId::parse("2026-02-30").ok());
  CHECK(ReleaseId::for_day("2026-11-24", 1).str() == "2026-11-24");
  CHECK(ReleaseId::for_day("2026-11-24", 3).str() == "2026-11-24.3");
  CHECK(CandidateId::parse("0123456789abcdef").ok());
  CHECK_FALSE(CandidateId::parse("0123456789ABCDEF").ok());
}

TEST_CASE("UTF-8 validation refuses overlongs, surrogates and truncation", "[common]") {
  CHECK(find_invalid_utf8("Caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x9A\x8C") == std::string_view::npos);
  CHECK(find_invalid_utf8("a\xC0\xAF") == 1);          // overlong '/'
  CHECK(find_invalid_utf8("ab\xED\xA0\x80") == 2);     // surrogate
  CHECK(find_invalid_utf8("abc\xE2\x82") == 3);        // truncated
  CHECK(find_invalid_utf8("\xFF") == 0);
}

TEST_CASE("unpublishable characters: controls but tab, LF and CR, and noncharacters", "[common]") {
  CHECK_FALSE(find_unpublishable("tab\tand\nnewline\r \xEF\xBF\xBD \xF0\x9F\x9A\x8C"));  // U+FFFD is fine
  CHECK(find_unpublishable("bell\x07")->offset == 4);
  CHECK(find_unpublishable("bell\x07")->describe() == "control character U+0007");
  CHECK(find_unpublishable("ab\xEF\xBF\xBE")->describe() == "noncharacter U+FFFE");
  CHECK(find_unpublishable("ab\xEF\xBF\xBF")->offset == 2);
  CHECK(find_unpublishable("\xEF\xB7\x90")->describe() == "noncharacter U+FDD0");
  CHECK(find_unpublishable("\xF4\x8F\xBF\xBF")->describe() == "noncharacter U+10FFFF");
}

TEST_CASE("a string is cut on a character boundary, never inside one", "[common]") {
  std::string e_acute;
  for (int i = 0; i < 150; ++i) e_acute += "\xC3\xA9";
  const auto cut = utf8_prefix(e_acute, 200);
  CHECK(cut.size() == 200);
  CHECK(find_invalid_utf8(utf8_prefix(e_acute, 199)) == std::string_view::npos);
  CHECK(utf8_prefix(e_acute, 199).size() == 198);
  CHECK(utf8_prefix("\xF0\x9F\x9A\x8C", 3).empty());
  CHECK(utf8_prefix("short", 200) == "short");
  // The URL parser's message quotes at most 200 bytes of the text, whole characters only.
  auto url = parse_url("ftp://" + e_acute);
  REQUIRE_FALSE(url.ok());
  CHECK(find_invalid_utf8(url.status().message()) == std::string_view::npos);
}

TEST_CASE("text for a terminal: controls and stray bytes become visible escapes", "[common]") {
  CHECK(escape_for_terminal("Caf\xC3\xA9\tok\n") == "Caf\xC3\xA9\tok\n");
  CHECK(escape_for_terminal("\x1b[2J\x1b]0;pwned\x07") == "\\x1b[2J\\x1b]0;pwned\\x07");
  CHECK(escape_for_terminal("csi \xC2\x9B 31m") == "csi \\u009b 31m");
  CHECK(escape_for_terminal("cr\rdel\x7f bad\xFF") == "cr\\x0ddel\\x7f bad\\xff");
}

TEST_CASE("a durable file appears whole under its final name, or not at all", "[common]") {
  TempDir dir;
  auto target = dir / "artefact";
  REQUIRE(write_file_durably(target, "hello").ok());
  CHECK(gazette::testing::read_text(target) == "hello");

  // Fault loop: fail the N-th write/fsync/rename until the operation completes.
  for (int n = 1;; ++n) {
    auto path = dir / ("faulty-" + std::to_string(n));
    arm_io_fault(n);
    Status s = write_file_durably(path, std::string(3 << 20, 'x'));
    disarm_io_fault();
    if (s.ok()) {
      CHECK(std::filesystem::file_size(path) == (3u << 20));
      CHECK(n > 3);  // at least the writes, the fsync and the rename were each failed once
      break;
    }
    CHECK(s.code() == StatusCode::io_error);
    // Either nothing, or (when only the folder's fsync failed, after the rename) the whole file.
    if (std::filesystem::exists(path)) CHECK(std::filesystem::file_size(path) == (3u << 20));
    REQUIRE(n < 50);
  }
  // No temporary files are left behind by the failed attempts.
  for (auto& e : std::filesystem::directory_iterator(dir.path()))
    CHECK(e.path().filename().string().find(".tmp.") == std::string::npos);
}
