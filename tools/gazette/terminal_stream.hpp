// Everything the admin tool prints passes through here: messages quote file names, column
// names and values from input files, and a byte of those must never become an order to the
// terminal (an escape sequence that moves the cursor, rewrites the title or hides a line).
// Output is kept a line at a time and escaped with escape_for_terminal before it is written.
//
// Thread-safety: one stream, one thread, like the std::ostream it backs.
#pragma once

#include <ostream>
#include <streambuf>
#include <string>

namespace gazette::cli {

class TerminalSafeBuf : public std::streambuf {
 public:
  explicit TerminalSafeBuf(std::ostream& sink) : sink_(sink) {}
  ~TerminalSafeBuf() override { sync(); }

 protected:
  int_type overflow(int_type ch) override;
  std::streamsize xsputn(const char* s, std::streamsize n) override;
  int sync() override;

 private:
  void flush_lines(bool all);
  std::ostream& sink_;
  std::string pending_;
};

}  // namespace gazette::cli
