#pragma once
// Campaigns: one scenario run under many seeds (docs/campaigns.md). This file holds the part that needs
// neither child processes nor the simulation kernel — seed ranges and shards, what one run's end means,
// results put back in seed order, the summary and the files' formats — so that unit tests can check it.
// sim/campaign/campaign_runner.cpp starts and watches the runs.
#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sim/scenario/schedule.hpp"  // draws_at_random: whether the seeds give different runs
#include "sim/scenario/scenario.hpp"

namespace pairsim::sim {

// --seeds FIRST..LAST, both included. One campaign runs at most max_campaign_seeds of them.
struct SeedRange {
  std::uint64_t first = 0;
  std::uint64_t last = 0;
  std::uint64_t size() const { return last - first + 1; }
};
inline constexpr std::uint64_t max_campaign_seeds = 1'000'000'000;
// "1..100", or one seed "7". On error, nullopt and a sentence in `error`.
std::optional<SeedRange> parse_seed_range(const std::string& text, std::string& error);

// --shard INDEX/COUNT: this shard runs the seeds s of the range with (s - first) % COUNT == INDEX, so the
// COUNT shards 0/COUNT … COUNT-1/COUNT together run every seed once, whatever machines they run on.
struct Shard {
  std::uint64_t index = 0;
  std::uint64_t count = 1;
};
std::optional<Shard> parse_shard(const std::string& text, std::string& error);

// The seeds one shard of a range runs, in increasing order; run i of the campaign is seed(i).
class SeedPlan {
 public:
  SeedPlan(SeedRange range, Shard shard) : range_(range), shard_(shard) {}
  std::uint64_t size() const;
  std::uint64_t seed(std::uint64_t i) const { return range_.first + shard_.index + i * shard_.count; }
  SeedRange range() const { return range_; }
  Shard shard() const { return shard_; }

 private:
  SeedRange range_;
  Shard shard_;
};


enum class Verdict { held, failed, timeout, crash };
inline constexpr std::array<Verdict, 4> all_verdicts{Verdict::held, Verdict::failed, Verdict::timeout, Verdict::crash};
const char* verdict_name(Verdict v);

struct FailedExpectation {
  int line = 0;
  std::string text;
};

// What one run of one seed came to. Everything but host_seconds is a function of (scenario, seed, build).
struct RunResult {
  std::uint64_t seed = 0;
  Verdict verdict = Verdict::crash;
  std::vector<FailedExpectation> failed;   // the expectations that failed, in the scenario's order
  // The machine's invariants the run broke (their names, each once, in the rules' order), whether or not the
  // scenario expects them; none when the run gave no summary (timeout, crash).
  std::optional<std::vector<std::string>> invariants;
  std::optional<std::uint64_t> takeovers;  // none when the run gave no summary (timeout, crash)
  std::optional<std::uint64_t> sim_time_ns;
  std::string detail;       // timeout and crash: what happened, e.g. "killed by signal 11 (SIGSEGV)"
  double host_seconds = 0;  // timing.jsonl only: it differs between identical runs
};

// How a child `pairsim run SCENARIO --seed S --json` ended.
struct ChildEnd {
  bool timed_out = false;  // killed by the campaign after --timeout
  int signal = 0;          // the signal that ended it, when not timed out; 0 when it exited
  int exit_code = 0;       // when it exited
  std::string out;         // its standard output: the JSON summary
  std::string err;         // its standard error
  double host_seconds = 0;
};

// exit 0 → held, 1 → failed (the failed expectations are read from the summary), killed after the timeout
// → timeout; killed by a signal, exit 3, or any other end (an unreadable summary, an exit 2 after the
// scenario was checked) → crash.
RunResult judge_run(std::uint64_t seed, const ChildEnd& end);

// What a run that did not hold failed at, for its line in the progress: ": line L: TEXT (and N more)" for the
// first failed expectation, or ": DETAIL"; empty when there is neither.
std::string what_failed(const RunResult& r);

// One line of results.jsonl (no newline): seed, verdict, failed [{line, text}], invariants [names],
// takeovers, sim_time_ns, detail — keys always present, null when unknown.
std::string result_line(const RunResult& r);
// One line of timing.jsonl: seed, host_seconds.
std::string timing_line(const RunResult& r);
// Reads a line of results.jsonl back (`pairsim campaign merge`). On error, nullopt and a sentence in `error`.
std::optional<RunResult> parse_result_line(std::string_view line, std::string& error);

// Runs finish in any order; results are written in the plan's (seed) order. This holds each finished run
// until every run before it has finished.
class ResultSequence {
 public:
  void add(std::uint64_t index, RunResult r);
  // The results that now follow on without a gap, in order.
  std::vector<RunResult> take_ready();
  // Everything still held, in order, gaps and all: an interrupted campaign writes what finished.
  std::vector<RunResult> take_all();
  std::uint64_t next_index() const { return next_; }

 private:
  std::uint64_t next_ = 0;
  std::map<std::uint64_t, RunResult> held_;
};

// "pairsim run 'my scenario.scn' --seed 7": words with shell characters are quoted for sh.
std::string shell_quote(const std::string& word);
std::string replay_command(const std::string& program, const std::string& scenario, std::uint64_t seed);
// seed-S, the folder a campaign keeps for a seed S that did not hold: S as it writes it, no leading zero.
bool is_seed_folder(const std::string& name);
// seed-S/replay.sh: runs the seed again from the campaign's folder, passing its own arguments on to
// `pairsim run` (--trace, --vcd, --table).
std::string replay_script(const std::string& program_path, const std::string& cwd, const std::string& scenario,
                          const RunResult& r);

// Counts over the finished runs, fed in seed order; writes summary.json and the closing text.
class CampaignSummary {
 public:
  static constexpr std::size_t max_listed_in_json = 100;  // failing seeds in summary.json
  static constexpr std::size_t max_listed_in_text = 20;   // ... and on the terminal

  CampaignSummary(std::string scenario, SeedPlan plan) : scenario_(std::move(scenario)), plan_(plan) {}

  void add(const RunResult& r);
  void set_interrupted() { interrupted_ = true; }

  std::uint64_t count(Verdict v) const { return counts_[static_cast<std::size_t>(v)]; }
  std::uint64_t finished() const { return finished_; }
  std::uint64_t bad() const { return finished_ - count(Verdict::held); }
  bool interrupted() const { return interrupted_; }

  // summary.json: byte-identical for the same scenario, seeds, shard and build, whatever --jobs was.
  std::string json() const;
  // The closing text; `program` is how the user called pairsim, for the replay commands.
  std::string text(const std::string& program, const std::string& out_dir, double host_seconds) const;
  // The same for a campaign merged from its shards: how many, and the host seconds its runs took added up
  // (timing.jsonl's sum) in place of the time the campaign took.
  std::string merged_text(const std::string& program, const std::string& out_dir, std::uint64_t shards,
                          double run_seconds) const;

 private:
  std::string text_with(const std::string& program, const std::string& out_dir, const std::string& how) const;
  struct Failing {
    std::uint64_t seed;
    Verdict verdict;
  };
  std::string scenario_;
  SeedPlan plan_;
  bool interrupted_ = false;
  std::uint64_t finished_ = 0;
  std::array<std::uint64_t, all_verdicts.size()> counts_{};
  std::map<std::pair<int, std::string>, std::uint64_t> by_expectation_;  // (line, text) → seeds it failed in
  std::vector<Failing> failing_;                                         // the first max_listed_in_json
  struct Violating {
    std::uint64_t seed;
    Verdict verdict;
    std::vector<std::string> invariants;
  };
  std::map<std::string, std::uint64_t> by_invariant_;  // rule name → seeds that broke it
  std::uint64_t held_with_violations_ = 0;             // seeds that held although they broke an invariant
  std::vector<Violating> violating_;                   // the first max_listed_in_json that broke one
};

}  // namespace pairsim::sim
