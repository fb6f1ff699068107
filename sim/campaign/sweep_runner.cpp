#include "sim/campaign/sweep_runner.hpp"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <thread>

#include "sim/campaign/campaign_progress.hpp"
#include "sim/campaign/campaign_runner.hpp"
#include "sim/campaign/child_runs.hpp"
#include "sim/campaign/file_io.hpp"
#include "sim/campaign/sweep.hpp"
#include "sim/campaign/sweep_prefix.hpp"
#include "sim/scenario/duration.hpp"

namespace pairsim::sim {

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr std::uint64_t default_seed = 1;
constexpr std::uint64_t trace_run = 1ull << 63;  // the id of a failing moment's second run, with --trace
constexpr std::size_t max_traced = 100;          // failing moments run again for their trace

// A sweep or an exploration as a whole: its runs, results, summary and progress.
class Sweep : public MomentForks {
 public:
  Sweep(const SweepOptions& opts, const SweepSetup& setup, fs::path out, std::string exe, unsigned jobs)
      : opts_(opts),
        setup_(setup),
        out_(std::move(out)),
        exe_(std::move(exe)),
        jobs_(jobs),
        runs_(opts.timeout_seconds),
        summary_(setup.spec),
        progress_(std::cout, isatty(STDOUT_FILENO) == 1, setup.spec.explore ? 0 : setup.spec.moments) {}

  // Every moment forked from one run of the beginning they share.
  int run_forked(PreparedScenario& prepared, const RunOptions& run);
  // Every moment a process of its own, from the start: a sweep's `moments`, or those of an exploration's
  // `plan`, made beforehand.
  int run_separate(const std::vector<Moment>& moments, const std::optional<ExplorePlan>& plan);

  // An exploration: what its shared run found, for the summary.
  void note_plan(const ExplorePlan& plan);

  // The shared run's calls (MomentForks): room for at most --jobs runs, each moment's run forked.
  bool make_room() override;
  bool fork_moment(std::uint64_t k, const Moment& m) override;
  void forget_runs() override { runs_.forget(); }
  bool stop_requested() const override { return signals_.requested(); }
  int stop_fd() const override { return signals_.fd(); }
  double timeout_seconds() const override { return opts_.timeout_seconds; }

 private:
  bool open_outputs();
  void handle(const std::vector<std::pair<std::uint64_t, ChildEnd>>& ended);
  void finished_moment(std::uint64_t k, const ChildEnd& end);
  void finished_trace(std::uint64_t k, const ChildEnd& end);
  void write_results(std::uint64_t first, std::vector<RunResult> ready);
  // Waits for every run, starting the trace runs of failing moments as room comes.
  void drain();
  int finish();
  fs::path moment_dir(std::uint64_t k) const { return out_ / ("moment-" + std::to_string(k)); }
  double elapsed() const { return std::chrono::duration<double>(Clock::now() - start_).count(); }

  const SweepOptions& opts_;
  const SweepSetup& setup_;
  fs::path out_;
  std::string exe_;
  unsigned jobs_;
  std::string cwd_ = fs::current_path().string();
  StopSignals signals_;
  ChildRuns runs_;
  SweepSummary summary_;
  CampaignProgress progress_;
  std::ofstream results_;
  std::ofstream timing_;
  std::map<std::uint64_t, Moment> moments_;  // every moment started, by index
  ResultSequence sequence_;
  std::set<std::uint64_t> held_;                      // the moments sequence_ holds
  std::map<std::uint64_t, RunResult> first_results_;  // failing moments waiting for their trace run
  std::deque<std::uint64_t> trace_queue_;
  std::uint64_t done_ = 0;
  std::uint64_t failing_ = 0;
  std::vector<std::string> warnings_;
  bool interrupted_ = false;
  Clock::time_point start_ = Clock::now();
};

bool Sweep::open_outputs() {
  results_.open(out_ / "results.jsonl", std::ios::binary | std::ios::trunc);
  timing_.open(out_ / "timing.jsonl", std::ios::binary | std::ios::trunc);
  return results_ && timing_;
}

void Sweep::note_plan(const ExplorePlan& plan) {
  summary_.set_moments(plan.moments.size());
  if (plan.limit_at) summary_.set_limit_reached(*plan.limit_at);
  if (plan.ended_at) summary_.set_ended_early(*plan.ended_at);
  if (plan.complete && !plan.moments.empty()) {
    std::vector<std::uint64_t> times;
    for (const auto& m : plan.moments) times.push_back(m.t_ns);
    summary_.set_uncovered(uncovered(plan.changes, times, TimeRange{setup_.spec.fault.window.from_ns, plan.checked_to}),
                           plan.changes.size());
  }
}

bool Sweep::make_room() {
  while (!signals_.requested() && runs_.size() >= jobs_) {
    handle(runs_.wait(100, signals_.fd()));
    signals_.drain();
  }
  return !signals_.requested();
}

bool Sweep::fork_moment(std::uint64_t k, const Moment& m) {
  moments_[k] = m;
  return runs_.fork_run(k);
}

void Sweep::handle(const std::vector<std::pair<std::uint64_t, ChildEnd>>& ended) {
  for (const auto& [id, end] : ended) {
    if (id & trace_run)
      finished_trace(id & ~trace_run, end);
    else
      finished_moment(id, end);
  }
}

void Sweep::finished_moment(std::uint64_t k, const ChildEnd& end) {
  RunResult r = judge_run(setup_.spec.seed, end);
  ++done_;
  if (r.verdict != Verdict::held) {
    ++failing_;
    write_run_folder(moment_dir(k), end, setup_.spec.replay_script(exe_, cwd_, k, moments_.at(k).t_ns, r));
    progress_.note("moment " + std::to_string(k) + " (" + format_duration(moments_.at(k).t_ns) + ") " +
                   verdict_name(r.verdict) + what_failed(r));
    // Its trace comes from a second run, on its own (its replay command): the same result, or a warning. A
    // fault that fails at one moment often fails at the many after it: the first few are enough to look at.
    if (r.verdict != Verdict::timeout && first_results_.size() < max_traced) {
      first_results_[k] = r;
      trace_queue_.push_back(k);
    }
  }
  held_.insert(k);
  sequence_.add(k, std::move(r));
  const std::uint64_t first = sequence_.next_index();
  write_results(first, sequence_.take_ready());
  progress_.update(done_, failing_, elapsed());
}

void Sweep::finished_trace(std::uint64_t k, const ChildEnd& end) {
  const RunResult r = judge_run(setup_.spec.seed, end);
  const std::string what = "moment " + std::to_string(k);
  if (r.verdict == Verdict::timeout) {
    warnings_.push_back(what + ": the run again with --trace ran out of time; its trace.jsonl is cut short");
    return;
  }
  const RunResult& first = first_results_.at(k);
  if (result_line(r) != result_line(first))
    warnings_.push_back(what + ": run again on its own with --trace, it ended " + verdict_name(r.verdict) + ", not " +
                        verdict_name(first.verdict) +
                        " as in the sweep: a moment's run is meant to be the same either way; please report it with " +
                        moment_dir(k).string() + "/");
}

void Sweep::write_results(std::uint64_t first, std::vector<RunResult> ready) {
  auto k = held_.find(first);
  for (const auto& r : ready) {
    const std::uint64_t moment = *k;
    k = held_.erase(k);
    results_ << moment_result_line(moment, moments_.at(moment), setup_.spec.explore, r) << "\n";
    timing_ << moment_timing_line(moment, r) << "\n";
    summary_.add(moment, moments_.at(moment), r);
  }
  if (!ready.empty()) {
    // A sweep killed outright still leaves whole lines.
    results_.flush();
    timing_.flush();
  }
}

void Sweep::drain() {
  for (;;) {
    while (!signals_.requested() && !trace_queue_.empty() && runs_.size() < jobs_) {
      const std::uint64_t k = trace_queue_.front();
      trace_queue_.pop_front();
      auto args = setup_.replay_args(exe_, k);
      args.insert(args.end(), {"--trace", (moment_dir(k) / "trace.jsonl").string()});
      runs_.spawn_run(k | trace_run, args);
    }
    if (signals_.requested() || runs_.size() == 0) break;
    handle(runs_.wait(100, signals_.fd()));
    signals_.drain();
  }
  if (signals_.requested()) interrupted_ = true;
}

int Sweep::finish() {
  if (interrupted_) {
    for (std::uint64_t id : runs_.kill_all()) {
      std::error_code ec;
      if (id & trace_run) fs::remove(moment_dir(id & ~trace_run) / "trace.jsonl", ec);  // cut short: it would mislead
    }
    summary_.set_interrupted();
    std::vector<RunResult> rest = sequence_.take_all();
    write_results(held_.empty() ? 0 : *held_.begin(), std::move(rest));
  }
  const double seconds = elapsed();
  progress_.finish();
  if (!write_file(out_ / "summary.json", summary_.json()))
    std::cerr << "pairsim: error: cannot write '" << (out_ / "summary.json").string() << "'\n";
  std::cout << summary_.text(opts_.program, out_.string(), seconds) << std::flush;
  for (const auto& w : warnings_) std::cerr << "pairsim: warning: " << w << "\n";
  if (interrupted_) return exit_interrupted;
  return summary_.bad() == 0 ? exit_ok : exit_expectation_failed;
}

int Sweep::run_forked(PreparedScenario& prepared, const RunOptions& run) {
  const SweepSpec& spec = setup_.spec;
  if (!open_outputs()) {
    std::cerr << "pairsim: error: cannot write the " << spec.command() << "'s files in '" << out_.string() << "'\n";
    return exit_bad_input;
  }
  std::vector<Moment> moments;
  if (spec.explore) {
    moments.push_back(Moment{spec.fault.window.from_ns, MomentKind::window});
  } else {
    for (std::uint64_t k = 0; k < spec.moments; ++k)
      moments.push_back(Moment{sweep_moment(spec.fault.window, spec.moments, k), MomentKind::window});
  }
  SweepPrefix prefix(setup_, moments, this, ~0ull, opts_.max_moments);
  const int code = simulate_prepared(prepared, run, &prefix);
  if (prefix.role() == SweepPrefix::Role::moment) {
    // A moment's run, forked in the middle of the simulation: it has said what `pairsim run --json` says.
    std::cout.flush();
    std::fflush(nullptr);
    _exit(code);
  }
  if (prefix.role() == SweepPrefix::Role::look_ahead) prefix.end_look_ahead(std::nullopt);  // the run ended first

  if (prefix.stopped()) {
    interrupted_ = true;
  } else if (spec.explore) {
    note_plan(prefix.plan(code));
  } else if (!prefix.plan_done()) {
    // The run ended (`run until`) before a moment it did not reach: that moment's fault comes after the end, so
    // its run is this one.
    ChildEnd own;
    own.exit_code = code;
    own.out = prefix.own_report();
    for (std::uint64_t k = prefix.reached(); k < spec.moments; ++k) {
      moments_[k] = moments[k];
      finished_moment(k, own);
    }
  }
  if (!interrupted_) drain();
  return finish();
}

int Sweep::run_separate(const std::vector<Moment>& moments, const std::optional<ExplorePlan>& plan) {
  if (!open_outputs()) {
    std::cerr << "pairsim: error: cannot write the " << setup_.spec.command() << "'s files in '" << out_.string()
              << "'\n";
    return exit_bad_input;
  }
  summary_.set_moments(moments.size());
  if (plan) note_plan(*plan);
  for (std::uint64_t k = 0; k < moments.size() && !signals_.requested(); ++k) {
    while (!signals_.requested() && runs_.size() >= jobs_) {
      handle(runs_.wait(100, signals_.fd()));
      signals_.drain();
    }
    if (signals_.requested()) break;
    moments_[k] = moments[k];
    runs_.spawn_run(k, setup_.replay_args(exe_, k));
  }
  drain();
  return finish();
}

std::string default_out_dir(const SweepOptions& opts) {
  return std::string(opts.explore ? "explore-" : "sweep-") + fs::path(opts.scenario).stem().string();
}

bool is_moment_folder(const std::string& name) {
  return name.size() > 7 && name.compare(0, 7, "moment-") == 0 &&
         name.find_first_not_of("0123456789", 7) == std::string::npos;
}

}  // namespace

int run_sweep(const SweepOptions& opts) {
  auto prepared = prepare_scenario(opts.scenario, std::cerr);
  if (!prepared) return exit_bad_input;
  const Scenario& s = prepared->scenario;

  std::string error;
  auto fault = find_swept_fault(s, opts.line, opts.explore, error);
  if (!fault) {
    std::cerr << error << "\n";
    return exit_bad_input;
  }
  SweepSetup setup;
  setup.spec.explore = opts.explore;
  setup.spec.scenario = opts.scenario;
  setup.spec.fault = *fault;
  setup.spec.seed = opts.seed ? *opts.seed : s.seed.value_or(default_seed);
  setup.schedule = resolve_schedule(s, setup.spec.seed);
  setup.run_end_ns = s.run.for_ns;
  setup.quantum_ns = s.machine.quantum_ns;
  if (!opts.explore) {
    auto n = parse_moment_count(opts.moments, fault->window, error);
    if (!n) {
      std::cerr << "pairsim: error: " << error << "\n";
      return exit_bad_input;
    }
    setup.spec.moments = *n;
  }

  if (opts.moment) {
    // One moment's run on its own: what the replay commands run.
    const std::uint64_t k = *opts.moment;
    std::vector<Moment> moments;
    if (!opts.explore) {
      if (k >= setup.spec.moments) {
        std::cerr << "pairsim: error: --moment " << k << ": the sweep has moments 0 to " << setup.spec.moments - 1
                  << "\n";
        return exit_bad_input;
      }
      for (std::uint64_t j = 0; j <= k; ++j)
        moments.push_back(Moment{sweep_moment(fault->window, setup.spec.moments, j), MomentKind::window});
    } else {
      auto plan = plan_exploration(*prepared, opts.run, setup, k, std::max(opts.max_moments, k + 1));
      if (!plan) {
        std::cerr << "pairsim: internal error: the exploration's planning run failed\n";
        return exit_internal;
      }
      if (plan->moments.size() <= k) {
        std::cerr << "pairsim: error: --moment " << k << ": the exploration has moments 0 to "
                  << plan->moments.size() - 1 << "\n";
        return exit_bad_input;
      }
      moments = std::move(plan->moments);
    }
    MomentRun shape(setup, std::move(moments));
    return simulate_prepared(*prepared, opts.run, &shape);
  }

  const fs::path out = opts.out_dir.empty() ? fs::path(default_out_dir(opts)) : fs::path(opts.out_dir);
  // The folder is the sweep's: what an earlier one left there would mix with this one's results.
  if (!prepare_out_folder(out, {"results.jsonl", "summary.json", "timing.jsonl"}, is_moment_folder)) {
    std::cerr << "pairsim: error: cannot make the output folder '" << out.string() << "'\n";
    return exit_bad_input;
  }

  unsigned jobs = opts.jobs;
  if (jobs == 0) jobs = std::max(1u, std::thread::hardware_concurrency());
  RunOptions run;
  run.scenario = opts.scenario;
  run.seed = setup.spec.seed;
  run.json = true;
  run.log_level = opts.run.log_level;

  std::vector<Moment> planned;
  std::optional<ExplorePlan> plan;
  if (opts.separate && opts.explore) {
    plan = plan_exploration(*prepared, run, setup, ~0ull, opts.max_moments);
    if (!plan) {
      std::cerr << "pairsim: internal error: the exploration's planning run failed\n";
      return exit_internal;
    }
    planned = plan->moments;
    setup.spec.moments = planned.size();
  } else if (opts.separate) {
    for (std::uint64_t k = 0; k < setup.spec.moments; ++k)
      planned.push_back(Moment{sweep_moment(fault->window, setup.spec.moments, k), MomentKind::window});
  }

  std::cout << setup.spec.command() << ": " << opts.scenario << " line " << fault->line << " (" << fault->text
            << "), seed " << setup.spec.seed << ", window " << format_duration(fault->window.from_ns) << ".."
            << format_duration(fault->window.to_ns) << ": ";
  if (opts.explore && !opts.separate)
    std::cout << "the moments as it finds them";
  else
    std::cout << setup.spec.moments << " moments";
  std::cout << (opts.separate ? ", each run on its own from the start, "
                              : ", forked from one run of the beginning they share, ")
            << jobs << " at a time, into " << out.string() << "/\n"
            << std::flush;

  Sweep sweep(opts, setup, out, own_executable(opts.program), jobs);
  return opts.separate ? sweep.run_separate(planned, plan) : sweep.run_forked(*prepared, run);
}

}  // namespace pairsim::sim
