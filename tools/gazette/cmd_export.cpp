#include "publisher/common/url.hpp"
#include "publisher/http/export.hpp"
#include "tools/gazette/commands.hpp"
#include "tools/gazette/common.hpp"

namespace gazette::cli {

int cmd_export(const Invocation& inv) {
  const std::string& id = inv.args[0];
  if (!check_dataset_id(inv, id)) return kError;
  http::CatalogOptions options;
  options.base_url = "";  // links relative to the site, unless the public URL is given
  if (inv.has("--public-url")) {
    auto url = parse_url(inv.get("--public-url"));
    if (!url.ok()) return fail(inv, url.status().with_context("--public-url"));
    options.base_url = inv.get("--public-url");
    while (!options.base_url.empty() && options.base_url.back() == '/') options.base_url.pop_back();
  }
  if (inv.has("--feed-page-size")) {  // as the origin's `serve --feed-page-size`, for the same feeds
    const std::string& n = inv.get("--feed-page-size");
    if (n.empty() || n.size() > 6 || n.find_first_not_of("0123456789") != std::string::npos || std::stoul(n) == 0)
      return fail(inv, Status::invalid_input("--feed-page-size must be a positive whole number"));
    options.feed_page_size = std::stoul(n);
  }
  int code = kOk;
  auto store = open_store(inv, OpenMode::read, code);
  if (!store) return code;
  auto summary = http::export_tree(*store, id, inv.get("--to"), options);
  if (!summary.ok()) return fail(inv, summary.status());
  *inv.out << "exported " << id << " to " << inv.get("--to") << ": " << summary->files << " files, "
           << human_bytes(summary->bytes) << " (" << summary->linked << " artefacts linked from the store, "
           << summary->rendered << " rendered again); nginx: " << inv.get("--to") << "/nginx.conf\n";
  return kOk;
}

}  // namespace gazette::cli
