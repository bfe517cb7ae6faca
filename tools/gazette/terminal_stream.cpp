#include "tools/gazette/terminal_stream.hpp"

#include "publisher/common/utf8.hpp"

namespace gazette::cli {

TerminalSafeBuf::int_type TerminalSafeBuf::overflow(int_type ch) {
  if (traits_type::eq_int_type(ch, traits_type::eof())) return traits_type::not_eof(ch);
  pending_.push_back(traits_type::to_char_type(ch));
  if (ch == '\n') flush_lines(false);
  return ch;
}

std::streamsize TerminalSafeBuf::xsputn(const char* s, std::streamsize n) {
  pending_.append(s, static_cast<std::size_t>(n));
  if (pending_.find('\n') != std::string::npos || pending_.size() > 65536) flush_lines(pending_.size() > 65536);
  return n;
}

int TerminalSafeBuf::sync() {
  flush_lines(true);
  sink_.flush();
  return sink_ ? 0 : -1;
}

// Escapes whole lines only, so that a character is never split between two writes.
void TerminalSafeBuf::flush_lines(bool all) {
  const std::size_t end = all ? pending_.size() : pending_.rfind('\n') + 1;
  if (end == 0 || end > pending_.size()) return;
  sink_ << escape_for_terminal(std::string_view(pending_).substr(0, end));
  pending_.erase(0, end);
}

}  // namespace gazette::cli
