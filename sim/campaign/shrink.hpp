#pragma once
// Shrinking a failing run: the smallest set of its faults, each at the latest time, that still fails the
// same way (docs/campaigns.md, "Shrinking"). This part knows nothing of how a schedule is run: it asks a
// callback, so that unit tests can shrink against a rule of their own. sim/campaign/shrink_command.cpp
// runs each candidate as a `pairsim run` of its own.
#include <cstdint>
#include <functional>
#include <vector>

#include "sim/scenario/schedule.hpp"

namespace pairsim::sim {

// True when a candidate schedule still fails the way the original did.
using StillFails = std::function<bool(const std::vector<ResolvedAction>&)>;

struct ShrinkResult {
  std::vector<ResolvedAction> schedule;  // sorted by time
  int faults_before = 0;
  int faults_after = 0;
  int trials = 0;  // candidate runs asked for
};

// The faults of a schedule are its actions other than `start`, a `for` fault together with its repair.
int count_faults(const std::vector<ResolvedAction>& schedule);

// 1. Leaves out one fault at a time, keeping each removal that still fails, until no single fault can go.
// 2. Moves each remaining fault (with its repair, the same time after it) as late as it still fails, to
//    `step_ns`: a binary search between its time and the end of the run, so it finds a latest time at
//    which it fails with the next step not failing, not necessarily the very latest.
// `original` must fail (the caller has checked). Deterministic: the same answers give the same result.
ShrinkResult shrink_schedule(const std::vector<ResolvedAction>& original, std::uint64_t run_end_ns,
                             const StillFails& still_fails, std::uint64_t step_ns = 1000);

}  // namespace pairsim::sim
