#pragma once
// The guest-instruction interpreter: plain C++, no SystemC. It runs one process's instructions until a
// budget is spent, a system call needs the kernel, or a trap stops the process.
// CONTRACT between the interpreter (cpu/interpreter.cpp) and the kernel (cpu/kernel/…).
#include <cstdint>
#include <memory>

#include "guest/program.hpp"

namespace pairsim::cpu {

struct DecodedCode;  // the interpreter's pre-decoded form of a program's code (cpu/predecoded_code.hpp)

enum class Trap : std::uint8_t {
  none,
  illegal_instruction,
  bad_address,       // data address outside the data space
  bad_code_address,  // branch/call/return outside the code space
  stack_overflow,
  stack_underflow,
  division_by_zero,
  bad_syscall,   // unknown system-call number (raised by the kernel)
  bad_argument,  // bad system-call argument (raised by the kernel)
};

// The abend reason string shown in traces, reports and the JSON summary ("division by zero", …).
const char* trap_reason(Trap t);

// Registers named after the T/16's: P program counter, S top of stack, L frame base.
struct Registers {
  std::uint32_t p = 0;  // code address of the next instruction
  std::uint32_t s = 0;  // data address of the topmost stack word; the stack grows upward. s == stack_base-1 is empty
  std::uint32_t l = 0;  // data address of the current frame's marker
};

// Everything the interpreter touches of one process. The data words live in the CPU's private memory; a
// checkpoint copies them to the same data addresses of the backup.
struct ProcessState {
  Registers regs;
  const guest::Program* program = nullptr;
  std::uint32_t* data = nullptr;  // data space, data_words long
  std::uint32_t data_words = 0;
  std::uint32_t stack_base = 0;  // first data address of the stack (just after the globals)
  // The interpreter's cache of `program`'s decoded code, made on the first run and made again when
  // `program` changes; nobody else touches it. Copies share it (it depends on the program alone).
  std::shared_ptr<DecodedCode> decoded;

  bool in_data(std::uint32_t addr, std::uint32_t words) const {
    return addr <= data_words && words <= data_words - addr;
  }
  // Stack access for the kernel's system-call glue: false on underflow / overflow.
  bool pop(std::uint32_t& v) {
    if (regs.s + 1 <= stack_base || regs.s >= data_words) return false;
    v = data[regs.s--];
    return true;
  }
  bool push(std::uint32_t v) {
    if (regs.s + 1 >= data_words) return false;
    data[++regs.s] = v;
    return true;
  }
};

enum class StopReason : std::uint8_t { budget, syscall, trap };

struct RunResult {
  StopReason reason = StopReason::budget;
  std::uint64_t executed = 0;  // instructions retired in this call (a SYS counts)
  Trap trap = Trap::none;      // when reason == trap
  std::uint32_t syscall = 0;   // when reason == syscall: its number; P already points past the SYS
};

class Interpreter {
 public:
  // Runs at most `budget` instructions of `ps`. Never throws for guest faults: they come back as traps,
  // with P left at the faulting instruction (which is not counted in `executed`). Every instruction costs
  // one instruction time, pushw included; the ISA is described in docs/isa.md.
  static RunResult run(ProcessState& ps, std::uint64_t budget);
};

// Puts `ps` in the state a new process starts in: P = program->entry, an empty stack
// (S = stack_base - 1) and L = S, so the main program addresses its locals (after `adds n`) at L+1 … L+n
// exactly like a procedure does. Leaves the data words alone. Needs ps.program and ps.stack_base set.
void reset_registers(ProcessState& ps);

}  // namespace pairsim::cpu
