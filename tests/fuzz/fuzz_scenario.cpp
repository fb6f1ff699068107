// The scenario parser, fed anything: it never crashes or throws, a refusal names FILE:LINE:COL inside the
// text for every error, and an accepted scenario keeps the invariants the scenario driver relies on.
#include <cstddef>
#include <cstdint>
#include <exception>
#include <string>

#include "fuzz_check.hpp"
#include "sim/scenario/scenario_parser.hpp"

using namespace pairsim;
using fuzz::require;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  const std::string name = "fuzz.scn";
  sim::ParseResult r;
  try {
    r = sim::parse_scenario(text, name);
  } catch (const std::exception& e) {
    fuzz::fail(std::string("an exception escaped the parser: ") + e.what());
  } catch (...) {
    fuzz::fail("an exception escaped the parser");
  }
  require(r.ok() == r.errors.empty(), "a scenario and errors together (or neither)");
  require(r.errors.size() <= sim::max_reported_errors + 1, "more errors than the parser reports");
  for (std::size_t i = 0; i < r.errors.size(); ++i) {
    const sim::ScenarioError& e = r.errors[i];
    fuzz::require_location(text, name, e.loc.file, e.loc.line, e.loc.col, e.message, e.str());
    require(e.str().find(": error: ") != std::string::npos, "an error not shown as an error: " + e.str());
    if (i > 0) require(r.errors[i - 1].loc.line <= e.loc.line, "errors out of line order: " + e.str());
  }
  if (!r.ok()) return 0;
  const sim::Scenario& s = *r.scenario;
  require(s.run.for_ns > 0, "a run of no time");
  for (std::size_t i = 1; i < s.actions.size(); ++i)
    require(s.actions[i - 1].t_ns <= s.actions[i].t_ns, "actions out of time order");
  for (const sim::TimedAction& a : s.actions) {
    require(a.t_ns < s.run.for_ns, "an action at or after the end of the run");
    if (a.random_range) require(a.random_range->from_ns <= a.random_range->to_ns, "a random range backwards");
  }
  require(s.machine.cpus >= 2 && s.machine.cpus <= 16, "a machine of " + std::to_string(s.machine.cpus) + " CPUs");
  require(s.machine.quantum_ns <= s.machine.heartbeat_ns, "a quantum longer than the heartbeat");
  return 0;
}
