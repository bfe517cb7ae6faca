// Helpers shared by the subcommands: opening the store and checking ids the same way.
#pragma once

#include <memory>
#include <string>

#include "publisher/store/store.hpp"
#include "tools/gazette/cli.hpp"

namespace gazette::cli {

// Opens the store in inv.data_dir, or prints the error and sets `exit_code`.
std::unique_ptr<Store> open_store(const Invocation& inv, OpenMode mode, int& exit_code);

// Checks a dataset id argument; prints the error and returns false when it is malformed.
bool check_dataset_id(const Invocation& inv, const std::string& id);

// A candidate id argument: the whole id, or any unambiguous prefix of it (four characters at
// least). Returns the whole id, or an error naming what was given (and the matches, if several).
Result<std::string> candidate_arg(Store& store, const std::string& dataset, const std::string& text);

// "94.2 MB"
std::string human_bytes(std::uint64_t n);

// Reads option `opt` as a positive number into `out` (left alone when absent); prints the
// error and returns false when it is something else.
bool positive_option(const Invocation& inv, const char* opt, long& out);

// --public-url: checked as an absolute http(s) URL, without its trailing '/' ("" when absent).
Status public_url_option(const Invocation& inv, std::string& out);

}  // namespace gazette::cli
