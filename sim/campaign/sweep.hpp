#pragma once
// Sweeps and explorations (docs/campaigns.md, "Sweeps: one fault at many moments"): one fault of a scenario
// moved over a window of time, one run per moment, every other draw the seed's (a moment's schedule is
// move_fault(), sim/scenario/schedule.hpp). This file holds what needs neither the simulation kernel nor child
// processes — the fault to move and its window, the moments, the points an exploration chooses, result lines,
// replay commands and the summary — so that unit tests can check it. sim/campaign/sweep_runner.cpp runs the
// moments.
#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sim/campaign/campaign.hpp"
#include "sim/scenario/scenario.hpp"
#include "sim/scenario/schedule.hpp"

namespace pairsim::sim {

// The fault a sweep moves: one `at` statement, and the window its moments lie in.
struct SweptFault {
  int line = 0;
  std::string text;  // the statement, as the scenario has it
  TimeRange window;  // `at random A..B`: A..B; a fixed `at T` (explore only): the whole run, 0 .. end − 1
  int fault = 0;     // its fault in the schedule (ResolvedAction::fault)
};

// The `at` statement on `line`, or — `line` 0 — the scenario's only `at random` statement. A sweep needs
// `at random A..B`; an exploration (`fixed_allowed`) takes `at T` too. It must be one action: a `pick` of
// more than one is refused. On error, nullopt and in `error` the line to print: "FILE:LINE:COL: error: …" about
// a statement of the file, "pairsim: error: …" about the option.
std::optional<SweptFault> find_swept_fault(const Scenario& s, int line, bool fixed_allowed, std::string& error);

// --moments N: 1 … max_sweep_moments, and no more than the window has nanoseconds (each moment distinct).
inline constexpr std::uint64_t max_sweep_moments = 1'000'000;
std::optional<std::uint64_t> parse_moment_count(const std::string& text, TimeRange window, std::string& error);

// Moment k (0 … count − 1) of a sweep of `count` moments over `window`: from + ⌊k·(to − from)/(count − 1)⌋,
// so moment 0 is the window's start and moment count − 1 its end; one moment is the start.
std::uint64_t sweep_moment(TimeRange window, std::uint64_t count, std::uint64_t k);

// ---- exploring every moment ----

// The trace events (by kind) at which the machine's observable state changes: a process starts, stops,
// prints, sends or receives a message; a pair checkpoints, takes over, resends or answers from a saved
// reply; a CPU changes state or is declared down or up; a scenario action is carried out.
bool is_state_change(std::string_view kind);

enum class MomentKind {
  window,   // an end of the window that is not a state change
  event,    // the time of a state change: the fault comes after what completes at that instant
  between,  // inside the interval between two of them
};
const char* moment_kind_name(MomentKind k);  // "window", "event", "between"

struct Moment {
  std::uint64_t t_ns = 0;
  MomentKind kind = MomentKind::window;
};

// After moment `at` of an exploration of `window`, the next: `next_change` is the first state change after
// `at` (none: none up to the end of the window). From an edge (the window's start or a change) it is the
// middle of the interval to the next edge, when that interval holds a whole nanosecond; from there — or when
// it holds none — the next edge: that change, or the window's end. None after the window's end.
std::optional<Moment> next_explore_moment(const Moment& at, std::optional<std::uint64_t> next_change, TimeRange window);

// The moments of an exploration of `window` when `changes` (in any order) are the run's state changes
// whatever the moments: the first is the window's start, each next one by next_explore_moment.
std::vector<Moment> explore_moments(std::vector<std::uint64_t> changes, TimeRange window);

// What a run's own state changes show an exploration missed: the changes in the window that are not
// moments, and the intervals between consecutive edges (the window's ends and its changes) that hold a whole
// nanosecond but no moment ({a, b}: the open interval a … b).
struct Uncovered {
  std::vector<std::uint64_t> changes;
  std::vector<TimeRange> intervals;
  bool empty() const { return changes.empty() && intervals.empty(); }
};
Uncovered uncovered(std::vector<std::uint64_t> changes, const std::vector<std::uint64_t>& moments, TimeRange window);

// ---- what a sweep writes ----

// What a sweep or an exploration is, as far as its replay commands and summary say.
struct SweepSpec {
  bool explore = false;
  std::string scenario;  // as given on the command line
  SweptFault fault;
  std::uint64_t seed = 1;
  std::uint64_t moments = 0;  // a sweep's --moments; for an exploration, how many it found

  const char* command() const { return explore ? "explore" : "sweep"; }
  // "pairsim sweep s.scn --moments 100 --line 12 --seed 1 --moment 7": that moment's run, on its own.
  std::string replay_command(const std::string& program, std::uint64_t moment) const;
  // moment-K/replay.sh: the moment's run again, from the folder the sweep ran in, passing its own arguments on
  // (--trace, --vcd, --table, --json).
  std::string replay_script(const std::string& program_path, const std::string& cwd, std::uint64_t moment,
                            std::uint64_t t_ns, const RunResult& r) const;
};

// One line of results.jsonl: moment, t_ns, for an exploration `where` (the moment's kind), then the keys of a
// campaign's result line (seed, verdict, failed, takeovers, sim_time_ns, detail).
std::string moment_result_line(std::uint64_t moment, const Moment& m, bool explore, const RunResult& r);
// One line of timing.jsonl: moment, host_seconds (from the fork, or the start, to the end of its run).
std::string moment_timing_line(std::uint64_t moment, const RunResult& r);

// Counts over the finished moments, fed in moment order; writes summary.json and the closing text.
class SweepSummary {
 public:
  static constexpr std::size_t max_listed_in_json = 100;  // failing moments in summary.json
  static constexpr std::size_t max_listed_in_text = 20;   // ... and on the terminal

  explicit SweepSummary(SweepSpec spec) : spec_(std::move(spec)) {}

  void add(std::uint64_t moment, const Moment& m, const RunResult& r);
  void set_interrupted() { interrupted_ = true; }
  void set_moments(std::uint64_t n) { spec_.moments = n; }
  // An exploration: the run ended (`run until`) at `t_ns`, before the window did; moments stop there.
  void set_ended_early(std::uint64_t t_ns) { ended_at_ = t_ns; }
  // An exploration that stopped at --max-moments, at `t_ns`: the window after it was not explored.
  void set_limit_reached(std::uint64_t t_ns) { limit_at_ = t_ns; }
  // An exploration: what the fault-free run, with every moment as a sync point, showed it missed.
  void set_uncovered(Uncovered u, std::uint64_t changes) {
    uncovered_ = std::move(u);
    changes_ = changes;
  }

  std::uint64_t count(Verdict v) const { return counts_[static_cast<std::size_t>(v)]; }
  std::uint64_t finished() const { return finished_; }
  std::uint64_t bad() const { return finished_ - count(Verdict::held); }

  // summary.json: byte-identical for the same scenario, options and build, whatever --jobs was.
  std::string json() const;
  // The closing text; `program` is how the user called pairsim, for the replay commands.
  std::string text(const std::string& program, const std::string& out_dir, double host_seconds) const;

 private:
  struct Failing {
    std::uint64_t moment;
    std::uint64_t t_ns;
    Verdict verdict;
  };
  SweepSpec spec_;
  bool interrupted_ = false;
  std::uint64_t finished_ = 0;
  std::array<std::uint64_t, all_verdicts.size()> counts_{};
  std::array<std::uint64_t, 3> kinds_{};                                 // moments by MomentKind
  std::map<std::pair<int, std::string>, std::uint64_t> by_expectation_;  // (line, text) → moments it failed at
  std::vector<Failing> failing_;                                         // the first max_listed_in_json
  std::optional<std::uint64_t> ended_at_;
  std::optional<std::uint64_t> limit_at_;
  std::optional<Uncovered> uncovered_;
  std::uint64_t changes_ = 0;
};

}  // namespace pairsim::sim
