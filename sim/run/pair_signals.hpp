#pragma once
// VCD signals of the process pairs a scenario names: per pair the CPU of its primary and of its backup
// (-1: none) and a checkpoint counter, as `top.pairs.NAME.primary_cpu` and so on. They follow the trace
// events, so the waveform and the trace tell the same story.
#include <map>
#include <memory>
#include <string>
#include <systemc>
#include <vector>

#include "sim/trace/trace_bus.hpp"

namespace pairsim::sim {

class PairSignals : public sc_core::sc_module, public TraceSink {
 public:
  // names: the `$NAME`s of the scenario's named processes (any of them may become a pair).
  PairSignals(sc_core::sc_module_name name, const std::vector<std::string>& names);
  void trace(sc_core::sc_trace_file* tf);
  void on_event(const TraceEvent& e) override;

 private:
  struct Signals {
    std::unique_ptr<sc_core::sc_signal<int, sc_core::SC_MANY_WRITERS>> primary, backup, checkpoints;
  };
  std::map<std::string, Signals> pairs_;
  bool traced_ = false;
};

}  // namespace pairsim::sim
