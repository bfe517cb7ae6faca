// One libFuzzer target per input format (chosen at build time by GAZETTE_FUZZ_FORMAT): the
// reader and the record validator behind it, on arbitrary bytes, under the NaPTAN contract.
// Any crash, hang, leak or undefined behaviour is a finding; errors are expected answers.
#include "fuzz/fuzz_support.hpp"
#include "publisher/ingest/ingest.hpp"

namespace {

class ValidatingSink : public gazette::RecordSink {
 public:
  explicit ValidatingSink(const gazette::Contract& c) : validator_(c) {}
  gazette::Status on_record(std::vector<std::string>& values,
                            const std::vector<gazette::ValueOrigin>& origins) override {
    return validator_.validate(values, "fuzz", origins);
  }

 private:
  gazette::RecordValidator validator_;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto& contract = gazette::fuzz::naptan_contract();
  static ValidatingSink sink(contract);  // compiles the contract's patterns once
  gazette::IngestOptions options;
  options.max_field_bytes = 64 * 1024;
  auto path = gazette::fuzz::as_file(data, size);
  (void)gazette::read_records(path, gazette::InputFormat::GAZETTE_FUZZ_FORMAT, contract, sink, options);
  return 0;
}
