#pragma once
// The system-call layer: pops a SYS instruction's arguments off the caller's stack, checks them, calls the
// kernel part that does the work, and pushes the one result word (or leaves the process waiting for it).
// Fail-fast: an unknown call abends the process with "bad system call", an argument that names memory
// outside the data space (or a start argument that does not exist) with "bad system-call argument".
// Conditions a program can meet in normal operation come back as -(file-system error) instead.
#include <cstdint>

#include "cpu/kernel/kernel_core.hpp"
#include "cpu/kernel/message_system.hpp"
#include "cpu/kernel/process_lifecycle.hpp"
#include "cpu/kernel/process_pairs.hpp"

namespace pairsim::cpu {

class SystemCalls {
 public:
  SystemCalls(KernelCore& core, MessageSystem& messages, ProcessPairs& pairs, ProcessLifecycle& lifecycle);

  // Executes call `number` for `p`, whose P is already past the SYS.
  void execute(Process& p, std::uint32_t number);

 private:
  void print_line(Process& p, std::string text);

  KernelCore& core_;
  MessageSystem& messages_;
  ProcessPairs& pairs_;
  ProcessLifecycle& lifecycle_;
};

}  // namespace pairsim::cpu
