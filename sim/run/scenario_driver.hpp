#pragma once
// Plays a scenario into a machine: starts processes, applies each `at` action at its time (the CPUs, told
// every action time in advance, wait there until it is done: cpu/action_horizon.hpp), samples the CPU
// states that `expect … at T` asks about, and ends the run early when `run until $X stops` is met.
#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <systemc>
#include <vector>

#include "sim/run/machine.hpp"
#include "sim/report/run_record.hpp"
#include "sim/scenario/scenario.hpp"
#include "sim/trace/module_log.hpp"

namespace pairsim::sim {

// A scenario action with its random parts drawn: the time and the CPU it will really have.
struct ResolvedAction {
  std::uint64_t t_ns;
  Action action;
  std::string text;
  int line;
};

// Draws every `at random` time and `cpu random` from the run's one generator, in file order, and sorts the
// result by time (equal times keep file order). Kernel-free, so it is unit-tested.
std::vector<ResolvedAction> resolve_actions(const Scenario& s, std::uint64_t seed);

// What an action does in words, for the trace and the report ("fail cpu 2").
std::string describe(const Action& a);

class ScenarioDriver : public sc_core::sc_module, public TraceSink {
 public:
  SC_HAS_PROCESS(ScenarioDriver);
  ScenarioDriver(sc_core::sc_module_name name, const Scenario& s, std::uint64_t seed, Machine& m, const TraceBus& trace,
                 RunRecord& record);

  void on_event(const TraceEvent& e) override;

  // CPU state sampled at each `expect cpu N STATE at T`, keyed by expectation index.
  const std::map<std::size_t, std::string>& samples() const { return samples_; }
  bool stopped_early() const { return stopped_early_; }
  // Sentences for actions that could not be carried out (a start on a CPU that is down, …).
  const std::vector<std::string>& problems() const { return problems_; }

 private:
  void run_thread();
  void finish_at_until();
  void apply(const ResolvedAction& a);
  void note_no_effect(const ResolvedAction& a, const std::string& why);
  void start(const StartProcess& p, const std::string& where);

  const Scenario& scenario_;
  ModuleLog log_;
  Machine& machine_;
  const TraceBus& trace_;
  RunRecord& record_;
  std::vector<ResolvedAction> actions_;
  std::map<std::size_t, std::string> samples_;
  std::vector<std::string> problems_;
  sc_core::sc_event until_met_;
  bool until_flag_ = false;
  std::uint64_t until_t_ns_ = 0;
  bool stopped_early_ = false;
};

}  // namespace pairsim::sim
