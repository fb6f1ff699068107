#pragma once
// One CPU's side of a regroup round (docs/membership.md): broadcast this CPU's view, flood-merge the
// connectivity matrix, and at the deadline decide — deterministically from the merged matrix and the merged
// membership — which CPUs form the new membership, or that this CPU must halt. Pure logic: the host sends the
// returned bytes to every other CPU, arms a timer for deadline_ns() and calls decide() when it fires.
//
// A CPU's agreed membership always contains itself, so `membership == 0` means "joiner" (a reloaded CPU
// that has none yet) throughout this interface.
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "cpu/membership/cpu_mask.hpp"
#include "cpu/membership/regroup_message.hpp"

namespace pairsim::cpu {

class Regroup {
 public:
  // self in [0, cpus), cpus in [2, 16], window_ns > 0; throws std::invalid_argument otherwise.
  // max_round_ns: how long a round may wait for members that others heard lately but that have not sent
  // their row (0: never wait; see extend()).
  Regroup(int self, int cpus, std::uint64_t window_ns, std::uint64_t max_round_ns = 0);

  bool in_round() const { return in_round_; }
  std::uint64_t deadline_ns() const { return deadline_ns_; }
  // The current round, or the last one taken part in (0: none yet).
  std::uint32_t round() const { return round_; }
  const ConnectivityMatrix& matrix() const { return rows_; }
  // Messages dropped because they were malformed or claimed a sender whose row they did not carry.
  std::uint64_t malformed() const { return malformed_; }

  // A member starts a round: it suspects members (`suspects`), heard non-members it should admit
  // (`joiners`), or reruns after a decision (both 0). During a round nothing is sent; the concerns are
  // remembered and decide() asks for a rerun if this round did not settle them (a suspect still a member,
  // a joiner still out). Returns the bytes to broadcast (may be empty).
  std::vector<std::uint8_t> start(std::uint64_t now_ns, CpuMask my_row, CpuMask membership, CpuMask suspects,
                                  CpuMask joiners);

  // A joiner asks the members to run a round that admits it (a round-0 message). Needed when it was
  // reloaded before anyone noticed it had failed: to the others it is still a member, so nothing else
  // would make them regroup.
  std::vector<std::uint8_t> request_admission(CpuMask my_row) const;

  // A regroup message from CPU `from`. Enters the round if it is a newer one than this CPU has seen;
  // merges it if it is the current one; keeps it for later if it is for a round after the current one;
  // drops stale and malformed ones. An admission request makes a member start a round (or remember it).
  // Returns the bytes to broadcast (empty: nothing new to tell).
  std::vector<std::uint8_t> on_message(std::uint64_t now_ns, int from, const std::vector<std::uint8_t>& bytes,
                                       CpuMask my_row, CpuMask membership);

  struct Decision {
    enum class Kind { continue_with, halt, not_admitted };
    Kind kind = Kind::continue_with;
    std::uint32_t round = 0;
    CpuMask members = 0;        // the new membership (continue_with)
    CpuMask declared_down = 0;  // old membership minus members (a joiner's "old" is the union it learnt)
    CpuMask declared_up = 0;    // members minus old membership, self excluded
    // Members that took part as joiners: reloaded before their failure was noticed. They are in both
    // declared_down and declared_up (their processes are gone; the CPU is back): report down, then up.
    CpuMask restarted = 0;
    CpuMask survivors = 0;  // the fully connected set computed from the matrix, whatever the outcome
    std::string reason;     // halt / not_admitted: why, for the trace and the CPU's halt reason
    bool rerun = false;     // start() another round at once (a concern this round did not settle)
  };
  // At the deadline, before decide(): members of the old membership that every present CPU heard within its
  // row's window (so nobody suspects them) but whose own row is missing are most likely cut off for a moment
  // (an outage of their paths), not dead. Rather than vote them out, the round waits one more window, as
  // long as it has lasted less than max_round_ns, and the returned bytes (to broadcast) tell them of the
  // round again. The rule reads only the merged matrix, so every survivor extends alike. nullopt: decide.
  std::optional<std::vector<std::uint8_t>> extend(CpuMask membership);
  // The members extend() would wait for (for the trace).
  CpuMask waiting_for(CpuMask membership) const;
  // Ends the round (call at or after deadline_ns()). Ends it whatever the outcome.
  Decision decide(CpuMask membership);

  // The largest set of CPUs with a row in `rows` that are all pairwise mutually connected, found by
  // repeatedly removing the CPU with the fewest mutual links (ties: the highest id).
  static CpuMask survivors(const ConnectivityMatrix& rows, int cpus);

  // Back to the power-on state (a reloaded CPU).
  void reset();

 private:
  void enter(std::uint64_t now_ns, std::uint32_t round, CpuMask my_row, CpuMask membership);
  bool merge(const RegroupMessage& m, int from, CpuMask membership);
  std::vector<std::uint8_t> encode(CpuMask membership) const;

  int self_;
  int cpus_;
  std::uint64_t window_ns_;
  std::uint64_t max_round_ns_;
  std::uint64_t entered_ns_ = 0;

  bool in_round_ = false;
  std::uint32_t round_ = 0;
  std::uint64_t deadline_ns_ = 0;
  ConnectivityMatrix rows_{};
  CpuMask union_ = 0;
  int declared_down_by_ = -1;  // a member sender whose membership lacks this CPU: it missed a round
  CpuMask joiners_ = 0;        // CPUs taking part in this round as joiners
  CpuMask open_suspects_ = 0;  // concerns raised while a round was already running
  CpuMask open_joiners_ = 0;

  // Messages for a round after the current one: kept until this round is decided, merged on the rerun.
  std::vector<std::pair<int, RegroupMessage>> later_;

  std::uint64_t malformed_ = 0;
};

}  // namespace pairsim::cpu
