// The access log line and the problem documents' titles, as values.
#include "publisher/http/access_log.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "publisher/http/handler.hpp"

using namespace gazette;
using namespace gazette::http;

TEST_CASE("an access log line is the Common Log Format, with the time taken", "[http]") {
  AccessLogEntry e{"127.0.0.1", 1796049000, "GET", "/datasets?x=1", 11, 200, 1234, 0.000412, false};
  CHECK(access_log_line(e) == "127.0.0.1 - - [30/Nov/2026:14:30:00 +0000] \"GET /datasets?x=1 HTTP/1.1\" 200 1234 0.412ms\n");
  e.version = 10;
  e.write_failed = true;
  CHECK(access_log_line(e) == "127.0.0.1 - - [30/Nov/2026:14:30:00 +0000] \"GET /datasets?x=1 HTTP/1.0\" 200 1234 0.412ms (write failed)\n");
  // An unreadable request has no request line.
  e.method = e.target = "-";
  e.status = 400;
  CHECK(access_log_line(e).find("\"-\" 400 ") != std::string::npos);
  // The client's bytes cannot end the line or speak to a terminal.
  e.method = "GET";
  e.target = "/x\" 200 0\n127.0.0.1 - - [forged] \x1b[31m";
  const std::string line = access_log_line(e);
  CHECK(line.find('\n') == line.size() - 1);
  CHECK(line.find('\x1b') == std::string::npos);
  CHECK(line.find("/x\\x22 200 0\\n127.0.0.1") != std::string::npos);
}

TEST_CASE("a problem is titled with its status's reason phrase", "[http]") {
  const std::pair<int, const char*> expected[] = {{400, "Bad Request"}, {403, "Forbidden"},
                                                  {404, "Not Found"}, {415, "Unsupported Media Type"},
                                                  {416, "Range Not Satisfiable"}, {429, "Too Many Requests"},
                                                  {503, "Service Unavailable"}, {599, "Server Error"}};
  for (const auto& [status, title] : expected) {
    const Response r = problem(status, "why", "/websub");
    CHECK(nlohmann::json::parse(r.body)["title"] == title);
  }
}
