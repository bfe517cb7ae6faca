#include "tools/gazette/common.hpp"

#include <cstdio>

#include "publisher/common/ids.hpp"

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

std::string human_bytes(std::uint64_t n) {
  char buf[32];
  if (n < 1024) std::snprintf(buf, sizeof buf, "%llu B", static_cast<unsigned long long>(n));
  else if (n < (1u << 20)) std::snprintf(buf, sizeof buf, "%.1f kB", n / 1024.0);
  else std::snprintf(buf, sizeof buf, "%.1f MB", n / 1048576.0);
  return buf;
}

}  // namespace gazette::cli
