#include "cpu/membership/im_alive_monitor.hpp"

#include <stdexcept>
#include <string>

namespace pairsim::cpu {

ImAliveMonitor::ImAliveMonitor(int self, int cpus) : self_(self), cpus_(cpus) {
  if (cpus < 2 || cpus > kMaxCpus)
    throw std::invalid_argument("ImAliveMonitor: cpus must be 2..16, got " + std::to_string(cpus));
  if (self < 0 || self >= cpus)
    throw std::invalid_argument("ImAliveMonitor: self " + std::to_string(self) + " outside 0.." +
                                std::to_string(cpus - 1));
}

void ImAliveMonitor::heard(int from, std::uint64_t t_ns) {
  if (from < 0 || from >= cpus_ || from == self_) return;
  heard_since_check_ |= cpu_bit(from);
  ever_heard_ |= cpu_bit(from);
  last_heard_ns_[from] = t_ns;
}

ImAliveMonitor::CheckResult ImAliveMonitor::check(CpuMask members) {
  CheckResult r;
  for (int j = 0; j < cpus_; ++j) {
    if (j == self_) continue;
    const bool heard = has_cpu(heard_since_check_, j);
    if (!has_cpu(members, j)) {
      // A non-member has no silence to count; when it speaks it is a candidate for admission.
      missed_[j] = 0;
      if (heard) r.non_members_heard |= cpu_bit(j);
      continue;
    }
    if (heard) {
      missed_[j] = 0;
      continue;
    }
    if (missed_[j] < 255) ++missed_[j];  // saturate: a long-silent member stays suspected
    if (missed_[j] == 1)
      r.missed_once |= cpu_bit(j);
    else
      r.suspected |= cpu_bit(j);
  }
  heard_since_check_ = 0;
  return r;
}

CpuMask ImAliveMonitor::heard_within(std::uint64_t t_ns, std::uint64_t window_ns) const {
  CpuMask row = cpu_bit(self_);
  for (int j = 0; j < cpus_; ++j) {
    if (!has_cpu(ever_heard_, j)) continue;
    // A time later than t_ns (the host's clocks differ by a quantum) counts as just heard.
    if (last_heard_ns_[j] >= t_ns || t_ns - last_heard_ns_[j] < window_ns) row |= cpu_bit(j);
  }
  return row;
}

void ImAliveMonitor::forget(CpuMask cpus) {
  heard_since_check_ &= static_cast<CpuMask>(~cpus);
  ever_heard_ &= static_cast<CpuMask>(~cpus);
  for (int j = 0; j < cpus_; ++j)
    if (has_cpu(cpus, j)) missed_[j] = 0;
}

void ImAliveMonitor::reset() {
  heard_since_check_ = 0;
  ever_heard_ = 0;
  last_heard_ns_.fill(0);
  missed_.fill(0);
}

}  // namespace pairsim::cpu
