#include "sim/run/machine.hpp"

#include <systemc>

#include <tlm_utils/tlm_quantumkeeper.h>  // needs <systemc> first

namespace pairsim::sim {

bus::BusConfig bus_config(const MachineConfig& m) {
  bus::BusConfig b;
  b.cpus = m.cpus;
  b.bytes_per_second = static_cast<double>(m.bus_bytes_per_second);
  b.ack_timeout_ns = m.ack_timeout_ns;
  b.path_down_after = m.path_errors;
  return b;
}

cpu::CpuConfig cpu_config(const MachineConfig& m, int id) {
  cpu::CpuConfig c;
  c.id = id;
  c.cpus = m.cpus;
  c.mips = m.mips;
  c.memory_bytes = m.memory_bytes;
  c.heartbeat_ns = m.heartbeat_ns;
  c.quantum_ns = m.quantum_ns;
  c.slice_ns = m.slice_ns;
  c.reload_ns = m.reload_ns;
  return c;
}

Machine::Machine(sc_core::sc_module_name name, const MachineConfig& cfg, const TraceBus& trace,
                 cpu::ProgramSource& programs)
    : sc_core::sc_module(name), cfg_(cfg), trace_(trace) {
  tlm_utils::tlm_quantumkeeper::set_global_quantum(
      sc_core::sc_time(static_cast<double>(cfg.quantum_ns), sc_core::SC_NS));
  bus_ = std::make_unique<bus::BusSystem>("bus", bus_config(cfg), trace);
  for (int i = 0; i < cfg.cpus; ++i) {
    const std::string n = "cpu" + std::to_string(i);
    cpus_.push_back(std::make_unique<cpu::Cpu>(n.c_str(), cpu_config(cfg, i), *bus_, trace, programs, horizon_));
  }
}

std::uint64_t Machine::guest_instructions() const {
  std::uint64_t n = 0;
  for (const auto& c : cpus_) n += c->instructions();
  return n;
}

std::uint64_t hung_after_ns(const MachineConfig& m) {
  return 5 * m.heartbeat_ns + 2 * m.ack_timeout_ns;
}

void Machine::report_open_requests(std::uint64_t t_ns) const {
  for (const auto& c : cpus_) {
    for (const auto& r : c->open_requests()) {
      trace_.emit(TraceEvent(t_ns, "request_open")
                      .with("cpu", c->id())
                      .with("pin", r.pin)
                      .with("process", r.process)
                      .with("target", r.target)
                      .with("sync_id", r.sync_id)
                      .with("since_ns", r.since_ns)
                      .with("hung_after_ns", hung_after_ns(cfg_)));
    }
  }
}

void Machine::trace(sc_core::sc_trace_file* tf) {
  for (auto& c : cpus_) c->trace(tf);
  bus_->trace(tf);
}

}  // namespace pairsim::sim
