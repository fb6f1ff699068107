#pragma once
// The state that the parts of one CPU's kernel share (the process table, the dispatcher, the memory, the
// destination table, the view of which CPUs are up) and the few primitives they all use: the kernel's
// clock, trace events, sends, and moving a process between ready and waiting.
#include <cstdint>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "cpu/kernel/destination_table.hpp"
#include "cpu/kernel/dispatcher.hpp"
#include "cpu/kernel/platform.hpp"
#include "cpu/kernel/private_memory.hpp"
#include "cpu/kernel/process_table.hpp"
#include "sim/trace/trace_event.hpp"

namespace pairsim::cpu {

struct KernelConfig {
  int cpu = 0;
  int cpus = 4;
  std::uint64_t memory_bytes = 2u << 20;
  double mips = 0.8;
  std::uint64_t slice_ns = 10'000'000;
  std::uint64_t heartbeat_ns = 1'000'000'000;
};

// What a system call costs beyond its SYS instruction, in instruction times (documented in syscalls.md).
constexpr std::uint64_t kSyscallInstructions = 10;

class KernelCore {
 public:
  KernelCore(const KernelConfig& cfg, KernelPlatform& platform);

  // The kernel's clock: the platform's time plus what the current run() has charged so far.
  std::uint64_t now() const;
  Pid pid(const Process& p) const { return make_pid(cfg.cpu, p.pin); }
  bool is_up(int cpu) const { return cpu >= 0 && cpu < cfg.cpus && ((up_mask >> cpu) & 1u) != 0; }
  int lowest_up_cpu() const;
  std::uint64_t new_id() { return next_id_++; }
  std::uint64_t new_open_id();

  // A trace event with the process fields every process event starts with: cpu, pin, process.
  sim::TraceEvent process_event(const char* kind, const Process& p) const;
  void emit(sim::TraceEvent e);
  bool detail() const { return platform.wants_detail(); }
  std::uint64_t send(int dst_cpu, std::vector<std::uint8_t> payload) {
    if (dst_cpu == cfg.cpu) host_wanted = true;  // the host delivers it once run() returns
    return platform.send(dst_cpu, std::move(payload), now());
  }
  void warn(const std::string& what) const;

  void make_ready(Process& p);
  void block(Process& p, WaitReason why);
  // Ends the wait: pushes the call's result and makes the process ready.
  void complete(Process& p, std::uint32_t result);
  void delay(Process& p, std::uint64_t until_ns);
  // Forgets what the process waited for (its timer, its place in the dispatcher), without a result.
  void cancel_wait(Process& p);
  std::optional<std::uint64_t> next_delay_ns() const;
  // Wakes the delays due at or before `now`.
  void fire_delays(std::uint64_t now);

  // Destination-table changes this kernel makes: applied here first, then broadcast to every other up CPU.
  void publish(const std::string& name);
  void publish_removal(const std::string& name);

  // Shared state: the parts of the kernel read and change these directly.
  KernelConfig cfg;
  KernelPlatform& platform;
  PrivateMemory memory;
  ProcessTable processes;
  Dispatcher dispatcher;
  DestinationTable destinations;
  std::uint32_t up_mask;
  double ns_per_instruction;
  std::uint64_t run_charged = 0;  // instruction times charged in the current run()
  bool host_wanted = false;       // run() should return: the host has something to do (a message to self)
  std::uint64_t dropped_messages = 0;

 private:
  std::set<std::pair<std::uint64_t, int>> delays_;  // (wake time, pin)
  std::uint64_t next_id_ = 1;
  std::uint64_t next_open_id_;
};

}  // namespace pairsim::cpu
