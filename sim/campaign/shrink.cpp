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

std::vector<ResolvedAction> without(const std::vector<ResolvedAction>& s, int fault) {
  std::vector<ResolvedAction> out;
  for (const auto& a : s)
    if (!(is_fault(a) && a.fault == fault)) out.push_back(a);
  return out;
}

void sort_by_time(std::vector<ResolvedAction>& s) {
  std::stable_sort(s.begin(), s.end(), [](const ResolvedAction& a, const ResolvedAction& b) {
    if (a.t_ns != b.t_ns) return a.t_ns < b.t_ns;
    return a.fault != b.fault ? a.fault < b.fault : !a.is_repair && b.is_repair;
  });
}

// The fault moved to `t_ns`, its repair the same time after it (left out when that is not before the end).
std::vector<ResolvedAction> moved(const std::vector<ResolvedAction>& s, int fault, std::uint64_t t_ns,
                                  std::uint64_t run_end_ns) {
  std::uint64_t from = 0;
  for (const auto& a : s)
    if (is_fault(a) && a.fault == fault && !a.is_repair) from = a.t_ns;
  std::vector<ResolvedAction> out;
  for (auto a : s) {
    if (is_fault(a) && a.fault == fault) {
      a.t_ns = a.t_ns - from + t_ns;
      if (a.is_repair && a.t_ns >= run_end_ns) continue;
    }
    out.push_back(a);
  }
  sort_by_time(out);
  return out;
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
      auto candidate = without(r.schedule, id);
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
    if (hi > lo && fails(moved(r.schedule, id, hi, run_end_ns))) {
      lo = hi;
    } else {
      while (hi - lo > step_ns) {
        const std::uint64_t mid = lo + (hi - lo) / 2 / step_ns * step_ns;
        if (mid <= lo) break;
        if (fails(moved(r.schedule, id, mid, run_end_ns)))
          lo = mid;
        else
          hi = mid;
      }
    }
    r.schedule = moved(r.schedule, id, lo, run_end_ns);
  }
  r.faults_after = count_faults(r.schedule);
  return r;
}

}  // namespace pairsim::sim
