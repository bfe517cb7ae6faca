// The ingest module: streaming readers that turn a CSV, NaPTAN XML or JSON file into records
// in a contract's column order.
//
// Readers never hold a whole file: each record is handed to a RecordSink as soon as it is
// complete, with the origin of each value for messages. Readers check syntax (RFC 4180
// quoting, field counts, XML well-formedness, JSON grammar) and map columns; the values
// themselves are checked by the sink (see contract::RecordValidator). Any error stops the read
// and is returned as invalid_input "FILE:LINE:COLUMN: what is wrong".
//
// Thread-safety: each call is independent; a sink is called from the reading thread only.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "publisher/common/status.hpp"
#include "publisher/model/contract.hpp"
#include "publisher/model/record.hpp"

namespace gazette {

enum class InputFormat { csv, naptan_xml, json };

// Parses "csv", "naptan-xml" or "json".
Result<InputFormat> parse_input_format(std::string_view name);
const char* to_string(InputFormat f);
// The format a file name suggests (.xml -> naptan-xml, .json -> json, else csv).
InputFormat guess_input_format(const std::filesystem::path& path);

class RecordSink {
 public:
  virtual ~RecordSink() = default;
  // `values` holds one value per contract column (empty for null); the sink may move from
  // them. `origins[i]` says where values[i] came from.
  virtual Status on_record(std::vector<std::string>& values,
                           const std::vector<ValueOrigin>& origins) = 0;
};

struct IngestOptions {
  // Called now and then with bytes read so far and the file's size.
  std::function<void(std::uint64_t done, std::uint64_t total)> progress;
  // Largest single field or XML record element accepted, in bytes.
  std::size_t max_field_bytes = 1u << 20;
};

struct IngestSummary {
  std::uint64_t records = 0;
  std::uint64_t bytes = 0;
  // carried[i]: whether the format carries column i at all (NaPTAN XML has no LocalityName).
  std::vector<bool> carried;
};

// Reads `path` in `format`, calling `sink` once per record.
Result<IngestSummary> read_records(const std::filesystem::path& path, InputFormat format,
                                   const Contract& contract, RecordSink& sink,
                                   const IngestOptions& options = {});

Result<IngestSummary> read_csv(const std::filesystem::path& path, const Contract& contract,
                               RecordSink& sink, const IngestOptions& options);
// The column names in the header row at the start of a CSV text, as written (for a reader that
// takes its columns from the file, like gazette mirror loading a release's CSV).
Result<std::vector<std::string>> parse_csv_header(std::string_view head, const std::string& source);
Result<IngestSummary> read_naptan_xml(const std::filesystem::path& path,
                                      const Contract& contract, RecordSink& sink,
                                      const IngestOptions& options);
Result<IngestSummary> read_json(const std::filesystem::path& path, const Contract& contract,
                                RecordSink& sink, const IngestOptions& options);

}  // namespace gazette
