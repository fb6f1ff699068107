#pragma once
// Plays a scenario into a machine: starts processes, applies each `at` action at its time (the CPUs, told
// every action time in advance, wait there until it is done: cpu/action_horizon.hpp), samples the CPU
// states that `expect … at T` asks about, and ends the run early when `run until $X stops` is met.
#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <systemc>
#include <vector>

#include "sim/run/machine.hpp"
#include "sim/report/run_record.hpp"
#include "sim/scenario/schedule.hpp"
#include "sim/scenario/scenario.hpp"
#include "sim/trace/module_log.hpp"

namespace pairsim::sim {

class ScenarioDriver : public sc_core::sc_module, public TraceSink {
 public:
  SC_HAS_PROCESS(ScenarioDriver);
  // `schedule`: the scenario's actions with their random parts drawn (resolve_schedule).
  ScenarioDriver(sc_core::sc_module_name name, const Scenario& s, std::vector<ResolvedAction> schedule, Machine& m,
                 const TraceBus& trace, RunRecord& record);

  void on_event(const TraceEvent& e) override;
  bool takes_detail() const override { return false; }  // actions and samples never wait on a message

  // CPU state sampled at each `expect cpu N STATE at T`, keyed by expectation index.
  const std::map<std::size_t, std::string>& samples() const { return samples_; }
  bool stopped_early() const { return stopped_early_; }
  // Sentences for actions that could not be carried out (a start on a CPU that is down, …).
  const std::vector<std::string>& problems() const { return problems_; }

  // Sweeps (sim/campaign/sweep_runner.hpp). A sync point is an instant at which every CPU stops as for an
  // action, though none may be carried out there; the call given to on_sync_point() is made at it, once the
  // instant has settled and before its actions. Sync points are added before the run, or by that call for a
  // later time.
  void add_sync_point(std::uint64_t t_ns);
  void on_sync_point(std::function<void(std::uint64_t)> call) { on_sync_ = std::move(call); }
  // From that call: the schedule from this instant on, in place of the one played so far (whose actions
  // before this instant it must have too). The CPUs are told its later times.
  void replace_schedule(std::vector<ResolvedAction> schedule);

 private:
  void run_thread();
  bool end_instant();
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
  std::size_t next_action_ = 0;   // the first action not carried out yet
  std::set<std::uint64_t> sync_;  // sync points still to come
  std::function<void(std::uint64_t)> on_sync_;
  std::map<std::size_t, std::string> samples_;
  std::vector<std::string> problems_;
  std::map<std::string, int> outages_;  // "bus X", "path Y cpu 1", "cpu 2" -> faults of it that last
  sc_core::sc_event until_met_;
  bool until_flag_ = false;
  std::uint64_t until_t_ns_ = 0;
  bool stopped_early_ = false;
};

}  // namespace pairsim::sim
