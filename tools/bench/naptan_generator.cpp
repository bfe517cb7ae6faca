#include "tools/bench/naptan_generator.hpp"

#include <algorithm>
#include <cstdio>
#include <fstream>

#include <proj.h>

namespace gazette::bench {

namespace {

struct SplitMix64 {
  std::uint64_t s;
  std::uint64_t next() {
    std::uint64_t z = (s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  std::uint64_t below(std::uint64_t n) { return next() % n; }
  bool chance(double p) { return (next() >> 11) * (1.0 / 9007199254740992.0) < p; }
};

const char* const kNames[] = {"Church", "High Street", "Station Road", "Post Office", "School",
                              "Village Hall", "The Green", "Market Place", "Park Road",
                              "Mill Lane", "Crown Inn", "Manor Farm", "Hospital", "Bridge",
                              "Red Lion", "War Memorial", "Library", "Shops", "Cemetery",
                              "Leisure Centre"};
const char* const kStreets[] = {"Main Street", "High Street", "London Road", "Station Road",
                                "Church Lane", "Mill Road", "Bedford Road", "Oakham Road",
                                "Queen Street", "King Street", "Victoria Road", "New Road"};
const char* const kIndicators[] = {"opp", "adj", "o/s", "nr", "Stop A", "Stop B", "N-bound",
                                   "S-bound", "E-bound", "W-bound"};
const char* const kBearings[] = {"N", "NE", "E", "SE", "S", "SW", "W", "NW"};
const char* const kLocalities[] = {"Oakham", "Uppingham", "Brighton", "Hove", "Dunstable",
                                   "Leighton Buzzard", "Slough", "Alloa", "Tillicoultry",
                                   "Kirkintilloch", "Bishopbriggs", "Biggleswade", "Ketton",
                                   "Portslade", "Whissendine", "Langham"};

std::string two(unsigned v) {
  char b[4];
  std::snprintf(b, sizeof b, "%02u", v % 100);
  return b;
}

std::string naptan_code(std::uint64_t i) {
  std::string s = "abc";
  for (int k = 0; k < 5; ++k) {
    s.push_back(static_cast<char>('a' + i % 26));
    i /= 26;
  }
  return s;
}


}  // namespace

std::string fixed6(double v) {
  char b[32];
  std::snprintf(b, sizeof b, "%.6f", v);
  return b;
}

void set_longitude_latitude(StopRow& r) {
  // The real transform (PROJ, OSGB36 national grid to WGS84), as DfT derives NaPTAN's
  // Longitude/Latitude: the gate checks that the two representations agree.
  struct Transform {
    PJ_CONTEXT* ctx = proj_context_create();
    PJ* pj = nullptr;
    Transform() {
      PJ* p = proj_create_crs_to_crs(ctx, "EPSG:27700", "EPSG:4326", nullptr);
      pj = proj_normalize_for_visualization(ctx, p);
      proj_destroy(p);
    }
    ~Transform() {
      proj_destroy(pj);
      proj_context_destroy(ctx);
    }
  };
  thread_local Transform t;
  PJ_COORD c = proj_trans(t.pj, PJ_FWD, proj_coord(std::stod(r[27]), std::stod(r[28]), 0, 0));
  r[29] = fixed6(c.lpzt.lam);
  r[30] = fixed6(c.lpzt.phi);
}

namespace {

StopRow make_stop(std::uint64_t i, SplitMix64& rng) {
  StopRow r(43);
  const unsigned area = 10 + static_cast<unsigned>(i % 150) * 4;  // 010 .. 606
  char atco[24];
  std::snprintf(atco, sizeof atco, "%03u0%08llu", area, static_cast<unsigned long long>(i));
  const std::uint64_t locality = rng.below(16);
  const long easting = 150000 + static_cast<long>(rng.below(500000));
  const long northing = 20000 + static_cast<long>(rng.below(900000));
  r[0] = atco;
  r[1] = naptan_code(i);
  r[4] = kNames[rng.below(20)];
  if (rng.chance(0.02)) r[6] = r[4];
  r[8] = kNames[rng.below(20)];
  r[10] = kStreets[rng.below(12)];
  r[14] = kIndicators[rng.below(10)];
  r[16] = kBearings[rng.below(8)];
  char nptg[16];
  std::snprintf(nptg, sizeof nptg, "E00%05llu", static_cast<unsigned long long>(area * 100 + locality));
  r[17] = nptg;
  r[18] = kLocalities[locality];
  if (rng.chance(0.1)) r[19] = kLocalities[(locality + 1) % 16];
  r[25] = rng.chance(0.1) ? "1" : "0";
  r[26] = "UKOS";
  r[27] = std::to_string(easting);
  r[28] = std::to_string(northing);
  set_longitude_latitude(r);
  const bool bay = rng.chance(0.01);
  r[31] = bay ? "BCS" : "BCT";
  r[32] = bay ? "" : (rng.chance(0.8) ? "MKD" : "CUS");
  r[33] = rng.chance(0.9) ? "OTH" : "TIP";
  r[37] = std::to_string(area);
  while (r[37].size() < 3) r[37] = "0" + r[37];
  const unsigned year = 2004 + static_cast<unsigned>(rng.below(18));
  r[38] = std::to_string(year) + "-" + two(1 + static_cast<unsigned>(rng.below(12))) + "-" +
          two(1 + static_cast<unsigned>(rng.below(28))) + "T00:00:00.000";
  r[39] = std::to_string(year + 1 + rng.below(4)) + "-" + two(1 + static_cast<unsigned>(rng.below(12))) +
          "-" + two(1 + static_cast<unsigned>(rng.below(28))) + "T" +
          two(static_cast<unsigned>(rng.below(24))) + ":" + two(static_cast<unsigned>(rng.below(60))) +
          ":" + two(static_cast<unsigned>(rng.below(60))) + ".000";
  r[40] = std::to_string(1 + rng.below(12));
  r[41] = "revise";
  r[42] = rng.chance(0.05) ? "inactive" : "active";
  return r;
}

std::string iso_day(std::int64_t days) {
  // Days since 1970-01-01 to YYYY-MM-DD (Howard Hinnant's civil_from_days).
  days += 719468;
  const std::int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(days - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  const std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2);
  char b[32];
  std::snprintf(b, sizeof b, "%04lld-%02u-%02u", static_cast<long long>(y), m, d);
  return b;
}

void append_csv_row(std::string& out, const StopRow& row) {
  for (std::size_t i = 0; i < row.size(); ++i) {
    if (i) out.push_back(',');
    const std::string& v = row[i];
    if (v.find_first_of(",\"\r\n") == std::string::npos) {
      out += v;
    } else {
      out.push_back('"');
      for (char c : v) {
        if (c == '"') out.push_back('"');
        out.push_back(c);
      }
      out.push_back('"');
    }
  }
  out.push_back('\n');
}

}  // namespace

const std::vector<std::string>& naptan_columns() {
  static const std::vector<std::string> kColumns = {
      "ATCOCode", "NaptanCode", "PlateCode", "CleardownCode", "CommonName", "CommonNameLang",
      "ShortCommonName", "ShortCommonNameLang", "Landmark", "LandmarkLang", "Street",
      "StreetLang", "Crossing", "CrossingLang", "Indicator", "IndicatorLang", "Bearing",
      "NptgLocalityCode", "LocalityName", "ParentLocalityName", "GrandParentLocalityName",
      "Town", "TownLang", "Suburb", "SuburbLang", "LocalityCentre", "GridType", "Easting",
      "Northing", "Longitude", "Latitude", "StopType", "BusStopType", "TimingStatus",
      "DefaultWaitTime", "Notes", "NotesLang", "AdministrativeAreaCode", "CreationDateTime",
      "ModificationDateTime", "RevisionNumber", "Modification", "Status"};
  return kColumns;
}

std::vector<StopRow> generate_stops(std::uint64_t count, std::uint64_t seed) {
  SplitMix64 rng{seed};
  std::vector<StopRow> rows;
  rows.reserve(count);
  for (std::uint64_t i = 0; i < count; ++i) rows.push_back(make_stop(i, rng));
  std::sort(rows.begin(), rows.end(), [](const StopRow& a, const StopRow& b) { return a[0] < b[0]; });
  return rows;
}

std::vector<StopRow> weekly_edit(const std::vector<StopRow>& rows, std::uint64_t seed,
                                 const WeeklyEdit& edit) {
  SplitMix64 rng{seed ^ 0x5EEDull};
  std::vector<StopRow> out;
  out.reserve(rows.size() + static_cast<std::size_t>(rows.size() * edit.added_share) + 1);
  for (const auto& row : rows) {
    StopRow r = row;
    if (r[42] == "active" && rng.chance(edit.retired_share)) {
      r[42] = "inactive";
    } else if (rng.chance(edit.modified_share)) {
      if (rng.chance(0.5)) {
        r[8] = kNames[rng.below(20)];
      } else {  // a small move, a few metres in any direction, both representations
        r[27] = std::to_string(std::stol(r[27]) - 8 + static_cast<long>(rng.below(17)));
        r[28] = std::to_string(std::stol(r[28]) - 8 + static_cast<long>(rng.below(17)));
        set_longitude_latitude(r);
      }
    } else {
      out.push_back(std::move(r));
      continue;
    }
    r[40] = std::to_string(std::stol(r[40]) + 1);
    // Edits of later weeks (larger seeds) carry later modification times, as real ones do.
    const std::int64_t day = 20454 + static_cast<std::int64_t>(seed % 3000);  // from 2026-01-01
    r[39] = iso_day(day) + "T09:00:00.000";
    out.push_back(std::move(r));
  }
  const auto added = static_cast<std::uint64_t>(rows.size() * edit.added_share);
  for (std::uint64_t k = 0; k < added; ++k) {
    StopRow r = make_stop(rows.size() + 1000000 + k, rng);
    r[41] = "new";
    r[42] = "active";
    out.push_back(std::move(r));
  }
  std::sort(out.begin(), out.end(), [](const StopRow& a, const StopRow& b) { return a[0] < b[0]; });
  return out;
}

std::string to_csv(const std::vector<StopRow>& rows) {
  std::string out;
  append_csv_row(out, naptan_columns());
  for (const auto& r : rows) append_csv_row(out, r);
  return out;
}

bool write_csv(const std::vector<StopRow>& rows, const std::string& path) {
  std::ofstream f(path, std::ios::binary);
  std::string buf;
  append_csv_row(buf, naptan_columns());
  for (const auto& r : rows) {
    append_csv_row(buf, r);
    if (buf.size() > (1u << 20)) {
      f.write(buf.data(), static_cast<std::streamsize>(buf.size()));
      buf.clear();
    }
  }
  f.write(buf.data(), static_cast<std::streamsize>(buf.size()));
  return static_cast<bool>(f);
}

}  // namespace gazette::bench
