#pragma once
// `pairsim run`: parse, build, simulate, check, report. Exit codes as DESIGN.md says.
#include <cstdint>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sim/run/program_library.hpp"
#include "sim/scenario/scenario.hpp"

namespace pairsim::sim {

class RunShape;

struct RunOptions {
  std::string scenario;
  std::optional<std::uint64_t> seed;
  std::string vcd;
  std::string trace;
  std::string perfetto;  // --perfetto FILE: the run as Chrome/Perfetto trace-event JSON
  std::string html;      // --html FILE: the run as one self-contained HTML page
  bool json = false;
  bool table = false;
  std::string pair;  // --table --pair $X
  bool table_all = false;  // --table --all: every row, none folded
  bool explain = false;    // --explain: how each failure was detected and each takeover came about
  std::string log_level = "warn";
  // Write the volumes back to their images at the end (`pairsim run`). Campaigns and sweeps leave the images as
  // they were, so that every seed and every moment starts from the same volumes.
  bool save_images = false;
};

enum ExitCode { exit_ok = 0, exit_expectation_failed = 1, exit_bad_input = 2, exit_internal = 3 };
inline constexpr int exit_run_interrupted = 130;  // Ctrl-C, as a shell reports it

int run_scenario(const RunOptions& opts);

// A run is two steps. The first reads the scenario and assembles every program it starts; the second
// elaborates the machine, simulates it with a seed and prints what `pairsim run` prints. `pairsim run` takes
// both in one process; `pairsim campaign` takes the first once and the second once per seed, each in a child
// forked from it (SystemC elaborates once per process). The same steps give the same output either way.
struct PreparedScenario {
  explicit PreparedScenario(Scenario s);
  Scenario scenario;
  ProgramLibrary programs;  // the programs the scenario starts; a guest that names another loads it in the run
};

// The scenario read and its programs assembled; on bad input, nullptr after the diagnostics
// (file:line:col: error: …) on `err`.
std::unique_ptr<PreparedScenario> prepare_scenario(const std::string& path, std::ostream& err);

// Checks the output files (--trace, --vcd, --perfetto, --html), elaborates, simulates with `opts.seed` (or the scenario's
// `seed`, or 1), prints the report or the JSON summary on standard output and returns the exit code.
// Elaborates a SystemC model: once per process. A sweep gives the run its `shape` (sim/run/run_shape.hpp).
int simulate_prepared(PreparedScenario& prepared, const RunOptions& opts, RunShape* shape = nullptr);

// Loads every program the scenario starts, as a run does before it simulates anything; returns the
// diagnostics (file:line:col: error: …) of those that are missing or do not assemble.
std::vector<std::string> preload_programs(const Scenario& scenario, ProgramLibrary& programs);

}  // namespace pairsim::sim
