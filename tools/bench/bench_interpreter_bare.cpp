// Guest instructions per host second of the bare interpreter (no kernel, no SystemC): a compute loop of
// stack, arithmetic, memory and branch instructions, run in budget slices as the CPU model runs it.
// Usage: bench_interpreter_bare [instructions] [slice]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <systemc>
#include <vector>

#include "cpu/interpreter.hpp"
#include "guest/assembler.hpp"

// libsystemc (linked through the simulator libraries) provides main() and calls sc_main(); nothing here
// elaborates SystemC.
int sc_main(int argc, char** argv) {
  using namespace pairsim;
  const std::uint64_t total = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 1'000'000'000ull;
  const std::uint64_t slice = argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 8'000ull;  // 10 µs at 0.8 MIPS ≈ 8

  const char* source = R"(
        .data
sum:    .word 0
table:  .space 16
        .code
main:   pushw 0x7FFFFFFF        ; loop counter on the stack
loop:   dup                     ; counter counter
        load sum
        add
        store sum               ; sum += counter
        dup
        push 15
        and                     ; counter counter&15
        over
        storex table            ; table[counter & 15] = counter
        addi -1
        dup
        jnz loop
        sys 0
)";
  auto result = guest::assemble_string(source, "bench.pasm", {});
  if (!result.program) {
    for (const auto& e : result.errors) std::fprintf(stderr, "%s\n", e.str().c_str());
    return 3;
  }
  const guest::Program& program = *result.program;
  std::vector<std::uint32_t> memory(program.data_words, 0);
  std::copy(program.data.begin(), program.data.end(), memory.begin());
  cpu::ProcessState ps;
  ps.program = &program;
  ps.data = memory.data();
  ps.data_words = program.data_words;
  ps.stack_base = static_cast<std::uint32_t>(program.data.size());
  cpu::reset_registers(ps);

  const auto start = std::chrono::steady_clock::now();
  std::uint64_t executed = 0;
  while (executed < total) {
    const auto r = cpu::Interpreter::run(ps, slice);
    executed += r.executed;
    if (r.reason != cpu::StopReason::budget) {
      std::fprintf(stderr, "unexpected stop: %s\n", cpu::trap_reason(r.trap));
      return 3;
    }
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("interpreter (bare): %llu instructions in %.3f s = %.1f M instructions/s (slice %llu)\n",
              static_cast<unsigned long long>(executed), seconds, executed / seconds / 1e6,
              static_cast<unsigned long long>(slice));
  return 0;
}
