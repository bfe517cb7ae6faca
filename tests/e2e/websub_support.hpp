// Shared by the end-to-end tests of WebSub: a subscriber written against the W3C
// recommendation (tests/support/websub_subscriber.py) and the subscription request.
#pragma once

#include <nlohmann/json.hpp>

#include "tests/e2e/e2e_support.hpp"

namespace gazette::testing {

inline const std::string kPython = "/usr/bin/python3";

inline std::string support(const char* script) { return (source_dir() / "tests/support" / script).string(); }

// The test's subscriber: a Python process answering on loopback, logging what it receives.
struct Subscriber {
  TempDir dir;
  std::unique_ptr<BackgroundProcess> process;
  std::string url;
  explicit Subscriber(int fail_first) {
    const auto port_file = dir / "port";
    process = std::make_unique<BackgroundProcess>(std::vector<std::string>{
        kPython, support("websub_subscriber.py"), port_file.string(), (dir / "log").string(), "s3cret",
        std::to_string(fail_first)});
    REQUIRE(eventually([&] { return std::filesystem::exists(port_file); }));
    url = "http://127.0.0.1:" + read_text(port_file) + "/callback";
  }
  std::vector<nlohmann::json> log() const {
    std::vector<nlohmann::json> out;
    if (!std::filesystem::exists(dir / "log")) return out;
    std::string text = read_text(dir / "log");
    std::size_t start = 0;
    for (std::size_t nl; (nl = text.find('\n', start)) != std::string::npos; start = nl + 1)
      out.push_back(nlohmann::json::parse(text.substr(start, nl - start)));
    return out;
  }
  std::vector<nlohmann::json> posts() const {
    std::vector<nlohmann::json> out;
    for (auto& e : log())
      if (e["method"] == "POST") out.push_back(e);
    return out;
  }
  bool got(const std::string& method, const std::string& mode) const {
    for (auto& e : log())
      if (e["method"] == method && e["mode"] == mode) return true;
    return false;
  }
};

inline Fetched subscribe(const Served& s, const std::string& mode, const std::string& topic, const std::string& callback) {
  return curl(s.dir, s.base + "/websub",
              {"--data-urlencode", "hub.mode=" + mode, "--data-urlencode", "hub.topic=" + topic, "--data-urlencode",
               "hub.callback=" + callback, "--data-urlencode", "hub.secret=s3cret", "--data-urlencode",
               "hub.lease_seconds=3600"});
}

}  // namespace gazette::testing
