#pragma once
// Each CPU's view of the membership in the waveform, worked out from the trace events of docs/trace-format.md
// ("CPUs, I'm-alive and regroup"), which tell every step: per CPU the CPUs it believes up (top.cpuN.members),
// where it is in a regroup round (top.cpuN.regroup), the members it suspects (top.cpuN.suspects) and the CPUs
// it has declared down (top.cpuN.declared_down). Sets of CPUs are bit vectors with CPU 0 leftmost. A CPU that
// is down or halted believes nothing; a reloaded one has no view until a round admits it.
//
// A CPU's own events come in its time order (its thread makes them; a fault stops it before anything later),
// so each one moves its signals at once, at the event's time.
#include <cstdint>
#include <vector>

#include "cpu/membership/cpu_mask.hpp"
#include "sim/trace/trace_bus.hpp"
#include "sim/trace/vcd_writer.hpp"

namespace pairsim::sim {

class MembershipSignals : public TraceSink {
 public:
  // Declares the signals of `cpus` CPUs, all members at time 0.
  MembershipSignals(VcdWriter& vcd, int cpus);
  void on_event(const TraceEvent& e) override;
  bool takes_detail() const override { return false; }  // it reads no detail event

  // Where a CPU is in a regroup round (the values of top.cpuN.regroup).
  enum class Stage { idle = 0, round = 1, waiting = 2 };

 private:
  struct View {
    cpu::CpuMask members = 0, suspects = 0, declared_down = 0;
    Stage stage = Stage::idle;
    VcdWriter::Signal members_wave, stage_wave, suspects_wave, declared_down_wave;
  };
  View* view(const TraceEvent& e, const char* key);
  void show(View& v, std::uint64_t t);

  VcdWriter& vcd_;
  int cpus_;
  std::vector<View> views_;
  std::vector<View> shown_;  // what the waveform has, to write changes only
};

}  // namespace pairsim::sim
