#pragma once
// Loads a guest program from a file, whichever kind it is: an object file (`pairsim asm -o`) is read as it
// is, a .ptal file is compiled (docs/language.md) and assembled, anything else is assembled. The one place
// that decides, for `pairsim asm`, `pairsim disasm` and for runs.
#include <string>
#include <vector>

#include "guest/assembler.hpp"

namespace pairsim::guest {

// The result's errors name the file (FILE:LINE:COL for source, FILE for an object or an unreadable file).
// Compiler warnings (a .ptal file only) go to `warnings` when given.
AssembleResult load_program_file(const std::string& path, const std::vector<std::string>& include_dirs,
                                 std::vector<std::string>* warnings = nullptr);

// A source file (.pasm or .ptal) to a program, with the listing when asked for.
AssembleResult build_source_file(const std::string& path, const std::vector<std::string>& include_dirs,
                                 bool want_listing, std::vector<std::string>* warnings = nullptr);

}  // namespace pairsim::guest
