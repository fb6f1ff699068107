#pragma once
// A run as Chrome trace-event JSON, the format ui.perfetto.dev and chrome://tracing load: a track per CPU and
// per process, spans, instants and flow arrows, simulated time as the timestamp. docs/inspect.md describes it.
#include <string>
#include <vector>

#include "sim/trace/trace_event.hpp"

namespace pairsim::sim {

// The whole file for the events of one run (as a full trace, `run --trace`, holds them), in the order emitted.
std::string perfetto_json(const std::vector<TraceEvent>& events);

}  // namespace pairsim::sim
