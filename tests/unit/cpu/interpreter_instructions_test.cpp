// Semantics of each guest instruction, run through the real assembler and interpreter.
#include <catch2/catch.hpp>

#include "tests/unit/cpu/interpreter_machine.hpp"

using pairsim::test::GuestMachine;
using Words = std::vector<std::uint32_t>;

namespace {

std::uint32_t u(std::int64_t v) {
  return static_cast<std::uint32_t>(v);
}

// Pushes a and b (as 32-bit constants), applies `op`, halts; returns the one word left.
std::uint32_t binary(const std::string& op, std::int64_t a, std::int64_t b) {
  GuestMachine m("main: pushw " + std::to_string(a) + "\n pushw " + std::to_string(b) + "\n " + op + "\n sys 0\n");
  m.run_to_halt();
  REQUIRE(m.stack().size() == 1);
  return m.top();
}

std::uint32_t unary(const std::string& op, std::int64_t a) {
  GuestMachine m("main: pushw " + std::to_string(a) + "\n " + op + "\n sys 0\n");
  m.run_to_halt();
  REQUIRE(m.stack().size() == 1);
  return m.top();
}

}  // namespace

TEST_CASE("push, pushw and the stack shuffles", "[interpreter]") {
  GuestMachine m(R"(
main: push 1
      push -2
      pushw 0x89ABCDEF
      swap            ; 1 0x89ABCDEF -2
      over            ; 1 0x89ABCDEF -2 0x89ABCDEF
      dup             ; ... 0x89ABCDEF 0x89ABCDEF
      drop
      nop
      sys 0
)");
  m.run_to_halt();
  CHECK(m.stack() == Words{1, 0x89ABCDEF, u(-2), 0x89ABCDEF});
}

TEST_CASE("arithmetic, including the overflowing and signed corners", "[interpreter]") {
  CHECK(binary("add", 5, 7) == 12);
  CHECK(binary("add", 0xFFFFFFFF, 1) == 0);
  CHECK(binary("sub", 5, 7) == u(-2));
  CHECK(binary("mul", -3, 7) == u(-21));
  CHECK(binary("mul", 0x10000, 0x10000) == 0);
  CHECK(binary("div", -7, 2) == u(-3));  // truncates toward zero
  CHECK(binary("mod", -7, 2) == u(-1));  // sign of the dividend
  CHECK(binary("div", INT32_MIN, -1) == u(INT32_MIN));
  CHECK(binary("mod", INT32_MIN, -1) == 0);
  CHECK(binary("divu", 0xFFFFFFFE, 2) == 0x7FFFFFFF);
  CHECK(binary("modu", 0xFFFFFFFF, 10) == 5);
  CHECK(unary("neg", 5) == u(-5));
  CHECK(unary("neg", INT32_MIN) == u(INT32_MIN));
  CHECK(unary("addi 100", 1) == 101);
  CHECK(unary("addi -100", 1) == u(-99));
}

TEST_CASE("logic and shifts", "[interpreter]") {
  CHECK(binary("and", 0xF0F0, 0xFF00) == 0xF000);
  CHECK(binary("or", 0xF0F0, 0xFF00) == 0xFFF0);
  CHECK(binary("xor", 0xF0F0, 0xFF00) == 0x0FF0);
  CHECK(unary("not", 0) == 0xFFFFFFFF);
  CHECK(binary("shl", 1, 31) == 0x80000000);
  CHECK(binary("shl", 1, 32) == 0);
  CHECK(binary("shr", 0x80000000, 31) == 1);
  CHECK(binary("shr", 0x80000000, 40) == 0);
  CHECK(binary("sar", 0x80000000, 4) == 0xF8000000);
  CHECK(binary("sar", 0x80000000, 99) == 0xFFFFFFFF);
  CHECK(binary("sar", 0x40000000, 99) == 0);
  CHECK(binary("sar", 0x40, 0) == 0x40);
}

TEST_CASE("comparisons push 0 or 1", "[interpreter]") {
  CHECK(binary("eq", 3, 3) == 1);
  CHECK(binary("eq", 3, 4) == 0);
  CHECK(binary("ne", 3, 4) == 1);
  CHECK(binary("lt", -1, 0) == 1);
  CHECK(binary("ltu", -1, 0) == 0);
  CHECK(binary("le", 4, 4) == 1);
  CHECK(binary("le", 5, 4) == 0);
  CHECK(binary("gt", 0, -1) == 1);
  CHECK(binary("gtu", 0, -1) == 0);
  CHECK(binary("ge", -5, -5) == 1);
  CHECK(binary("leu", 1, 0xFFFFFFFF) == 1);
  CHECK(binary("geu", 0xFFFFFFFF, 1) == 1);
}

TEST_CASE("branches: a loop that sums 1..10", "[interpreter]") {
  GuestMachine m(R"(
        .data
sum:    .word 0
        .code
main:   push 10
loop:   dup
        load sum
        add
        store sum
        addi -1
        dup
        jnz loop
        drop
        push 0
        jz done
        push 999        ; skipped
done:   jmp end
        push 998        ; skipped
end:    sys 0
)");
  m.run_to_halt();
  CHECK(m.global("sum") == 55);
  CHECK(m.stack().empty());
}

TEST_CASE("loads and stores: direct, indexed, frame, indirect, byte", "[interpreter]") {
  GuestMachine m(R"(
        .data
a:      .word 10, 20, 30
b:      .space 3
text:   .string "abcdefg"
        .code
main:   load a          ; 10
        push 2
        loadx a         ; 10 30
        push 1
        push 77
        storex b        ; b[1] = 77
        push a
        addi 1
        loadi           ; 10 30 20
        push b
        push 55
        storei          ; b[0] = 55
        push 66
        store b         ; overwrites b[0]
        pushw text * 4 + 5
        loadb           ; 10 30 20 'f'
        pushw text * 4 + 1
        push 'Z'
        storeb          ; "aZcdefg"
        sys 0
)");
  m.run_to_halt();
  CHECK(m.stack() == Words{10, 30, 20, 'f'});
  const auto b = m.program.data_labels.at("b");
  CHECK(m.memory[b] == 66);
  CHECK(m.memory[b + 1] == 77);
  CHECK(m.global("text") == u('a' | 'Z' << 8 | 'c' << 16 | 'd' << 24));
}

TEST_CASE("adds allocates zeroed locals addressed from L; laddr gives their address", "[interpreter]") {
  GuestMachine m(R"(
main:   adds 3          ; three locals at L+1 .. L+3, zeroed
        push 5
        storel 2
        laddr 3
        push 9
        storei          ; local 3 = 9
        loadl 1
        loadl 2
        loadl 3         ; 0 0 5 9... (locals then copies)
        adds -1         ; drop the last copy
        sys 0
)");
  m.run_to_halt();
  CHECK(m.stack() == Words{0, 5, 9, 0, 5});
}

TEST_CASE("call and ret with parameters and locals: recursive factorial", "[interpreter]") {
  // fact(n) = n <= 1 ? 1 : n * fact(n - 1), one parameter at L-2, result returned with retv.
  GuestMachine m(R"(
        .data
result: .word 0
        .code
main:   push 10
        call fact
        store result
        sys 0

        .proc fact
        adds 1          ; one local: the parameter's copy, to show locals survive the inner call
        loadl -2
        storel 1
        loadl 1
        push 1
        le
        jz .recurse
        push 1
        retv 1
.recurse:
        loadl 1
        addi -1
        call fact
        loadl 1
        mul
        retv 1
        .endproc
)");
  m.run_to_halt();
  CHECK(m.global("result") == 3628800);
  CHECK(m.stack().empty());
  CHECK(m.ps.regs.l == m.ps.stack_base - 1);
}

TEST_CASE("call pushes a two-word frame marker; ret n pops the parameters", "[interpreter]") {
  GuestMachine m(R"(
main:   push 7
        push 8
        call two        ; address 2
        sys 0
two:    laddr 0         ; L itself
        loadl -1        ; return P
        loadl 0         ; caller's L
        loadl -3        ; first parameter
        loadl -2        ; second parameter
        sys 1           ; let the test look at the frame
        adds -5
        ret 2
)");
  auto r = m.run();
  REQUIRE(r.reason == pairsim::cpu::StopReason::syscall);
  REQUIRE(r.syscall == 1);
  const auto s = m.stack();
  const std::uint32_t base = m.ps.stack_base;
  REQUIRE(s.size() == 9);
  CHECK(s[4] == base + 3);  // L = address of the saved-L word: 7, 8, return P, [old L]
  CHECK(m.ps.regs.l == base + 3);
  CHECK(s[5] == 3);         // return P: the word after the call
  CHECK(s[6] == base - 1);  // main's L
  CHECK(s[7] == 7);
  CHECK(s[8] == 8);
  m.run_to_halt();
  CHECK(m.stack().empty());
  CHECK(m.ps.regs.p == 4);
}

TEST_CASE("calli calls the address on the stack", "[interpreter]") {
  GuestMachine m(R"(
        .data
table:  .word first, second
        .code
main:   push 1
        loadx table
        calli
        sys 0
first:  push 111
        retv 0
second: push 222
        retv 0
)");
  m.run_to_halt();
  CHECK(m.stack() == Words{222});
}

TEST_CASE("reset_registers starts a process at its entry with an empty stack", "[interpreter]") {
  GuestMachine m(R"(
        .data
g:      .word 1, 2
        .code
helper: sys 9
main:   push 1
        sys 0
)");
  CHECK(m.ps.regs.p == m.code_label("main"));
  CHECK(m.ps.regs.s == 1);  // stack_base - 1
  CHECK(m.ps.regs.l == 1);
  m.ps.regs.p = 0;
  m.ps.regs.s = 5;
  pairsim::cpu::reset_registers(m.ps);
  CHECK(m.ps.regs.p == 1);
  CHECK(m.stack().empty());
}

TEST_CASE("sys stops with P past the SYS; the kernel pops arguments and pushes the result", "[interpreter]") {
  GuestMachine m(R"(
main:   push 20
        push 22
        sys 42
        addi 1
        sys 0
)");
  auto r = m.run();
  CHECK(r.reason == pairsim::cpu::StopReason::syscall);
  CHECK(r.syscall == 42);
  CHECK(r.executed == 3);
  CHECK(m.ps.regs.p == 3);
  std::uint32_t b = 0, a = 0;
  REQUIRE(m.ps.pop(b));
  REQUIRE(m.ps.pop(a));
  REQUIRE(m.ps.push(a + b));
  m.run_to_halt();
  CHECK(m.stack() == Words{43});
}

TEST_CASE("the budget stops a run and the next run continues", "[interpreter]") {
  GuestMachine m(R"(
main:   push 0
loop:   addi 1
        jmp loop
)");
  auto r = m.run(0);
  CHECK(r.reason == pairsim::cpu::StopReason::budget);
  CHECK(r.executed == 0);
  r = m.run(11);
  CHECK(r.reason == pairsim::cpu::StopReason::budget);
  CHECK(r.executed == 11);
  CHECK(m.top() == 5);
  CHECK(m.ps.regs.p == 1);
  r = m.run(10);
  CHECK(r.executed == 10);
  CHECK(m.top() == 10);
}

TEST_CASE("the worked example of docs/isa.md computes 5! with the documented frame", "[interpreter]") {
  GuestMachine m(R"(
        .data
result: .word 0
        .code
main:   push 5          ; argument
        call fact       ; ( -- 120 )
        store result
        push 0
        sys 1           ; stop(0)

        .proc fact      ; fact(n): one parameter, at L-2
        loadl -2        ; n
        push 1
        le
        jz .recurse     ; n > 1?
        push 1
        retv 1          ; return 1, popping n
.recurse:
        loadl -2        ; n
        loadl -2
        addi -1         ; n, n-1
        call fact       ; n, fact(n-1)
        mul
        retv 1          ; return n * fact(n-1)
        .endproc
)");
  m.run(3);  // push, call, loadl -2
  CHECK(m.ps.regs.l == 3);
  CHECK(std::vector<std::uint32_t>(m.memory.begin() + 1, m.memory.begin() + 5) == Words{5, 2, 0, 5});
  const auto r = m.run();
  REQUIRE(r.reason == pairsim::cpu::StopReason::syscall);
  CHECK(r.syscall == 1);
  CHECK(m.global("result") == 120);
  CHECK(m.stack() == Words{0});
}
