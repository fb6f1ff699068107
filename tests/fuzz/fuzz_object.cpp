// The object-file loader, fed anything: it never crashes or throws, a refusal says why, and a program it
// accepts is consistent, survives a second round trip, and runs in the interpreter as the kernel would
// load it (globals at 0, the stack after them) without the interpreter stepping outside it.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <optional>
#include <string>
#include <vector>

#include "cpu/interpreter.hpp"
#include "fuzz_check.hpp"
#include "fuzz_program.hpp"
#include "guest/object_file.hpp"

using namespace pairsim;
using fuzz::require;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  std::string error;
  std::optional<guest::Program> p;
  try {
    p = guest::deserialize(bytes, error);
  } catch (const std::exception& e) {
    fuzz::fail(std::string("an exception escaped the loader: ") + e.what());
  } catch (...) {
    fuzz::fail("an exception escaped the loader");
  }
  if (!p) {
    require(!error.empty(), "an object file refused with no reason");
    return 0;
  }
  fuzz::check_program(*p, false);

  // Run it as the kernel loads a process (small data spaces only: a 64 MiB one would only be slow).
  if (p->data_words > (1u << 16)) return 0;
  std::vector<std::uint32_t> memory(p->data_words, 0xDEADBEEF);
  std::copy(p->data.begin(), p->data.end(), memory.begin());
  cpu::ProcessState ps;
  ps.program = &*p;
  ps.data = memory.data();
  ps.data_words = p->data_words;
  ps.stack_base = static_cast<std::uint32_t>(p->data.size());
  cpu::reset_registers(ps);
  for (int slice = 0; slice < 8; ++slice) {
    const cpu::RunResult r = cpu::Interpreter::run(ps, 2000);
    require(r.executed <= 2000, "more instructions than the budget");
    if (r.reason == cpu::StopReason::trap) break;
  }
  return 0;
}
