// Sweeps and explorations without processes: the fault a sweep moves, its moments, the schedule of one moment,
// the points an exploration chooses between state changes, and what a sweep writes.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "sim/campaign/sweep.hpp"
#include "sim/scenario/duration.hpp"
#include "sim/scenario/scenario_parser.hpp"

using namespace pairsim::sim;

namespace {

Scenario parse_ok(const std::string& text) {
  auto r = parse_scenario(text, "t.scn");
  if (!r.ok()) FAIL(r.errors.front().str());
  return *r.scenario;
}

SweptFault swept(const Scenario& s, int line, bool explore = false) {
  std::string error;
  auto f = find_swept_fault(s, line, explore, error);
  INFO(error);
  REQUIRE(f);
  CHECK(error.empty());
  return *f;
}

std::string swept_error(const Scenario& s, int line, bool explore = false) {
  std::string error;
  REQUIRE_FALSE(find_swept_fault(s, line, explore, error));
  return error;
}

std::vector<std::string> lines_of(const std::vector<ResolvedAction>& s) {
  std::vector<std::string> out;
  for (const auto& a : s) out.push_back(format_duration(a.t_ns) + " " + describe(a.action));
  return out;
}

std::vector<std::uint64_t> times_of(const std::vector<Moment>& ms) {
  std::vector<std::uint64_t> out;
  for (const auto& m : ms) out.push_back(m.t_ns);
  return out;
}

std::string kinds_of(const std::vector<Moment>& ms) {
  std::string out;
  for (const auto& m : ms) out += moment_kind_name(m.kind)[0];
  return out;
}

}  // namespace

TEST_CASE("sweep moments: both ends of the window, whole nanoseconds rounded down", "[sweep]") {
  const TimeRange w{2'000'000, 20'000'000};
  CHECK(sweep_moment(w, 1000, 0) == 2'000'000);
  CHECK(sweep_moment(w, 1000, 999) == 20'000'000);
  CHECK(sweep_moment(w, 1000, 1) == 2'018'018);  // 2 ms + ⌊18 ms / 999⌋
  CHECK(sweep_moment(w, 1000, 500) == 2'000'000 + 18'000'000ull * 500 / 999);
  CHECK(sweep_moment(w, 1, 0) == 2'000'000);
  CHECK(sweep_moment(w, 2, 1) == 20'000'000);
  CHECK(sweep_moment(TimeRange{10, 13}, 3, 1) == 11);  // 10 + ⌊3·1/2⌋

  // As many moments as the window has nanoseconds: every one of them, each once.
  const TimeRange small{7, 11};
  std::vector<std::uint64_t> all;
  for (std::uint64_t k = 0; k < 5; ++k) all.push_back(sweep_moment(small, 5, k));
  CHECK(all == std::vector<std::uint64_t>{7, 8, 9, 10, 11});

  // Times near the top of the range do not overflow.
  const TimeRange huge{0, ~0ull - 1};
  CHECK(sweep_moment(huge, 1'000'000, 999'999) == ~0ull - 1);
  CHECK(sweep_moment(huge, 3, 1) == (~0ull - 1) / 2);
}

TEST_CASE("sweep moments: --moments must give distinct moments", "[sweep]") {
  std::string error;
  CHECK(parse_moment_count("1000", TimeRange{0, 999}, error) == 1000u);
  CHECK_FALSE(parse_moment_count("1001", TimeRange{0, 999}, error));
  CHECK(error.find("would not all differ") != std::string::npos);
  for (const char* bad : {"", "0", "-3", "1e3", "12x", " 5", "1000001"}) {
    error.clear();
    INFO(bad);
    CHECK_FALSE(parse_moment_count(bad, TimeRange{0, 1'000'000'000}, error));
    CHECK(error.find("--moments") == 0);
  }
  CHECK(parse_moment_count("1", TimeRange{5, 5}, error) == 1u);
}

TEST_CASE("the swept fault: the only `at random`, or the one on --line", "[sweep]") {
  const auto s = parse_ok(
      "machine cpus 4\n"                        // 1
      "at 1ms start $A program a.pasm cpu 0\n"  // 2
      "at random 2ms..20ms fail cpu 1\n"        // 3
      "at 30ms fail bus X for 5ms\n"            // 4
      "run for 100ms\n");
  const SweptFault f = swept(s, 0);
  CHECK(f.line == 3);
  CHECK(f.text == "at random 2ms..20ms fail cpu 1");
  CHECK(f.window.from_ns == 2'000'000);
  CHECK(f.window.to_ns == 20'000'000);
  CHECK(f.fault == 1);  // the second `at` statement in file order
  CHECK(swept(s, 3).fault == 1);

  // A fixed time: an exploration takes it over the whole run; a sweep refuses it where it is written.
  const SweptFault fixed = swept(s, 4, true);
  CHECK(fixed.window.from_ns == 0);
  CHECK(fixed.window.to_ns == 100'000'000 - 1);
  CHECK(fixed.fault == 2);
  CHECK(swept_error(s, 4) ==
        "t.scn:4:1: error: a sweep moves an `at random A..B` statement over its window; this "
        "one's time is fixed (`pairsim explore` takes it, over the whole run)");
  // A line that is not an `at` statement: the option is wrong.
  CHECK(swept_error(s, 5) ==
        "pairsim: error: --line 5: line 5 of t.scn is not an `at` statement (its `at` statements: lines 2, 3, 4)");

  const auto two = parse_ok("at random 1ms..2ms fail cpu 1\nat random 3ms..4ms fail bus X\nrun for 1s\n");
  CHECK(swept_error(two, 0) ==
        "pairsim: error: t.scn has 2 `at random` statements (lines 1, 2): say with --line "
        "which `at` statement to sweep");
  CHECK(swept(two, 2).window.from_ns == 3'000'000);
  CHECK(swept_error(parse_ok("at 1ms fail cpu 1\nrun for 1s\n"), 0, true).find("no `at random` statement") !=
        std::string::npos);

  const auto menu = parse_ok(
      "menu m fail bus random for 1ms\n"
      "at random 1ms..9ms pick 2 from m\n"
      "at random 1ms..9ms pick 1 from m\n"
      "run for 1s\n");
  CHECK(swept_error(menu, 2).find("t.scn:2:1: error: this statement picks 2 faults") == 0);
  CHECK(swept(menu, 3).fault == 2);  // after the two picks of line 2
}

TEST_CASE("a moment's schedule: the fault moved, with its repair, every other draw the seed's", "[sweep]") {
  const auto s = parse_ok(
      "machine cpus 4\n"
      "at random 10ms..50ms fail bus random for random 5ms..9ms\n"  // fault 0
      "at random 1ms..99ms fail cpu random\n"                       // fault 1
      "at 30ms reload cpu 3\n"                                      // fault 2
      "run for 100ms\n");
  const auto drawn = resolve_schedule(s, 11);
  const SweptFault f = swept(s, 2);
  REQUIRE(f.fault == 0);
  std::uint64_t lasts = 0;
  std::string bus;
  for (const auto& a : drawn)
    if (a.fault == 0 && !a.is_repair) {
      lasts = a.lasts_ns;
      bus = describe(a.action);
    }
  REQUIRE(lasts >= 5'000'000);
  REQUIRE(lasts <= 9'000'000);

  const auto at30 = move_fault(drawn, 0, 30'000'000, s.run.for_ns);
  REQUIRE(at30.size() == drawn.size());
  // Equal times keep draw order: the bus fault (fault 0) before the reload (fault 2).
  std::vector<std::string> at_30ms;
  for (const auto& a : at30)
    if (a.t_ns == 30'000'000) at_30ms.push_back(describe(a.action));
  CHECK(at_30ms == std::vector<std::string>{bus, "reload cpu 3"});
  bool repaired = false;
  for (const auto& a : at30) {
    if (a.fault == 1)
      CHECK(describe(a.action) == [&] {  // the other draws are the seed's
        for (const auto& d : drawn)
          if (d.fault == 1) return describe(d.action);
        return std::string();
      }());
    if (a.fault == 0 && a.is_repair) {
      repaired = true;
      CHECK(a.t_ns == 30'000'000 + lasts);
      CHECK(describe(a.action) == "repair " + bus.substr(5));
    }
  }
  CHECK(repaired);
  for (std::size_t i = 1; i < at30.size(); ++i) CHECK(at30[i - 1].t_ns <= at30[i].t_ns);

  // Too late for its repair: the fault lasts to the end. Earlier again: the repair is back.
  const auto late = move_fault(drawn, 0, 99'000'000, s.run.for_ns);
  CHECK(late.size() == drawn.size() - 1);
  CHECK(move_fault(late, 0, 30'000'000, s.run.for_ns).size() == drawn.size());
  CHECK(lines_of(move_fault(late, 0, 30'000'000, s.run.for_ns)) == lines_of(at30));

  const auto without = without_fault(drawn, 0);
  CHECK(without.size() == drawn.size() - 2);
  for (const auto& a : without) CHECK(a.fault != 0);
}

TEST_CASE("state changes: process, message, pair and CPU events, not protocol bookkeeping", "[sweep]") {
  for (const char* kind : {"send", "receive", "checkpoint", "output", "process_start", "process_stop", "takeover",
                           "duplicate", "fs_resend", "cpu_state", "declared_down", "fault"})
    CHECK(is_state_change(kind));
  for (const char* kind : {"imalive_missed", "suspect", "regroup_start", "bus_resend", "run_start", "run_end", ""})
    CHECK_FALSE(is_state_change(kind));
}

TEST_CASE("exploring: a moment at each change, one between each two, the window's ends", "[sweep]") {
  const TimeRange w{100, 200};
  // 110 and 111 are a nanosecond apart: no moment between them. 250 is after the window; 100 is its start.
  const auto ms = explore_moments({150, 250, 110, 111, 100, 200}, w);
  CHECK(times_of(ms) == std::vector<std::uint64_t>{100, 105, 110, 111, 130, 150, 175, 200});
  CHECK(kinds_of(ms) == "wbeebebe");

  // No change: the start, the middle, the end.
  CHECK(times_of(explore_moments({}, w)) == std::vector<std::uint64_t>{100, 150, 200});
  CHECK(kinds_of(explore_moments({}, w)) == "wbw");
  // A window of one nanosecond, and of two.
  CHECK(times_of(explore_moments({}, TimeRange{5, 5})) == std::vector<std::uint64_t>{5});
  CHECK(times_of(explore_moments({}, TimeRange{5, 6})) == std::vector<std::uint64_t>{5, 6});
  CHECK(times_of(explore_moments({6}, TimeRange{5, 7})) == std::vector<std::uint64_t>{5, 6, 7});

  // Step by step, as the runs find them: from a point between two changes, straight to the next change.
  CHECK_FALSE(next_explore_moment(Moment{200, MomentKind::event}, std::nullopt, w));
  auto m = next_explore_moment(Moment{130, MomentKind::between}, 150, w);
  REQUIRE(m);
  CHECK(m->t_ns == 150);
  CHECK(m->kind == MomentKind::event);
  m = next_explore_moment(Moment{150, MomentKind::event}, 400, w);  // the next change is after the window
  REQUIRE(m);
  CHECK(m->t_ns == 175);
  m = next_explore_moment(Moment{175, MomentKind::between}, 400, w);
  REQUIRE(m);
  CHECK(m->t_ns == 200);
  CHECK(m->kind == MomentKind::window);
}

TEST_CASE("exploring: what a run's own changes show was missed", "[sweep]") {
  const TimeRange w{100, 200};
  const std::vector<std::uint64_t> changes{110, 111, 150, 200};
  const auto ms = times_of(explore_moments(changes, w));
  CHECK(uncovered(changes, ms, w).empty());
  // The changes moved (as a sync point can move them): 150 is now 160, still with a moment on either side;
  // at 180 it would leave 180 … 200 without one.
  const Uncovered moved = uncovered({110, 111, 160, 200}, ms, w);
  CHECK(moved.changes == std::vector<std::uint64_t>{160});
  CHECK(moved.intervals.empty());
  const Uncovered u = uncovered({110, 111, 180, 200}, ms, w);
  CHECK(u.changes == std::vector<std::uint64_t>{180});
  REQUIRE(u.intervals.size() == 1);
  CHECK(u.intervals[0].from_ns == 180);
  CHECK(u.intervals[0].to_ns == 200);
  CHECK_FALSE(u.empty());
  // Changes outside the window do not count.
  CHECK(uncovered({50, 300}, {100, 150, 200}, w).empty());
}

TEST_CASE("a sweep's files: result lines in moment order, replay commands, the summary", "[sweep]") {
  RunResult r;
  r.seed = 1;
  r.verdict = Verdict::failed;
  r.failed = {{30, "expect $C1 exit 0"}};
  r.takeovers = 1;
  r.sim_time_ns = 500'000'000;
  // A campaign's line, with the moment first.
  CHECK(moment_result_line(7, Moment{2'126'126, MomentKind::between}, false, r) ==
        R"({"moment":7,"t_ns":2126126,)" + result_line(r).substr(1));
  CHECK(result_line(r).find(R"({"seed":1,"verdict":"failed","failed":[{"line":30,"text":"expect $C1 exit 0"}],)") == 0);
  CHECK(moment_result_line(7, Moment{2'126'126, MomentKind::between}, true, r)
            .find(R"({"moment":7,"t_ns":2126126,"where":"between","seed":1,)") == 0);

  SweepSpec spec;
  spec.scenario = "my bank.scn";
  spec.fault.line = 26;
  spec.fault.text = "at random 2ms..20ms fail cpu 1";
  spec.fault.window = TimeRange{2'000'000, 20'000'000};
  spec.seed = 3;
  spec.moments = 1000;
  CHECK(spec.replay_command("pairsim", 7) ==
        "pairsim sweep 'my bank.scn' --moments 1000 --line 26 --seed 3 --moment 7");
  const std::string script = spec.replay_script("/opt/pairsim", "/home/x", 7, 2'126'126, r);
  CHECK(script.find("cd /home/x || exit 2\nexec /opt/pairsim sweep 'my bank.scn' --moments 1000 --line 26 --seed 3 "
                    "--moment 7 \"$@\"\n") != std::string::npos);
  CHECK(script.find("#   line 30: expect $C1 exit 0\n") != std::string::npos);
  SweepSpec explore = spec;
  explore.explore = true;
  CHECK(explore.replay_command("pairsim", 7) == "pairsim explore 'my bank.scn' --line 26 --seed 3 --moment 7");

  SweepSummary summary(spec);
  RunResult held = r;
  held.verdict = Verdict::held;
  held.failed.clear();
  summary.add(0, Moment{2'000'000}, held);
  summary.add(1, Moment{2'018'018}, r);
  CHECK(summary.finished() == 2);
  CHECK(summary.bad() == 1);
  const std::string json = summary.json();
  CHECK(json.find(R"("command": "sweep")") != std::string::npos);
  CHECK(json.find(R"("moments": 1000)") != std::string::npos);
  CHECK(json.find(R"("failed": 1)") != std::string::npos);
  CHECK(json.find(R"("replay": "pairsim sweep 'my bank.scn' --moments 1000 --line 26 --seed 3 --moment 1")") !=
        std::string::npos);
  CHECK(json.find(R"("where")") == std::string::npos);  // a sweep's moments have no kinds
  const std::string text = summary.text("build/pairsim", "out", 2.0);
  CHECK(text.find("2 of 1000 moments") != std::string::npos);
  CHECK(text.find("verdicts: held 1, failed 1, timeout 0, crash 0") != std::string::npos);
  CHECK(text.find("  1\tline 30: expect $C1 exit 0") != std::string::npos);
  CHECK(text.find("build/pairsim sweep 'my bank.scn' --moments 1000 --line 26 --seed 3 --moment 1") !=
        std::string::npos);
}
