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
