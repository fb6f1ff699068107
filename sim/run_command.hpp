#pragma once
// `pairsim run`: parse, build, simulate, check, report. Exit codes as DESIGN.md says.
#include <cstdint>
#include <optional>
#include <string>

namespace pairsim::sim {

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

}  // namespace pairsim::sim
