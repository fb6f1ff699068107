#pragma once
// The machine a scenario describes, elaborated: `top` holds the dual bus and the CPUs, and the times at
// which the scenario will act on them (the CPUs never run past one before it is carried out).
#include <memory>
#include <systemc>
#include <vector>

#include "bus/bus_system.hpp"
#include "cpu/action_horizon.hpp"
#include "cpu/cpu.hpp"
#include "sim/scenario/scenario.hpp"
#include "sim/trace/trace_bus.hpp"

namespace pairsim::sim {

bus::BusConfig bus_config(const MachineConfig& m);
cpu::CpuConfig cpu_config(const MachineConfig& m, int id);

class Machine : public sc_core::sc_module {
 public:
  Machine(sc_core::sc_module_name name, const MachineConfig& cfg, const TraceBus& trace, cpu::ProgramSource& programs);

  bus::BusSystem& bus() { return *bus_; }
  cpu::Cpu& cpu(int id) { return *cpus_.at(static_cast<std::size_t>(id)); }
  int cpu_count() const { return static_cast<int>(cpus_.size()); }
  cpu::ActionHorizon& horizon() { return horizon_; }
  std::uint64_t guest_instructions() const;
  void trace(sc_core::sc_trace_file* tf);

 private:
  cpu::ActionHorizon horizon_;  // before the CPUs, which keep a reference
  std::unique_ptr<bus::BusSystem> bus_;
  std::vector<std::unique_ptr<cpu::Cpu>> cpus_;
};

}  // namespace pairsim::sim
