#include "publisher/ingest/ingest.hpp"

namespace gazette {

Result<InputFormat> parse_input_format(std::string_view name) {
  if (name == "csv") return InputFormat::csv;
  if (name == "naptan-xml" || name == "xml") return InputFormat::naptan_xml;
  if (name == "json") return InputFormat::json;
  return Status::invalid_input("unknown format '" + std::string(name) +
                               "' (expected csv, naptan-xml or json)");
}

const char* to_string(InputFormat f) {
  switch (f) {
    case InputFormat::csv: return "csv";
    case InputFormat::naptan_xml: return "naptan-xml";
    case InputFormat::json: return "json";
  }
  return "csv";
}

InputFormat guess_input_format(const std::filesystem::path& path) {
  std::string ext = path.extension().string();
  for (auto& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (ext == ".xml") return InputFormat::naptan_xml;
  if (ext == ".json") return InputFormat::json;
  return InputFormat::csv;
}

Result<IngestSummary> read_records(const std::filesystem::path& path, InputFormat format,
                                   const Contract& contract, RecordSink& sink,
                                   const IngestOptions& options) {
  switch (format) {
    case InputFormat::csv: return read_csv(path, contract, sink, options);
    case InputFormat::naptan_xml: return read_naptan_xml(path, contract, sink, options);
    case InputFormat::json: return read_json(path, contract, sink, options);
  }
  return Status::invalid_input("unknown format");
}

}  // namespace gazette
