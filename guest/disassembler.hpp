#pragma once
// Turns a Program back into readable assembly: code with its labels and data with its labels. The output
// is itself valid assembler input that rebuilds the same code and data words.
#include <string>

#include "guest/program.hpp"

namespace pairsim::guest {

std::string disassemble(const Program& p);

// One instruction at code address `at` ("push 5", "jmp loop"), using p's labels for targets.
// `words` is set to how many code words it used (1, or 2 for pushw).
std::string disassemble_instruction(const Program& p, std::uint32_t at, std::uint32_t& words);

}  // namespace pairsim::guest
