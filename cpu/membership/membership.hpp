#pragma once
// One CPU's membership service: the agreed set of up CPUs, kept by the I'm-alive monitor and regroup rounds.
// This is the glue the SystemC Cpu module hosts (docs/membership.md, "Host contract"): the host calls the
// on_* methods at the times the protocol fixes and carries out the returned Actions — broadcast bytes on
// both buses, arm the round deadline, trace the observations, apply or halt on a decision. Pure logic: the
// unit tests run many of these over an ideal network in one process.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cpu/membership/cpu_mask.hpp"
#include "cpu/membership/im_alive_monitor.hpp"
#include "cpu/membership/regroup.hpp"

namespace pairsim::cpu {

struct MembershipConfig {
  std::uint64_t period_ns = 1'000'000'000;  // P: I'm-alive sent at k·P, checked at k·P + P/2
  std::uint64_t window_ns = 0;              // W: a regroup round's length; 0 = P/4. Must be < P/2.
  // How long a round may wait for members that were heard lately but have not answered (cut off for a
  // moment, not dead); 0 = 2·P. A transient outage of a CPU's paths shorter than that costs a slower
  // decision, not the CPU.
  std::uint64_t max_round_ns = 0;
  // Throws std::invalid_argument on a period of 0 or a window >= P/2 (docs/membership.md says why).
  std::uint64_t effective_window_ns() const;
};

class Membership {
 public:
  // A CPU at cold start: every configured CPU is a member.
  Membership(int self, int cpus, MembershipConfig config = {});

  struct Actions {
    std::vector<std::uint8_t> broadcast;  // regroup bytes to send to every other CPU (both buses); empty: none
    bool round_started = false;           // a round began: arm a timer for deadline_ns, trace it
    std::uint32_t round = 0;
    std::uint64_t deadline_ns = 0;
    std::string round_reason;                   // "suspect 2", "admit 3", "message from CPU 1", "admission request from
                                                // CPU 3", "rerun" (several joined by "; ")
    CpuMask missed_once = 0;                    // from a check: trace "imalive_missed"
    CpuMask suspected = 0;                      // from a check: members silent two checks running
    std::optional<Regroup::Decision> decision;  // from a deadline: trace it, then halt or carry on
    CpuMask round_extended = 0;  // from a deadline: the round waits one more window for these members
  };

  // An I'm-alive from `from` arrived. Cheap: called 15 times a period per CPU.
  void on_imalive(int from, std::uint64_t now_ns) { monitor_.heard(from, now_ns); }
  // The periodic check, at k·P + P/2.
  Actions on_check(std::uint64_t now_ns);
  // A regroup message arrived (already deduplicated by the bus).
  Actions on_regroup_message(std::uint64_t now_ns, int from, const std::vector<std::uint8_t>& bytes);
  // The round timer fired. A timer left over from an earlier round (now_ns before the current deadline, or
  // no round running) does nothing.
  Actions on_deadline(std::uint64_t now_ns);

  // The CPU was reloaded at now_ns: it forgets everything and waits to be admitted as a joiner. Its host
  // sends I'm-alive at every k·P from now_ns on (k·P == now_ns included), as every up CPU does.
  void rejoin(std::uint64_t now_ns);

  CpuMask members() const { return members_; }  // 0 while a joiner
  bool joiner() const { return members_ == 0; }
  bool halted() const { return halted_; }
  std::uint64_t period_ns() const { return period_ns_; }
  const ImAliveMonitor& monitor() const { return monitor_; }
  const Regroup& regroup() const { return regroup_; }

 private:
  CpuMask my_row(std::uint64_t now_ns) const { return monitor_.heard_within(now_ns, 2 * period_ns_); }
  void note_round(Actions& a, bool was_in_round, std::string reason) const;

  int self_;
  std::uint64_t period_ns_;
  CpuMask members_;
  bool halted_ = false;
  std::uint64_t reloaded_ns_ = 0;
  ImAliveMonitor monitor_;
  Regroup regroup_;
};

}  // namespace pairsim::cpu
