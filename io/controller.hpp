#pragma once
// A disk controller: dual-ported to two CPUs, one of which owns it at a time, and joined to the drives of
// one volume. It carries out one block operation at a time, in the order the owner's operations came, each
// at its time: the volume model (volume.hpp) says how long it takes. A controller that fails ends what it was
// doing and what waited with an error; the disk process goes on through the volume's other controller. An
// operation from a CPU that no longer owns the controller (an ownership switch came between) fails too.
#include <cstdint>
#include <deque>
#include <functional>
#include <string>

#include <systemc>

#include "cpu/io_port.hpp"
#include "io/volume_unit.hpp"
#include "sim/trace/trace_bus.hpp"
#include "sim/trace/vcd_writer.hpp"

namespace pairsim::io {

class Controller : public sc_core::sc_module, public cpu::IoPort {
 public:
  SC_HAS_PROCESS(Controller);
  // Attached to CPUs cpu_a and cpu_b; cpu_a owns it at first.
  Controller(sc_core::sc_module_name name, int id, VolumeUnit& unit, int cpu_a, int cpu_b, const sim::TraceBus& trace);

  // cpu::IoPort
  int controller_id() const override { return id_; }
  const std::string& volume_name() const override { return unit_.volume_name(); }
  bool is_up() const override { return up_; }
  int owner() const override { return owner_; }
  bool claim(int cpu) override;
  void submit(int cpu, cpu::DiskOp op, std::uint64_t at_ns, std::function<void(cpu::DiskDone)> done) override;

  // Scenario faults and operator commands, at the current simulated time.
  void fail();
  void repair();
  void switch_owner();  // a primary switch: the other port's CPU owns it now
  int cpu_a() const { return cpu_a_; }
  int cpu_b() const { return cpu_b_; }
  std::uint64_t operations() const { return operations_; }

  // Adds top.controllerN.owner and .up to a VCD.
  void trace(sim::VcdWriter& vcd);

 private:
  struct Queued {
    int cpu = 0;
    cpu::DiskOp op;
    std::uint64_t at_ns = 0;
    std::function<void(cpu::DiskDone)> done;
  };
  void worker();
  void set_owner(int cpu, const char* why);
  void state_event();

  int id_;
  VolumeUnit& unit_;
  int cpu_a_;
  int cpu_b_;
  const sim::TraceBus& trace_;
  bool up_ = true;
  int owner_;
  std::uint64_t epoch_ = 0;  // bumped by a failure: operations started before it end in an error
  std::uint64_t operations_ = 0;
  std::deque<Queued> queue_;
  sc_core::sc_event work_;
  sim::VcdWriter* vcd_ = nullptr;  // the waveform, when one is written
  sim::VcdWriter::Signal owner_wave_ = 0, up_wave_ = 0;
};

}  // namespace pairsim::io
