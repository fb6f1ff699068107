#pragma once
// `pairsim run`: parse, build, simulate, check, report. Exit codes as DESIGN.md says.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace pairsim::sim {

class ProgramLibrary;
struct Scenario;

struct RunOptions {
  std::string scenario;
  std::optional<std::uint64_t> seed;
  std::string vcd;
  std::string trace;
  bool json = false;
  bool table = false;
  std::string pair;  // --table --pair $X
  std::string log_level = "warn";
};

enum ExitCode { exit_ok = 0, exit_expectation_failed = 1, exit_bad_input = 2, exit_internal = 3 };

int run_scenario(const RunOptions& opts);

// Loads every program the scenario starts, as a run does before it simulates anything; returns the
// diagnostics (file:line:col: error: …) of those that are missing or do not assemble. `pairsim campaign`
// checks its scenario with it once, before it starts any run.
std::vector<std::string> preload_programs(const Scenario& scenario, ProgramLibrary& programs);

}  // namespace pairsim::sim
