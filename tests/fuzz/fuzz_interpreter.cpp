// The interpreter against the reference interpreter (tests/unit/cpu/reference_interpreter.hpp, the plain
// switch loop it was before pre-decoding and fused pairs): a fuzzed code image (interpreter_input.hpp) runs
// in both, slice by slice with the input's budgets, and after every slice the result, the instruction
// count, the registers and every data word must be the same. After a trap both move on past the fault,
// as a debugger would, so a run goes on from states no compiler makes.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "cpu/interpreter.hpp"
#include "fuzz_check.hpp"
#include "interpreter_input.hpp"
#include "tests/unit/cpu/interpreter_fuzz.hpp"
#include "tests/unit/cpu/reference_interpreter.hpp"

using namespace pairsim;
using fuzz::require;

namespace {

struct Machine {
  std::vector<std::uint32_t> memory;
  cpu::ProcessState ps;
  Machine(const guest::Program& p, std::uint32_t stack_base) {
    memory.resize(p.data_words);
    for (std::uint32_t i = 0; i < p.data_words; ++i) memory[i] = (i * 2654435761u) % 11;
    ps.program = &p;
    ps.data = memory.data();
    ps.data_words = p.data_words;
    ps.stack_base = stack_base;
    cpu::reset_registers(ps);
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const fuzz::interpreter_input::Input in = fuzz::interpreter_input::decode(data, size);
  Machine a(in.program, in.stack_base), b(in.program, in.stack_base);
  for (int i = 0; i < fuzz::interpreter_input::kSlices; ++i) {
    const std::uint64_t budget = in.budgets[i];
    const cpu::RunResult ra = cpu::Interpreter::run(a.ps, budget);
    const cpu::RunResult rb = cpu::reference::reference_run(b.ps, budget);
    require(ra.executed <= budget, "more instructions than the budget");
    require(ra.reason != cpu::StopReason::budget || ra.executed == budget, "stopped for the budget before its end");
    const std::string what = pairsim::test::fuzz::slice_differences(ra, rb, a, b);
    if (!what.empty()) fuzz::fail("slice " + std::to_string(i) + " budget " + std::to_string(budget) + ":" + what);
    if (ra.reason == cpu::StopReason::trap)  // move on past the fault
      a.ps.regs.p = b.ps.regs.p = (a.ps.regs.p + 1) % static_cast<std::uint32_t>(in.program.code.size() + 1);
  }
  return 0;
}
