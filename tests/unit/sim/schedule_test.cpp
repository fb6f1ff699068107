// The schedule: every random part of a scenario drawn from its seed, in a fixed order, before the run.
#include <catch2/catch.hpp>

#include <map>
#include <set>

#include "sim/scenario/duration.hpp"
#include "sim/scenario/scenario_parser.hpp"
#include "sim/scenario/schedule.hpp"

using namespace pairsim::sim;

namespace {

Scenario parse_ok(const std::string& text) {
  auto r = parse_scenario(text, "t.scn");
  if (!r.ok()) FAIL(r.errors.front().str());
  return *r.scenario;
}

std::vector<std::string> lines_of(const std::vector<ResolvedAction>& s) {
  std::vector<std::string> out;
  for (const auto& a : s) out.push_back(format_duration(a.t_ns) + " " + describe(a.action));
  return out;
}

}  // namespace

TEST_CASE("random actions are drawn from the seed, the same every time", "[schedule]") {
  auto s = parse_ok("machine cpus 8\nat random 1s..5s fail cpu random\nat random 1s..5s reload cpu random\nrun for 9s\n");
  auto a = resolve_schedule(s, 42);
  auto b = resolve_schedule(s, 42);
  auto c = resolve_schedule(s, 43);
  REQUIRE(a.size() == 2);
  CHECK(lines_of(a) == lines_of(b));
  CHECK(lines_of(a) != lines_of(c));
  for (const auto& r : a) {
    CHECK(r.t_ns >= 1000000000u);
    CHECK(r.t_ns <= 5000000000u);
    CHECK(describe(r.action).find("-1") == std::string::npos);
  }
  CHECK(a[0].t_ns <= a[1].t_ns);
  CHECK(draws_at_random(s));
  CHECK_FALSE(draws_at_random(parse_ok("at 5ms fail cpu 1 for 2ms\nat random 3ms..3ms fail bus X\nrun for 1s\n")));
}

TEST_CASE("the draws of one statement do not change when another statement is added after it", "[schedule]") {
  // File order fixes the draws: a statement added below leaves the ones above as they were.
  auto one = resolve_schedule(parse_ok("at random 1ms..9ms fail cpu random\nrun for 1s\n"), 7);
  auto two = resolve_schedule(parse_ok("at random 1ms..9ms fail cpu random\nat 500us fail bus X\nrun for 1s\n"), 7);
  REQUIRE(two.size() == 2);
  CHECK(describe(two[1].action) == describe(one[0].action));
  CHECK(two[1].t_ns == one[0].t_ns);
}

TEST_CASE("cpu random of a set draws only from the set, and every member comes up", "[schedule]") {
  auto s = parse_ok("machine cpus 8\nat 1ms fail cpu random of 6 2 4\nrun for 1s\n");
  REQUIRE(s.actions[0].cpu_choices == std::vector<int>{2, 4, 6});
  std::set<int> seen;
  for (std::uint64_t seed = 0; seed < 200; ++seed) seen.insert(std::get<FailCpu>(resolve_schedule(s, seed)[0].action).cpu);
  CHECK(seen == std::set<int>{2, 4, 6});
}

TEST_CASE("a random bus and a random path CPU are drawn", "[schedule]") {
  auto s = parse_ok("machine cpus 3\nat 1ms fail path random cpu random\nat 2ms fail bus random\nrun for 1s\n");
  std::set<std::string> paths, buses;
  for (std::uint64_t seed = 0; seed < 200; ++seed) {
    auto r = resolve_schedule(s, seed);
    paths.insert(describe(r[0].action));
    buses.insert(describe(r[1].action));
  }
  CHECK(paths.size() == 6);  // 2 buses x 3 CPUs
  CHECK(buses == std::set<std::string>{"fail bus X", "fail bus Y"});
}

TEST_CASE("a fault that lasts schedules its repair", "[schedule]") {
  auto s = parse_ok(
      "at 2ms fail path Y cpu 1 for 3ms\nat 1ms fail bus X for random 1ms..4ms\nat 3ms fail cpu 2 for 10ms\n"
      "at 990ms fail bus Y for 20ms\nrun for 1s\n");
  for (std::uint64_t seed : {1u, 2u, 3u}) {
    auto r = resolve_schedule(s, seed);
    std::map<std::string, std::uint64_t> at;
    for (const auto& a : r) at[describe(a.action)] = a.t_ns;
    CHECK(at.at("repair path Y cpu 1") == 5'000'000);
    CHECK(at.at("repair bus X") >= 2'000'000);
    CHECK(at.at("repair bus X") <= 5'000'000);
    CHECK(at.at("reload cpu 2") == 13'000'000);
    CHECK(at.count("repair bus Y") == 0);  // it would come after the end of the run: the outage lasts to it
    for (const auto& a : r)
      if (a.is_repair) {
        // A repair belongs to its fault, for shrinking.
        bool found = false;
        for (const auto& f : r) found = found || (!f.is_repair && f.fault == a.fault && f.t_ns < a.t_ns);
        CHECK(found);
      }
  }
}

TEST_CASE("pick N from a menu draws N faults, each its own time and entry", "[schedule]") {
  auto s = parse_ok(
      "menu net fail bus random for 1ms\n"
      "menu net fail path random cpu random of 1 2 for random 1ms..2ms\n"
      "menu cpus fail cpu random of 1 2\n"
      "at random 5ms..50ms pick 3 from net\n"
      "at random 5ms..50ms pick 1 from cpus\n"
      "run for 1s\n");
  REQUIRE(s.actions.size() == 2);
  REQUIRE(s.actions[0].pick);
  CHECK(s.actions[0].pick->entries.size() == 2);
  std::set<std::string> kinds;
  for (std::uint64_t seed = 0; seed < 100; ++seed) {
    auto r = resolve_schedule(s, seed);
    int faults = 0, repairs = 0;
    std::set<int> ids;
    for (const auto& a : r) {
      (a.is_repair ? repairs : faults)++;
      ids.insert(a.fault);
      if (!a.is_repair) kinds.insert(describe(a.action).substr(0, 9));
    }
    CHECK(faults == 4);
    CHECK(repairs == 3);
    CHECK(ids.size() == 4);
  }
  CHECK(kinds == std::set<std::string>{"fail bus ", "fail path", "fail cpu "});
}

TEST_CASE("a pinned scenario runs the same schedule with nothing left to draw", "[schedule]") {
  const std::string text =
      "# a comment\nmachine cpus 4\nseed 5\nstart $S program ticker.pasm cpu 1\n"
      "menu m fail bus random for 2ms\n"
      "at random 1ms..9ms fail cpu random of 2 3   # the failure\n"
      "at random 1ms..9ms pick 2 from m\n"
      "run for 1s\nexpect $S running\n";
  auto s = parse_ok(text);
  auto sched = resolve_schedule(s, 11);
  const std::string pinned = pin_scenario(text, s, sched, {"pinned from t.scn, seed 11"}, ".");
  INFO(pinned);
  CHECK(pinned.rfind("# pinned from t.scn, seed 11\n# a comment\nmachine cpus 4\n", 0) == 0);
  CHECK(pinned.find("seed 5") == std::string::npos);
  CHECK(pinned.find("menu") == std::string::npos);
  CHECK(pinned.find("expect $S running") != std::string::npos);
  auto again = parse_ok(pinned);
  CHECK_FALSE(draws_at_random(again));
  CHECK(lines_of(resolve_schedule(again, 999)) == lines_of(sched));
}

TEST_CASE("a pinned scenario keeps the machine statement before the actions, whatever came first", "[schedule]") {
  // Found by tests/fuzz/fuzz_scenario.cpp: a seed, a menu or an `at` that names no CPU may come before
  // `machine`, and the schedule written in place of the first of them named CPUs before `machine`, so the
  // pinned scenario was refused ("machine must come before the first statement that names a CPU").
  const std::string text =
      "seed 5\nmenu m fail bus random for 2ms\nat 1ms fail bus X for 1ms\n"
      "machine cpus 4\nat random 1ms..9ms fail cpu random of 2 3\nat random 1ms..9ms pick 1 from m\n"
      "run for 1s\n";
  auto s = parse_ok(text);
  auto sched = resolve_schedule(s, 11);
  REQUIRE(sched.size() == 5);  // the bus X outage, the CPU failure, the pick: each fault with its repair but one
  const std::string pinned = pin_scenario(text, s, sched, {"pinned"}, ".");
  INFO(pinned);
  CHECK(pinned.find("machine cpus 4\n") < pinned.find("at "));
  auto again = parse_ok(pinned);
  CHECK_FALSE(draws_at_random(again));
  CHECK(lines_of(resolve_schedule(again, 999)) == lines_of(sched));
}

TEST_CASE("a pinned scenario writes a program path with a backslash or a quote so that it reads back", "[schedule]") {
  // Found by tests/fuzz/fuzz_scenario.cpp: such a path was put in quotes without its escapes, and the pinned
  // scenario was refused ("unknown escape '\m' in a string").
  const std::string text =
      "machine cpus 4\nat 1ms start $A program dir\\my.pasm cpu 0\n"
      "at 2ms start $B program \"say \\\"hi\\\".pasm\" cpu 1\nrun for 1s\n";
  auto s = parse_ok(text);
  auto sched = resolve_schedule(s, 3);
  const std::string pinned = pin_scenario(text, s, sched, {"pinned"}, ".");
  INFO(pinned);
  auto again = parse_ok(pinned);
  CHECK(lines_of(resolve_schedule(again, 4)) == lines_of(sched));
  CHECK(pinned.find("program \"dir\\\\my.pasm\" cpu 0") != std::string::npos);
}

TEST_CASE("a pinned scenario keeps the order of two repairs due at one moment", "[schedule]") {
  // Found by tests/fuzz/fuzz_scenario.cpp: the pinned lines in time order made the later-drawn fault the
  // first, and with it its repair when both repairs fell at one moment, so the pinned run was another.
  const std::string text = "machine cpus 4\nat 5ms fail bus X for 10ms\nat 1ms fail bus Y for 14ms\nrun for 1s\n";
  auto s = parse_ok(text);
  auto sched = resolve_schedule(s, 1);
  REQUIRE(lines_of(sched) ==
          std::vector<std::string>{"1ms fail bus Y", "5ms fail bus X", "15ms repair bus X", "15ms repair bus Y"});
  const std::string pinned = pin_scenario(text, s, sched, {"pinned"}, ".");
  INFO(pinned);
  CHECK(lines_of(resolve_schedule(parse_ok(pinned), 2)) == lines_of(sched));
}

TEST_CASE("a pinned scenario lists its actions in time order when no two fall at one moment", "[schedule]") {
  const std::string text = "machine cpus 4\nat 5ms fail bus X for 10ms\nat 1ms fail bus Y for 13ms\nrun for 1s\n";
  auto s = parse_ok(text);
  const std::string pinned = pin_scenario(text, s, resolve_schedule(s, 1), {"pinned"}, ".");
  INFO(pinned);
  CHECK(pinned.find("at 1ms fail bus Y for 13ms") < pinned.find("at 5ms fail bus X for 10ms"));
}
