#include "sim/campaign/shrink.hpp"

#include <algorithm>
#include <set>

namespace pairsim::sim {

namespace {

bool is_fault(const ResolvedAction& a) {
  return !std::holds_alternative<StartProcess>(a.action);
}

std::vector<int> fault_ids(const std::vector<ResolvedAction>& s) {
  std::set<int> ids;
  for (const auto& a : s)
    if (is_fault(a)) ids.insert(a.fault);
  return {ids.begin(), ids.end()};
}

}  // namespace

int count_faults(const std::vector<ResolvedAction>& schedule) {
  return static_cast<int>(fault_ids(schedule).size());
}

ShrinkResult shrink_schedule(const std::vector<ResolvedAction>& original, std::uint64_t run_end_ns,
                             const StillFails& still_fails, std::uint64_t step_ns) {
  ShrinkResult r;
  r.schedule = original;
  r.faults_before = count_faults(original);
  auto fails = [&](const std::vector<ResolvedAction>& candidate) {
    ++r.trials;
    return still_fails(candidate);
  };

  // 1. Fewer faults, one at a time, until none can go.
  for (bool changed = true; changed;) {
    changed = false;
    for (int id : fault_ids(r.schedule)) {
      auto candidate = without_fault(r.schedule, id);
      if (fails(candidate)) {
        r.schedule = std::move(candidate);
        changed = true;
      }
    }
  }

  // 2. Each fault as late as it still fails.
  step_ns = std::max<std::uint64_t>(step_ns, 1);
  for (int id : fault_ids(r.schedule)) {
    std::uint64_t lo = 0;  // a time at which it fails: where it is now
    for (const auto& a : r.schedule)
      if (is_fault(a) && a.fault == id && !a.is_repair) lo = a.t_ns;
    if (run_end_ns == 0) break;
    std::uint64_t hi = run_end_ns - 1;  // the latest a fault can be
    // The end first: a fault whose effect does not depend on its moment goes there in one trial.
    if (hi > lo && fails(move_fault(r.schedule, id, hi, run_end_ns))) {
      lo = hi;
    } else {
      while (hi - lo > step_ns) {
        const std::uint64_t mid = lo + (hi - lo) / 2 / step_ns * step_ns;
        if (mid <= lo) break;
        if (fails(move_fault(r.schedule, id, mid, run_end_ns)))
          lo = mid;
        else
          hi = mid;
      }
    }
    r.schedule = move_fault(r.schedule, id, lo, run_end_ns);
  }
  r.faults_after = count_faults(r.schedule);
  return r;
}

}  // namespace pairsim::sim
