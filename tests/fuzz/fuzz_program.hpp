#pragma once
// What must hold of any Program the assembler, the compiler or the object-file loader hands out: what the
// interpreter and the kernel's loader rely on, a disassembly that assembles to the same words, and an
// unchanged round trip through an object file (`pairsim asm -o` writes what a run then loads).
#include <string>

#include "fuzz_check.hpp"
#include "guest/assembler.hpp"
#include "guest/disassembler.hpp"
#include "guest/object_file.hpp"

namespace pairsim::fuzz {

// The source path as an object file keeps it (a line of its own: line breaks become spaces).
inline std::string one_line(std::string s) {
  for (char& c : s)
    if (c == '\n' || c == '\r') c = ' ';
  return s;
}

inline bool same_program(const guest::Program& a, const guest::Program& b) {
  return one_line(a.source) == b.source && a.code == b.code && a.data == b.data && a.data_words == b.data_words &&
         a.stack_words == b.stack_words && a.entry == b.entry && a.code_labels == b.code_labels &&
         a.data_labels == b.data_labels && a.code_lines == b.code_lines;
}

// `from_source`: the assembler made `p`, so its disassembly must assemble to the same words. (An object file
// may hold what the assembler refuses to make, a jump outside the code say: that runs, and traps.)
inline void check_program(const guest::Program& p, bool from_source) {
  require(p.code.size() <= guest::kMaxCodeWords, "more code than the address field holds");
  require(p.data_words <= guest::kMaxDataWords, "more data than the address field holds");
  require(p.code.empty() || p.entry < p.code.size(), "the entry is outside the code");
  require(p.code_lines.size() == p.code.size(), "code_lines and code differ in length");
  require(static_cast<std::uint64_t>(p.data.size()) + p.stack_words == p.data_words,
          "data_words is not the globals plus the stack");
  // The disassembly is assembler input that rebuilds the same code and data words (disassembler.hpp).
  const std::string listing = guest::disassemble(p);
  if (from_source) {
    const guest::AssembleResult again = guest::assemble_string(listing, "disassembly.pasm", {});
    if (!again.program) fail("the disassembly does not assemble: " + again.errors.front().str() + "\n" + listing);
    require(again.program->code == p.code, "the disassembly assembles to other code:\n" + listing);
    require(again.program->data == p.data, "the disassembly assembles to other data:\n" + listing);
  }

  const std::string bytes = guest::serialize(p);
  require(guest::looks_like_object(bytes), "a serialized program does not look like an object file");
  std::string error;
  const auto back = guest::deserialize(bytes, error);
  require(back.has_value(), "an object file the loader refuses: " + error);
  require(same_program(p, *back), "a program changed on its way through an object file");
  require(guest::serialize(*back) == bytes, "serialize is not stable");
}

}  // namespace pairsim::fuzz
