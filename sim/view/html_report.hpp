#pragma once
// A run as one self-contained HTML page (no network, no other files): the machine, a timeline, the
// expectations, Table 8-1 for each pair and the summary. docs/inspect.md describes it.
#include <string>
#include <vector>

#include "sim/report/report.hpp"
#include "sim/trace/trace_event.hpp"

namespace pairsim::sim {

// `events` are all of the run's events (as a full trace holds them), in the order emitted.
std::string html_report(const RunOutcome& outcome, const std::vector<TraceEvent>& events);

}  // namespace pairsim::sim
