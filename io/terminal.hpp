#pragma once
// A terminal (a line printer would do the same): one device, dual-ported to two CPUs like a disk controller,
// one of which owns it at a time. It prints the lines its owner's terminal process hands it, one after the
// other, at the line's speed: each is an `output` line of the terminal's name in the run (`expect output
// $TERM "…"` checks it) and a `terminal` event in the trace.
//
// Its controller keeps the number of the last line it printed, as a printer's controller keeps its line
// count: a line whose number is not above it has been printed and is acknowledged without printing it
// again. This is what makes the terminal process's redo after a takeover safe (terminal_process.hpp).
#include <cstdint>
#include <deque>
#include <functional>
#include <string>

#include <systemc>

#include "cpu/io_port.hpp"
#include "sim/trace/trace_bus.hpp"

namespace pairsim::io {

struct TerminalTiming {
  std::uint64_t ns_per_byte = 1'041'667;  // 9600 baud: 10 bits a character
};

class Terminal : public sc_core::sc_module, public cpu::IoPort {
 public:
  SC_HAS_PROCESS(Terminal);
  // Attached to CPUs cpu_a and cpu_b; cpu_a owns it at first. `name` is "$TERM".
  Terminal(sc_core::sc_module_name module, std::string name, int id, int cpu_a, int cpu_b, const sim::TraceBus& trace,
           TerminalTiming timing = {});

  // cpu::IoPort
  int controller_id() const override { return id_; }
  const std::string& volume_name() const override { return name_; }
  bool is_up() const override { return true; }
  int owner() const override { return owner_; }
  bool claim(int cpu) override;
  void submit(int cpu, cpu::DiskOp op, std::uint64_t at_ns, std::function<void(cpu::DiskDone)> done) override;

  void switch_owner();
  std::uint32_t lines_printed() const { return printed_; }

 private:
  struct Queued {
    int cpu = 0;
    cpu::DiskOp op;
    std::uint64_t at_ns = 0;
    std::function<void(cpu::DiskDone)> done;
  };
  void worker();
  void set_owner(int cpu, const char* why);

  std::string name_;
  int id_;
  int cpu_a_;
  int cpu_b_;
  const sim::TraceBus& trace_;
  TerminalTiming timing_;
  int owner_;
  std::uint32_t last_line_ = 0;  // the number of the last line printed (lines are numbered from 1)
  std::uint32_t printed_ = 0;
  std::deque<Queued> queue_;
  sc_core::sc_event work_;
};

}  // namespace pairsim::io
