#pragma once
// What happened in a run, rebuilt from its trace events: CPU states, faults, detections, halts, processes,
// pairs and takeovers. The summary, the report and the expectations all read it, so they agree with the
// trace by construction.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

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

struct PairRecord {
  std::string name;
  int primary_cpu = -1;
  int backup_cpu = -1;              // -1: none
  std::string state = "no backup";  // ok, no backup, lost, stopped
  std::uint64_t checkpoints = 0;
};

class RunRecord : public TraceSink {
 public:
  explicit RunRecord(int cpus);
  void on_event(const TraceEvent& e) override;

  const std::vector<std::string>& cpu_states() const { return cpu_state_; }
  const std::vector<FaultRecord>& faults() const { return faults_; }
  const std::vector<DetectionRecord>& detections() const { return detections_; }
  const std::vector<HaltRecord>& halts() const { return halts_; }
  const std::vector<ProcessRecord>& processes() const { return processes_; }
  const std::vector<TakeoverRecord>& takeovers() const { return takeovers_; }
  const std::vector<PairRecord>& pairs() const { return pairs_; }
  const std::vector<TraceEvent>& notable() const { return notable_; }

  // All output lines of every process of that name (both halves of a pair), in the order printed.
  std::vector<std::string> output_of(const std::string& name) const;
  // The most recently started process of that name.
  const ProcessRecord* latest(const std::string& name) const;
  const PairRecord* pair(const std::string& name) const;
  // When the CPU last failed or halted.
  std::optional<std::uint64_t> failure_time(int cpu) const;

 private:
  ProcessRecord* find(int cpu, int pin);
  PairRecord& pair_entry(const std::string& name);

  std::vector<std::string> cpu_state_;
  std::vector<std::optional<std::uint64_t>> failed_at_;
  std::vector<FaultRecord> faults_;
  std::vector<DetectionRecord> detections_;
  std::vector<HaltRecord> halts_;
  std::vector<ProcessRecord> processes_;
  std::vector<TakeoverRecord> takeovers_;
  std::vector<PairRecord> pairs_;
  std::vector<TraceEvent> notable_;  // what the readable report lists, in time order
};

}  // namespace pairsim::sim
