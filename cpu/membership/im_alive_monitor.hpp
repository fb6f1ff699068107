#pragma once
// The receiving side of the I'm-alive protocol on one CPU: who was heard and when, and how many checks in a
// row each member has been silent. Pure logic: the host calls heard() for every I'm-alive it receives and
// check() once a period (at k·P + P/2, see docs/membership.md).
#include <array>
#include <cstdint>

#include "cpu/membership/cpu_mask.hpp"

namespace pairsim::cpu {

class ImAliveMonitor {
 public:
  // self in [0, cpus), cpus in [2, 16]; throws std::invalid_argument otherwise (a wiring bug, not user input).
  ImAliveMonitor(int self, int cpus);

  // An I'm-alive (or anything that proves `from` runs) arrived at t_ns. Out-of-range or self: ignored.
  void heard(int from, std::uint64_t t_ns);

  struct CheckResult {
    CpuMask missed_once = 0;        // members silent for exactly one check interval: an observation only
    CpuMask suspected = 0;          // members silent for two or more: start a regroup round
    CpuMask non_members_heard = 0;  // non-members heard since the previous check: a reloaded CPU, admit it
  };
  // Closes the interval since the previous check. `members` is this CPU's agreed membership (self ignored).
  CheckResult check(CpuMask members);

  // The CPUs heard within (t_ns - window_ns, t_ns], plus self: this CPU's row of the connectivity matrix.
  CpuMask heard_within(std::uint64_t t_ns, std::uint64_t window_ns) const;

  // CPUs just declared down: what was heard from them before no longer says they are up, so a late
  // I'm-alive does not start a needless admission round and they drop out of this CPU's row.
  void forget(CpuMask cpus);

  int missed(int cpu) const { return (cpu >= 0 && cpu < cpus_) ? missed_[cpu] : 0; }
  int self() const { return self_; }
  int cpus() const { return cpus_; }

  // Back to the state at power-on (a reloaded CPU).
  void reset();

 private:
  int self_;
  int cpus_;
  CpuMask heard_since_check_ = 0;
  CpuMask ever_heard_ = 0;
  std::array<std::uint64_t, kMaxCpus> last_heard_ns_{};
  std::array<std::uint8_t, kMaxCpus> missed_{};
};

}  // namespace pairsim::cpu
