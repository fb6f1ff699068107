#pragma once
// The two views of a finished run: the readable report (stdout by default) and the JSON summary (--json).
#include <cstdint>
#include <string>
#include <vector>

#include "sim/report/expectations.hpp"
#include "sim/report/protocol_warnings.hpp"
#include "sim/report/run_record.hpp"
#include "sim/report/volume_facts.hpp"
#include "sim/scenario/scenario.hpp"

namespace pairsim::sim {

struct RunOutcome {
  const Scenario* scenario = nullptr;
  std::uint64_t seed = 0;
  std::uint64_t sim_time_ns = 0;
  double host_seconds = 0;
  std::uint64_t guest_instructions = 0;
  const RunRecord* record = nullptr;
  std::vector<ExpectationResult> results;
  std::vector<std::string> problems;  // actions that could not be carried out
  std::vector<VolumeFacts> volumes;   // the scenario's volumes at the end (none: no volumes section)
  std::vector<ProtocolWarning> warnings;  // mistakes of the pairs' programs (protocol_warnings.hpp)
  bool stopped_early = false;
  bool interrupted = false;  // ended by Ctrl-C (SIGINT) before its planned end

  int passed() const;
  int failed() const;
};

std::string text_report(const RunOutcome& o);
// The report's invariants section: "invariants: all held (…)" or each violation on a line of its own.
std::string invariants_text(const std::vector<InvariantViolation>& violations);
std::string json_summary(const RunOutcome& o);
// The report's volumes section ("" without volumes): each volume's drives, mirrors and controllers at the end.
std::string volumes_text(const std::vector<VolumeFacts>& volumes);

}  // namespace pairsim::sim
