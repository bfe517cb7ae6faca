// Method: a page is a slice of the entries, newest first. Atom carries what RFC 4287 requires
// (one id, title and updated per feed and entry; an author on every entry; a self link) and
// the RFC 5005 links; JSON Feed 1.1 carries the same entries, with `next_url` walking to older
// pages. Every link is absolute (the site's base URL), since a feed is read out of context.
#include <algorithm>
#include <nlohmann/json.hpp>

#include "feeds/feed/feed.hpp"
#include "publisher/common/utf8.hpp"
#include "publisher/render/render.hpp"

namespace gazette::feeds {

namespace {

using ojson = nlohmann::ordered_json;

struct Page {
  std::size_t first = 0, last = 0;  // entries [first, last), oldest first
  std::size_t archives = 0;         // full pages in the feed
  std::size_t number = 0;           // 0: the subscription document
};

Page page_of(const FeedSite& site, std::size_t total, std::size_t number) {
  Page p;
  p.archives = archive_count(total, site.page_size);
  p.number = number;
  if (number == 0) {
    p.last = total;
    p.first = total > site.page_size ? total - site.page_size : 0;
  } else {
    p.first = (number - 1) * site.page_size;
    p.last = number * site.page_size;
  }
  return p;
}

std::string doc_url(const FeedSite& site, std::size_t page, FeedFormat f) {
  if (page == 0) return site.base_url + site.path + "." + extension(f);
  return site.base_url + site.path + "/archive/" + std::to_string(page) + "." + extension(f);
}

void tag(std::string& out, const char* name, const std::string& text, const char* indent = "  ") {
  out += indent;
  out += '<';
  out += name;
  out += '>';
  // Notices are checked when they are added, but the feed is served to every reader and its
  // archive pages never change: what XML cannot carry is replaced, never written.
  append_xml_escaped(out, find_unpublishable(text) ? replace_unpublishable(text) : text);
  out += "</";
  out += name;
  out += ">\n";
}

void link(std::string& out, const char* rel, const std::string& href, const std::string& type = {},
          const char* indent = "  ", std::uint64_t length = 0) {
  out += indent;
  out += "<link rel=\"";
  out += rel;
  out += "\" href=\"";
  append_xml_escaped(out, href);
  out += '"';
  if (!type.empty()) {
    out += " type=\"";
    append_xml_escaped(out, type);
    out += '"';
  }
  if (length) out += " length=\"" + std::to_string(length) + "\"";
  out += "/>\n";
}

std::string render_atom(const FeedSite& site, const std::vector<FeedEntry>& entries, const Page& p) {
  std::string out = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
                    "<feed xmlns=\"http://www.w3.org/2005/Atom\" "
                    "xmlns:fh=\"http://purl.org/syndication/history/1.0\">\n";
  tag(out, "id", urn_for(site.id_name + (p.number ? "/archive/" + std::to_string(p.number) : "")));
  tag(out, "title", p.number ? site.title + " (archive " + std::to_string(p.number) + ")" : site.title);
  // A feed's updated is its latest entry's, so that unchanged content gives unchanged bytes.
  UnixSeconds updated = 0;
  for (std::size_t i = p.first; i < p.last; ++i) updated = std::max(updated, entries[i].published);
  tag(out, "updated", format_rfc3339(updated));
  out += "  <generator>gazette</generator>\n";
  if (p.number) out += "  <fh:archive/>\n";
  link(out, "self", doc_url(site, p.number, FeedFormat::atom), "application/atom+xml");
  if (!site.hub_url.empty()) link(out, "hub", site.hub_url);
  link(out, "alternate", site.base_url + site.home_path, "text/html");
  if (p.number) {
    link(out, "current", doc_url(site, 0, FeedFormat::atom), "application/atom+xml");
    // The next page's address is known before it exists, so this page never has to change.
    link(out, "next-archive", doc_url(site, p.number + 1, FeedFormat::atom), "application/atom+xml");
    if (p.number > 1) link(out, "prev-archive", doc_url(site, p.number - 1, FeedFormat::atom), "application/atom+xml");
  } else if (p.archives) {
    link(out, "prev-archive", doc_url(site, p.archives, FeedFormat::atom), "application/atom+xml");
  }
  for (std::size_t i = p.last; i-- > p.first;) {
    const FeedEntry& e = entries[i];
    out += "  <entry>\n";
    tag(out, "id", e.id, "    ");
    tag(out, "title", e.title, "    ");
    tag(out, "updated", format_rfc3339(e.published), "    ");
    tag(out, "published", format_rfc3339(e.published), "    ");
    out += "    <author>\n";
    tag(out, "name", e.author, "      ");
    out += "    </author>\n";
    out += "    <category term=\"";
    append_xml_escaped(out, e.category);
    out += "\" label=\"";
    append_xml_escaped(out, std::string(e.is_release ? "release: " : "notice: ") + e.category);
    out += "\"/>\n";
    link(out, "alternate", site.base_url + e.alternate, e.alternate_type, "    ");
    if (!e.related.empty()) link(out, "related", site.base_url + e.related, "application/json", "    ");
    if (!e.describedby.empty()) link(out, "describedby", site.base_url + e.describedby, "application/json", "    ");
    for (const auto& enc : e.enclosures)
      link(out, "enclosure", site.base_url + enc.path, enc.media_type, "    ", enc.bytes);
    out += "    <summary type=\"text\">";
    append_xml_escaped(out, find_unpublishable(e.text) ? replace_unpublishable(e.text) : e.text);
    out += "</summary>\n";
    out += "  </entry>\n";
  }
  out += "</feed>\n";
  return out;
}

std::string render_json(const FeedSite& site, const std::vector<FeedEntry>& entries, const Page& p) {
  ojson j;
  j["version"] = "https://jsonfeed.org/version/1.1";
  j["title"] = p.number ? site.title + " (archive " + std::to_string(p.number) + ")" : site.title;
  j["home_page_url"] = site.base_url + site.home_path;
  j["feed_url"] = doc_url(site, p.number, FeedFormat::json);
  j["description"] = "Releases, backfills, rollbacks and notices, newest first.";
  // Older entries: the newest archive from the subscription document, the previous one from
  // an archive page.
  if (p.number == 0 && p.archives) j["next_url"] = doc_url(site, p.archives, FeedFormat::json);
  if (p.number > 1) j["next_url"] = doc_url(site, p.number - 1, FeedFormat::json);
  j["language"] = "en-GB";
  if (!site.hub_url.empty()) j["hubs"] = ojson::array({{{"type", "WebSub"}, {"url", site.hub_url}}});
  ojson items = ojson::array();
  for (std::size_t i = p.last; i-- > p.first;) {
    const FeedEntry& e = entries[i];
    ojson it;
    it["id"] = e.id;
    it["url"] = site.base_url + e.alternate;
    it["title"] = e.title;
    it["content_text"] = e.text;
    it["date_published"] = format_rfc3339(e.published);
    it["authors"] = ojson::array({{{"name", e.author}}});
    it["tags"] = ojson::array({e.is_release ? "release" : "notice", e.category});
    if (!e.enclosures.empty()) {
      ojson atts = ojson::array();
      for (const auto& enc : e.enclosures)
        atts.push_back({{"url", site.base_url + enc.path}, {"mime_type", enc.media_type}, {"size_in_bytes", enc.bytes}});
      it["attachments"] = std::move(atts);
    }
    ojson x = ojson::parse(e.extension_json, nullptr, false);
    if (x.is_object()) {
      // URLs in the extension are site-relative when built; absolute here, like every link.
      for (const char* k : {"changeset_url", "manifest_url", "report_url", "notice_url"})
        if (x.contains(k) && x[k].is_string()) x[k] = site.base_url + x[k].get<std::string>();
      it["_gazette"] = std::move(x);
    }
    items.push_back(std::move(it));
  }
  j["items"] = std::move(items);
  return j.dump(2) + "\n";
}

}  // namespace

std::string render_feed(const FeedSite& site, const std::vector<FeedEntry>& entries, std::size_t page,
                        FeedFormat format) {
  const Page p = page_of(site, entries.size(), page);
  return format == FeedFormat::atom ? render_atom(site, entries, p) : render_json(site, entries, p);
}

}  // namespace gazette::feeds
