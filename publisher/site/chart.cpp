// Method: one bar per release in publication order (evenly spaced, so that a week of quiet
// releases is as readable as a busy one), its height on a log scale of the records it changed
// (a national backfill and a routine week differ by four orders of magnitude), stacked by kind
// in proportion to the counts. Backfills and rollbacks are marked above their bar; notices are
// diamonds under the axis at the release they came with, or between releases by time when
// published alone. Every mark has a <title>, which browsers show on hover without script.
#include <cmath>
#include <cstdio>

#include "publisher/site/catalog.hpp"
#include "publisher/site/html.hpp"
#include "publisher/site/html_page.hpp"
#include "publisher/urls/urls.hpp"

namespace gazette::site {

namespace {

constexpr double kWidth = 760, kHeight = 260;
constexpr double kLeft = 56, kRight = 12, kTop = 24, kBottom = 58;

struct Kind {
  const char* name;
  const char* colour;
  std::uint64_t ChangeSummary::*count;
};
constexpr Kind kKinds[] = {{"added", "#1e8e3e", &ChangeSummary::added},
                           {"modified", "#1a73e8", &ChangeSummary::modified},
                           {"retired", "#e37400", &ChangeSummary::retired},
                           {"removed", "#c5221f", &ChangeSummary::removed}};

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

std::string rect(double x, double y, double w, double h, const char* fill, const std::string& extra = {}) {
  return "<rect x=\"" + num(x) + "\" y=\"" + num(y) + "\" width=\"" + num(w) + "\" height=\"" + num(h) +
         "\" fill=\"" + fill + "\"" + extra + "/>";
}

std::string text(double x, double y, const std::string& s, const char* anchor = "middle", const char* extra = "") {
  return "<text x=\"" + num(x) + "\" y=\"" + num(y) + "\" text-anchor=\"" + anchor + "\" font-size=\"11\"" + extra +
         ">" + html::esc(s) + "</text>";
}

}  // namespace

std::string render_changes_chart_svg(const ServedDataset& d) {
  const auto& rels = d.releases;
  const double plot_w = kWidth - kLeft - kRight, plot_h = kHeight - kTop - kBottom;
  const double base_y = kTop + plot_h;
  std::uint64_t most = 1;
  for (const auto& r : rels)
    if (r.changes) most = std::max<std::uint64_t>(most, r.changes->total());
  const double log_most = std::log10(1.0 + static_cast<double>(most));
  auto height_of = [&](std::uint64_t n) { return n == 0 ? 0.0 : plot_h * std::log10(1.0 + n) / log_most; };
  const double slot = rels.empty() ? plot_w : plot_w / static_cast<double>(rels.size());
  const double bar_w = std::max(2.0, std::min(28.0, slot * 0.7));
  auto centre = [&](std::size_t i) { return kLeft + slot * (static_cast<double>(i) + 0.5); };

  std::string s = "<svg id=\"changes-chart\" xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" "
                  "aria-labelledby=\"changes-chart-title\" viewBox=\"0 0 " + num(kWidth) + " " + num(kHeight) +
                  "\" width=\"" + num(kWidth) + "\" height=\"" + num(kHeight) + "\" font-family=\"system-ui,sans-serif\">";
  s += "<title id=\"changes-chart-title\">Records changed per release of " + html::esc(d.info.title) +
       ", by kind (log scale); backfills and notices marked</title>";
  // The axis: powers of ten up to the busiest release.
  for (std::uint64_t tick = 1; tick <= most; tick *= 10) {
    const double y = base_y - height_of(tick);
    s += "<line x1=\"" + num(kLeft) + "\" x2=\"" + num(kWidth - kRight) + "\" y1=\"" + num(y) + "\" y2=\"" + num(y) +
         "\" stroke=\"#e3e3e3\"/>";
    s += text(kLeft - 6, y + 4, html::count(tick), "end");
    if (tick > most / 10) break;
  }
  s += "<line x1=\"" + num(kLeft) + "\" x2=\"" + num(kWidth - kRight) + "\" y1=\"" + num(base_y) + "\" y2=\"" +
       num(base_y) + "\" stroke=\"#555\"/>";
  for (std::size_t i = 0; i < rels.size(); ++i) {
    const ServedRelease& r = rels[i];
    const double x = centre(i) - bar_w / 2;
    std::string tip = r.release.id + " (" + to_string(r.release.kind) + ")";
    if (r.changes) {
      for (const auto& k : kKinds) tip += ", " + std::to_string((*r.changes).*k.count) + " " + k.name;
    } else {
      tip += ": changes not recorded";
    }
    s += "<a href=\"" + html::esc(urls::release(d.info.id, r.release.id)) + "\"><g class=\"bar\" data-release=\"" +
         html::esc(r.release.id) + "\"><title>" + html::esc(tip) + "</title>";
    // An invisible full-height target, so that a release with few changes is easy to point at.
    s += rect(x, kTop, bar_w, plot_h, "transparent");
    if (r.changes && r.changes->total() > 0) {
      const double total_h = height_of(r.changes->total());
      double y = base_y;
      for (const auto& k : kKinds) {
        const std::uint64_t n = (*r.changes).*k.count;
        if (n == 0) continue;
        const double h = total_h * static_cast<double>(n) / static_cast<double>(r.changes->total());
        y -= h;
        s += rect(x, y, bar_w, h, k.colour, " class=\"kind-" + std::string(k.name) + "\"");
      }
      if (r.release.kind != ReleaseKind::routine) {
        const char* mark = r.release.kind == ReleaseKind::backfill ? "B" : "R";
        s += "<g class=\"mark-" + std::string(to_string(r.release.kind)) + "\">" +
             rect(x - 1, base_y - total_h - 1, bar_w + 2, total_h + 1, "none", " stroke=\"#202124\" stroke-width=\"1.5\"") +
             text(centre(i), base_y - total_h - 5, mark, "middle", " font-weight=\"700\"") + "</g>";
      }
    } else if (r.release.kind != ReleaseKind::routine) {
      s += "<g class=\"mark-" + std::string(to_string(r.release.kind)) + "\">" +
           text(centre(i), base_y - 5, r.release.kind == ReleaseKind::backfill ? "B" : "R", "middle",
                " font-weight=\"700\"") + "</g>";
    }
    s += "</g></a>";
  }
  // Notices under the axis.
  for (const auto& sn : d.notices) {
    const Notice& n = sn.notice;
    double x = kLeft + plot_w / 2;
    if (!n.release.empty()) {
      for (std::size_t i = 0; i < rels.size(); ++i)
        if (rels[i].release.id == n.release) x = centre(i);
    } else if (!rels.empty()) {
      // Between the releases around its publication.
      std::size_t after = 0;
      while (after < rels.size() && rels[after].release.published_at <= n.published_at) ++after;
      x = after == 0 ? kLeft + 4 : after == rels.size() ? kWidth - kRight - 4 : (centre(after - 1) + centre(after)) / 2;
    }
    const double y = base_y + 10;
    s += "<a href=\"" + html::esc(urls::notice(d.info.id, n.id)) + "\"><g class=\"notice-mark\"><title>" +
         html::esc("notice " + n.id + " (" + to_string(n.kind) + "): " + n.title) + "</title><path d=\"M" + num(x) +
         " " + num(y - 5) + " l5 5 l-5 5 l-5 -5 z\" fill=\"#d18b00\"/></g></a>";
  }
  if (!rels.empty()) {
    s += text(centre(0), base_y + 30, rels.front().release.id, rels.size() == 1 ? "middle" : "start");
    if (rels.size() > 1) s += text(centre(rels.size() - 1), base_y + 30, rels.back().release.id, "end");
  }
  // The legend.
  double lx = kLeft;
  const double ly = kHeight - 12;
  for (const auto& k : kKinds) {
    s += rect(lx, ly - 9, 10, 10, k.colour) + text(lx + 14, ly, k.name, "start");
    lx += 82;
  }
  s += text(lx, ly, "B backfill, R rollback", "start") +
       "<path d=\"M" + num(lx + 150) + " " + num(ly - 9) + " l5 5 l-5 5 l-5 -5 z\" fill=\"#d18b00\"/>" +
       text(lx + 160, ly, "notice", "start");
  s += "</svg>";
  return s;
}

}  // namespace gazette::site
