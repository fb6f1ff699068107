#pragma once
// A run's schedule: the scenario's `at` actions with every random part drawn — times, CPUs, buses,
// durations, menu picks — from the run's one generator, before the simulation starts, in a fixed order
// (docs/scenarios.md, "Random draws"). The schedule is all a run needs of its seed: the scenario driver
// plays it, `pairsim pin` prints it as a scenario, shrinking and sweeps edit it. Kernel-free.
#include <cstdint>
#include <string>
#include <vector>

#include "sim/scenario/scenario.hpp"

namespace pairsim::sim {

// One action with its random parts drawn.
struct ResolvedAction {
  std::uint64_t t_ns = 0;
  Action action;
  std::string text;  // the statement it comes from (for a menu pick, the `at … pick` statement)
  int line = 0;      // that statement's line
  // The fault it belongs to: the index, in the schedule's draw order, of the `at` statement's action or of
  // one pick; a `for` fault's repair has its fault's. Shrinking removes a fault with its repair.
  int fault = 0;
  std::uint64_t lasts_ns = 0;  // a `for D` fault: D (its repair is an action of its own); 0 for the others
  // The repair a `for D` scheduled. It ends only its own fault's outage: while another fault of the same
  // CPU, bus or path still lasts (or never ends), the component stays down (see ScenarioDriver).
  bool is_repair = false;
};

// Draws everything, in file order of the `at` statements; per statement: its time, then (for each pick:
// its time, its menu entry, then that entry's) bus, CPU and duration. A repair that would come at or after
// `run_end_ns` is left out: the fault lasts to the end. Sorted by time; equal times keep draw order.
std::vector<ResolvedAction> resolve_schedule(const Scenario& s, std::uint64_t seed);

// True when the scenario draws anything from its seed; otherwise every seed gives the same run.
bool draws_at_random(const Scenario& s);

// The schedule with `fault` at `t_ns` instead: what resolve_schedule gives had that statement drawn t_ns (every
// other draw is the same). A `for D` fault's repair comes D after it, left out when that is not before
// `run_end_ns`; equal times keep the schedule's order (draw order, a fault before its repair). Sweeps move a
// fault over its window, shrinking moves one later.
std::vector<ResolvedAction> move_fault(std::vector<ResolvedAction> schedule, int fault, std::uint64_t t_ns,
                                       std::uint64_t run_end_ns);
// The schedule without `fault` and its repair.
std::vector<ResolvedAction> without_fault(std::vector<ResolvedAction> schedule, int fault);

// What an action does in scenario words ("fail cpu 2", "repair path Y cpu 1", "start $C program c.pasm cpu 0
// priority 150 args 1 2"): `at T` followed by it is a statement that does the same.
std::string describe(const Action& a);

// The scenario again, with the schedule in place of its `at` statements: each `at` and `menu` line is
// replaced — at the line of the first `at` statement, or just after `machine` when that comes later — by one
// `at T ACTION` line per scheduled action (a `for D` fault as `at T fail … for D`, its repair not apart), with
// a comment saying where it came from. The lines go in time order, or in draw order when time order would
// swap two actions due at one moment. Every other line is kept as written; `seed` lines go (nothing is left
// to draw). `header` lines (without '#') open the file as comments. Program paths that would be found
// beside the original scenario only are made absolute, so the file runs from anywhere.
std::string pin_scenario(const std::string& source_text, const Scenario& s, const std::vector<ResolvedAction>& schedule,
                         const std::vector<std::string>& header, const std::string& project_dir);

}  // namespace pairsim::sim
