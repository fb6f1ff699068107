#pragma once
// The guest assembler: source text (with includes) to a Program. The syntax is described in
// docs/assembler.md; the instructions in docs/isa.md.
#include <optional>
#include <string>
#include <vector>

#include "guest/disassembler.hpp"
#include "guest/object_file.hpp"
#include "guest/program.hpp"

namespace pairsim::guest {

struct Diagnostic {
  std::string file;
  int line = 0;
  int col = 0;
  std::string message;
  std::string str() const;  // "file:line:col: error: message"
};

struct AssembleResult {
  std::optional<Program> program;  // set exactly when errors is empty
  std::vector<Diagnostic> errors;  // in source order, at most kMaxErrors (+1 "too many errors")
  std::string listing;             // when asked for: address, words, source line
};

constexpr std::size_t kMaxErrors = 50;
// Hard limits of the address fields (24 bits): code words, and globals + stack in data words.
constexpr std::uint32_t kMaxCodeWords = 1u << 24;
constexpr std::uint32_t kMaxDataWords = 1u << 24;
constexpr std::uint32_t kDefaultStackWords = 4096;

// include_dirs are searched for `include "x"` after the including file's own folder.
AssembleResult assemble_file(const std::string& path, const std::vector<std::string>& include_dirs,
                             bool want_listing = false);
// `name` stands for the file name in messages; includes are searched beside it (or in the current folder).
AssembleResult assemble_string(const std::string& source, const std::string& name,
                               const std::vector<std::string>& include_dirs, bool want_listing = false);

}  // namespace pairsim::guest
