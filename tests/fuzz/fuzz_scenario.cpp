// The scenario parser, fed anything: it never crashes or throws, a refusal names FILE:LINE:COL inside the
// text for every error, and an accepted scenario keeps the invariants the scenario driver relies on. An
// accepted scenario's schedule (its random parts drawn from a seed the input picks) is in time order, and
// pinning it (`pairsim pin`) gives a scenario that parses, draws nothing and has the same schedule.
#include <cstddef>
#include <cstdint>
#include <exception>
#include <string>
#include <vector>

#include "fuzz_check.hpp"
#include "sim/scenario/duration.hpp"
#include "sim/scenario/scenario_parser.hpp"
#include "sim/scenario/schedule.hpp"

using namespace pairsim;
using fuzz::require;

namespace {

std::vector<std::string> lines_of(const std::vector<sim::ResolvedAction>& schedule) {
  std::vector<std::string> out;
  for (const auto& a : schedule) out.push_back(sim::format_duration(a.t_ns) + " " + sim::describe(a.action));
  return out;
}

std::string joined(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) out += l + "\n";
  return out;
}

}  // namespace

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

  std::uint64_t seed = 1469598103934665603u;  // FNV-1a of the input: a seed of its own, the same every run
  for (char c : text) seed = (seed ^ static_cast<unsigned char>(c)) * 1099511628211u;
  const auto schedule = sim::resolve_schedule(s, seed);
  for (std::size_t i = 1; i < schedule.size(); ++i)
    require(schedule[i - 1].t_ns <= schedule[i].t_ns, "a schedule out of time order");
  const std::string pinned = sim::pin_scenario(text, s, schedule, {"pinned"}, ".");
  const sim::ParseResult again = sim::parse_scenario(pinned, name);
  if (!again.ok()) fuzz::fail("the pinned scenario is refused: " + again.errors.front().str() + "\n" + pinned);
  require(!sim::draws_at_random(*again.scenario), "the pinned scenario still draws at random:\n" + pinned);
  const auto expected = lines_of(schedule), got = lines_of(sim::resolve_schedule(*again.scenario, seed + 1));
  if (got != expected)
    fuzz::fail("the pinned scenario has another schedule:\n" + joined(got) + "instead of\n" + joined(expected) +
               "pinned:\n" + pinned);
  return 0;
}
