// The assembler, fed anything (the library folder guest/lib is on the include path, as for runs): it never
// crashes or throws, a refusal names FILE:LINE:COL for every error, and an accepted program is consistent,
// disassembles, and comes back unchanged through an object file.
#include <cstddef>
#include <cstdint>
#include <exception>
#include <string>

#include "fuzz_check.hpp"
#include "fuzz_program.hpp"
#include "guest/assembler.hpp"

using namespace pairsim;
using fuzz::require;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  const std::string name = "fuzz.pasm";
  guest::AssembleResult r;
  try {
    r = guest::assemble_string(text, name, {PAIRSIM_SOURCE_DIR "/guest/lib"}, size % 2 == 0);
  } catch (const std::exception& e) {
    fuzz::fail(std::string("an exception escaped the assembler: ") + e.what());
  } catch (...) {
    fuzz::fail("an exception escaped the assembler");
  }
  require(r.program.has_value() == r.errors.empty(), "a program and errors together (or neither)");
  require(r.errors.size() <= guest::kMaxErrors + 1, "more errors than the assembler reports");
  for (const guest::Diagnostic& d : r.errors) {
    fuzz::require_location(text, name, d.file, d.line, d.col, d.message, d.str());
    require(d.str().find(": error: ") != std::string::npos, "an error not shown as an error: " + d.str());
  }
  if (r.program) fuzz::check_program(*r.program, true);
  return 0;
}
