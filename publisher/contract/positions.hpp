// Positions for the gate: every representation of a record's position (grid eastings and
// northings, longitude and latitude) brought to one frame with PROJ, so that movement and
// disagreement are measured in metres on the ellipsoid, whatever the column set.
//
// Used by the gate, and by the GeoJSON renderer for records without geographic columns.
// Thread-safety: a PositionMeter owns a PROJ context and is used by one
// thread.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "publisher/model/contract.hpp"

namespace gazette {

// A point as WGS84 longitude and latitude, in degrees.
struct GeoPoint {
  double lon = 0, lat = 0;
};

// Displacement between two points: distance on the ellipsoid, and its east and north parts.
struct Displacement {
  double metres = 0, east_m = 0, north_m = 0;
};

class PositionMeter {
 public:
  // `position` (the contract's, absent when it declares none) is borrowed and must outlive
  // the meter. Without one there is no representation to measure.
  explicit PositionMeter(const std::optional<PositionTolerance>& position);
  PositionMeter(std::optional<PositionTolerance>&&) = delete;  // would dangle
  ~PositionMeter();
  PositionMeter(const PositionMeter&) = delete;
  PositionMeter& operator=(const PositionMeter&) = delete;

  // Representation `rep` of record `fields` as WGS84, or nothing when a value is absent, not a
  // number, or its CRS unknown to PROJ.
  std::optional<GeoPoint> point(std::size_t rep, const std::vector<std::string_view>& fields);
  // The geodesic displacement from `a` to `b` (PROJ's geodesic on the WGS84 ellipsoid).
  Displacement between(const GeoPoint& a, const GeoPoint& b);
  // The largest distance between two representations of one record (0 with fewer than two).
  double disagreement_m(const std::vector<std::string_view>& fields);
  // The largest movement of any representation from `older` to `newer` (NaN when no
  // representation can be compared).
  double moved_m(const std::vector<std::string_view>& older, const std::vector<std::string_view>& newer);
  std::size_t representations() const { return position_ ? position_->representations.size() : 0; }

 private:
  struct Impl;
  const std::optional<PositionTolerance>& position_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace gazette
