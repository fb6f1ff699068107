#pragma once
// An assembled guest program: what the assembler produces and the kernel loads into a process.
// CONTRACT shared by guest/ (assembler, disassembler) and cpu/ (interpreter, kernel).
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace pairsim::guest {

struct Program {
  std::string source;                                // path it was assembled from (for messages and listings)
  std::vector<std::uint32_t> code;                   // code space, word-addressed; P indexes it
  std::vector<std::uint32_t> data;                   // initial values of the globals, loaded at data address 0
  std::uint32_t data_words = 0;                      // whole data space: globals + stack (>= data.size())
  std::uint32_t stack_words = 0;                     // size of the stack region that follows the globals
  std::uint32_t entry = 0;                           // code address of the first instruction
  std::map<std::string, std::uint32_t> code_labels;  // label -> code address (listing, disasm, traces)
  std::map<std::string, std::uint32_t> data_labels;  // label -> data address
  std::vector<std::uint32_t> code_lines;             // source line of each code word (0 = unknown)
};

}  // namespace pairsim::guest
