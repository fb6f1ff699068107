// The ptal compiler, fed anything (guest/ and guest/lib on the include path): it never crashes or throws,
// never reports an internal error, a refusal names FILE:LINE:COL for every error, and what it accepts the
// assembler accepts too, giving a consistent program.
#include <cstddef>
#include <cstdint>
#include <exception>
#include <string>
#include <vector>

#include "fuzz_check.hpp"
#include "fuzz_program.hpp"
#include "guest/ptal_compiler.hpp"

using namespace pairsim;
using fuzz::require;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  const std::string name = "fuzz.ptal";
  const std::vector<std::string> includes = {PAIRSIM_SOURCE_DIR "/guest", PAIRSIM_SOURCE_DIR "/guest/lib"};
  guest::ptal::Compiled c;
  try {
    c = guest::ptal::compile_string(text, name, includes);
  } catch (const std::exception& e) {
    fuzz::fail(std::string("an exception escaped the compiler: ") + e.what());
  } catch (...) {
    fuzz::fail("an exception escaped the compiler");
  }
  bool errors = false;
  for (const auto& m : c.messages) {
    fuzz::require_location(text, name, m.file, m.line, m.col, m.text, m.str());
    require(m.text.rfind("internal compiler error", 0) != 0, "an internal error: " + m.str());
    errors = errors || !m.warning;
  }
  require(c.ok != errors, c.ok ? "compiled, with errors" : "refused without an error");
  if (!c.ok) return 0;

  guest::AssembleResult a;
  try {
    a = guest::assemble_string(c.assembly, name + ".pasm", {});
  } catch (const std::exception& e) {
    fuzz::fail(std::string("an exception escaped the assembler on compiled code: ") + e.what());
  }
  if (!a.program) fuzz::fail("compiled, but does not assemble: " + a.errors.front().str());
  fuzz::check_program(*a.program, true);
  return 0;
}
