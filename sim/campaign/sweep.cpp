#include "sim/campaign/sweep.hpp"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <set>
#include <sstream>

#include "sim/report/json_writer.hpp"
#include "sim/scenario/duration.hpp"

namespace pairsim::sim {

namespace {

std::string lines_list(const std::vector<int>& lines) {
  std::string out;
  for (std::size_t i = 0; i < lines.size(); ++i) out += (i ? ", " : "") + std::to_string(lines[i]);
  return out;
}

std::string window_text(TimeRange w) {
  return format_duration(w.from_ns) + ".." + format_duration(w.to_ns);
}

}  // namespace

std::optional<SweptFault> find_swept_fault(const Scenario& s, int line, bool fixed_allowed, std::string& error) {
  const char* verb = fixed_allowed ? "explore" : "sweep";
  std::vector<const TimedAction*> statements;  // the `at` statements, in file order
  for (const auto& a : s.actions) statements.push_back(&a);
  std::stable_sort(statements.begin(), statements.end(),
                   [](const TimedAction* a, const TimedAction* b) { return a->loc.line < b->loc.line; });
  const TimedAction* found = nullptr;
  if (line == 0) {
    std::vector<int> random_lines;
    for (const auto* a : statements)
      if (a->random_range) random_lines.push_back(a->loc.line);
    if (random_lines.size() != 1) {
      error = "pairsim: error: " + s.path + " has " +
              (random_lines.empty() ? std::string("no `at random` statement")
                                    : std::to_string(random_lines.size()) + " `at random` statements (lines " +
                                          lines_list(random_lines) + ")") +
              ": say with --line which `at` statement to " + verb;
      return std::nullopt;
    }
    for (const auto* a : statements)
      if (a->loc.line == random_lines.front()) found = a;
  } else {
    std::vector<int> at_lines;
    for (const auto* a : statements) {
      at_lines.push_back(a->loc.line);
      if (a->loc.line == line) found = a;
    }
    if (!found) {
      error = "pairsim: error: --line " + std::to_string(line) + ": line " + std::to_string(line) + " of " + s.path +
              " is not an `at` statement" +
              (at_lines.empty() ? std::string(" (it has none)")
                                : " (its `at` statements: lines " + lines_list(at_lines) + ")");
      return std::nullopt;
    }
  }
  if (!found->random_range && !fixed_allowed) {
    error = found->loc.str() +
            ": error: a sweep moves an `at random A..B` statement over its window; this one's time "
            "is fixed (`pairsim explore` takes it, over the whole run)";
    return std::nullopt;
  }
  if (found->pick && found->pick->count != 1) {
    error = found->loc.str() + ": error: this statement picks " + std::to_string(found->pick->count) +
            " faults, each at a time of its own; a " + verb + " moves one (write `pick 1`)";
    return std::nullopt;
  }
  SweptFault f;
  f.line = found->loc.line;
  f.text = found->text;
  if (found->random_range)
    f.window = *found->random_range;
  else
    f.window = TimeRange{0, s.run.for_ns - 1};  // the parser has checked that the run has a time above 0
  // Draw order, and so fault numbers, do not depend on the seed.
  for (const auto& r : resolve_schedule(s, 0))
    if (r.line == f.line && !r.is_repair) f.fault = r.fault;
  return f;
}

std::optional<std::uint64_t> parse_moment_count(const std::string& text, TimeRange window, std::string& error) {
  std::uint64_t n = 0;
  const char* end = text.data() + text.size();
  auto [p, ec] = std::from_chars(text.data(), end, n);
  if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos || ec != std::errc() || p != end) {
    error = "--moments takes a whole number of moments, such as 100, not '" + text + "'";
    return std::nullopt;
  }
  if (n < 1 || n > max_sweep_moments) {
    error = "--moments " + text + ": a sweep has 1 to " + std::to_string(max_sweep_moments) + " moments";
    return std::nullopt;
  }
  const std::uint64_t width = window.to_ns - window.from_ns;
  if (n - 1 > width) {
    error = "--moments " + text + " is more than the window " + window_text(window) + " has nanoseconds (" +
            std::to_string(width + 1) + "): its moments would not all differ";
    return std::nullopt;
  }
  return n;
}

std::uint64_t sweep_moment(TimeRange window, std::uint64_t count, std::uint64_t k) {
  if (count <= 1) return window.from_ns;
  const unsigned __int128 span = window.to_ns - window.from_ns;
  return window.from_ns + static_cast<std::uint64_t>(span * k / (count - 1));
}

bool is_state_change(std::string_view kind) {
  static const std::set<std::string_view> kinds{// processes and messages
                                                "process_start", "process_stop", "abend", "output", "send", "receive",
                                                "system_message", "path_error", "start_failed",
                                                // process pairs
                                                "backup_created", "checkmonitor", "checkpoint", "checkopen",
                                                "checkclose", "checkswitch", "takeover", "fs_resend", "duplicate",
                                                "pair_lost",
                                                // CPUs, as the machine sees them, and the scenario's own actions
                                                "cpu_state", "declared_down", "declared_up", "halt", "fault"};
  return kinds.count(kind) != 0;
}

const char* moment_kind_name(MomentKind k) {
  switch (k) {
    case MomentKind::window:
      return "window";
    case MomentKind::event:
      return "event";
    case MomentKind::between:
      return "between";
  }
  return "window";
}

std::optional<Moment> next_explore_moment(const Moment& at, std::optional<std::uint64_t> next_change,
                                          TimeRange window) {
  if (at.t_ns >= window.to_ns) return std::nullopt;
  const bool change_in_window = next_change && *next_change > at.t_ns && *next_change <= window.to_ns;
  const Moment edge{change_in_window ? *next_change : window.to_ns,
                    change_in_window ? MomentKind::event : MomentKind::window};
  if (at.kind != MomentKind::between && edge.t_ns - at.t_ns >= 2)
    return Moment{at.t_ns + (edge.t_ns - at.t_ns) / 2, MomentKind::between};
  return edge;
}

std::vector<Moment> explore_moments(std::vector<std::uint64_t> changes, TimeRange window) {
  std::sort(changes.begin(), changes.end());
  std::vector<Moment> out{Moment{window.from_ns, MomentKind::window}};
  for (;;) {
    const auto after = std::upper_bound(changes.begin(), changes.end(), out.back().t_ns);
    const auto next = next_explore_moment(
        out.back(), after == changes.end() ? std::nullopt : std::optional<std::uint64_t>(*after), window);
    if (!next) return out;
    out.push_back(*next);
  }
}

Uncovered uncovered(std::vector<std::uint64_t> changes, const std::vector<std::uint64_t>& moments, TimeRange window) {
  const std::set<std::uint64_t> at(moments.begin(), moments.end());
  std::sort(changes.begin(), changes.end());
  changes.erase(std::unique(changes.begin(), changes.end()), changes.end());
  Uncovered u;
  std::vector<std::uint64_t> edges{window.from_ns};
  for (std::uint64_t c : changes) {
    if (c < window.from_ns || c > window.to_ns) continue;
    if (!at.count(c)) u.changes.push_back(c);
    if (c != edges.back()) edges.push_back(c);
  }
  if (edges.back() != window.to_ns) edges.push_back(window.to_ns);
  for (std::size_t i = 0; i + 1 < edges.size(); ++i) {
    const std::uint64_t a = edges[i], b = edges[i + 1];
    if (b - a < 2) continue;
    const auto m = at.upper_bound(a);
    if (m == at.end() || *m >= b) u.intervals.push_back(TimeRange{a, b});
  }
  return u;
}

std::string SweepSpec::replay_command(const std::string& program, std::uint64_t moment) const {
  std::string cmd = shell_quote(program) + " " + command() + " " + shell_quote(scenario);
  if (!explore) cmd += " --moments " + std::to_string(moments);
  return cmd + " --line " + std::to_string(fault.line) + " --seed " + std::to_string(seed) + " --moment " +
         std::to_string(moment);
}

std::string SweepSpec::replay_script(const std::string& program_path, const std::string& cwd, std::uint64_t moment,
                                     std::uint64_t t_ns, const RunResult& r) const {
  std::string why = std::string("# Moment ") + std::to_string(moment) + " (" + format_duration(t_ns) +
                    ") of `pairsim " + command() + "` over line " + std::to_string(fault.line) + " of " + scenario +
                    ", seed " + std::to_string(seed) + ": " + verdict_name(r.verdict);
  if (!r.detail.empty()) why += " (" + r.detail + ")";
  why += "\n";
  for (const auto& f : r.failed) why += "#   line " + std::to_string(f.line) + ": " + f.text + "\n";
  return "#!/bin/sh\n" + why + "# Runs it again, on its own, from the folder the " + command() +
         " ran in. Options go on (as to `pairsim run`):\n"
         "#   ./replay.sh --trace t.jsonl --vcd t.vcd --table\n"
         "cd " +
         shell_quote(cwd) + " || exit 2\nexec " + replay_command(program_path, moment) + " \"$@\"\n";
}

std::string moment_result_line(std::uint64_t moment, const Moment& m, bool explore, const RunResult& r) {
  std::string line = "{\"moment\":" + std::to_string(moment) + ",\"t_ns\":" + std::to_string(m.t_ns);
  if (explore) line += std::string(",\"where\":\"") + moment_kind_name(m.kind) + "\"";
  return line + "," + result_line(r).substr(1);  // a campaign's line, without its opening brace
}

std::string moment_timing_line(std::uint64_t moment, const RunResult& r) {
  JsonWriter j(0);
  j.begin_object().field("moment", moment).field("host_seconds", r.host_seconds).end_object();
  return j.str();
}

void SweepSummary::add(std::uint64_t moment, const Moment& m, const RunResult& r) {
  ++finished_;
  ++counts_[static_cast<std::size_t>(r.verdict)];
  ++kinds_[static_cast<std::size_t>(m.kind)];
  for (const auto& f : r.failed) ++by_expectation_[{f.line, f.text}];
  if (r.verdict != Verdict::held && failing_.size() < max_listed_in_json)
    failing_.push_back({moment, m.t_ns, r.verdict});
}

std::string SweepSummary::json() const {
  JsonWriter j;
  j.begin_object();
  j.field("scenario", spec_.scenario).field("pairsim", PAIRSIM_VERSION).field("command", spec_.command());
  j.field("line", spec_.fault.line).field("statement", spec_.fault.text).field("seed", spec_.seed);
  j.key("window")
      .begin_object()
      .field("from_ns", spec_.fault.window.from_ns)
      .field("to_ns", spec_.fault.window.to_ns)
      .end_object();
  j.field("moments", spec_.moments).field("finished", finished_).field("interrupted", interrupted_);
  if (spec_.explore) {
    j.key("where").begin_object();
    for (MomentKind k : {MomentKind::window, MomentKind::event, MomentKind::between})
      j.field(moment_kind_name(k), kinds_[static_cast<std::size_t>(k)]);
    j.end_object();
    j.field("ended_at_ns", ended_at_).field("limit_reached_at_ns", limit_at_);
    j.key("check");
    if (!uncovered_) {
      j.null();
    } else {
      j.begin_object().field("state_changes", changes_);
      j.key("changes_not_moments").begin_array();
      for (auto c : uncovered_->changes) j.value(c);
      j.end_array();
      j.key("intervals_without_moment").begin_array();
      for (auto w : uncovered_->intervals)
        j.begin_object().field("from_ns", w.from_ns).field("to_ns", w.to_ns).end_object();
      j.end_array();
      j.end_object();
    }
  }
  j.key("verdicts").begin_object();
  for (Verdict v : all_verdicts) j.field(verdict_name(v), count(v));
  j.end_object();
  j.key("failed_expectations").begin_array();
  for (const auto& [key, n] : by_expectation_)
    j.begin_object().field("line", key.first).field("text", key.second).field("moments", n).end_object();
  j.end_array();
  j.key("failing_moments").begin_array();
  for (const auto& f : failing_)
    j.begin_object()
        .field("moment", f.moment)
        .field("t_ns", f.t_ns)
        .field("verdict", verdict_name(f.verdict))
        .field("folder", "moment-" + std::to_string(f.moment))
        .field("replay", spec_.replay_command("pairsim", f.moment))
        .end_object();
  j.end_array();
  j.end_object();
  return j.str() + "\n";
}

std::string SweepSummary::text(const std::string& program, const std::string& out_dir, double host_seconds) const {
  std::ostringstream o;
  char rate[96];
  std::snprintf(rate, sizeof rate, " in %.1f s (%.1f runs/s)", host_seconds,
                host_seconds > 0 ? static_cast<double>(finished_) / host_seconds : 0.0);
  o << spec_.scenario << " line " << spec_.fault.line << " (" << spec_.fault.text << "), seed " << spec_.seed << ": "
    << finished_ << " of " << spec_.moments << " moments in " << window_text(spec_.fault.window) << rate
    << (interrupted_ ? ", interrupted" : "") << "\n";
  if (spec_.explore) {
    o << "moments: " << kinds_[static_cast<std::size_t>(MomentKind::event)] << " at state changes, "
      << kinds_[static_cast<std::size_t>(MomentKind::between)] << " between them, "
      << kinds_[static_cast<std::size_t>(MomentKind::window)] << " at the window's ends\n";
    if (ended_at_) o << "the run ended at " << format_duration(*ended_at_) << ", before the window did\n";
    if (limit_at_)
      o << "stopped at --max-moments, at " << format_duration(*limit_at_)
        << ": the rest of the window was not explored\n";
    if (uncovered_) {
      if (uncovered_->empty())
        o << "check: the fault-free run with these moments as sync points has " << changes_
          << " state changes in the window; each is a moment, and each interval between them holds one\n";
      else
        o << "check: the fault-free run with these moments as sync points shows " << uncovered_->changes.size()
          << " state changes that are not moments and " << uncovered_->intervals.size()
          << " intervals without a moment (summary.json lists them)\n";
    }
  }
  o << "verdicts:";
  for (Verdict v : all_verdicts) o << " " << verdict_name(v) << " " << count(v) << (v == Verdict::crash ? "" : ",");
  o << "\n";
  if (!by_expectation_.empty()) {
    o << "failed expectations (at how many moments):\n";
    for (const auto& [key, n] : by_expectation_) o << "  " << n << "\tline " << key.first << ": " << key.second << "\n";
  }
  if (!failing_.empty()) {
    const std::size_t shown = std::min(failing_.size(), max_listed_in_text);
    o << "moments that did not hold";
    if (bad() > shown)
      o << " (the first " << shown << " of " << bad() << "; " << out_dir << "/results.jsonl has them all)";
    o << ", each with the command that replays it:\n";
    for (std::size_t i = 0; i < shown; ++i)
      o << "  " << verdict_name(failing_[i].verdict) << "\t" << format_duration(failing_[i].t_ns) << "\t"
        << spec_.replay_command(program, failing_[i].moment) << "\n";
    o << "the folder of each, with replay.sh and its trace (none for a timeout): " << out_dir << "/moment-K/\n";
  }
  o << "results: " << out_dir << "/results.jsonl, summary: " << out_dir << "/summary.json\n";
  return o.str();
}

}  // namespace pairsim::sim
