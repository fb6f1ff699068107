#pragma once
// A run's waveform, `pairsim run … --vcd run.vcd`: the VCD, and beside it a GTKWave save file (run.gtkw) with
// the translate filter files it names (run.gtkw.*.txt). The models put their own signals on the VCD writer
// (Machine::trace); the sinks attached here add what the trace events tell: each CPU's view of the
// membership, the pairs and named processes, and the markers. Everything is written at the end of the run.
#include <cstdint>
#include <memory>
#include <string>

#include "sim/trace/trace_bus.hpp"
#include "sim/trace/vcd_writer.hpp"
#include "sim/view/gtkw_writer.hpp"
#include "sim/view/vcd_membership.hpp"
#include "sim/view/vcd_pairs.hpp"

namespace pairsim::sim {

class Waveform {
 public:
  // vcd_path ends in ".vcd"; the save file is the same path ending in ".gtkw". `title` says which run it is.
  Waveform(std::string vcd_path, std::string title, int cpus);

  VcdWriter& vcd() { return vcd_; }
  // Adds its sinks to the run's trace bus, after the models have put their signals on vcd() (so that those
  // come first in the file). The sinks only listen: the run goes as it would without them.
  void attach(TraceBus& trace);
  // Writes the files for a run that ended at end_ns; false and a sentence when one cannot be written.
  bool write(std::uint64_t end_ns, std::string& error);

  // The save file's path for a VCD's path: "out/run.vcd" -> "out/run.gtkw".
  static std::string gtkw_path(const std::string& vcd_path);

 private:
  std::string vcd_path_;
  std::string title_;
  int cpus_;
  VcdWriter vcd_;
  std::unique_ptr<MembershipSignals> membership_;
  PairSignals pairs_;
  WaveMarkers markers_;
};

}  // namespace pairsim::sim
