#pragma once
// The machine's own invariants, checked in every run from its trace events whatever its guest programs
// check (docs/scenarios.md, "Invariants"):
//
//   one primary           at no instant do two CPUs that are up both hold the primary of one pair name;
//   no stale takeover     no backup takes over with state older than a reply its primary already sent;
//   no hung request       at the end of the run no requester still waits, longer than the machine can
//                         explain, for an answer from a server that is alive (some half of its pair is up);
//   membership agreement  the CPUs that end one regroup round all agree on the membership it decided.
//
// Kernel-free: it reads only trace events (fed by the run's RunRecord, or by hand in unit tests). Events
// come in the order the simulation produced them, which is not quite time order (a busy CPU runs up to a
// quantum ahead), so they are kept in time order and the rules are replayed over them when asked.
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "sim/trace/trace_bus.hpp"

namespace pairsim::sim {

enum class Invariant { one_primary, no_stale_takeover, no_hung_request, membership_agreement };
inline constexpr std::array<Invariant, 4> all_invariants{Invariant::one_primary, Invariant::no_stale_takeover,
                                                         Invariant::no_hung_request, Invariant::membership_agreement};
// "one primary", "no stale takeover", "no hung request", "membership agreement": the names the summary, the
// report and a campaign's results use.
const char* invariant_name(Invariant rule);

struct InvariantViolation {
  Invariant rule = Invariant::one_primary;
  std::uint64_t t_ns = 0;
  std::string pair;       // the pair (or the server) it is about; "" for one about CPUs only
  std::vector<int> cpus;  // the CPUs it names, ascending
  std::string text;       // what happened, in a sentence
};

class InvariantChecker : public TraceSink {
 public:
  void on_event(const TraceEvent& e) override;
  // Every violation so far, in time order.
  const std::vector<InvariantViolation>& violations() const;

 private:
  void settle() const;

  std::vector<TraceEvent> events_;  // the events the rules read, in time order
  mutable std::vector<InvariantViolation> violations_;
  mutable bool settled_ = true;
};

}  // namespace pairsim::sim
