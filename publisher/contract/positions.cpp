// Method: each representation's CRS (fixed, or picked by a column's value) gets one PROJ
// transformation to WGS84 longitude/latitude, created on first use and kept; distances and
// their east/north parts come from PROJ's geodesic (Karney's algorithm), never a formula of
// our own.
#include "publisher/contract/positions.hpp"

#include <proj.h>

#include <charconv>
#include <cmath>

namespace gazette {

namespace {

bool parse_number(std::string_view v, double& out) {
  if (v.empty()) return false;
  auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
  return ec == std::errc() && end == v.data() + v.size() && std::isfinite(out);
}

std::string_view at(const std::vector<std::string_view>& r, std::size_t i) {
  return i < r.size() ? r[i] : std::string_view();
}

}  // namespace

struct PositionMeter::Impl {
  PJ_CONTEXT* ctx = nullptr;
  PJ* geod = nullptr;                    // the WGS84 ellipsoid, for geodesics
  std::map<std::string, PJ*> to_wgs84;   // by CRS name; null when PROJ does not know it

  ~Impl() {
    for (auto& [name, pj] : to_wgs84)
      if (pj) proj_destroy(pj);
    if (geod) proj_destroy(geod);
    if (ctx) proj_context_destroy(ctx);
  }

  PJ* transform(const std::string& crs) {
    auto it = to_wgs84.find(crs);
    if (it != to_wgs84.end()) return it->second;
    PJ* norm = nullptr;
    if (crs != "EPSG:4326" && crs != "OGC:CRS84") {
      PJ* p = proj_create_crs_to_crs(ctx, crs.c_str(), "EPSG:4326", nullptr);
      if (p) {
        norm = proj_normalize_for_visualization(ctx, p);  // longitude first, as we store it
        proj_destroy(p);
      }
    }
    to_wgs84.emplace(crs, norm);
    return norm;
  }
};

PositionMeter::PositionMeter(const std::optional<PositionTolerance>& position) : position_(position), impl_(new Impl) {
  impl_->ctx = proj_context_create();
  proj_log_level(impl_->ctx, PJ_LOG_NONE);
  impl_->geod = proj_create(impl_->ctx, "+proj=longlat +ellps=WGS84 +no_defs");
}

PositionMeter::~PositionMeter() = default;

std::optional<GeoPoint> PositionMeter::point(std::size_t rep, const std::vector<std::string_view>& fields) {
  if (rep >= representations()) return std::nullopt;
  const PositionRepresentation& r = position_->representations[rep];
  double x, y;
  if (!parse_number(at(fields, r.x), x) || !parse_number(at(fields, r.y), y)) return std::nullopt;
  const std::string* crs = &r.crs;
  if (r.crs_column != static_cast<std::size_t>(-1)) {
    auto it = r.crs_by_value.find(std::string(at(fields, r.crs_column)));
    if (it != r.crs_by_value.end()) crs = &it->second;
  }
  if (*crs == "EPSG:4326" || *crs == "OGC:CRS84") {
    if (std::fabs(x) > 180 || std::fabs(y) > 90) return std::nullopt;
    return GeoPoint{x, y};
  }
  PJ* pj = impl_->transform(*crs);
  if (pj == nullptr) return std::nullopt;
  PJ_COORD c = proj_trans(pj, PJ_FWD, proj_coord(x, y, 0, 0));
  if (!std::isfinite(c.lpzt.lam) || !std::isfinite(c.lpzt.phi) || c.lpzt.lam == HUGE_VAL) return std::nullopt;
  return GeoPoint{c.lpzt.lam, c.lpzt.phi};
}

Displacement PositionMeter::between(const GeoPoint& a, const GeoPoint& b) {
  if (a.lon == b.lon && a.lat == b.lat) return {};
  PJ_COORD pa = proj_coord(proj_torad(a.lon), proj_torad(a.lat), 0, 0);
  PJ_COORD pb = proj_coord(proj_torad(b.lon), proj_torad(b.lat), 0, 0);
  PJ_COORD g = proj_geod(impl_->geod, pa, pb);
  const double s = g.geod.s, azimuth = proj_torad(g.geod.a1);
  if (!std::isfinite(s)) return {NAN, NAN, NAN};
  return {s, s * std::sin(azimuth), s * std::cos(azimuth)};
}

double PositionMeter::disagreement_m(const std::vector<std::string_view>& fields) {
  std::vector<GeoPoint> points;
  for (std::size_t i = 0; i < representations(); ++i)
    if (auto p = point(i, fields)) points.push_back(*p);
  double worst = 0;
  for (std::size_t i = 0; i < points.size(); ++i)
    for (std::size_t j = i + 1; j < points.size(); ++j) worst = std::max(worst, between(points[i], points[j]).metres);
  return worst;
}

double PositionMeter::moved_m(const std::vector<std::string_view>& older, const std::vector<std::string_view>& newer) {
  double worst = NAN;
  for (std::size_t i = 0; i < representations(); ++i) {
    // The same text is the same place: no transform needed (most versions of most keys).
    const PositionRepresentation& r = position_->representations[i];
    if (at(older, r.x) == at(newer, r.x) && at(older, r.y) == at(newer, r.y) &&
        (r.crs_column == static_cast<std::size_t>(-1) || at(older, r.crs_column) == at(newer, r.crs_column))) {
      double x, y;
      if (parse_number(at(older, r.x), x) && parse_number(at(older, r.y), y) && std::isnan(worst)) worst = 0;
      continue;
    }
    auto a = point(i, older), b = point(i, newer);
    if (!a || !b) continue;
    double d = between(*a, *b).metres;
    if (std::isnan(worst) || d > worst) worst = d;
  }
  return worst;
}

}  // namespace gazette
