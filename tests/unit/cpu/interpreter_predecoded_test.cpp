// The pre-decoded, direct-threaded interpreter against the switch interpreter it replaced: every budget
// edge, every trap, the superinstructions split by a budget or faulting in their second half.
#include <catch2/catch.hpp>
#include <random>

#include "tests/unit/cpu/interpreter_fuzz.hpp"
#include "tests/unit/cpu/interpreter_machine.hpp"
#include "tests/unit/cpu/reference_interpreter.hpp"

using pairsim::cpu::Interpreter;
using pairsim::cpu::StopReason;
using pairsim::cpu::Trap;
using pairsim::test::GuestMachine;

namespace {

// Runs `source` to its end in slices of `slice` instructions in both interpreters and requires the
// same stops, registers and memory after every slice.
void same_as_reference(const std::string& source, std::uint64_t slice) {
  INFO(source << "slice " << slice);
  GuestMachine fast(source), ref(source);
  for (int i = 0; i < 1000; ++i) {
    const auto a = fast.run(slice);
    const auto b = pairsim::cpu::reference::reference_run(ref.ps, slice);
    INFO("slice #" << i);
    REQUIRE(a.reason == b.reason);
    REQUIRE(a.executed == b.executed);
    REQUIRE(a.trap == b.trap);
    REQUIRE(a.syscall == b.syscall);
    REQUIRE(fast.ps.regs.p == ref.ps.regs.p);
    REQUIRE(fast.ps.regs.s == ref.ps.regs.s);
    REQUIRE(fast.ps.regs.l == ref.ps.regs.l);
    REQUIRE(fast.memory == ref.memory);
    if (a.reason != StopReason::budget) return;
  }
  FAIL("did not stop");
}

}  // namespace

TEST_CASE("random programs run as in the reference interpreter, for every budget", "[interpreter][predecoded]") {
  for (int seed = 0; seed < 20000; ++seed) {
    std::mt19937 rng(seed);
    const auto program = pairsim::test::fuzz::random_program(rng, 12 + rng() % 20);
    const std::string diff =
        pairsim::test::fuzz::compare_runs(program, rng, pairsim::cpu::reference::reference_run, 60);
    INFO("seed " << seed);
    REQUIRE(diff.empty());
  }
}

TEST_CASE("a budget that ends inside a fused pair stops between its two instructions", "[interpreter][predecoded]") {
  // Each loop body is made of fused pairs: loadl+loadl, loadl+lt, lt+jz, loadl+addi, addi+storel,
  // storel+jmp, push+storel, push+add, load+add, dup+jnz. Every slice length from 1 to 7 splits some of them.
  const char* source = R"(
        .data
g:      .word 5
        .code
main:   adds 2
        push 0
        storel 1
loop:   loadl 1
        loadl 2
        lt
        jz next
        nop
next:   loadl 1
        addi 1
        storel 1
        load g
        push 3
        add
        addi -1
        store g
        loadl 1
        push 9
        lt
        jnz loop
        push 4
dec:    addi -1
        dup
        jnz dec
        drop
        sys 0
)";
  for (std::uint64_t slice = 1; slice <= 7; ++slice) same_as_reference(source, slice);

  GuestMachine m(source);
  // Straight to the first fused pair (loadl 1; loadl 2) with one instruction of budget: only the first runs.
  const auto r = m.run(3);
  REQUIRE(r.reason == StopReason::budget);
  REQUIRE(m.ps.regs.p == m.code_label("loop"));
  const auto one = m.run(1);
  CHECK(one.executed == 1);
  CHECK(m.ps.regs.p == m.code_label("loop") + 1);
}

TEST_CASE("a trap in the second half of a fused pair counts the first and stops at the second",
          "[interpreter][predecoded]") {
  struct Case {
    const char* source;
    Trap trap;
  };
  const Case cases[] = {
      {"main: push 7\n push 0\nbad: div\n", Trap::division_by_zero},                     // push+div
      {"main: adds 1\n push 7\n loadl 1\nbad: mod\n", Trap::division_by_zero},           // loadl+mod
      {".stack 4\nmain: loadl 1\nbad: loadl 100\n", Trap::bad_address},                  // loadl+loadl
      {".stack 4\nmain: push 1\nbad: storel 100\n", Trap::bad_address},                  // push+storel
      {"main: push 1\n push 2\n add\nbad: .word 0x510001F4\n", Trap::bad_code_address},  // add+jz, target off the code
      {"main: push 0\n push 0\n eq\nbad: .word 0x520001F4\n", Trap::bad_code_address},
      {"main: push 1\nbad: add\n", Trap::stack_underflow},                                       // push+add
      {".stack 3\nmain: push 1\n push 2\n push 3\n loadl 0\nbad: add\n", Trap::stack_overflow},  // loadl traps first
  };
  for (const auto& c : cases) {
    INFO(c.source);
    GuestMachine fast(c.source), ref(c.source);
    const auto a = fast.run(100);
    const auto b = pairsim::cpu::reference::reference_run(ref.ps, 100);
    CHECK(a.reason == StopReason::trap);
    CHECK(a.trap == c.trap);
    CHECK(a.trap == b.trap);
    CHECK(a.executed == b.executed);
    CHECK(fast.ps.regs.p == ref.ps.regs.p);
    CHECK(fast.ps.regs.s == ref.ps.regs.s);
    CHECK(fast.memory == ref.memory);
  }
  // The second half faulting: P at it, the first counted.
  GuestMachine m("main: push 7\n push 0\nbad: div\n");
  const auto r = m.run(100);
  CHECK(r.executed == 2);
  CHECK(m.ps.regs.p == m.code_label("bad"));
}

TEST_CASE("a jump into the second word of a fused pair runs that instruction alone", "[interpreter][predecoded]") {
  const char* source = R"(
main:   push 2
        jmp inside
        push 10
inside: add             ; fused with push 10 above when reached from there; alone from the jump
        sys 0
)";
  for (std::uint64_t slice = 1; slice <= 3; ++slice) same_as_reference(source, slice);
  GuestMachine m(source);
  const auto r = m.run(100);
  CHECK(r.reason == StopReason::trap);  // add with one word on the stack
  CHECK(r.trap == Trap::stack_underflow);
  CHECK(m.ps.regs.p == m.code_label("inside"));
}

TEST_CASE("the decoded code follows the process's program", "[interpreter][predecoded]") {
  GuestMachine a("main: push 1\n sys 0\n");
  GuestMachine b("main: push 2\n push 3\n add\n sys 0\n");
  a.run_to_halt();
  CHECK(a.top() == 1);
  REQUIRE(a.ps.decoded != nullptr);
  // The same ProcessState given another program (as a reused slot would be) decodes that one.
  a.program = b.program;  // same object, new code buffer
  a.memory.assign(b.memory.begin(), b.memory.end());
  a.ps.data = a.memory.data();
  a.ps.data_words = b.ps.data_words;
  a.ps.stack_base = b.ps.stack_base;
  pairsim::cpu::reset_registers(a.ps);
  a.run_to_halt();
  CHECK(a.top() == 5);
  // A copy shares the decoded code and runs the same.
  pairsim::cpu::ProcessState copy = b.ps;
  b.run_to_halt();
  std::vector<std::uint32_t> memory(b.memory.size());
  copy.data = memory.data();
  std::copy(b.program.data.begin(), b.program.data.end(), memory.begin());
  CHECK(Interpreter::run(copy, 100).reason == StopReason::syscall);
  CHECK(memory[copy.regs.s] == 5);
}

TEST_CASE("the largest budget runs to the stop and counts right", "[interpreter][predecoded]") {
  // The hot loop counts a signed budget; one beyond its range is handed out in parts.
  const char* source = "main: push 3\nloop: addi -1\n dup\n jnz loop\n sys 0\n";
  GuestMachine fast(source), ref(source);
  const auto a = fast.run(~std::uint64_t{0});
  const auto b = pairsim::cpu::reference::reference_run(ref.ps, ~std::uint64_t{0});
  CHECK(a.reason == StopReason::syscall);
  CHECK(a.executed == b.executed);
  CHECK(a.executed == 11);
  CHECK(fast.ps.regs.p == ref.ps.regs.p);
}
