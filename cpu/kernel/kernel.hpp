#pragma once
// One CPU's process kernel: native C++, no SystemC. The hosting Cpu module calls run() for guest time,
// hands it the kernel messages that arrive, fires its timers and tells it the membership changes that
// regroup agreed on. Inside, the parts each own one concept: the dispatcher, the destination table, the
// message system (message_system.hpp), process creation and ending (process_lifecycle.hpp), process pairs
// and takeover (process_pairs.hpp) and the system-call layer (system_calls.hpp). docs/syscalls.md is the
// guest's view of all of it.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cpu/kernel/kernel_core.hpp"
#include "cpu/kernel/message_system.hpp"
#include "cpu/kernel/platform.hpp"
#include "cpu/kernel/process_lifecycle.hpp"
#include "cpu/kernel/process_pairs.hpp"
#include "cpu/kernel/system_calls.hpp"

namespace pairsim::cpu {

struct StartRequest {
  std::string name;  // "$NAME" or "" for an unnamed process
  std::string program;
  int priority = 150;
  std::vector<std::int32_t> args;
};

class Kernel {
 public:
  Kernel(const KernelConfig& cfg, KernelPlatform& platform);
  Kernel(const Kernel&) = delete;
  Kernel& operator=(const Kernel&) = delete;

  // Starts a process from the scenario: nullopt on success, else a sentence saying why not.
  std::optional<std::string> start_process(const StartRequest& req);
  // Runs ready processes for up to `budget` instruction times and returns the instruction times charged:
  // instructions executed plus kSyscallInstructions per system call (so it can exceed the budget by that
  // much). A system call is carried out where the guest makes it, at the kernel's clock (which includes the
  // instructions before it, so its messages leave at the right simulated time). Returns early when no
  // process is ready, at a trap (the process abends in the next call), and after a system call that left
  // the host work: a message to this CPU, or a timer due before the budget ends.
  std::uint64_t run(std::uint64_t budget_instructions);
  bool has_ready() const { return core_.dispatcher.has_ready(); }
  std::optional<std::uint64_t> next_timer_ns() const;  // earliest timed wake-up
  void on_time(std::uint64_t now_ns);                  // fires timers due at or before now
  void on_message(int src_cpu, std::vector<std::uint8_t> payload);
  void on_send_failed(int dst_cpu, std::uint64_t msg_id);
  void on_cpu_down(int cpu);  // agreed by regroup on this CPU
  void on_cpu_up(int cpu);    // agreed by regroup (a reloaded CPU joined)
  // A block operation a system process started with diskio has ended (platform.hpp, disk_io).
  void on_disk_done(std::uint64_t token, const DiskDone& done);
  std::uint64_t instructions_retired() const { return retired_; }

  // For the host's report and for tests.
  const Process* process(int pin) const { return core_.processes.find(pin); }
  const ProcessTable& processes() const { return core_.processes; }
  const DestinationTable& destinations() const { return core_.destinations; }
  bool cpu_counted_up(int cpu) const { return core_.is_up(cpu); }
  std::uint32_t free_memory_words() const { return core_.memory.free_words(); }
  std::uint64_t dropped_messages() const { return core_.dropped_messages; }
  std::vector<MessageSystem::OpenRequest> open_requests() const { return messages_.open_requests(); }

 private:
  // `cpu` is counted down now: takeovers of the pairs whose backup is here, and path errors and "no
  // backup" for everything this kernel had outstanding there.
  void fail_outstanding(int cpu);
  void charge(std::uint64_t instructions);
  // After a system call inside run(): true when run() should return to the host first.
  bool host_wanted_after_call(std::uint64_t budget_end_ns) const;
  void drop(int src_cpu, const char* what);

  KernelCore core_;
  MessageSystem messages_;
  ProcessPairs pairs_;
  ProcessLifecycle lifecycle_;
  SystemCalls syscalls_;
  std::uint64_t retired_ = 0;
};

}  // namespace pairsim::cpu
