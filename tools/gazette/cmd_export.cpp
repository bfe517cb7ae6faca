#include "publisher/site/export.hpp"
#include "tools/gazette/commands.hpp"
#include "tools/gazette/common.hpp"

namespace gazette::cli {

int cmd_export(const Invocation& inv) {
  const std::string& id = inv.args[0];
  if (!check_dataset_id(inv, id)) return kError;
  site::CatalogOptions options;  // links relative to the site, unless the public URL is given
  Status url = public_url_option(inv, options.base_url);
  if (!url.ok()) return fail(inv, url);
  long page_size = 0;  // as the origin's `serve --feed-page-size`, for the same feeds
  if (!positive_option(inv, "--feed-page-size", page_size)) return kError;
  if (page_size > 0) options.feed_page_size = static_cast<std::size_t>(page_size);
  int code = kOk;
  auto store = open_store(inv, OpenMode::read, code);
  if (!store) return code;
  auto summary = site::export_tree(*store, id, inv.get("--to"), options);
  if (!summary.ok()) return fail(inv, summary.status());
  *inv.out << "exported " << id << " to " << inv.get("--to") << ": " << summary->files << " files, "
           << human_bytes(summary->bytes) << " (" << summary->linked << " artefacts linked from the store, "
           << summary->rendered << " rendered again); nginx: " << inv.get("--to") << "/nginx.conf\n";
  return kOk;
}

}  // namespace gazette::cli
