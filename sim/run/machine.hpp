#pragma once
// The machine a scenario describes, elaborated: `top` holds the dual bus and the CPUs, and the times at
// which the scenario will act on them (the CPUs never run past one before it is carried out).
#include <memory>
#include <systemc>
#include <vector>

#include "bus/bus_system.hpp"
#include "cpu/action_horizon.hpp"
#include "cpu/cpu.hpp"
#include "io/controller.hpp"
#include "io/disk_process.hpp"
#include "io/terminal.hpp"
#include "io/terminal_process.hpp"
#include "io/volume_unit.hpp"
#include "sim/scenario/scenario.hpp"
#include "sim/trace/trace_bus.hpp"
#include "sim/trace/vcd_writer.hpp"

namespace pairsim::sim {

bus::BusConfig bus_config(const MachineConfig& m);
cpu::CpuConfig cpu_config(const MachineConfig& m, int id);
// How long a request may wait for its answer before the run's invariants call it hung: longer than the
// machine itself ever keeps a requester of a live server waiting — a takeover (detection and a regroup
// that waits: under 5 heartbeat periods) and a packet lost and resent after its acknowledgement timeout.
std::uint64_t hung_after_ns(const MachineConfig& m);

class Machine : public sc_core::sc_module {
 public:
  Machine(sc_core::sc_module_name name, const MachineConfig& cfg, const TraceBus& trace, cpu::ProgramSource& programs);

  bus::BusSystem& bus() { return *bus_; }
  cpu::Cpu& cpu(int id) { return *cpus_.at(static_cast<std::size_t>(id)); }
  int cpu_count() const { return static_cast<int>(cpus_.size()); }
  cpu::ActionHorizon& horizon() { return horizon_; }
  std::uint64_t guest_instructions() const;
  // Puts the models' own signals on the waveform: CPUs, buses, drives and controllers.
  void trace(VcdWriter& vcd);
  // I/O. add_volume builds a volume at elaboration: its drives (from its image, or formatted and empty), its two
  // controllers attached to its two CPUs; every CPU can then run the disk process. Throws
  // std::runtime_error with a sentence when the image cannot be loaded.
  void add_volume(const VolumeSpec& v);
  io::VolumeUnit* volume(const std::string& name);
  io::Controller* controller(int id);
  const std::vector<std::unique_ptr<io::VolumeUnit>>& volumes() const { return volumes_; }
  // A terminal (`terminal $TERM cpus A B`): the device, attached to both CPUs; every CPU can run its terminal
  // process.
  void add_terminal(const TerminalSpec& t);
  // Writes every volume that has an image back to it (atomically); false and a sentence on the first error.
  bool save_images(std::string& error) const;

  // At the end of the run (t_ns): a `request_open` event for every writeread still waiting for its answer
  // in a CPU that is up, for the invariant "no hung request" (sim/report/invariants.hpp).
  void report_open_requests(std::uint64_t t_ns) const;

 private:
  MachineConfig cfg_;
  const TraceBus& trace_;
  cpu::ActionHorizon horizon_;  // before the CPUs, which keep a reference
  std::unique_ptr<bus::BusSystem> bus_;
  std::vector<std::unique_ptr<cpu::Cpu>> cpus_;
  io::DiskProcess disk_process_;
  io::TerminalProcess terminal_process_;
  std::vector<std::unique_ptr<io::Terminal>> terminals_;
  std::vector<std::unique_ptr<io::VolumeUnit>> volumes_;
  std::vector<std::string> images_;  // by volume: its image file, or ""
  std::vector<std::unique_ptr<io::Controller>> controllers_;
};

}  // namespace pairsim::sim
