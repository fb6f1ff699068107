#pragma once
// One processor module: a thin SystemC shell around plain C++ parts — the process kernel (cpu/kernel/),
// the I'm-alive monitor and regroup (cpu/membership/) — joined to the dual bus. It owns the CPU's time:
// guest instructions run a quantum at a time (temporal decoupling). The CPU hands the bus every message
// stamped with its own clock instead of waiting for the kernel to catch up; it synchronises when its
// quantum is spent, when a message to itself waits, and before it halts itself. Its clock never passes the
// time of a scenario action not yet carried out (ActionHorizon): there it waits for the action, so a fault
// stops it at its instant and a timed start happens at its time. An idle CPU sleeps until its next timer or
// message and costs no host time.
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <systemc>

#include <tlm_utils/tlm_quantumkeeper.h>  // needs <systemc> first

#include "bus/bus_system.hpp"
#include "cpu/action_horizon.hpp"
#include "cpu/cpu_state.hpp"
#include "cpu/io_port.hpp"
#include "cpu/native_program.hpp"
#include "cpu/kernel/kernel.hpp"
#include "cpu/kernel/platform.hpp"
#include "cpu/membership/membership.hpp"
#include "cpu/program_source.hpp"
#include "sim/trace/module_log.hpp"
#include "sim/trace/trace_bus.hpp"
#include "sim/trace/vcd_writer.hpp"

namespace pairsim::cpu {

struct CpuConfig {
  int id = 0;
  int cpus = 4;
  double mips = 0.8;
  std::uint64_t memory_bytes = 2u << 20;
  std::uint64_t heartbeat_ns = 1'000'000'000;
  std::uint64_t quantum_ns = 10'000;
  std::uint64_t slice_ns = 10'000'000;
  std::uint64_t reload_ns = 100'000'000;
};

// The first byte of every bus message a CPU sends says which part of the receiving CPU it is for.
enum class Envelope : std::uint8_t { im_alive = 1, regroup = 2, kernel = 3 };

// The TLM quantum keeper, telling where its quantum ends (the next multiple of the global quantum).
class QuantumKeeper : public tlm_utils::tlm_quantumkeeper {
 public:
  const sc_core::sc_time& next_sync_point() const { return m_next_sync_point; }
};

class Cpu : public sc_core::sc_module, public bus::BusListener, private KernelPlatform {
 public:
  SC_HAS_PROCESS(Cpu);
  Cpu(sc_core::sc_module_name name, const CpuConfig& cfg, bus::BusSystem& bus, const sim::TraceBus& trace,
      ProgramSource& programs, const ActionHorizon& horizon);
  ~Cpu() override;

  // Fault injection, at the current simulated time: stops executing, sending and answering at once.
  void fail();
  // Brings a down or halted CPU back: it reloads for reload_ns, then joins through a regroup round.
  void reload();
  // Starts a process from the scenario: an error sentence now if the CPU is not up; the CPU's thread
  // creates the process right after, and a failure then is traced as `start_failed`.
  std::optional<std::string> start_process(const StartRequest& req);

  CpuState state() const { return state_; }
  int id() const { return cfg_.id; }
  std::uint64_t instructions() const;
  CpuMask membership() const { return membership_.members(); }
  // The writereads still waiting for an answer in this CPU, when it is up (none otherwise).
  std::vector<MessageSystem::OpenRequest> open_requests() const;

  // I/O: a controller port attached to this CPU (the machine attaches each controller to its two CPUs),
  // and a system program written in C++ that this CPU's kernel can start by name.
  void attach(IoPort& port) { ports_.push_back(&port); }
  void add_native(const std::string& name, const NativeProgram& program) { natives_.emplace_back(name, &program); }

  // Adds this CPU's signals to a VCD: top.cpuN.state, top.cpuN.imalive. Tracing that is not asked for costs nothing.
  void trace(sim::VcdWriter& vcd);

  // bus::BusListener
  void on_message(int src_cpu, std::uint64_t msg_id, std::vector<std::uint8_t>&& payload) override;
  void on_send_failed(int dst_cpu, std::uint64_t msg_id) override;

 private:
  struct Inbound {
    int src;
    std::vector<std::uint8_t> payload;  // empty: a send to `src` failed (or a disk operation ended)
    std::uint64_t failed_id = 0;
    std::uint64_t disk_token = 0;  // not 0: the end of a disk operation, `done`
    DiskDone done;
  };

  std::unique_ptr<Kernel> make_kernel();
  void main_thread();
  std::uint64_t local_ticks() const;
  void await_actions();
  bool advance_clock(std::uint64_t local_ticks, const sc_core::sc_time& by);
  void take_starts();
  void come_up();
  void stop(CpuState why, const std::string& reason);
  void set_state(CpuState s);
  void drain_inbox();
  void run_timers(std::uint64_t now);
  void send_im_alive(std::uint64_t now);
  void carry_out(const Membership::Actions& a);
  void broadcast_regroup(const std::vector<std::uint8_t>& msg);
  void apply_decision(const Regroup::Decision& d);
  std::uint64_t next_wakeup_ns() const;
  std::uint64_t to_ns(const sc_core::sc_time& t) const;
  sc_core::sc_time from_ns(std::uint64_t v) const;
  std::uint64_t local_now() const;
  void sync_clock();
  std::uint64_t event_time() const;
  void emit_now(sim::TraceEvent e) const;

  // KernelPlatform
  std::uint64_t now_ns() const override { return local_now(); }
  std::uint64_t send(int dst_cpu, std::vector<std::uint8_t> payload, std::uint64_t at_ns) override;
  void emit(const sim::TraceEvent& e) override { trace_.emit(e); }
  const guest::Program* load_program(const std::string& name, std::string& error) override {
    return programs_.load(name, error);
  }
  bool wants_detail() const override { return trace_.wants_detail(); }
  const NativeProgram* load_native(const std::string& name) override;
  bool disk_io(const std::string& volume, DiskOp op, std::uint64_t token, std::uint64_t at_ns) override;

  CpuConfig cfg_;
  sim::ModuleLog log_;
  bus::BusSystem& bus_;
  const sim::TraceBus& trace_;
  ProgramSource& programs_;

  CpuState state_ = CpuState::up;
  std::unique_ptr<Kernel> kernel_;
  std::uint64_t retired_before_ = 0;  // instructions of kernels lost to failures
  Membership membership_;

  std::uint64_t next_send_ns_ = 0;
  std::uint64_t next_check_ns_ = 0;
  std::uint64_t up_at_ns_ = 0;  // when reloading ends

  std::vector<IoPort*> ports_;
  std::vector<std::pair<std::string, const NativeProgram*>> natives_;
  std::deque<Inbound> inbox_;
  std::deque<StartRequest> starts_;
  std::uint64_t next_local_msg_id_ = 1ull << 63;  // ids of messages to itself, apart from the bus's
  sc_core::sc_event wake_;
  sc_core::sc_event timer_;        // the next timed wake-up (I'm-alive, check, regroup, a guest delay)
  std::uint64_t timer_at_ns_ = 0;  // when timer_ is set to fire
  sc_core::sc_event_or_list wake_or_timer_;
  sc_core::sc_process_handle thread_;
  QuantumKeeper qk_;
  const ActionHorizon& horizon_;
  // Clock time (in ticks of the time resolution) a run used beyond the next action's time — a system
  // call's cost that straddles it: the clock stops at the action's time and goes on once it is done.
  std::uint64_t owed_ticks_ = 0;
  double ns_per_instruction_;
  std::uint64_t ticks_per_ns_;  // of the SystemC time resolution
  // Rounded up: fewer ticks than this hold no whole instruction.
  std::uint64_t ticks_per_instruction_;

  sim::VcdWriter* vcd_ = nullptr;  // the waveform, when one is written
  sim::VcdWriter::Signal state_wave_ = 0, imalive_wave_ = 0;
  bool imalive_level_ = false;  // toggles at every I'm-alive round this CPU sends
};

}  // namespace pairsim::cpu
