#pragma once
// `pairsim sweep` and `pairsim explore` (docs/campaigns.md, "Sweeps: one fault at many moments"): one fault
// of a scenario moved over a window of time, one run per moment. One process simulates the beginning the
// runs share, once, and forks each moment's run from it at that moment; `--separate` runs each moment as a
// process of its own instead, from the start, and `--moment K` runs one. The shared run and a moment's run on
// its own are sim/campaign/sweep_prefix.hpp; the plain parts are sim/campaign/sweep.hpp.
#include <cstdint>
#include <optional>
#include <string>

#include "sim/run/run_command.hpp"

namespace pairsim::sim {

struct SweepOptions {
  bool explore = false;  // `pairsim explore`: the moments are found, not counted
  std::string scenario;
  int line = 0;                         // 0: the scenario's only `at random` statement
  std::optional<std::uint64_t> seed;    // none: the scenario's `seed`, or 1
  std::string moments;                  // a sweep's --moments, as written (checked against the window)
  std::uint64_t max_moments = 100000;   // an exploration stops there
  unsigned jobs = 0;                    // runs at a time; 0: one per core
  std::string out_dir;                  // "": sweep-NAME or explore-NAME, NAME the scenario's file name without .scn
  double timeout_seconds = 300;         // host seconds one moment's run may take (verdict timeout)
  std::string program = "pairsim";      // how the user called pairsim, for the replay commands shown
  bool separate = false;                // each moment a process of its own, run from the start
  std::optional<std::uint64_t> moment;  // --moment K: that moment's run alone, reported as `pairsim run` does
  RunOptions run;                       // with --moment: --json, --trace, --vcd, --table, --pair, --log-level
};

// Exit code: 0 every moment held, 1 some moment failed, timed out or crashed, 2 bad input, 130 interrupted.
// With --moment, as `pairsim run`.
int run_sweep(const SweepOptions& opts);

}  // namespace pairsim::sim
