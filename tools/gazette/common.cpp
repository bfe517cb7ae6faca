#include "tools/gazette/common.hpp"

#include <cstdio>

#include "publisher/common/ids.hpp"
#include "publisher/common/url.hpp"

namespace gazette::cli {

std::unique_ptr<Store> open_store(const Invocation& inv, OpenMode mode, int& exit_code) {
  auto store = Store::open(inv.data_dir, mode);
  if (!store.ok()) {
    exit_code = fail(inv, store.status());
    return nullptr;
  }
  return std::move(*store);
}

bool check_dataset_id(const Invocation& inv, const std::string& id) {
  auto parsed = DatasetId::parse(id);
  if (!parsed.ok()) {
    fail(inv, parsed.status());
    return false;
  }
  return true;
}

Result<std::string> candidate_arg(Store& store, const std::string& dataset, const std::string& text) {
  bool hex = text.size() >= 4 && text.size() <= 16;
  for (char c : text) hex = hex && ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));
  if (!hex)
    return Status::invalid_input("'" + text + "' is not a candidate id (16 hex digits, or 4 or more of its first)");
  if (text.size() == 16) return CandidateId::parse(text)->str();
  return store.candidate_by_prefix(dataset, text);
}

std::string human_bytes(std::uint64_t n) {
  char buf[32];
  if (n < 1024) std::snprintf(buf, sizeof buf, "%llu B", static_cast<unsigned long long>(n));
  else if (n < (1u << 20)) std::snprintf(buf, sizeof buf, "%.1f kB", n / 1024.0);
  else std::snprintf(buf, sizeof buf, "%.1f MB", n / 1048576.0);
  return buf;
}

bool positive_option(const Invocation& inv, const char* opt, long& out) {
  if (!inv.has(opt)) return true;
  try {
    std::size_t used = 0;
    out = std::stol(inv.get(opt), &used);
    if (used == inv.get(opt).size() && out > 0) return true;
  } catch (...) {
  }
  fail(inv, Status::invalid_input(std::string(opt) + " wants a positive number, got '" +
                                  inv.get(opt) + "'"));
  return false;
}

Status public_url_option(const Invocation& inv, std::string& out) {
  out.clear();
  if (!inv.has("--public-url")) return {};
  auto url = parse_url(inv.get("--public-url"));
  if (!url.ok()) return url.status().with_context("--public-url");
  out = inv.get("--public-url");
  while (!out.empty() && out.back() == '/') out.pop_back();
  return {};
}

}  // namespace gazette::cli
