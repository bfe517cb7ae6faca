// The parsers of what maintainers hand to `gazette`: a contract, a notice, a plan.
#include "fuzz/fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)gazette::parse_contract(text, "fuzz.json");
  const auto& contract = gazette::fuzz::naptan_contract();
  (void)gazette::parse_notice(text, "fuzz.json", contract);
  (void)gazette::parse_plan(text, "fuzz.json", contract);
  return 0;
}
