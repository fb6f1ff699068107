#include "sim/campaign/campaign_runner.hpp"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <thread>

#include "sim/campaign/campaign_manifest.hpp"
#include "sim/campaign/campaign_progress.hpp"
#include "sim/campaign/child_runs.hpp"
#include "sim/campaign/file_io.hpp"
#include "sim/run/run_command.hpp"

namespace pairsim::sim {

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// One run to start: a seed of the plan, or the second run of a failing seed, with --trace into its folder.
struct Job {
  std::uint64_t index = 0;  // the run's place in the plan
  std::uint64_t seed = 0;
  bool trace = false;
  RunResult first;  // for a trace run: what the first run came to, which the trace run must repeat
};

// The child's side of a run, forked by ChildRuns: from here on it is `pairsim run SCENARIO --seed S --json`
// (with --trace for a trace run) started with its standard output and error on the pipes, except that the
// scenario is read and its programs assembled already. It writes to the pipes what that command would print
// and exits as it would; it never returns into the campaign.
[[noreturn]] void run_child(PreparedScenario& prepared, const RunOptions& run) {
  int code = exit_internal;
  try {
    code = simulate_prepared(prepared, run);
  } catch (const std::exception& e) {
    std::cerr << "pairsim: internal error: " << e.what() << "\n";
  } catch (...) {
    std::cerr << "pairsim: internal error\n";
  }
  std::cout.flush();
  std::fflush(nullptr);
  // _exit: the campaign's objects, copied into this process, are not this process's to destroy or flush.
  _exit(code);
}

std::string default_out_dir(const std::string& scenario) {
  return "campaign-" + fs::path(scenario).stem().string();
}

class Campaign {
 public:
  Campaign(const CampaignOptions& opts, PreparedScenario& prepared, SeedPlan plan, fs::path out, std::string exe,
           unsigned jobs)
      : opts_(opts),
        prepared_(prepared),
        plan_(plan),
        out_(std::move(out)),
        exe_(std::move(exe)),
        jobs_(jobs),
        summary_(opts.scenario, plan),
        progress_(std::cout, isatty(STDOUT_FILENO) == 1, plan.size()),
        runs_(opts.timeout_seconds) {}

  int run();

 private:
  bool open_outputs();
  void start_runs();
  void spawn(Job job);
  void finish(std::uint64_t id, const ChildEnd& end);
  void finished_run(const Job& job, const ChildEnd& end);
  void finished_trace(const Job& job, const ChildEnd& end);
  void write_results(std::vector<RunResult> ready);
  void kill_all();
  double elapsed() const { return std::chrono::duration<double>(Clock::now() - start_).count(); }
  fs::path seed_dir(std::uint64_t seed) const { return out_ / ("seed-" + std::to_string(seed)); }

  const CampaignOptions& opts_;
  PreparedScenario& prepared_;  // read and assembled once; each run is forked from it
  SeedPlan plan_;
  fs::path out_;
  std::string exe_;  // this binary, for the replay scripts
  unsigned jobs_;
  std::string cwd_ = fs::current_path().string();
  CampaignSummary summary_;
  CampaignProgress progress_;
  StopSignals signals_{true};  // a run that ends wakes the wait for it
  ChildRuns runs_;
  std::map<std::uint64_t, Job> running_;  // by their id in runs_
  std::uint64_t next_id_ = 0;
  std::ofstream results_;
  std::ofstream timing_;
  ResultSequence sequence_;
  std::deque<Job> trace_jobs_;  // started before new seeds, so that a failing seed's folder fills soon
  std::uint64_t next_index_ = 0;
  std::uint64_t done_ = 0;     // first runs finished, in any order
  std::uint64_t failing_ = 0;  // ... of which did not hold
  std::vector<std::string> warnings_;
  Clock::time_point start_ = Clock::now();
};

bool Campaign::open_outputs() {
  results_.open(out_ / "results.jsonl", std::ios::binary | std::ios::trunc);
  timing_.open(out_ / "timing.jsonl", std::ios::binary | std::ios::trunc);
  return results_ && timing_;
}

void Campaign::spawn(Job job) {
  RunOptions run;
  run.scenario = opts_.scenario;
  run.seed = job.seed;
  run.json = true;
  if (job.trace) run.trace = (seed_dir(job.seed) / "trace.jsonl").string();
  // No run repeats the work of reading the scenario and assembling its programs, nor pays for starting a
  // process: it is a fork of this one, which has not elaborated anything.
  const std::uint64_t id = next_id_++;
  if (runs_.fork_run(id)) run_child(prepared_, run);
  running_.emplace(id, std::move(job));
}

void Campaign::start_runs() {
  while (!signals_.requested() && runs_.size() < jobs_) {
    if (!trace_jobs_.empty()) {
      Job job = std::move(trace_jobs_.front());
      trace_jobs_.pop_front();
      spawn(std::move(job));
    } else if (next_index_ < plan_.size()) {
      Job job;
      job.index = next_index_;
      job.seed = plan_.seed(next_index_);
      ++next_index_;
      spawn(std::move(job));
    } else {
      return;
    }
  }
}

void Campaign::finish(std::uint64_t id, const ChildEnd& end) {
  auto it = running_.find(id);
  const Job job = std::move(it->second);
  running_.erase(it);
  if (job.trace)
    finished_trace(job, end);
  else
    finished_run(job, end);
}

void Campaign::finished_run(const Job& job, const ChildEnd& end) {
  RunResult r = judge_run(job.seed, end);
  ++done_;
  if (r.verdict != Verdict::held) {
    ++failing_;
    write_run_folder(seed_dir(job.seed), end, replay_script(exe_, cwd_, opts_.scenario, r));
    progress_.note("seed " + std::to_string(job.seed) + " " + verdict_name(r.verdict) + what_failed(r));
    // A timeout is not run again for its trace: it would only run out of time again.
    if (r.verdict != Verdict::timeout) {
      Job again;
      again.index = job.index;
      again.seed = job.seed;
      again.trace = true;
      again.first = r;
      trace_jobs_.push_back(std::move(again));
    }
  }
  sequence_.add(job.index, std::move(r));
  write_results(sequence_.take_ready());
  progress_.update(done_, failing_, elapsed());
}

void Campaign::finished_trace(const Job& job, const ChildEnd& end) {
  RunResult r = judge_run(job.seed, end);
  const std::string seed = "seed " + std::to_string(job.seed);
  if (r.verdict == Verdict::timeout) {
    warnings_.push_back(seed + ": the run again with --trace ran out of time; its trace.jsonl is cut short");
    return;
  }
  // Everything in a result line is a function of (scenario, seed, build): the second run must repeat it.
  if (result_line(r) != result_line(job.first))
    warnings_.push_back(seed + ": run again with --trace, it ended " + verdict_name(r.verdict) + ", not " +
                        verdict_name(job.first.verdict) +
                        " as the first time: pairsim is meant to repeat a run exactly; please report it with " +
                        seed_dir(job.seed).string() + "/");
}

void Campaign::write_results(std::vector<RunResult> ready) {
  for (const auto& r : ready) {
    results_ << result_line(r) << "\n";
    timing_ << timing_line(r) << "\n";
    summary_.add(r);
  }
  if (!ready.empty()) {
    // A campaign killed outright still leaves whole lines.
    results_.flush();
    timing_.flush();
  }
}

void Campaign::kill_all() {
  for (std::uint64_t id : runs_.kill_all()) {
    const Job& job = running_.at(id);
    std::error_code ec;
    if (job.trace) fs::remove(seed_dir(job.seed) / "trace.jsonl", ec);  // cut short: it would mislead
  }
  running_.clear();
}

int Campaign::run() {
  if (!open_outputs()) {
    std::cerr << "pairsim: error: cannot write the campaign's files in '" << out_.string() << "'\n";
    return exit_bad_input;
  }
  std::cout << "campaign: " << opts_.scenario << ", seeds " << plan_.range().first << ".." << plan_.range().last;
  if (plan_.shard().count > 1) std::cout << " shard " << plan_.shard().index << "/" << plan_.shard().count;
  std::cout << ": " << plan_.size() << " runs, " << jobs_ << " at a time, into " << out_.string() << "/\n"
            << std::flush;

  try {
    for (;;) {
      start_runs();
      if (runs_.size() == 0) break;
      for (const auto& [id, end] : runs_.wait(100, signals_.fd())) finish(id, end);
      signals_.drain();
      if (signals_.requested()) break;
    }
  } catch (...) {
    kill_all();  // no child outlives a campaign that gives up
    throw;
  }
  const bool interrupted = signals_.requested();
  if (interrupted) {
    kill_all();
    summary_.set_interrupted();
    write_results(sequence_.take_all());
  }
  const double seconds = elapsed();
  progress_.finish();
  if (!write_file(out_ / "summary.json", summary_.json()))
    std::cerr << "pairsim: error: cannot write '" << (out_ / "summary.json").string() << "'\n";
  std::cout << summary_.text(opts_.program, out_.string(), seconds) << std::flush;
  for (const auto& w : warnings_) std::cerr << "pairsim: warning: " << w << "\n";
  if (interrupted) return exit_interrupted;
  return summary_.bad() == 0 ? exit_ok : exit_expectation_failed;
}

}  // namespace

int run_campaign(const CampaignOptions& opts) {
  // The scenario is read and its programs assembled once, here: bad input stops the campaign before any
  // run starts, and every run is forked from what this made.
  auto prepared = prepare_scenario(opts.scenario, std::cerr);
  if (!prepared) return exit_bad_input;

  const fs::path out = opts.out_dir.empty() ? fs::path(default_out_dir(opts.scenario)) : fs::path(opts.out_dir);
  // The folder is the campaign's: what an earlier campaign left there would mix with this one's results.
  if (!prepare_out_folder(out, {"results.jsonl", "summary.json", "timing.jsonl"}, is_seed_folder)) {
    std::cerr << "pairsim: error: cannot make the output folder '" << out.string() << "'\n";
    return exit_bad_input;
  }
  // What the folder is a campaign of, for `pairsim campaign merge` (sim/campaign/campaign_manifest.hpp).
  const auto manifest = describe_campaign(opts.scenario, opts.seeds, opts.shard);
  if (!manifest || !write_file(out / "campaign.json", manifest_json(*manifest))) {
    std::cerr << "pairsim: error: cannot write '" << (out / "campaign.json").string() << "'\n";
    return exit_bad_input;
  }

  unsigned jobs = opts.jobs;
  if (jobs == 0) jobs = std::max(1u, std::thread::hardware_concurrency());
  const SeedPlan plan(opts.seeds, opts.shard);
  if (!draws_at_random(prepared->scenario))
    std::cout << "note: " << opts.scenario
              << " draws nothing at random (no `at random`, no `cpu random`): every seed gives the same run\n";
  Campaign campaign(opts, *prepared, plan, out, own_executable(opts.program), jobs);
  return campaign.run();
}

}  // namespace pairsim::sim
