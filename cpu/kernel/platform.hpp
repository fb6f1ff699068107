#pragma once
// CONTRACT between the per-CPU process kernel (plain C++) and the Cpu SystemC module that hosts it.
// The kernel never calls SystemC; everything it needs from the machine comes through this interface, so
// unit tests drive a Kernel with a fake platform and no simulation kernel.
#include <cstdint>
#include <string>
#include <vector>

#include "cpu/io_port.hpp"
#include "cpu/native_program.hpp"
#include "guest/program.hpp"
#include "sim/trace/trace_event.hpp"

namespace pairsim::cpu {

class KernelPlatform {
 public:
  virtual ~KernelPlatform() = default;
  // This CPU's local simulated time (includes the temporal-decoupling offset).
  virtual std::uint64_t now_ns() const = 0;
  // Sends a kernel-to-kernel message reliably (acknowledged, resent on the other bus) at this CPU's time
  // at_ns (>= now_ns(): the kernel's clock includes the instructions of the current run()). dst may be this
  // CPU: then it is delivered back through on_message without the bus, after the current run() returns.
  // Returns a message id; if it cannot be delivered, Kernel::on_send_failed(dst, id) is called later.
  virtual std::uint64_t send(int dst_cpu, std::vector<std::uint8_t> payload, std::uint64_t at_ns) = 0;
  // Records a trace event (also feeds the run summary). t_ns is filled in by the kernel from now_ns().
  virtual void emit(const sim::TraceEvent& e) = 0;
  // Loads a guest program by the name a scenario or guest used ("guest/echo.pasm", "echo"). nullptr and a
  // sentence in `error` when it cannot.
  virtual const guest::Program* load_program(const std::string& name, std::string& error) = 0;
  // True when the run wants per-message detail events (tracing to a file is on).
  virtual bool wants_detail() const = 0;
  // A system program written in C++ ("disk-process"); nullptr when there is none of that name.
  virtual const NativeProgram* load_native(const std::string& name) {
    (void)name;
    return nullptr;
  }
  // Starts a block operation on volume `volume` ("$DATA") through a controller attached to this CPU, at this
  // CPU's time at_ns; its end comes back as Kernel::on_disk_done(token, …). False when no controller of that
  // volume is attached to this CPU (then nothing comes back).
  virtual bool disk_io(const std::string& volume, DiskOp op, std::uint64_t token, std::uint64_t at_ns) {
    (void)volume;
    (void)op;
    (void)token;
    (void)at_ns;
    return false;
  }
};

}  // namespace pairsim::cpu
