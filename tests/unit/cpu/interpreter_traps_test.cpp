// Every trap: the run stops with the right reason, P at the faulting instruction, the stack untouched.
#include <catch2/catch.hpp>

#include "tests/unit/cpu/interpreter_machine.hpp"

using pairsim::cpu::StopReason;
using pairsim::cpu::Trap;
using pairsim::test::GuestMachine;

namespace {

struct Expected {
  const char* source;
  Trap trap;
  const char* at_label;  // P must stay at this code label
};

void check_trap(const Expected& e) {
  INFO(e.source);
  GuestMachine m(e.source);
  // Run up to the faulting instruction first, so we can see that the fault changes nothing.
  const std::uint32_t fault_p = m.code_label(e.at_label);
  std::uint64_t before = 0;
  while (m.ps.regs.p != fault_p) {
    const auto r = m.run(1);
    REQUIRE(r.reason == StopReason::budget);
    REQUIRE(++before < 1000);
  }
  const auto stack_before = m.stack();
  const auto l_before = m.ps.regs.l;
  const auto r = m.run();
  CHECK(r.reason == StopReason::trap);
  CHECK(r.trap == e.trap);
  CHECK(r.executed == 0);
  CHECK(m.ps.regs.p == fault_p);
  CHECK(m.stack() == stack_before);
  CHECK(m.ps.regs.l == l_before);
  // A trapped process stays trapped: running it again faults again at the same place.
  const auto again = m.run();
  CHECK(again.trap == e.trap);
  CHECK(m.ps.regs.p == fault_p);
}

}  // namespace

TEST_CASE("illegal instructions trap", "[interpreter][trap]") {
  check_trap({"main: nop\nbad: .word 0\n", Trap::illegal_instruction, "bad"});
  check_trap({"main: nop\nbad: .word 0xFF000000\n", Trap::illegal_instruction, "bad"});
  check_trap({"main: nop\nbad: .word 0x02000000\n", Trap::illegal_instruction, "bad"});
}

TEST_CASE("data accesses outside the data space trap with bad address", "[interpreter][trap]") {
  check_trap({".stack 8\nmain: nop\nbad: load 100\n", Trap::bad_address, "bad"});
  check_trap({".stack 8\nmain: push 1\nbad: store 8\n", Trap::bad_address, "bad"});  // data_words == 8
  check_trap({".stack 8\nmain: push 7\nbad: loadx 2\n", Trap::bad_address, "bad"});
  check_trap({".stack 8\nmain: push -1\n push 5\nbad: storex 0\n", Trap::bad_address, "bad"});
  check_trap({".stack 8\nmain: pushw 0xFFFFFFFF\nbad: loadi\n", Trap::bad_address, "bad"});
  check_trap({".stack 8\nmain: push 8\n push 1\nbad: storei\n", Trap::bad_address, "bad"});
  check_trap({".stack 8\nmain: nop\nbad: loadl -5\n", Trap::bad_address, "bad"});
  check_trap({".stack 8\nmain: push 1\nbad: storel 100\n", Trap::bad_address, "bad"});
  check_trap({".stack 8\nmain: push 32\nbad: loadb\n", Trap::bad_address, "bad"});
  check_trap({".stack 8\nmain: push 32\n push 1\nbad: storeb\n", Trap::bad_address, "bad"});
}

TEST_CASE("control leaving the code traps with bad code address", "[interpreter][trap]") {
  check_trap({"main: nop\nend:\n", Trap::bad_code_address, "end"});  // falls off the end
  check_trap({"main: pushw 999\nbad: calli\n", Trap::bad_code_address, "bad"});
  check_trap({"main: nop\nbad: .word 0x11000000\n", Trap::bad_code_address, "bad"});  // pushw cut off
  // A return address overwritten in the frame marker.
  check_trap({"main: call f\n sys 0\nf: push 5000\n storel -1\nbad: ret 0\n", Trap::bad_code_address, "bad"});
  // Hand-made jump words past the end of the code.
  check_trap({"main: nop\nbad: .word 0x50000100\n", Trap::bad_code_address, "bad"});
  check_trap({"main: push 0\nbad: .word 0x51000100\n", Trap::bad_code_address, "bad"});
  check_trap({"main: nop\nbad: .word 0x53000100\n", Trap::bad_code_address, "bad"});
}

TEST_CASE("the stack traps at both ends", "[interpreter][trap]") {
  check_trap({".stack 2\nmain: push 1\n push 2\nbad: push 3\n", Trap::stack_overflow, "bad"});
  check_trap({".stack 2\nmain: push 1\n push 2\nbad: dup\n", Trap::stack_overflow, "bad"});
  check_trap({".stack 2\nmain: push 1\nbad: call main\n", Trap::stack_overflow, "bad"});
  check_trap({".stack 4\nmain: push 1\nbad: adds 4\n", Trap::stack_overflow, "bad"});
  check_trap({".stack 4\nmain: adds 4\nbad: pushw 1\n", Trap::stack_overflow, "bad"});
  check_trap({"main: nop\nbad: drop\n", Trap::stack_underflow, "bad"});
  check_trap({"main: push 1\nbad: add\n", Trap::stack_underflow, "bad"});
  check_trap({"main: push 1\nbad: swap\n", Trap::stack_underflow, "bad"});
  check_trap({"main: push 1\nbad: adds -2\n", Trap::stack_underflow, "bad"});
  check_trap({"main: push 1\nbad: ret 0\n", Trap::stack_underflow, "bad"});                   // no frame in main
  check_trap({"main: call f\n sys 0\nf: nop\nbad: ret 1\n", Trap::stack_underflow, "bad"});   // no parameter
  check_trap({"main: call f\n sys 0\nf: nop\nbad: retv 0\n", Trap::stack_underflow, "bad"});  // no value
  check_trap({"main: nop\nbad: jz main\n", Trap::stack_underflow, "bad"});
}

TEST_CASE("division by zero traps for every divide", "[interpreter][trap]") {
  for (const char* op : {"div", "mod", "divu", "modu"}) {
    const std::string src = std::string("main: push 5\n push 0\nbad: ") + op + "\n";
    check_trap({src.c_str(), Trap::division_by_zero, "bad"});
  }
}

TEST_CASE("a run with an inconsistent stack register traps instead of touching memory", "[interpreter][trap]") {
  GuestMachine m(".data\ng: .word 1\n.code\nmain: push 1\n sys 0\n");
  m.ps.regs.s = m.ps.data_words + 3;
  CHECK(m.run().trap == Trap::stack_overflow);
  m.ps.regs.s = m.ps.stack_base - 2;
  CHECK(m.run().trap == Trap::stack_underflow);
}

TEST_CASE("trap reasons are the documented sentences", "[interpreter][trap]") {
  using pairsim::cpu::trap_reason;
  CHECK(std::string(trap_reason(Trap::illegal_instruction)) == "illegal instruction");
  CHECK(std::string(trap_reason(Trap::bad_address)) == "bad address");
  CHECK(std::string(trap_reason(Trap::bad_code_address)) == "bad code address");
  CHECK(std::string(trap_reason(Trap::stack_overflow)) == "stack overflow");
  CHECK(std::string(trap_reason(Trap::stack_underflow)) == "stack underflow");
  CHECK(std::string(trap_reason(Trap::division_by_zero)) == "division by zero");
  CHECK(std::string(trap_reason(Trap::bad_syscall)) == "bad system call");
  CHECK(std::string(trap_reason(Trap::bad_argument)) == "bad system-call argument");
}
