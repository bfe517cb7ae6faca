// Method: a small scanner over the text that follows the path member by member, skipping
// every value it does not descend into; it trusts nothing (the text may be any bytes) and
// gives up, returning what it found so far, at anything it does not understand.
#include "publisher/contract/json_location.hpp"

#include <vector>

namespace gazette {

namespace {

struct Step {
  bool index = false;
  std::string key;
  std::size_t n = 0;
};

std::optional<std::vector<Step>> parse_path(std::string_view path) {
  if (path.empty() || path[0] != '$') return std::nullopt;
  std::vector<Step> steps;
  std::size_t i = 1;
  while (i < path.size()) {
    if (path[i] == '.') {
      std::size_t end = path.find_first_of(".[", i + 1);
      if (end == std::string_view::npos) end = path.size();
      steps.push_back({false, std::string(path.substr(i + 1, end - i - 1)), 0});
      i = end;
    } else if (path[i] == '[') {
      std::size_t end = path.find(']', i);
      if (end == std::string_view::npos) return std::nullopt;
      Step s{true, {}, 0};
      for (std::size_t k = i + 1; k < end; ++k) {
        if (path[k] < '0' || path[k] > '9') return std::nullopt;
        s.n = s.n * 10 + static_cast<std::size_t>(path[k] - '0');
      }
      steps.push_back(s);
      i = end + 1;
    } else {
      return std::nullopt;
    }
  }
  return steps;
}

class Scanner {
 public:
  explicit Scanner(std::string_view t) : t_(t) {}
  std::size_t pos = 0;

  void space() {
    while (pos < t_.size() && (t_[pos] == ' ' || t_[pos] == '\t' || t_[pos] == '\n' || t_[pos] == '\r')) ++pos;
  }
  bool peek(char c) {
    space();
    return pos < t_.size() && t_[pos] == c;
  }
  bool eat(char c) {
    if (!peek(c)) return false;
    ++pos;
    return true;
  }
  // A string at pos, decoded only as far as a key comparison needs (escapes kept as written,
  // but for \" and \\).
  std::optional<std::string> string() {
    if (!eat('"')) return std::nullopt;
    std::string out;
    while (pos < t_.size() && t_[pos] != '"') {
      if (t_[pos] == '\\' && pos + 1 < t_.size()) {
        const char e = t_[pos + 1];
        if (e == '"' || e == '\\' || e == '/') out.push_back(e);
        else out.append(t_.substr(pos, 2));
        pos += 2;
      } else {
        out.push_back(t_[pos++]);
      }
    }
    if (pos >= t_.size()) return std::nullopt;
    ++pos;
    return out;
  }
  // Skips one value; false if the text is not JSON here.
  bool skip(int depth = 0) {
    if (depth > 256) return false;
    space();
    if (pos >= t_.size()) return false;
    const char c = t_[pos];
    if (c == '"') return string().has_value();
    if (c == '{' || c == '[') {
      const char close = c == '{' ? '}' : ']';
      ++pos;
      if (eat(close)) return true;
      for (;;) {
        if (c == '{') {
          if (!string() || !eat(':')) return false;
        }
        if (!skip(depth + 1)) return false;
        if (eat(',')) continue;
        return eat(close);
      }
    }
    const std::size_t start = pos;
    while (pos < t_.size() && std::string_view(",}] \t\r\n").find(t_[pos]) == std::string_view::npos) ++pos;
    return pos > start;
  }

 private:
  std::string_view t_;
};

}  // namespace

std::string line_col_of(std::string_view text, std::size_t pos) {
  std::size_t line = 1, col = 1;
  for (std::size_t i = 0; i < pos && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      col = 1;
    } else if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {  // not a UTF-8 continuation byte
      ++col;
    }
  }
  return std::to_string(line) + ":" + std::to_string(col);
}

std::optional<std::size_t> locate_json_path(std::string_view text, std::string_view path) {
  auto steps = parse_path(path);
  if (!steps) return std::nullopt;
  Scanner s(text);
  s.space();
  if (s.pos >= text.size()) return std::nullopt;
  std::size_t found = s.pos;
  for (const Step& step : *steps) {
    if (step.index) {
      if (!s.eat('[')) return found;
      for (std::size_t i = 0; i < step.n; ++i)
        if (!s.skip() || !s.eat(',')) return found;
    } else {
      if (!s.eat('{')) return found;
      for (;;) {
        s.space();
        const std::size_t key_at = s.pos;
        auto key = s.string();
        if (!key || !s.eat(':')) return found;
        if (*key == step.key) {
          found = key_at;  // a missing or bad value is best shown at its name
          break;
        }
        if (!s.skip() || !s.eat(',')) return found;
      }
    }
    s.space();
    if (s.pos >= text.size()) return found;
    if (step.index) found = s.pos;
  }
  return found;
}

Status with_json_location(Status status, std::string_view text, const std::string& source) {
  if (status.code() != StatusCode::invalid_input) return status;
  const std::string& m = status.message();
  const std::string prefix = source + ": $";
  if (m.compare(0, prefix.size(), prefix) != 0) return status;
  const std::size_t path_end = m.find(": ", prefix.size());
  if (path_end == std::string::npos) return status;
  const std::string_view path = std::string_view(m).substr(source.size() + 2, path_end - source.size() - 2);
  auto at = locate_json_path(text, path);
  if (!at) return status;
  return Status::invalid_input(source + ":" + line_col_of(text, *at) + m.substr(source.size()));
}

}  // namespace gazette
