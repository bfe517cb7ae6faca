// One libFuzzer target per input format (chosen at build time by GAZETTE_FUZZ_FORMAT): the
// reader and the record validator behind it, on arbitrary bytes, under the NaPTAN contract.
// Any crash, hang, leak or undefined behaviour is a finding; errors are expected answers.
// And a round trip: every record a reader accepts is written as NaPTAN XML (renderer 2) and
// read again, and must come back the same, or the XML artefact would publish another value.
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz/fuzz_support.hpp"
#include "publisher/ingest/ingest.hpp"
#include "publisher/model/record.hpp"
#include "publisher/render/render.hpp"

namespace {

class CollectingSink : public gazette::RecordSink {
 public:
  gazette::Status on_record(std::vector<std::string>& values, const std::vector<gazette::ValueOrigin>&) override {
    records.push_back(values);
    return {};
  }
  std::vector<std::vector<std::string>> records;
};

// `record` written as a NaPTAN XML document and read back; traps if any column a reader takes
// from the document comes back otherwise (derived columns are filled on staging, not read).
void check_round_trip(const gazette::Contract& contract, const std::vector<std::string>& record) {
  static const int fd = ::memfd_create("gazette-fuzz-round-trip", 0);  // not the input's memfd
  if (fd < 0) std::abort();
  gazette::ReleaseHeader header{"naptan-stops", "2026-07-24", "2026-07-24T06:00:00Z", 1, 1, 2};
  auto renderer = gazette::make_renderer(gazette::ArtefactFormat::xml, contract, header);
  std::string doc;
  renderer->begin(doc);
  renderer->record(gazette::encode_record(record), doc);
  renderer->end(doc);
  if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, doc.data(), doc.size(), 0) != static_cast<ssize_t>(doc.size()))
    std::abort();
  CollectingSink back;
  auto read = gazette::read_records("/proc/self/fd/" + std::to_string(fd), gazette::InputFormat::naptan_xml,
                                    contract, back);
  if (!read.ok() || back.records.size() != 1) __builtin_trap();
  for (std::size_t i = 0; i < contract.columns.size(); ++i)
    if (contract.columns[i].derived_from.empty() && back.records[0][i] != record[i]) __builtin_trap();
}

class ValidatingSink : public gazette::RecordSink {
 public:
  explicit ValidatingSink(const gazette::Contract& c) : contract_(c), validator_(c) {}
  gazette::Status on_record(std::vector<std::string>& values,
                            const std::vector<gazette::ValueOrigin>& origins) override {
    GAZETTE_RETURN_IF_ERROR(validator_.validate(values, "fuzz", origins));
    check_round_trip(contract_, values);
    return {};
  }

 private:
  const gazette::Contract& contract_;
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
