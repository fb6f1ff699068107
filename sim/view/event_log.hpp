#pragma once
// Every event of a run, kept in memory for the views written at its end (Perfetto file, HTML report).
#include <vector>

#include "sim/trace/trace_bus.hpp"

namespace pairsim::sim {

class EventLog : public TraceSink {
 public:
  void on_event(const TraceEvent& e) override { events_.push_back(e); }
  const std::vector<TraceEvent>& events() const { return events_; }

 private:
  std::vector<TraceEvent> events_;
};

// Reads a trace written by `run --trace` (JSON lines). On a file that cannot be read or a line that is not an
// event: false, with `error` in the form FILE[:LINE:COL]: error: … (without a newline).
bool read_trace_file(const std::string& path, std::vector<TraceEvent>& events, std::string& error);

}  // namespace pairsim::sim
