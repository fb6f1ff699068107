#pragma once
// Runs that share a beginning (docs/campaigns.md, "Runs that share a beginning"): the process that simulates the
// beginning a sweep's runs share and forks each moment's run from it, one moment's run on its own from the
// start, and an exploration's plan. The sweep as a whole — its runs, results and summary — is
// sim/campaign/sweep_runner.cpp; the plain parts are sim/campaign/sweep.hpp.
#include <cstdint>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "sim/campaign/sweep.hpp"
#include "sim/run/run_command.hpp"
#include "sim/run/run_shape.hpp"
#include "sim/trace/trace_bus.hpp"

namespace pairsim::sim {

// Everything a moment's run is made of, the same in every process of a sweep.
struct SweepSetup {
  SweepSpec spec;
  std::vector<ResolvedAction> schedule;  // the seed's, the swept fault at the time it drew
  std::uint64_t run_end_ns = 0;
  std::uint64_t quantum_ns = 0;

  std::vector<ResolvedAction> at(std::uint64_t t_ns) const {
    return move_fault(schedule, spec.fault.fault, t_ns, run_end_ns);
  }
  // moment-K/, or the command line that runs moment K on its own.
  std::vector<std::string> replay_args(const std::string& exe, std::uint64_t k) const {
    std::vector<std::string> a{exe, spec.command(), spec.scenario};
    if (!spec.explore) a.insert(a.end(), {"--moments", std::to_string(spec.moments)});
    a.insert(a.end(), {"--line", std::to_string(spec.fault.line), "--seed", std::to_string(spec.seed), "--moment",
                       std::to_string(k), "--json"});
    return a;
  }
};

// One moment's run on its own, from the start: its fault at the last of `moments`, every moment before it a
// sync point — the run the sweep forked at that moment.
class MomentRun : public RunShape {
 public:
  MomentRun(const SweepSetup& setup, std::vector<Moment> moments) : setup_(setup), moments_(std::move(moments)) {}

  std::vector<ResolvedAction> schedule(const Scenario&, std::uint64_t) override {
    return setup_.at(moments_.back().t_ns);
  }
  void attach(ScenarioDriver& driver, TraceBus&) override;
  std::ostream& report() override { return std::cout; }

 private:
  const SweepSetup& setup_;
  std::vector<Moment> moments_;
};

// What the shared run of an exploration found: the moments it reached, its own state changes in the window,
// and how it ended. The same whether moments' runs were forked from it or not.
struct ExplorePlan {
  std::vector<Moment> moments;
  std::vector<std::uint64_t> changes;     // each once, in time order, up to `checked_to`
  std::uint64_t checked_to = 0;           // its last moment at a change or at the window's end
  bool complete = false;                  // it came to the window's end, or to --max-moments
  std::optional<std::uint64_t> limit_at;  // --max-moments stopped it at that moment
  std::optional<std::uint64_t> ended_at;  // the run ended (`run until`) there, before the window did

  // As lines of text, for a planning run to hand its plan to its parent.
  std::string str() const;
  static ExplorePlan parse(const std::string& text);
};

// Where a sweep's shared run forks its moments' runs and sends their ends, and whether it should stop.
class MomentForks {
 public:
  virtual ~MomentForks() = default;
  // Waits until fewer runs go than may; false when asked to stop.
  virtual bool make_room() = 0;
  // Forks moment k's run: true in it.
  virtual bool fork_moment(std::uint64_t k, const Moment& m) = 0;
  // In a look-ahead run, forked from the shared run: the moments' runs are not its own to watch or kill.
  virtual void forget_runs() = 0;
  virtual bool stop_requested() const = 0;
  virtual int stop_fd() const = 0;  // readable when a stop is asked for
  virtual double timeout_seconds() const = 0;
};

// The process that simulates the beginning a sweep's runs share: the scenario without the swept fault. Each
// moment is a sync point, added once the moment before it is reached, so that what this process has done at a
// moment is what the run of that moment, on its own, has done: it stops its CPUs at the earlier moments only.
// There it forks the moment's run, which puts the fault in and goes on to the end of the run. An exploration
// also forks a look-ahead run, which goes on without the fault until the first state change after the moment
// is certain, and says when it came: the next moment follows from it (next_explore_moment).
class SweepPrefix : public RunShape {
 public:
  enum class Role { prefix, moment, look_ahead };

  // `moments`: a sweep's, all of them; an exploration's first one. `sweep`: where each moment's run is forked
  // and its end goes; none to plan an exploration only, up to moment `last`.
  SweepPrefix(const SweepSetup& setup, std::vector<Moment> moments, MomentForks* sweep, std::uint64_t last,
              std::uint64_t max_moments)
      : setup_(setup), moments_(std::move(moments)), sweep_(sweep), last_(last), max_moments_(max_moments) {}

  std::vector<ResolvedAction> schedule(const Scenario&, std::uint64_t) override {
    return without_fault(setup_.schedule, setup_.spec.fault.fault);
  }
  void attach(ScenarioDriver& driver, TraceBus& trace) override;
  std::ostream& report() override {
    if (role_ == Role::moment) return std::cout;
    return own_report_;
  }

  Role role() const { return role_; }
  const std::vector<Moment>& moments() const { return moments_; }
  std::uint64_t reached() const { return reached_; }
  bool plan_done() const { return plan_done_; }
  bool stopped() const { return stopped_; }
  bool limit_reached() const { return limit_reached_; }
  std::string own_report() const { return own_report_.str(); }
  // An exploration's plan, once the run is over; `code` is what the run returned.
  ExplorePlan plan(int code) const;

  // A look-ahead run's answer, and its end.
  [[noreturn]] void end_look_ahead(std::optional<std::uint64_t> change) const;

 private:
  // The state changes of the run: in this process, those in the window; in a look-ahead, the first after
  // the moment it started at.
  struct ChangeLog : TraceSink {
    SweepPrefix& p;
    std::vector<std::uint64_t> in_window;
    std::uint64_t first_after = ~0ull;
    explicit ChangeLog(SweepPrefix& prefix) : p(prefix) {}
    void on_event(const TraceEvent& e) override {
      if (!is_state_change(e.kind)) return;
      const TimeRange w = p.setup_.spec.fault.window;
      if (p.role_ == Role::prefix && e.t_ns >= w.from_ns && e.t_ns <= w.to_ns) in_window.push_back(e.t_ns);
      if (p.role_ == Role::look_ahead && e.t_ns > p.look_ahead_after_) first_after = std::min(first_after, e.t_ns);
    }
  };

  void at_moment(std::uint64_t t);
  std::optional<std::uint64_t> look_ahead(std::uint64_t after);
  void watch();

  const SweepSetup& setup_;
  std::vector<Moment> moments_;
  MomentForks* sweep_;
  std::uint64_t last_;
  std::uint64_t max_moments_;
  ScenarioDriver* driver_ = nullptr;
  TraceBus* trace_ = nullptr;
  Role role_ = Role::prefix;
  std::uint64_t reached_ = 0;  // moments this process has come to
  bool plan_done_ = false;     // no moment after the last one reached
  bool stopped_ = false;       // asked to stop (Ctrl-C)
  bool limit_reached_ = false;
  std::ostringstream own_report_;  // the report of this process's own run, which nobody reads unless a moment
                                   // comes after the end of the run
  ChangeLog changes_{*this};
  int look_ahead_fd_ = -1;
  std::uint64_t look_ahead_after_ = 0;
};

// An exploration's plan, up to moment `last`, made in a child process (SystemC elaborates once per process,
// and the caller has a run of its own to make): the shared run of the exploration without its moments' runs.
// None when that process failed.
std::optional<ExplorePlan> plan_exploration(PreparedScenario& prepared, const RunOptions& run, const SweepSetup& setup,
                                            std::uint64_t last, std::uint64_t max_moments);

}  // namespace pairsim::sim
