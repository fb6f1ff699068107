#pragma once
// The events of a run that tell how its process pairs followed the protocol and how each failure led to a
// takeover: membership (I'm-alive, regroup, verdicts), pair events, resends. The protocol warnings
// (protocol_warnings.hpp) and the explanation of a run (explain.hpp) are read from it, in a run or from a
// trace file, so both say the same. It keeps few events: of the checkpoints only counts, the first one to
// each new backup, and, on every takeover, the old primary's checkpoints it resumed from and those of them
// that carried a request's work without its reply.
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "sim/trace/trace_bus.hpp"

namespace pairsim::sim {

// A checkpoint that carried a request's work without its reply (trace `checkpoint_unsaved`), applied by a
// backup that then took over: the requester's resend, unless a saved reply answers it, is done again.
struct TakenOverWork {
  TraceEvent unsaved;  // the checkpoint_unsaved event
  std::uint64_t takeover_ns = 0;
  std::int64_t from_cpu = -1;
  std::int64_t to_cpu = -1;
};

struct PairCheckpointCount {
  std::uint64_t all = 0;
  std::uint64_t with_stack = 0;
};

class ProtocolLog : public TraceSink {
 public:
  void on_event(const TraceEvent& e) override;
  bool takes_detail() const override { return false; }

  // The kept events in time order (events of one instant in the order they came). A `takeover` carries two
  // more fields than the trace's: `last_checkpoint_ns`, when the old primary sent the last checkpoint the
  // new one had applied, and `restart_ns`, when it sent the last of those with its stack (absent: none).
  const std::vector<TraceEvent>& events() const;
  const std::map<std::string, PairCheckpointCount>& checkpoints() const { return counts_; }
  // Every such work a takeover resumed from, in the order of the takeovers.
  const std::vector<TakenOverWork>& taken_over_work() const { return taken_over_; }
  // The time of the last event: the run's end when the log saw `run_end`.
  std::uint64_t end_ns() const { return end_ns_; }

 private:
  struct Sent {
    std::int64_t seq;
    std::uint64_t t_ns;
    bool stack;
  };
  mutable std::vector<TraceEvent> events_;
  mutable std::size_t sorted_upto_ = 0;
  std::map<std::string, PairCheckpointCount> counts_;
  std::map<std::pair<std::string, std::int64_t>, std::deque<Sent>> recent_;         // per pair and primary CPU
  std::map<std::pair<std::string, std::int64_t>, std::deque<TraceEvent>> unsaved_;  // the same, checkpoint_unsaved
  std::vector<TakenOverWork> taken_over_;
  std::uint64_t end_ns_ = 0;
};

}  // namespace pairsim::sim
