#pragma once
// Checks a scenario's expectations against what the run recorded. Kernel-free: unit tests feed a RunRecord
// with events and check the verdicts.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "sim/report/run_record.hpp"
#include "sim/report/volume_facts.hpp"
#include "sim/scenario/scenario.hpp"

namespace pairsim::sim {

struct ExpectationResult {
  int line;
  std::string text;
  bool ok;
  std::string detail;  // why, in words: what was seen
};

// samples: the CPU states taken at `expect … at T` (index into s.expectations → state word). volumes: what the
// scenario's volumes hold at the end (the run gathers it; empty for a scenario without volumes).
std::vector<ExpectationResult> check_expectations(const Scenario& s, const RunRecord& r,
                                                  const std::map<std::size_t, std::string>& samples,
                                                  const std::vector<VolumeFacts>& volumes = {});

std::string format_seconds(std::uint64_t t_ns);  // "1.500000 s": to the microsecond, as every report time
// A setting as the scenario gives it, exact and without trailing zeros: "1 s", "0.1 s", "0.000025 s".
std::string format_setting_seconds(std::uint64_t t_ns);

}  // namespace pairsim::sim
