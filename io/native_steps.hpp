#pragma once
// What the I/O processes (disk_process.hpp, terminal_process.hpp) share: the primitives of a system process
// written in C++ as a state machine (cpu/native_program.hpp) — a system call, the next state, the words of
// its data space — and the life of a pair that every I/O process lives the same way: the backup waits in
// CHECKMONITOR; the primary opens $RECEIVE, makes its backup in the CPU named by its argument 0, monitors that
// CPU (to make the backup again there when it is reloaded), and checkpoints its first restart point.
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <vector>

#include "cpu/interpreter.hpp"
#include "guest/syscalls.hpp"

namespace pairsim::io {

// Instruction times a state's own work costs: one, as one guest instruction, so that a system call comes at
// most one instruction time after the budget the kernel gave (as a guest's SYS does), never past a scenario
// action's time.
constexpr std::uint64_t kStepCost = 1;

// The words every I/O process keeps at the start of its data space, and the states of its pair's life
// (labels below kFirstOwnLabel). A program's own states start at kFirstOwnLabel, which is entered after the
// first restart point's checkpoint (or one after a new backup) with the checkpoint's status on the stack.
enum CommonWord : std::uint32_t {
  W_RECEIVE = 0,     // "$RECEIVE", 8 bytes
  W_BACKUP_CPU = 2,  // where the backup lives (argument 0); -1: none wanted
  W_TAG = 3,         // the tag of the request being served
  W_CKDESC = 4,      // the checkpoint descriptor: flags, 1 buffer (address, length), 1 file ($RECEIVE)
  kFirstOwnWord = 10,
};
enum CommonLabel : std::uint32_t {
  P_START = 0,
  P_ISBACKUP,
  P_MONITORED,
  P_PRIMARY,
  P_OPENED,
  P_NARGS,
  P_ARG,
  P_MONITOR_SET,
  P_BACKUP_MADE,
  P_SERVE,  // the serving loop: read the next request from $RECEIVE …
  P_READ,   // … take its tag …
  P_TAGGED,  // … handle a system message, or go to the program's request state
  kFirstOwnLabel,
};

// Where a server's serving loop (P_SERVE … P_TAGGED) puts a request: its bytes at `addr` (at most `max`), its
// length in the word `length_word`, its tag in W_TAG. With a request to answer the loop goes to
// `request_label`, in the same step.
struct Serving {
  std::uint32_t addr = 0;
  std::uint32_t max = 0;
  std::uint32_t length_word = 0;
  std::uint32_t request_label = 0;
};

class NativeSteps {
 public:
  // `state`..`state_end`: the one buffer the process checkpoints (with $RECEIVE's sync block and its stack).
  NativeSteps(cpu::ProcessState& ps, std::uint32_t state, std::uint32_t state_end, Serving serving)
      : ps_(ps), state_(state), state_end_(state_end), serving_(serving) {}

  std::uint32_t& w(std::uint32_t addr) { return ps_.data[addr]; }
  std::uint32_t label() const { return ps_.regs.p; }
  std::uint64_t executed() const { return executed_; }
  std::int32_t pop();
  void push(std::uint32_t v) { ps_.push(v); }
  // Stops at system call `s` with `args` pushed; the process resumes in state `next` with its result.
  cpu::RunResult call(std::uint32_t next, guest::Syscall s, std::initializer_list<std::uint32_t> args);
  void go(std::uint32_t next);  // to state `next` without a call
  std::vector<std::uint8_t> bytes(std::uint32_t addr, std::uint32_t n) const;
  void put(std::uint32_t addr, const std::uint8_t* b, std::uint32_t n);
  // Checkpoints the stack (the restart point is state `next`), the state buffer and $RECEIVE's sync block.
  cpu::RunResult checkpoint(std::uint32_t next);
  cpu::RunResult reply(std::uint32_t next, std::uint32_t addr, std::uint32_t bytes, std::int32_t error);
  // The budget is spent: the process goes on in its current state at the next run.
  cpu::RunResult spent() const;
  // A state the program does not have (cannot happen): the process stops as on an illegal instruction.
  cpu::RunResult illegal() const;

  // The pair's life and the serving loop (CommonLabel states). nullopt when the state is not one of them —
  // the program's own, or its request state, which the loop has just entered with a request to answer.
  std::optional<cpu::RunResult> pair_step();
  // A system message read into `message_addr`: [-3, the backup's CPU] makes the backup again there; [-2, X]
  // for another CPU than the backup's comes to a process that has just taken over (X is its old primary's
  // CPU, which it did not monitor): X becomes the backup's CPU, monitored, so that the backup is made there
  // when X is reloaded. nullopt: nothing to do, serve on.
  std::optional<cpu::RunResult> system_message(std::int32_t length, std::uint32_t message_addr);

 private:
  cpu::ProcessState& ps_;
  std::uint32_t state_;
  std::uint32_t state_end_;
  Serving serving_;
  std::uint64_t executed_ = 0;
};

// The initial data of an I/O process: "$RECEIVE" at W_RECEIVE, zeros up to `globals`.
std::vector<std::uint32_t> initial_data(std::uint32_t globals);

}  // namespace pairsim::io
