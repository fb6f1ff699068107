#pragma once
// "Life of a process pair" (Lehey, Table 8-1) rebuilt from a real run's trace: one row per step, one column
// per process of the pair, with simulated times and CPUs.
#include <string>
#include <vector>

#include "sim/trace/trace_bus.hpp"

namespace pairsim::sim {

// Keeps, during a run, the events a pair table is made of (so `run --table` needs no trace file).
class PairStepLog : public TraceSink {
 public:
  void on_event(const TraceEvent& e) override;
  const std::vector<TraceEvent>& events() const { return events_; }

 private:
  std::vector<TraceEvent> events_;
};

// Tables for every pair in the trace, or only `pair` when it is not empty. `error` is set when `pair` never
// appears (or the trace has no pair at all).
// Every row when `all`; otherwise a steady state's repeated rows are folded into one line that counts them.
std::string pair_tables(const std::vector<TraceEvent>& events, const std::string& pair, std::string& error,
                        bool all = false);

}  // namespace pairsim::sim
