#pragma once
// The waveform's process pairs and named processes, worked out from the trace events. A name that had a backup
// at some time is a pair, under top.pairs.NAME: the CPU of its primary and of its backup (-1: none), its state
// (who holds the roles: ok, no backup, taking over, lost, stopped), the checkpoints its primaries sent, and a
// pulse at each takeover. A named process that never had a backup is not a pair: it is under
// top.processes.NAME, with its CPU and its state. The halves follow the rules of the run's summary
// (docs/trace-format.md, "Pairs at the end of the run"), applied at every event instead of at the end: a half
// goes with its CPU when that CPU goes down or halts, and only backup_created and takeover give one.
//
// Events come nearly, not exactly, in time order (a CPU runs up to a quantum ahead), and the rules depend on
// their order; so the few events that matter are kept, small, and played in time order at the end, when it is
// known too which names became pairs.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "sim/trace/trace_bus.hpp"
#include "sim/trace/vcd_writer.hpp"

namespace pairsim::sim {

class PairSignals : public TraceSink {
 public:
  explicit PairSignals(int cpus);
  void on_event(const TraceEvent& e) override;
  bool takes_detail() const override { return false; }  // it reads no detail event
  // Declares the signals and writes their changes, in time order, up to end_ns (the run's end).
  void write(VcdWriter& vcd, std::uint64_t end_ns) const;

 private:
  enum class Kind : std::uint8_t {
    cpu_up,
    cpu_down,  // or halted: its halves go
    cpu_reloading,
    start,
    stop,
    abend,
    backup,
    takeover,
    switch_takeover,  // a takeover after a checkswitch: the old primary stays, as the backup
    lost,
    checkpoint,
  };
  struct Step {
    std::uint64_t t_ns;
    Kind kind;
    int name;   // index into names_; -1 for a CPU's change of state
    int cpu;    // the CPU the step is about (start, stop, backup: the process's; takeover: to)
    int other;  // backup: the primary's CPU (-1 unknown); takeover: from
  };
  int name_index(const std::string& name);

  int cpus_;
  std::vector<std::string> names_;  // in the order they first appear
  std::map<std::string, int> index_;
  std::vector<Step> steps_;  // in the order they came
};

}  // namespace pairsim::sim
