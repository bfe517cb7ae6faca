// Shared by the release tests: a store in a temp dir with the NaPTAN dataset registered.
#pragma once

#include <catch2/catch.hpp>

#include "publisher/common/file_io.hpp"
#include "publisher/contract/contract.hpp"
#include "publisher/release/release.hpp"
#include "tests/support/naptan_contract.hpp"
#include "tests/support/temp_dir.hpp"

namespace gazette::testing {

class NaptanStore {
 public:
  NaptanStore() {
    REQUIRE(Store::init(root()).ok());
    auto s = Store::open(root(), OpenMode::write);
    REQUIRE(s.ok());
    store_ = std::move(*s);
    Contract c = load_naptan_contract();
    REQUIRE(store_->create_dataset({"naptan-stops", c.title, c.version, c.canonical_json, 0},
                                   "test").ok());
  }
  Store& store() { return *store_; }
  std::filesystem::path root() const { return dir_ / "data"; }
  const TempDir& dir() const { return dir_; }

  // Stages `file` and returns the result, failing the test on error.
  StageResult stage_ok(const std::filesystem::path& file) {
    StageOptions o;
    o.format = guess_input_format(file);
    auto r = stage(*store_, "naptan-stops", file, o);
    INFO(r.status().message());
    REQUIRE(r.ok());
    return *r;
  }
  Status stage_error(const std::filesystem::path& file, InputFormat f = InputFormat::csv) {
    StageOptions o;
    o.format = f;
    auto r = stage(*store_, "naptan-stops", file, o);
    REQUIRE_FALSE(r.ok());
    return r.status();
  }
  CutResult release_ok(const std::string& cand, const std::string& when,
                       const std::string& owner = "stops-maintainer") {
    CutOptions o;
    o.owner = owner;
    o.published_at = *parse_instant(when);
    auto r = cut_release(*store_, "naptan-stops", cand, o);
    INFO(r.status().message());
    REQUIRE(r.ok());
    return *r;
  }

 private:
  TempDir dir_;
  std::unique_ptr<Store> store_;
};

}  // namespace gazette::testing
