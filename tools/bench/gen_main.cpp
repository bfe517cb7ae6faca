// gazette-gen: writes NaPTAN-shaped CSV files for benchmarks and by-hand experiments.
//   gazette-gen OUT.csv [COUNT] [SEED]            a dataset (default: national scale)
//   gazette-gen --weekly OUT.csv [COUNT] [SEED] [WEEKS]
//                                                the same dataset after WEEKS routine weeks (1)
#include <cstdio>
#include <cstdlib>
#include <string>

#include "tools/bench/naptan_generator.hpp"

int main(int argc, char** argv) {
  using namespace gazette::bench;
  int i = 1;
  bool weekly = argc > 1 && std::string(argv[1]) == "--weekly";
  if (weekly) ++i;
  if (i >= argc) {
    std::fprintf(stderr, "usage: gazette-gen [--weekly] OUT.csv [COUNT] [SEED]\n");
    return 2;
  }
  std::string out = argv[i];
  std::uint64_t count = i + 1 < argc ? std::strtoull(argv[i + 1], nullptr, 10) : kNationalStopCount;
  std::uint64_t seed = i + 2 < argc ? std::strtoull(argv[i + 2], nullptr, 10) : 2026;
  std::uint64_t weeks = weekly && i + 3 < argc ? std::strtoull(argv[i + 3], nullptr, 10) : 1;
  auto rows = generate_stops(count, seed);
  // Week w's edit uses seed + w, so later weeks carry later modification times.
  if (weekly)
    for (std::uint64_t w = 1; w <= weeks; ++w) rows = weekly_edit(rows, seed + w);
  if (!write_csv(rows, out)) {
    std::fprintf(stderr, "gazette-gen: cannot write %s\n", out.c_str());
    return 1;
  }
  std::fprintf(stderr, "wrote %zu records to %s\n", rows.size(), out.c_str());
  return 0;
}
