// Test support: the shipped NaPTAN contract, parsed (failing the test if it does not parse).
#pragma once

#include <catch2/catch.hpp>

#include "publisher/common/file_io.hpp"
#include "publisher/contract/contract.hpp"
#include "tests/support/temp_dir.hpp"

namespace gazette::testing {

inline Contract load_naptan_contract() {
  auto text = read_small_file(naptan_contract());
  REQUIRE(text.ok());
  auto c = parse_contract(*text, "naptan-stops.contract.json");
  INFO(c.status().message());
  REQUIRE(c.ok());
  return *c;
}

}  // namespace gazette::testing
