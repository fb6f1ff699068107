#pragma once
// What happened in a run, rebuilt from its trace events: CPU states, faults, detections, halts, processes,
// pairs and takeovers. The summary, the report and the expectations all read it, so they agree with the
// trace by construction.
//
// Events arrive in the order the simulation produced them, which is not time order: a busy CPU runs up to a
// quantum ahead of the rest, so its line can come before another CPU's, the bus's or the scenario's with an
// earlier time. Every list here is kept in time order (events of one instant in the order they came), and
// the pairs are worked out from their events in that order.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "sim/report/invariants.hpp"
#include "sim/trace/trace_bus.hpp"

namespace pairsim::sim {

struct FaultRecord {
  std::uint64_t t_ns;
  std::string what;  // "fail cpu 2", "fail bus X", …
};

struct DetectionRecord {
  int cpu;
  int declared_by;
  std::optional<std::uint64_t> failure_ns;
  std::uint64_t declared_ns;
};

struct HaltRecord {
  int cpu;
  std::uint64_t t_ns;
  std::string reason;
};

struct ProcessRecord {
  std::string name;  // "" for an unnamed process
  int cpu = 0;
  int pin = 0;
  std::string program;
  std::string state = "running";  // running, stopped, abended, lost (its CPU failed), backup
  std::optional<std::int64_t> exit;
  std::optional<std::string> abend;
  std::vector<std::string> output;
  std::uint64_t start_ns = 0;
  std::optional<std::uint64_t> end_ns;
};

struct TakeoverRecord {
  std::string pair;
  int from_cpu;
  int to_cpu;
  std::optional<std::uint64_t> failure_ns;
  std::optional<std::uint64_t> detected_ns;
  std::uint64_t takeover_ns;
  std::string reason;
};

// A pair as it stands at the end of what has been recorded. primary_cpu and backup_cpu name only a CPU
// that holds that half and is up: a half goes with its CPU's failure or halt (a reload brings nothing back).
// Without a primary the pair names no CPU at all and is `stopped` (its primary exited or abended) or `lost`
// (its primary's CPU went down and no takeover followed, or the kernels reported it lost).
struct PairRecord {
  std::string name;
  int primary_cpu = -1;             // -1: none
  int backup_cpu = -1;              // -1: none
  std::string state = "no backup";  // ok, no backup, taking over, lost, stopped
  std::uint64_t checkpoints = 0;
  bool had_backup = false;  // a backup was created at some time: a process pair, not a lone named process
};

class RunRecord : public TraceSink {
 public:
  explicit RunRecord(int cpus);
  void on_event(const TraceEvent& e) override;
  bool takes_detail() const override { return false; }  // the report is the same with a trace or without

  const std::vector<std::string>& cpu_states() const { return cpu_state_; }
  const std::vector<FaultRecord>& faults() const { return faults_; }
  const std::vector<DetectionRecord>& detections() const { return detections_; }
  const std::vector<HaltRecord>& halts() const { return halts_; }
  const std::vector<ProcessRecord>& processes() const { return processes_; }
  const std::vector<TakeoverRecord>& takeovers() const { return takeovers_; }
  const std::vector<PairRecord>& pairs() const;
  const std::vector<TraceEvent>& notable() const { return notable_; }
  // The machine's invariants that the run broke, in time order (sim/report/invariants.hpp).
  const std::vector<InvariantViolation>& invariant_violations() const { return invariants_.violations(); }

  // All output lines of every process of that name (both halves of a pair), in the order printed.
  std::vector<std::string> output_of(const std::string& name) const;
  // The most recently started process of that name.
  const ProcessRecord* latest(const std::string& name) const;
  const PairRecord* pair(const std::string& name) const;
  // When the CPU last failed or halted.
  std::optional<std::uint64_t> failure_time(int cpu) const;

 private:
  ProcessRecord* find(int cpu, int pin);
  void note_for_pairs(const TraceEvent& e);
  void settle_pairs() const;

  std::vector<std::string> cpu_state_;
  std::vector<std::optional<std::uint64_t>> failed_at_;
  std::vector<FaultRecord> faults_;
  std::vector<DetectionRecord> detections_;
  std::vector<HaltRecord> halts_;
  std::vector<ProcessRecord> processes_;
  std::vector<TakeoverRecord> takeovers_;
  std::vector<TraceEvent> notable_;  // what the readable report lists, in time order
  InvariantChecker invariants_;

  // The events that decide who holds a pair's halves, in time order. The pairs are replayed from them when
  // asked for, because an event that comes late may belong before ones already seen.
  std::vector<TraceEvent> pair_events_;
  std::map<std::string, std::uint64_t> checkpoints_;  // per pair; the count needs no order
  mutable std::vector<PairRecord> pairs_;
  mutable bool pairs_settled_ = true;
};

}  // namespace pairsim::sim
