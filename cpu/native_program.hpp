#pragma once
// A system process written in C++ rather than in guest code — the disk process is one (io/disk_process.hpp).
// It is a process like any other: it has a data space in the CPU's memory, a stack and registers, and it
// asks the kernel for everything with system calls. Only its instructions are C++: run() is the interpreter's
// contract for one fixed program. P is the program's state (a label), the stack carries system-call arguments
// and results, and everything the process must keep across a takeover lives in its data space, so that
// CHECKPOINT, CHECKMONITOR and TAKEOVER work on it exactly as they do on a guest: a backup resumes at the
// checkpointed P with the checkpointed stack and data, and the CHECKPOINT call there returns the takeover
// status.
#include <cstdint>

#include "cpu/interpreter.hpp"
#include "guest/program.hpp"

namespace pairsim::cpu {

class NativeProgram {
 public:
  virtual ~NativeProgram() = default;
  // The data space (data_words, stack_words, initial data; no code) a process of this program gets.
  virtual const guest::Program& image() const = 0;
  // As Interpreter::run: runs up to `budget` instruction times of `ps` and stops at a system call (its
  // arguments pushed, P at the state to resume in), at a trap, or when the budget is spent. `executed`
  // counts the instruction times the work cost.
  virtual RunResult run(ProcessState& ps, std::uint64_t budget) const = 0;
  // True when every plain reply (not a savereply) of this program answers a request that may simply be done
  // again — a read, a write by record number. Such a reply is not kept in $RECEIVE's sync block: a resend of
  // its request is done again rather than answered from a copy, and the sync block, which the program
  // checkpoints, holds only the saved replies of the operations that may not be done twice.
  virtual bool replies_retryable() const { return false; }
  // True for a volume's disk process: its name takes the file calls (fopen, fcreate …) and no process open.
  virtual bool serves_files() const { return false; }
};

}  // namespace pairsim::cpu
