// Method: nlohmann's SAX parser over a counting input iterator, so records stream one object
// at a time and every value knows its line and column. Accepted shapes: a top-level array of
// objects, or an object whose "records" member is such an array (gazette's own JSON artefact).
// Values may be strings, numbers (kept in their source spelling) or null.
#include <nlohmann/json.hpp>

#include <iterator>

#include "publisher/ingest/chunked_reader.hpp"
#include "publisher/ingest/ingest.hpp"

namespace gazette {

namespace {

using ingest_detail::ChunkedReader;
using json = nlohmann::json;

// Input for the SAX parser: bytes from a ChunkedReader, counting lines and columns.
struct CountingInput {
  ChunkedReader* reader = nullptr;
  const IngestOptions* options = nullptr;
  std::string buf;
  std::size_t pos = 0;
  bool eof = false;
  Status error;
  std::uint64_t line = 1, col = 0;

  // Counts a character the parser has consumed.
  void account(int ch) {
    if (ch == '\n') {
      ++line;
      col = 0;
    } else if ((static_cast<unsigned>(ch) & 0xC0) != 0x80) {
      ++col;
    }
  }

  // The next raw character, not yet counted.
  int fetch() {
    if (pos >= buf.size()) {
      if (eof) return std::char_traits<char>::eof();
      buf.clear();
      pos = 0;
      auto n = reader->read_into(buf);
      if (!n.ok()) {
        error = n.status();
        eof = true;
        return std::char_traits<char>::eof();
      }
      if (options->progress) options->progress(reader->consumed(), reader->size());
      if (*n == 0) {
        eof = true;
        return std::char_traits<char>::eof();
      }
    }
    return std::char_traits<char>::to_int_type(buf[pos++]);
  }
};

// An input iterator over CountingInput, as nlohmann's iterator adapter expects.
class CountingIterator {
 public:
  using iterator_category = std::input_iterator_tag;
  using value_type = char;
  using difference_type = std::ptrdiff_t;
  using pointer = const char*;
  using reference = const char&;

  CountingIterator() = default;  // end
  explicit CountingIterator(CountingInput* in) : in_(in) { cur_ = in_->fetch(); }
  const char& operator*() const {
    ch_ = std::char_traits<char>::to_char_type(cur_);
    return ch_;
  }
  CountingIterator& operator++() {
    in_->account(cur_);
    cur_ = in_->fetch();
    return *this;
  }
  CountingIterator operator++(int) {
    CountingIterator t = *this;
    ++*this;
    return t;
  }
  bool operator==(const CountingIterator& o) const { return at_end() == o.at_end(); }
  bool operator!=(const CountingIterator& o) const { return !(*this == o); }

 private:
  bool at_end() const { return in_ == nullptr || cur_ == std::char_traits<char>::eof(); }
  CountingInput* in_ = nullptr;
  int cur_ = std::char_traits<char>::eof();
  mutable char ch_ = 0;
};

class RecordSax : public nlohmann::json_sax<json> {
 public:
  RecordSax(const std::string& source, const Contract& contract, RecordSink& sink,
            CountingInput& in)
      : source_(source), contract_(contract), sink_(sink), in_(in) {
    values_.assign(contract.columns.size(), std::string());
    origins_.assign(contract.columns.size(), ValueOrigin{});
    seen_.assign(contract.columns.size(), false);
  }

  Status status;
  std::uint64_t records = 0;

  bool null() override { return value(""); }
  bool boolean(bool b) override { return value(b ? "true" : "false"); }
  bool number_integer(number_integer_t v) override { return value(std::to_string(v)); }
  bool number_unsigned(number_unsigned_t v) override { return value(std::to_string(v)); }
  bool number_float(number_float_t, const string_t& raw) override { return value(raw); }
  bool string(string_t& s) override { return value(std::move(s)); }
  bool binary(binary_t&) override { return fail("binary values are not supported"); }

  bool start_object(std::size_t) override {
    ++depth_;
    if (depth_ == 1 && !top_array_) {
      top_object_ = true;
      return true;
    }
    if (in_records_array() && depth_ == records_depth_ + 1) {
      in_record_ = true;
      record_line_ = in_.line;
      std::fill(seen_.begin(), seen_.end(), false);
      for (auto& v : values_) v.clear();
      for (auto& o : origins_) o = ValueOrigin{record_line_, in_.col, ""};
      return true;
    }
    if (in_record_) return fail("values must be strings, numbers or null, not objects");
    return true;  // objects elsewhere (metadata) are skipped
  }
  bool end_object() override {
    if (in_record_ && depth_ == records_depth_ + 1) {
      in_record_ = false;
      Status s = sink_.on_record(values_, origins_);
      if (!s.ok()) {
        status = s;
        return false;
      }
      ++records;
    }
    --depth_;
    return true;
  }
  bool start_array(std::size_t) override {
    ++depth_;
    if (depth_ == 1) {
      top_array_ = true;
      records_depth_ = 1;
      records_open_ = true;
      return true;
    }
    if (top_object_ && depth_ == 2 && current_key_ == "records") {
      records_depth_ = 2;
      records_open_ = true;
      return true;
    }
    if (in_record_) return fail("values must be strings, numbers or null, not arrays");
    return true;
  }
  bool end_array() override {
    if (records_open_ && depth_ == records_depth_) records_open_ = false;
    --depth_;
    return true;
  }
  bool key(string_t& k) override {
    if (in_record_) {
      column_ = contract_.column_index(k);
      if (column_ == static_cast<std::size_t>(-1))
        return fail("unknown column '" + k + "' (not in the " + contract_.dataset_id + " contract)");
      if (seen_[column_]) return fail("column '" + k + "' appears twice in one record");
      seen_[column_] = true;
    } else {
      current_key_ = k;
    }
    return true;
  }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& e) override {
    std::string what = e.what();
    if (auto k = what.find("syntax error"); k != std::string::npos) what = what.substr(k);
    return fail("not valid JSON: " + what);
  }

  bool saw_records() const { return top_array_ || records_depth_ == 2; }

 private:
  bool in_records_array() const { return records_open_; }
  bool value(std::string v) {
    if (in_record_ && depth_ == records_depth_ + 1) {
      values_[column_] = std::move(v);
      origins_[column_] = ValueOrigin{in_.line, in_.col, ""};
      return true;
    }
    if (in_records_array() && depth_ == records_depth_)
      return fail("each record must be a JSON object");
    return true;
  }
  bool fail(const std::string& what) {
    if (status.ok())
      status = Status::invalid_input(source_ + ":" + std::to_string(in_.line) + ":" +
                                     std::to_string(in_.col) + ": " + what);
    return false;
  }

  const std::string& source_;
  const Contract& contract_;
  RecordSink& sink_;
  CountingInput& in_;
  std::vector<std::string> values_;
  std::vector<ValueOrigin> origins_;
  std::vector<bool> seen_;
  std::size_t column_ = 0;
  int depth_ = 0;
  int records_depth_ = -1;
  bool records_open_ = false;
  bool top_array_ = false, top_object_ = false;
  bool in_record_ = false;
  std::uint64_t record_line_ = 0;
  std::string current_key_;
};

}  // namespace

Result<IngestSummary> read_json(const std::filesystem::path& path, const Contract& contract,
                                RecordSink& sink, const IngestOptions& options) {
  ChunkedReader reader;
  GAZETTE_RETURN_IF_ERROR(reader.open(path));
  const std::string source = path.string();
  CountingInput in;
  in.reader = &reader;
  in.options = &options;
  // Skip a UTF-8 byte order mark, which JSON forbids but editors write.
  auto n = reader.read_into(in.buf);
  if (!n.ok()) return n.status();
  if (in.buf.compare(0, 3, "\xEF\xBB\xBF") == 0) in.pos = 3;
  if (*n == 0) in.eof = true;
  RecordSax sax(source, contract, sink, in);
  bool ok = json::sax_parse(CountingIterator(&in), CountingIterator(), &sax,
                            nlohmann::detail::input_format_t::json, /*strict=*/true);
  if (!in.error.ok()) return in.error;
  if (!sax.status.ok()) return sax.status;
  if (!ok) return Status::invalid_input(source + ": not valid JSON");
  if (!sax.saw_records())
    return Status::invalid_input(source + ":1:1: expected an array of records, or an object "
                                          "with a \"records\" array");
  IngestSummary s;
  s.records = sax.records;
  s.bytes = reader.consumed();
  s.carried.assign(contract.columns.size(), true);
  return s;
}

}  // namespace gazette
