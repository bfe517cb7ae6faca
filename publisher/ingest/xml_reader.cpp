// Method: NaPTAN XML files reach hundreds of megabytes, so we never build a DOM of the whole
// file. A small scanner walks the markup in 1 MiB chunks, checking that tags balance and
// refusing DOCTYPE declarations (the door to entity expansion and external entities). Each
// record element (StopPoint) is cut out as text and parsed alone with pugixml, then each
// contract column is read by its declared paths. Memory is bounded by one record element.
#include <pugixml.hpp>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <optional>

#include "publisher/ingest/chunked_reader.hpp"
#include "publisher/ingest/ingest.hpp"

namespace gazette {

namespace {

using ingest_detail::ChunkedReader;

constexpr std::size_t kMaxDepth = 256;
constexpr std::size_t kMaxRecordBytes = 16u << 20;

std::string_view local_name(std::string_view qname) {
  auto colon = qname.find(':');
  return colon == std::string_view::npos ? qname : qname.substr(colon + 1);
}

std::string_view trim(std::string_view s) {
  auto ws = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  while (!s.empty() && ws(s.front())) s.remove_prefix(1);
  while (!s.empty() && ws(s.back())) s.remove_suffix(1);
  return s;
}

bool xml_char(std::uint64_t cp) {
  return cp == 0x9 || cp == 0xA || cp == 0xD || (cp >= 0x20 && cp <= 0xD7FF) || (cp >= 0xE000 && cp <= 0xFFFD) ||
         (cp >= 0x10000 && cp <= 0x10FFFF);
}

// The name of the element whose start tag comes last before `offset` of `text`.
std::string element_before(std::string_view text, std::size_t offset) {
  for (std::size_t end = std::min(offset, text.size()); end > 0;) {
    const std::size_t lt = text.rfind('<', end - 1);
    if (lt == std::string_view::npos) break;
    end = lt;
    const std::size_t start = lt + 1;
    if (start < text.size() && (text[start] == '/' || text[start] == '!' || text[start] == '?')) continue;
    const std::size_t stop = text.find_first_of(" \t\r\n/>", start);
    return std::string(text.substr(start, stop == std::string_view::npos ? std::string_view::npos : stop - start));
  }
  return "";
}

// pugixml turns &#0; into a NUL that silently ends the value, and leaves references it does
// not know as they are; both would publish something other than what the file said. So every
// reference in a record is checked first: the five predefined entities, or a character
// reference to a character XML 1.0 allows. Returns the offset of the first bad one.
std::optional<std::pair<std::size_t, std::string>> find_bad_reference(std::string_view text) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '<' && text.compare(i, 9, "<![CDATA[") == 0) {
      i = text.find("]]>", i);
      if (i == std::string_view::npos) return std::nullopt;  // the parser reports it
      continue;
    }
    if (text[i] == '<' && text.compare(i, 4, "<!--") == 0) {
      i = text.find("-->", i);
      if (i == std::string_view::npos) return std::nullopt;
      continue;
    }
    if (text[i] != '&') continue;
    const std::size_t semi = text.find(';', i);
    const std::string_view ref = text.substr(i, semi == std::string_view::npos || semi - i > 12 ? 12 : semi - i + 1);
    if (ref == "&lt;" || ref == "&gt;" || ref == "&amp;" || ref == "&apos;" || ref == "&quot;") continue;
    bool ok = false;
    if (ref.size() > 3 && ref[1] == '#' && ref.back() == ';') {
      const bool hex = ref[2] == 'x';
      const std::string_view digits = ref.substr(hex ? 3 : 2, ref.size() - (hex ? 4 : 3));
      std::uint64_t cp = 0;
      ok = !digits.empty();
      for (char c : digits) {
        const int d = std::isdigit(static_cast<unsigned char>(c)) ? c - '0'
                      : hex && std::isxdigit(static_cast<unsigned char>(c)) ? std::tolower(c) - 'a' + 10
                                                                             : -1;
        if (d < 0) ok = false;
        cp = cp * (hex ? 16 : 10) + static_cast<std::uint64_t>(std::max(d, 0));
      }
      ok = ok && xml_char(cp);
    }
    if (!ok) return std::make_pair(i, std::string(ref));
  }
  return std::nullopt;
}

// One column's XML paths, split into steps.
struct ColumnPaths {
  std::vector<std::vector<std::string>> alternatives;
  // XML Schema keeps a string's spaces ("preserve") and collapses every other type's: a
  // name may end in a space, as in DfT's CSV (and gazette's XML then keeps it), a number not.
  bool preserve_spaces = false;
};

// Finds the first value along `steps` below `node`, depth-first, in document order.
bool find_value(const pugi::xml_node& node, const std::vector<std::string>& steps,
                std::size_t i, bool preserve_spaces, std::string& value, pugi::xml_node& where) {
  const std::string& step = steps[i];
  if (step[0] == '@') {
    for (auto a = node.first_attribute(); a; a = a.next_attribute()) {
      if (local_name(a.name()) == std::string_view(step).substr(1)) {
        value = std::string(trim(a.value()));
        where = node;
        return true;
      }
    }
    return false;
  }
  for (auto child = node.first_child(); child; child = child.next_sibling()) {
    if (child.type() != pugi::node_element) continue;
    if (step != "*" && local_name(child.name()) != step) continue;
    if (i + 1 == steps.size()) {
      value = preserve_spaces ? std::string(child.text().get()) : std::string(trim(child.text().get()));
      where = child;
      return true;
    }
    if (find_value(child, steps, i + 1, preserve_spaces, value, where)) return true;
  }
  return false;
}

class XmlScanner {
 public:
  XmlScanner(ChunkedReader& in, const std::string& source, const Contract& contract,
             RecordSink& sink, const IngestOptions& options)
      : in_(in), source_(source), sink_(sink), options_(options) {
    record_element_ = contract.xml_record_element.empty() ? "StopPoint"
                                                          : contract.xml_record_element;
    for (const auto& col : contract.columns) {
      ColumnPaths cp;
      cp.alternatives = xml_read_paths(col);
      cp.preserve_spaces = col.type == ColumnType::string;
      carried_.push_back(!col.xml_paths.empty());
      paths_.push_back(std::move(cp));
    }
    values_.assign(contract.columns.size(), std::string());
    origins_.assign(contract.columns.size(), ValueOrigin{});
  }

  Status run();
  std::uint64_t records() const { return records_; }
  const std::vector<bool>& carried() const { return carried_; }

 private:
  Status error_at_pos(std::size_t p, const std::string& what) {
    advance_to(std::min(p, buf_.size()));
    return Status::invalid_input(source_ + ":" + std::to_string(line_) + ":" +
                                 std::to_string(col_) + ": " + what);
  }
  Status error_line(std::uint64_t line, const std::string& what) {
    return Status::invalid_input(source_ + ":" + std::to_string(line) + ": " + what);
  }
  // Reads another chunk, first dropping bytes no longer needed. Returns false at EOF.
  Result<bool> fill();
  // Ensures buf_[pos_ .. pos_+n) is loaded if the file has it.
  Status ensure(std::size_t n);
  // Finds `term` at or after `from`, loading chunks as needed; npos at EOF.
  Result<std::size_t> find(std::string_view term, std::size_t from);
  // Finds the '>' ending a tag that starts at pos_, skipping quoted attribute values.
  Result<std::size_t> find_tag_end();
  void advance_to(std::size_t p) {
    for (; pos_ < p; ++pos_) {
      char c = buf_[pos_];
      if (c == '\n') {
        ++line_;
        col_ = 1;
      } else if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) {
        ++col_;
      }
    }
  }
  Status check_declaration(std::string_view decl);
  Status emit_record(std::size_t begin, std::size_t end, std::uint64_t line);

  ChunkedReader& in_;
  const std::string& source_;
  RecordSink& sink_;
  const IngestOptions& options_;
  std::string record_element_;
  std::vector<ColumnPaths> paths_;
  std::vector<bool> carried_;
  std::vector<std::string> values_;
  std::vector<ValueOrigin> origins_;

  std::string buf_;
  std::size_t pos_ = 0;
  bool eof_ = false;
  std::uint64_t line_ = 1, col_ = 1;
  std::vector<std::pair<std::string, std::uint64_t>> stack_;  // open elements and their lines
  bool root_seen_ = false;
  bool capturing_ = false;
  std::size_t capture_start_ = 0;
  std::size_t capture_depth_ = 0;
  std::uint64_t capture_line_ = 0;
  std::uint64_t records_ = 0;
  std::string record_text_;
};

Result<bool> XmlScanner::fill() {
  if (eof_) return false;
  std::size_t keep_from = capturing_ ? capture_start_ : pos_;
  if (keep_from > 0 && keep_from >= buf_.size() / 2) {
    buf_.erase(0, keep_from);
    pos_ -= keep_from;
    if (capturing_) capture_start_ = 0;
  }
  auto n = in_.read_into(buf_);
  if (!n.ok()) return n.status();
  if (*n == 0) {
    eof_ = true;
    return false;
  }
  if (options_.progress) options_.progress(in_.consumed(), in_.size());
  return true;
}

Status XmlScanner::ensure(std::size_t n) {
  while (buf_.size() - pos_ < n) {
    auto more = fill();
    if (!more.ok()) return more.status();
    if (!*more) break;
  }
  return {};
}

Result<std::size_t> XmlScanner::find(std::string_view term, std::size_t from) {
  for (;;) {
    std::size_t at = buf_.find(term, from);
    if (at != std::string::npos) return at;
    // Search again only over the new bytes (keeping an overlap for a split terminator).
    std::size_t old_pos = pos_;
    from = buf_.size() > term.size() ? buf_.size() - term.size() : 0;
    auto more = fill();
    if (!more.ok()) return more.status();
    if (!*more) return std::string::npos;
    from -= (old_pos - pos_);  // fill() may have shifted the buffer
    if (buf_.size() - pos_ > options_.max_field_bytes + kMaxRecordBytes)
      return error_at_pos(pos_, "markup construct too large");
  }
}

Result<std::size_t> XmlScanner::find_tag_end() {
  std::size_t i = pos_ + 1;
  char quote = 0;
  for (;;) {
    if (i >= buf_.size()) {
      std::size_t old_pos = pos_;
      auto more = fill();
      if (!more.ok()) return more.status();
      if (!*more) return std::string::npos;
      i -= (old_pos - pos_);
      if (i - pos_ > options_.max_field_bytes) return error_at_pos(pos_, "tag too large");
      continue;
    }
    char c = buf_[i];
    if (quote) {
      if (c == quote) quote = 0;
    } else if (c == '"' || c == '\'') {
      quote = c;
    } else if (c == '>') {
      return i;
    } else if (c == '<') {
      return error_at_pos(i, "'<' inside a tag");
    }
    ++i;
  }
}

Status XmlScanner::check_declaration(std::string_view decl) {
  auto at = decl.find("encoding");
  if (at == std::string_view::npos) return {};
  auto q = decl.find_first_of("\"'", at);
  if (q == std::string_view::npos) return {};
  auto q2 = decl.find(decl[q], q + 1);
  if (q2 == std::string_view::npos) return {};
  std::string enc(decl.substr(q + 1, q2 - q - 1));
  for (auto& ch : enc) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  if (enc != "utf-8" && enc != "utf8" && enc != "us-ascii")
    return error_at_pos(pos_, "encoding '" + enc + "' is not supported (files must be UTF-8)");
  return {};
}

Status XmlScanner::emit_record(std::size_t begin, std::size_t end, std::uint64_t line) {
  record_text_.assign(buf_, begin, end - begin);
  auto line_in_record = [&](std::size_t offset) {
    return line + static_cast<std::uint64_t>(std::count(record_text_.begin(),
                                                         record_text_.begin() + static_cast<std::ptrdiff_t>(offset), '\n'));
  };
  if (auto bad = find_bad_reference(record_text_))
    return error_line(line_in_record(bad->first), element_before(record_text_, bad->first) + ": '" + bad->second +
                                                      "' is not a character XML allows or an entity it defines");
  pugi::xml_document doc;
  pugi::xml_parse_result parsed = doc.load_buffer_inplace(
      record_text_.data(), record_text_.size(), pugi::parse_default, pugi::encoding_utf8);
  auto line_of = [&](std::ptrdiff_t offset) {
    std::uint64_t l = line;
    for (std::ptrdiff_t i = 0; i < offset && static_cast<std::size_t>(i) < end - begin; ++i)
      if (buf_[begin + static_cast<std::size_t>(i)] == '\n') ++l;
    return l;
  };
  if (!parsed)
    return error_line(line_of(parsed.offset),
                      record_element_ + ": malformed XML: " + parsed.description());
  pugi::xml_node record = doc.first_child();
  for (std::size_t c = 0; c < paths_.size(); ++c) {
    values_[c].clear();
    origins_[c] = ValueOrigin{line, 0, record_element_};
    for (const auto& steps : paths_[c].alternatives) {
      pugi::xml_node where;
      if (find_value(record, steps, 0, paths_[c].preserve_spaces, values_[c], where)) {
        origins_[c].line = line_of(where.offset_debug());
        std::string path = record_element_;
        for (const auto& s : steps) path += "/" + s;
        origins_[c].element = std::move(path);
        break;
      }
    }
  }
  GAZETTE_RETURN_IF_ERROR(sink_.on_record(values_, origins_));
  ++records_;
  return {};
}

Status XmlScanner::run() {
  GAZETTE_RETURN_IF_ERROR(ensure(3));
  if (buf_.compare(0, 3, "\xEF\xBB\xBF") == 0) pos_ = 3;
  for (;;) {
    if (pos_ >= buf_.size()) {
      auto more = fill();
      if (!more.ok()) return more.status();
      if (!*more) break;
    }
    if (buf_[pos_] != '<') {
      auto lt = find("<", pos_);
      if (!lt.ok()) return lt.status();
      std::size_t end = *lt == std::string::npos ? buf_.size() : *lt;
      if (stack_.empty() &&
          !trim(std::string_view(buf_).substr(pos_, end - pos_)).empty())
        return error_at_pos(pos_, root_seen_ ? "content after the root element"
                                             : "text before the root element");
      advance_to(end);
      continue;
    }
    GAZETTE_RETURN_IF_ERROR(ensure(9));
    std::string_view head = std::string_view(buf_).substr(pos_, 9);
    if (head.substr(0, 2) == "<?") {
      auto end = find("?>", pos_);
      if (!end.ok()) return end.status();
      if (*end == std::string::npos) return error_at_pos(pos_, "unterminated processing instruction");
      if (head.substr(0, 6) == "<?xml ")
        GAZETTE_RETURN_IF_ERROR(check_declaration(std::string_view(buf_).substr(pos_, *end - pos_)));
      advance_to(*end + 2);
    } else if (head.substr(0, 4) == "<!--") {
      auto end = find("-->", pos_ + 4);
      if (!end.ok()) return end.status();
      if (*end == std::string::npos) return error_at_pos(pos_, "unterminated comment");
      advance_to(*end + 3);
    } else if (head == "<![CDATA[") {
      if (stack_.empty()) return error_at_pos(pos_, "CDATA outside the root element");
      auto end = find("]]>", pos_);
      if (!end.ok()) return end.status();
      if (*end == std::string::npos) return error_at_pos(pos_, "unterminated CDATA section");
      advance_to(*end + 3);
    } else if (head.substr(0, 2) == "<!") {
      return error_at_pos(pos_, "DOCTYPE and other declarations are refused (entity expansion)");
    } else {
      auto end = find_tag_end();
      if (!end.ok()) return end.status();
      if (*end == std::string::npos) return error_at_pos(pos_, "unterminated tag");
      std::string_view tag = std::string_view(buf_).substr(pos_ + 1, *end - pos_ - 1);
      if (!tag.empty() && tag[0] == '/') {
        std::string_view name = trim(tag.substr(1));
        if (stack_.empty()) return error_at_pos(pos_, "end tag </" + std::string(name) + "> with no open element");
        if (stack_.back().first != name)
          return error_at_pos(pos_, "end tag </" + std::string(name) + "> does not match <" +
                                        stack_.back().first + "> opened at line " +
                                        std::to_string(stack_.back().second));
        stack_.pop_back();
        std::size_t after = *end + 1;
        if (capturing_ && stack_.size() == capture_depth_) {
          capturing_ = false;
          GAZETTE_RETURN_IF_ERROR(emit_record(capture_start_, after, capture_line_));
        }
        advance_to(after);
      } else {
        bool self_closing = !tag.empty() && tag.back() == '/';
        std::size_t name_end = tag.find_first_of(" \t\r\n/");
        std::string name(tag.substr(0, name_end));
        if (name.empty()) return error_at_pos(pos_, "element without a name");
        if (stack_.empty()) {
          if (root_seen_) return error_at_pos(pos_, "a second root element <" + name + ">");
          root_seen_ = true;
        }
        if (!capturing_ && local_name(name) == record_element_) {
          capturing_ = true;
          capture_start_ = pos_;
          capture_depth_ = stack_.size();
          capture_line_ = line_;
        }
        if (capturing_ && (buf_.size() - capture_start_) > kMaxRecordBytes)
          return error_at_pos(pos_, record_element_ + " element larger than " +
                                        std::to_string(kMaxRecordBytes) + " bytes");
        std::size_t after = *end + 1;
        if (self_closing) {
          if (capturing_ && stack_.size() == capture_depth_) {
            capturing_ = false;
            GAZETTE_RETURN_IF_ERROR(emit_record(capture_start_, after, capture_line_));
          }
        } else {
          if (stack_.size() >= kMaxDepth) return error_at_pos(pos_, "elements nested too deeply");
          stack_.emplace_back(std::move(name), line_);
        }
        advance_to(after);
      }
    }
  }
  if (!stack_.empty())
    return error_at_pos(buf_.size(), "unexpected end of file: <" + stack_.back().first +
                                         "> opened at line " + std::to_string(stack_.back().second) +
                                         " is not closed");
  if (!root_seen_) return error_at_pos(buf_.size(), "no root element");
  return {};
}

}  // namespace

Result<IngestSummary> read_naptan_xml(const std::filesystem::path& path,
                                      const Contract& contract, RecordSink& sink,
                                      const IngestOptions& options) {
  ChunkedReader in;
  GAZETTE_RETURN_IF_ERROR(in.open(path));
  const std::string source = path.string();
  XmlScanner scanner(in, source, contract, sink, options);
  GAZETTE_RETURN_IF_ERROR(scanner.run());
  IngestSummary s;
  s.records = scanner.records();
  s.bytes = in.consumed();
  s.carried = scanner.carried();
  return s;
}

}  // namespace gazette
