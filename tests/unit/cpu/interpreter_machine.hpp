#pragma once
// A process of its own for interpreter tests: assembles source, lays out memory as the kernel does
// (globals at 0, then the stack) and starts it from reset_registers.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "cpu/interpreter.hpp"
#include "guest/assembler.hpp"

namespace pairsim::test {

struct GuestMachine {
  guest::Program program;
  std::vector<std::uint32_t> memory;
  cpu::ProcessState ps;

  explicit GuestMachine(const std::string& source) {
    auto r = guest::assemble_string(source, "test.pasm", {});
    for (const auto& e : r.errors) UNSCOPED_INFO(e.str());
    REQUIRE(r.program);
    program = *r.program;
    memory.assign(program.data_words, 0xDEADBEEF);  // the stack starts as garbage, as in real memory
    std::copy(program.data.begin(), program.data.end(), memory.begin());
    ps.program = &program;
    ps.data = memory.data();
    ps.data_words = program.data_words;
    ps.stack_base = static_cast<std::uint32_t>(program.data.size());
    cpu::reset_registers(ps);
  }
  cpu::RunResult run(std::uint64_t budget = 1'000'000) { return cpu::Interpreter::run(ps, budget); }
  // Runs to the first stop and requires it to be `sys 0` (the tests' "halt").
  void run_to_halt() {
    const auto r = run();
    INFO("trap: " << cpu::trap_reason(r.trap) << " at P=" << ps.regs.p);
    REQUIRE(r.reason == cpu::StopReason::syscall);
    REQUIRE(r.syscall == 0);
  }
  std::vector<std::uint32_t> stack() const {
    return {memory.begin() + ps.stack_base, memory.begin() + (ps.regs.s + 1)};
  }
  std::uint32_t top() const { return memory.at(ps.regs.s); }
  std::uint32_t global(const std::string& label) const { return memory.at(program.data_labels.at(label)); }
  std::uint32_t code_label(const std::string& label) const { return program.code_labels.at(label); }
};

}  // namespace pairsim::test
