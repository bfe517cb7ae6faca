// Method: a byte-at-a-time RFC 4180 state machine over 1 MiB chunks. Fields accumulate in
// reusable strings; a record is handed on when its terminator (LF or CRLF) is seen outside
// quotes. Lines and columns are counted as the bytes pass (columns in characters, not
// bytes), so every error can name where it happened. The first record is the header, which
// maps file columns to contract columns by name.
#include <fcntl.h>

#include <map>

#include "publisher/ingest/chunked_reader.hpp"
#include "publisher/ingest/ingest.hpp"

namespace gazette {

namespace {

using ingest_detail::ChunkedReader;

class CsvParser {
 public:
  CsvParser(const std::string& source, const Contract& contract, RecordSink& sink,
            const IngestOptions& options)
      : source_(source), contract_(contract), sink_(sink), options_(options) {}

  Status feed(std::string_view chunk);
  Status finish();
  std::uint64_t records() const { return records_; }
  const std::vector<bool>& carried() const { return carried_; }

 private:
  enum class State { field_start, unquoted, quoted, quote_in_quoted, after_cr };

  Status error_at(std::uint64_t line, std::uint64_t col, const std::string& what) const {
    return Status::invalid_input(source_ + ":" + std::to_string(line) + ":" +
                                 std::to_string(col) + ": " + what);
  }
  void start_field() {
    if (nfields_ == fields_.size()) fields_.emplace_back();
    fields_[nfields_].clear();
    if (nfields_ == starts_.size()) starts_.emplace_back();
    starts_[nfields_] = {line_, col_};
  }
  Status end_field() {
    ++nfields_;
    return {};
  }
  Status end_record();
  Status take_header();
  // A field ends at a separator (',' starts the next field; LF ends the record; CR must be
  // followed by LF).
  Status end_field_at(char c) {
    if (c == '\r') {
      state_ = State::after_cr;
      return {};
    }
    GAZETTE_RETURN_IF_ERROR(end_field());
    if (c == ',') {
      start_field();
      starts_[nfields_].second = col_ + 1;
      state_ = State::field_start;
      return {};
    }
    GAZETTE_RETURN_IF_ERROR(end_record());
    ++line_;
    col_ = 0;
    return {};
  }

  const std::string& source_;
  const Contract& contract_;
  RecordSink& sink_;
  const IngestOptions& options_;

  State state_ = State::field_start;
  bool bom_checked_ = false;
  std::uint64_t line_ = 1, col_ = 0;  // position of the byte being processed
  std::uint64_t record_line_ = 1;
  std::uint64_t quote_line_ = 0, quote_col_ = 0;
  std::vector<std::string> fields_;
  std::vector<std::pair<std::uint64_t, std::uint64_t>> starts_;
  std::size_t nfields_ = 0;
  bool in_record_ = false;
  bool record_quoted_ = false;
  bool have_header_ = false;
  std::uint64_t blank_line_ = 0;  // a blank line seen; an error unless nothing follows
  std::vector<std::size_t> file_to_contract_;
  std::vector<bool> carried_;
  std::vector<std::string> values_;
  std::vector<ValueOrigin> origins_;
  std::uint64_t records_ = 0;
};

Status CsvParser::take_header() {
  const auto& cols = contract_.columns;
  file_to_contract_.assign(nfields_, static_cast<std::size_t>(-1));
  carried_.assign(cols.size(), false);
  for (std::size_t i = 0; i < nfields_; ++i) {
    std::size_t idx = contract_.column_index(fields_[i]);
    if (idx == static_cast<std::size_t>(-1))
      return error_at(starts_[i].first, starts_[i].second,
                      "unknown column '" + fields_[i] + "' (not in the " + contract_.dataset_id +
                          " contract)");
    if (carried_[idx])
      return error_at(starts_[i].first, starts_[i].second,
                      "column '" + fields_[i] + "' appears twice");
    carried_[idx] = true;
    file_to_contract_[i] = idx;
  }
  std::string missing;
  for (std::size_t i = 0; i < cols.size(); ++i)
    if (!carried_[i]) missing += (missing.empty() ? "" : ", ") + cols[i].name;
  if (!missing.empty())
    return error_at(record_line_, 1, "header lacks contract column(s): " + missing);
  values_.assign(cols.size(), std::string());
  origins_.assign(cols.size(), ValueOrigin{});
  have_header_ = true;
  return {};
}

Status CsvParser::end_record() {
  in_record_ = false;
  const bool blank = nfields_ == 1 && fields_[0].empty() && !record_quoted_;
  if (blank) {
    // A lone empty line: fine at the end of a file, an error anywhere else.
    if (blank_line_ == 0) blank_line_ = record_line_;
    nfields_ = 0;
    return {};
  }
  if (blank_line_ != 0) return error_at(blank_line_, 1, "blank line inside the data");
  if (!have_header_) {
    GAZETTE_RETURN_IF_ERROR(take_header());
  } else {
    if (nfields_ != file_to_contract_.size())
      return error_at(record_line_, starts_[nfields_ - 1].second,
                      "expected " + std::to_string(file_to_contract_.size()) + " fields, found " +
                          std::to_string(nfields_));
    for (std::size_t i = 0; i < nfields_; ++i) {
      std::size_t c = file_to_contract_[i];
      values_[c].swap(fields_[i]);
      origins_[c].line = starts_[i].first;
      origins_[c].column = starts_[i].second;
    }
    GAZETTE_RETURN_IF_ERROR(sink_.on_record(values_, origins_));
    ++records_;
  }
  nfields_ = 0;
  return {};
}

Status CsvParser::feed(std::string_view chunk) {
  std::size_t i = 0;
  if (!bom_checked_) {
    // Assumes the first chunk holds at least three bytes, which 1 MiB reads guarantee for any
    // file that long; shorter files arrive whole.
    if (chunk.substr(0, 3) == "\xEF\xBB\xBF") i = 3;
    bom_checked_ = true;
  }
  const std::size_t max_field = options_.max_field_bytes;
  for (; i < chunk.size(); ++i) {
    const char c = chunk[i];
    // Columns count characters: UTF-8 continuation bytes do not advance them.
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++col_;
    if (!in_record_) {
      in_record_ = true;
      record_line_ = line_;
      record_quoted_ = false;
      nfields_ = 0;
      start_field();
      state_ = State::field_start;
    }
    switch (state_) {
      case State::field_start:
        if (c == '"') {
          state_ = State::quoted;
          record_quoted_ = true;
          quote_line_ = line_;
          quote_col_ = col_;
          break;
        }
        state_ = State::unquoted;
        [[fallthrough]];
      case State::unquoted:
        if (c == ',' || c == '\n' || c == '\r') {
          GAZETTE_RETURN_IF_ERROR(end_field_at(c));
        } else if (c == '"') {
          return error_at(line_, col_, "quote inside an unquoted field (RFC 4180 needs the field quoted)");
        } else {
          if (fields_[nfields_].size() >= max_field)
            return error_at(starts_[nfields_].first, starts_[nfields_].second,
                            "field longer than " + std::to_string(max_field) + " bytes");
          fields_[nfields_].push_back(c);
        }
        break;
      case State::quoted:
        if (c == '"') {
          state_ = State::quote_in_quoted;
        } else {
          if (fields_[nfields_].size() >= max_field)
            return error_at(quote_line_, quote_col_,
                            "field longer than " + std::to_string(max_field) + " bytes");
          fields_[nfields_].push_back(c);
          if (c == '\n') {
            ++line_;
            col_ = 0;
          }
        }
        break;
      case State::quote_in_quoted:
        if (c == '"') {
          fields_[nfields_].push_back('"');
          state_ = State::quoted;
        } else if (c == ',' || c == '\n' || c == '\r') {
          GAZETTE_RETURN_IF_ERROR(end_field_at(c));
        } else {
          return error_at(line_, col_, "unexpected character after a closing quote");
        }
        break;
      case State::after_cr:
        if (c != '\n') return error_at(line_, col_ - 1, "carriage return not followed by a line feed");
        GAZETTE_RETURN_IF_ERROR(end_field());
        GAZETTE_RETURN_IF_ERROR(end_record());
        ++line_;
        col_ = 0;
        break;
    }
  }
  return {};
}

Status CsvParser::finish() {
  if (in_record_) {
    switch (state_) {
      case State::quoted:
        return error_at(quote_line_, quote_col_, "unterminated quoted field");
      case State::after_cr:
        return error_at(line_, col_, "carriage return not followed by a line feed");
      default:
        GAZETTE_RETURN_IF_ERROR(end_field());
        // The record's end is the end of the file, one column past its last character.
        ++col_;
        GAZETTE_RETURN_IF_ERROR(end_record());
    }
  }
  if (!have_header_) return Status::invalid_input(source_ + ":1:1: empty file: no header row");
  return {};
}

}  // namespace

Result<IngestSummary> read_csv(const std::filesystem::path& path, const Contract& contract,
                               RecordSink& sink, const IngestOptions& options) {
  ChunkedReader in;
  GAZETTE_RETURN_IF_ERROR(in.open(path));
  const std::string source = path.string();
  CsvParser parser(source, contract, sink, options);
  std::string buf;
  for (;;) {
    buf.clear();
    auto n = in.read_into(buf);
    if (!n.ok()) return n.status();
    if (*n == 0) break;
    GAZETTE_RETURN_IF_ERROR(parser.feed(buf));
    if (options.progress) options.progress(in.consumed(), in.size());
  }
  GAZETTE_RETURN_IF_ERROR(parser.finish());
  IngestSummary s;
  s.records = parser.records();
  s.bytes = in.consumed();
  s.carried = parser.carried();
  return s;
}

Result<std::vector<std::string>> parse_csv_header(std::string_view head, const std::string& source) {
  std::vector<std::string> names(1);
  bool quoted = false;
  std::size_t i = head.substr(0, 3) == "\xEF\xBB\xBF" ? 3 : 0;  // a byte order mark
  for (; i < head.size(); ++i) {
    const char c = head[i];
    if (quoted) {
      if (c != '"') names.back() += c;
      else if (i + 1 < head.size() && head[i + 1] == '"') names.back() += head[++i];
      else quoted = false;
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      names.emplace_back();
    } else if (c == '\n' || c == '\r') {
      return names;
    } else {
      names.back() += c;
    }
  }
  return Status::invalid_input(source + ":1:1: no complete header row");
}

}  // namespace gazette
