#pragma once
// Loads a guest program from a file, whichever kind it is: an object file (`pairsim asm -o`) is read as it
// is, anything else is assembled. The one place that decides, for `pairsim disasm` and for runs.
#include <string>
#include <vector>

#include "guest/assembler.hpp"

namespace pairsim::guest {

// The result's errors name the file (FILE:LINE:COL for source, FILE for an object or an unreadable file).
AssembleResult load_program_file(const std::string& path, const std::vector<std::string>& include_dirs);

}  // namespace pairsim::guest
