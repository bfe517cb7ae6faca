// A deterministic generator of NaPTAN-shaped stop records, at any scale up to the national
// one (435,029 records, ~94 MB of CSV), and of a weekly-style edit of them. Used by
// tools/bench and by tests that need volume. Every value satisfies the NaPTAN contract.
//
// The same (count, seed) always gives the same bytes, on any machine: the generator uses its
// own PRNG (splitmix64) rather than std distributions, whose output is implementation-defined.
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace gazette::bench {

inline constexpr std::uint64_t kNationalStopCount = 435029;

// One generated record: the 43 NaPTAN columns in contract order.
using StopRow = std::vector<std::string>;

// The NaPTAN CSV header row (43 columns).
const std::vector<std::string>& naptan_columns();

// A decimal with six places, as NaPTAN writes degrees.
std::string fixed6(double v);
// Sets Longitude/Latitude (columns 29, 30) from Easting/Northing (27, 28) with PROJ.
void set_longitude_latitude(StopRow& row);

// `count` stops, sorted by ATCOCode.
std::vector<StopRow> generate_stops(std::uint64_t count, std::uint64_t seed);

struct WeeklyEdit {
  double modified_share = 0.005;  // descriptive edits and small moves
  double added_share = 0.001;     // new stops
  double retired_share = 0.0005;  // Status -> inactive
};

// A copy of `rows` after one week of routine maintenance (deterministic in `seed`).
std::vector<StopRow> weekly_edit(const std::vector<StopRow>& rows, std::uint64_t seed,
                                 const WeeklyEdit& edit = {});

// The rows as a NaPTAN CSV file (header, LF line ends as DfT serves them).
std::string to_csv(const std::vector<StopRow>& rows);
// Writes the CSV to `path` without building it whole in memory.
bool write_csv(const std::vector<StopRow>& rows, const std::string& path);

}  // namespace gazette::bench
