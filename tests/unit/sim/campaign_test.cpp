// Campaigns without processes: seed ranges and shards, how a run's end becomes a verdict, results put back
// in seed order whatever order the runs finish in, and the files' formats.
#include <algorithm>
#include <catch2/catch.hpp>
#include <set>
#include <sstream>

#include "sim/campaign/campaign.hpp"
#include "sim/campaign/campaign_progress.hpp"
#include "sim/scenario/scenario_parser.hpp"

using namespace pairsim::sim;

namespace {

SeedRange range(const std::string& text) {
  std::string error;
  auto r = parse_seed_range(text, error);
  INFO(text << ": " << error);
  REQUIRE(r);
  CHECK(error.empty());
  return *r;
}

std::string range_error(const std::string& text) {
  std::string error;
  auto r = parse_seed_range(text, error);
  INFO(text);
  REQUIRE_FALSE(r);
  return error;
}

Shard shard(const std::string& text) {
  std::string error;
  auto s = parse_shard(text, error);
  INFO(text << ": " << error);
  REQUIRE(s);
  return *s;
}

std::string shard_error(const std::string& text) {
  std::string error;
  auto s = parse_shard(text, error);
  INFO(text);
  REQUIRE_FALSE(s);
  return error;
}

std::vector<std::uint64_t> seeds_of(const SeedPlan& plan) {
  std::vector<std::uint64_t> out;
  for (std::uint64_t i = 0; i < plan.size(); ++i) out.push_back(plan.seed(i));
  return out;
}

// What `pairsim run --json` prints, cut down to what a campaign reads.
std::string summary_json(int failed_line, int takeovers, const std::string& invariants = "") {
  std::string takeover_list;
  for (int i = 0; i < takeovers; ++i)
    takeover_list += std::string(i ? "," : "") + R"({"pair":"$BANK","from_cpu":1,"to_cpu":2})";
  std::string results = R"({"line":10,"text":"expect $C1 exit 0","ok":true,"detail":""})";
  if (failed_line)
    results += R"(,{"line":)" + std::to_string(failed_line) +
               R"(,"text":"expect cpu 0 up","ok":false,"detail":"cpu 0 is down"})";
  return R"({"scenario":"x.scn","seed":4,"sim_time_ns":500000000,"host_seconds":0.25,"takeovers":[)" + takeover_list +
         R"(],"invariants":[)" + invariants + R"(],"expectations":{"passed":1,"failed":)" +
         std::to_string(failed_line ? 1 : 0) + R"(,"results":[)" + results + "]}}\n";
}

ChildEnd exited(int code, std::string out, std::string err = "") {
  ChildEnd e;
  e.exit_code = code;
  e.out = std::move(out);
  e.err = std::move(err);
  e.host_seconds = 0.5;
  return e;
}

RunResult result(std::uint64_t seed, Verdict v, int failed_line = 0) {
  RunResult r;
  r.seed = seed;
  r.verdict = v;
  if (failed_line) r.failed.push_back({failed_line, "expect cpu 0 up"});
  if (v == Verdict::held || v == Verdict::failed) {
    r.invariants.emplace();
    r.takeovers = 1;
    r.sim_time_ns = 100'000'000;
  }
  if (v == Verdict::timeout) r.detail = "still running at the --timeout: killed";
  r.host_seconds = 0.1 * static_cast<double>(seed);
  return r;
}

// Plays finished runs through a ResultSequence in `order` (indices of the plan) and returns what a
// campaign writes: results.jsonl, then summary.json.
std::pair<std::string, std::string> write_campaign(const std::vector<RunResult>& by_index,
                                                   const std::vector<std::size_t>& order, const SeedPlan& plan) {
  ResultSequence sequence;
  CampaignSummary summary("x.scn", plan);
  std::string results;
  for (std::size_t i : order) {
    sequence.add(i, by_index[i]);
    for (const auto& r : sequence.take_ready()) {
      results += result_line(r) + "\n";
      summary.add(r);
    }
  }
  return {results, summary.json()};
}

}  // namespace

TEST_CASE("campaign seeds: ranges", "[campaign]") {
  CHECK(range("1..20").first == 1);
  CHECK(range("1..20").last == 20);
  CHECK(range("1..20").size() == 20);
  CHECK(range("0..0").size() == 1);
  CHECK(range("7").first == 7);  // one seed
  CHECK(range("7").last == 7);
  CHECK(range("18446744073709551615..18446744073709551615").size() == 1);
  CHECK(range("0..999999999").size() == max_campaign_seeds);
}

TEST_CASE("campaign seeds: a range that ends before it starts, or is not one", "[campaign]") {
  CHECK(range_error("5..2") == "--seeds 5..2 ends before it starts: write the smaller seed first (2..5)");
  for (const char* bad : {"", "abc", "1..", "..5", "-1..5", "1...5", "1..2..3", " 1..2", "1 ..2", "0x10..0x20", "1..2x",
                          "1-5", "18446744073709551616..18446744073709551617", "+1..2"})
    CHECK(range_error(bad).find("--seeds takes a range of whole numbers FIRST..LAST") == 0);
  CHECK(range_error("0..1000000000").find("more than 1000000000 seeds") != std::string::npos);
  CHECK(range_error("0..18446744073709551615").find("more than") != std::string::npos);
}

TEST_CASE("campaign seeds: shards", "[campaign]") {
  CHECK(shard("0/1").count == 1);
  CHECK(shard("1/2").index == 1);
  CHECK(shard("3/4").count == 4);
  CHECK(shard_error("2/2") == "--shard 2/2: shards are numbered from 0, so the index must be below 2 (0/2 … 1/2)");
  CHECK(shard_error("0/0") == "--shard 0/0: the count of shards must be at least 1");
  for (const char* bad : {"", "x", "1", "1/", "/2", "-1/2", "1/2/3", "a/b", "1 /2"})
    CHECK(shard_error(bad).find("--shard takes INDEX/COUNT") == 0);
}

TEST_CASE("campaign seeds: a plan runs its shard's seeds in order, and the shards cover the range once", "[campaign]") {
  CHECK(seeds_of(SeedPlan(range("1..5"), Shard{})) == std::vector<std::uint64_t>{1, 2, 3, 4, 5});
  CHECK(seeds_of(SeedPlan(range("10..20"), shard("1/3"))) == std::vector<std::uint64_t>{11, 14, 17, 20});
  CHECK(SeedPlan(range("5..6"), shard("3/4")).size() == 0);  // more shards than seeds: some run nothing
  CHECK(SeedPlan(range("0..999999999"), shard("0/7")).size() == 142857143);

  for (std::uint64_t count : {1, 2, 3, 7, 25, 40}) {
    std::multiset<std::uint64_t> all;
    for (std::uint64_t i = 0; i < count; ++i) {
      const auto seeds = seeds_of(SeedPlan(range("3..27"), Shard{i, count}));
      CHECK(std::is_sorted(seeds.begin(), seeds.end()));
      for (auto s : seeds) CHECK((s - 3) % count == i);
      all.insert(seeds.begin(), seeds.end());
    }
    INFO("shards: " << count);
    CHECK(all.size() == 25);
    CHECK(std::set<std::uint64_t>(all.begin(), all.end()).size() == 25);
    CHECK(*all.begin() == 3);
    CHECK(*all.rbegin() == 27);
  }
}

TEST_CASE("campaign: a scenario draws at random when it has `at random` or `cpu random`", "[campaign]") {
  auto scenario = [](const std::string& text) {
    auto p = parse_scenario(text, "t.scn");
    REQUIRE(p.ok());
    return *p.scenario;
  };
  CHECK_FALSE(draws_at_random(scenario("at 5ms fail cpu 1\nrun for 1s\n")));
  CHECK(draws_at_random(scenario("at random 1ms..5ms fail cpu 1\nrun for 1s\n")));
  CHECK(draws_at_random(scenario("at 5ms fail cpu random\nrun for 1s\n")));
  CHECK(draws_at_random(scenario("at 5ms reload cpu random\nrun for 1s\n")));
}

TEST_CASE("campaign verdicts: how a run's end is judged", "[campaign]") {
  SECTION("exit 0: held, with its takeovers and simulated time") {
    auto r = judge_run(4, exited(0, summary_json(0, 2)));
    CHECK(r.verdict == Verdict::held);
    CHECK(r.seed == 4);
    CHECK(r.failed.empty());
    CHECK(r.takeovers == 2u);
    CHECK(r.sim_time_ns == 500'000'000u);
    CHECK(r.detail.empty());
    CHECK(r.host_seconds == 0.5);
    CHECK(r.invariants == std::vector<std::string>{});
  }
  SECTION("the invariants a run broke: each rule once, in the rules' order, held or not") {
    const std::string broken = R"({"rule":"no hung request","t_ns":1},{"rule":"one primary","t_ns":2},)"
                               R"({"rule":"no hung request","t_ns":3})";
    auto r = judge_run(4, exited(0, summary_json(0, 0, broken)));
    CHECK(r.verdict == Verdict::held);
    CHECK(r.invariants == std::vector<std::string>{"one primary", "no hung request"});
    CHECK(judge_run(4, exited(1, summary_json(12, 0, broken))).invariants ==
          std::vector<std::string>{"one primary", "no hung request"});
  }
  SECTION("exit 1: failed, with the expectations that failed") {
    auto r = judge_run(4, exited(1, summary_json(12, 0)));
    CHECK(r.verdict == Verdict::failed);
    REQUIRE(r.failed.size() == 1);
    CHECK(r.failed[0].line == 12);
    CHECK(r.failed[0].text == "expect cpu 0 up");
    CHECK(r.takeovers == 0u);
  }
  SECTION("killed after the timeout") {
    ChildEnd e = exited(0, "");
    e.timed_out = true;
    e.signal = 9;
    auto r = judge_run(4, e);
    CHECK(r.verdict == Verdict::timeout);
    CHECK_FALSE(r.invariants);
    CHECK_FALSE(r.takeovers);
    CHECK_FALSE(r.sim_time_ns);
  }
  SECTION("killed by a signal") {
    ChildEnd e = exited(0, "");
    e.signal = 11;
    auto r = judge_run(4, e);
    CHECK(r.verdict == Verdict::crash);
    CHECK(r.detail.find("killed by signal 11") == 0);
  }
  SECTION("exit 3: crash, with the last line it wrote on stderr") {
    auto r = judge_run(4, exited(3, "", "[W] something\npairsim: internal error: boom\n\n"));
    CHECK(r.verdict == Verdict::crash);
    CHECK(r.detail == "exit 3 (internal error): pairsim: internal error: boom");
  }
  SECTION("other ends are crashes too") {
    CHECK(judge_run(4, exited(2, "", "x.scn:1:1: error: gone\n")).detail ==
          "exit 2 (bad input): x.scn:1:1: error: gone");
    CHECK(judge_run(4, exited(7, "")).detail == "exit 7");
    auto garbled = judge_run(4, exited(0, "{\"scenario\": "));
    CHECK(garbled.verdict == Verdict::crash);
    CHECK(garbled.detail.find("exit 0, but its summary could not be read") == 0);
    auto disagrees = judge_run(4, exited(1, summary_json(0, 0)));
    CHECK(disagrees.verdict == Verdict::crash);
    CHECK(disagrees.detail == "exit 1, but its summary has 0 failed expectations");
    CHECK(judge_run(4, exited(0, summary_json(12, 0))).verdict == Verdict::crash);
  }
}

TEST_CASE("campaign results: one line per seed, host time kept apart", "[campaign]") {
  CHECK(result_line(result(3, Verdict::held)) ==
        R"({"seed":3,"verdict":"held","failed":[],"invariants":[],"takeovers":1,"sim_time_ns":100000000,)"
        R"("detail":null})");
  CHECK(result_line(result(4, Verdict::failed, 12)) ==
        R"({"seed":4,"verdict":"failed","failed":[{"line":12,"text":"expect cpu 0 up"}],"invariants":[],)"
        R"("takeovers":1,"sim_time_ns":100000000,"detail":null})");
  CHECK(result_line(result(5, Verdict::timeout)) ==
        R"({"seed":5,"verdict":"timeout","failed":[],"invariants":null,"takeovers":null,"sim_time_ns":null,)"
        R"("detail":"still running at the --timeout: killed"})");
  RunResult broke = result(6, Verdict::held);
  broke.invariants = std::vector<std::string>{"no stale takeover", "no hung request"};
  CHECK(result_line(broke) == R"({"seed":6,"verdict":"held","failed":[],"invariants":["no stale takeover",)"
                              R"("no hung request"],"takeovers":1,"sim_time_ns":100000000,"detail":null})");
  CHECK(result_line(result(5, Verdict::timeout)).find("host") == std::string::npos);
  CHECK(timing_line(result(5, Verdict::held)) == R"({"seed":5,"host_seconds":0.5})");
}

TEST_CASE("campaign results: put back in seed order whatever order the runs finish in", "[campaign]") {
  ResultSequence seq;
  seq.add(2, result(12, Verdict::held));
  CHECK(seq.take_ready().empty());
  seq.add(0, result(10, Verdict::held));
  auto ready = seq.take_ready();
  REQUIRE(ready.size() == 1);
  CHECK(ready[0].seed == 10);
  seq.add(3, result(13, Verdict::held));
  seq.add(1, result(11, Verdict::failed, 4));
  ready = seq.take_ready();
  REQUIRE(ready.size() == 3);
  CHECK(ready[0].seed == 11);
  CHECK(ready[1].seed == 12);
  CHECK(ready[2].seed == 13);
  CHECK(seq.next_index() == 4);

  SECTION("an interrupted campaign writes every finished run, in order, across the gaps") {
    seq.add(7, result(17, Verdict::held));
    seq.add(5, result(15, Verdict::held));
    CHECK(seq.take_ready().empty());
    auto all = seq.take_all();
    REQUIRE(all.size() == 2);
    CHECK(all[0].seed == 15);
    CHECK(all[1].seed == 17);
    CHECK(seq.take_all().empty());
  }
}

TEST_CASE("campaign results: results.jsonl and summary.json do not depend on the order runs finish in", "[campaign]") {
  const SeedPlan plan(range("1..8"), Shard{});
  std::vector<RunResult> by_index;
  for (std::uint64_t i = 0; i < plan.size(); ++i) {
    const std::uint64_t seed = plan.seed(i);
    by_index.push_back(seed % 3 == 0 ? result(seed, Verdict::failed, 4)
                       : seed == 5   ? result(seed, Verdict::timeout)
                                     : result(seed, Verdict::held));
  }
  std::vector<std::size_t> order(plan.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  const auto in_order = write_campaign(by_index, order, plan);
  std::reverse(order.begin(), order.end());
  CHECK(write_campaign(by_index, order, plan) == in_order);
  order = {3, 1, 0, 7, 2, 6, 4, 5};
  CHECK(write_campaign(by_index, order, plan) == in_order);

  std::string expected_results;
  for (const auto& r : by_index) expected_results += result_line(r) + "\n";
  CHECK(in_order.first == expected_results);
}

TEST_CASE("campaign summary: summary.json", "[campaign]") {
  CampaignSummary summary("scenarios/my test.scn", SeedPlan(range("1..10"), shard("1/2")));
  summary.add(result(2, Verdict::held));
  summary.add(result(4, Verdict::failed, 4));
  summary.add(result(6, Verdict::timeout));
  CHECK(summary.finished() == 3);
  CHECK(summary.bad() == 2);
  CHECK(summary.json() == std::string(R"({
  "scenario": "scenarios/my test.scn",
  "pairsim": ")") + PAIRSIM_VERSION +
                              R"(",
  "seeds": {
    "first": 1,
    "last": 10
  },
  "shard": {
    "index": 1,
    "count": 2
  },
  "runs": 5,
  "finished": 3,
  "interrupted": false,
  "verdicts": {
    "held": 1,
    "failed": 1,
    "timeout": 1,
    "crash": 0
  },
  "failed_expectations": [
    {
      "line": 4,
      "text": "expect cpu 0 up",
      "seeds": 1
    }
  ],
  "invariants": {
    "one primary": 0,
    "no stale takeover": 0,
    "no hung request": 0,
    "membership agreement": 0
  },
  "held_with_violations": 0,
  "violating_seeds": [],
  "failing_seeds": [
    {
      "seed": 4,
      "verdict": "failed",
      "folder": "seed-4",
      "replay": "pairsim run 'scenarios/my test.scn' --seed 4"
    },
    {
      "seed": 6,
      "verdict": "timeout",
      "folder": "seed-6",
      "replay": "pairsim run 'scenarios/my test.scn' --seed 6"
    }
  ]
}
)");
  summary.set_interrupted();
  CHECK(summary.json().find(R"("interrupted": true)") != std::string::npos);
}

TEST_CASE("campaign summary: invariants broken are counted by rule, held seeds among them", "[campaign]") {
  CampaignSummary summary("x.scn", SeedPlan(range("1..4"), Shard{}));
  auto with = [](RunResult r, std::vector<std::string> rules) {
    r.invariants = std::move(rules);
    return r;
  };
  summary.add(with(result(1, Verdict::held), {"no stale takeover"}));
  summary.add(with(result(2, Verdict::failed, 4), {"one primary", "no stale takeover"}));
  summary.add(result(3, Verdict::held));
  summary.add(result(4, Verdict::timeout));
  const std::string json = summary.json();
  CHECK(json.find(R"("invariants": {
    "one primary": 1,
    "no stale takeover": 2,
    "no hung request": 0,
    "membership agreement": 0
  },
  "held_with_violations": 1,
  "violating_seeds": [
    {
      "seed": 1,
      "verdict": "held",
      "invariants": [
        "no stale takeover"
      ],
      "replay": "pairsim run x.scn --seed 1"
    },
    {
      "seed": 2,)") != std::string::npos);
  const std::string text = summary.text("build/pairsim", "out", 1.0);
  CHECK(text.find("invariants broken (in how many seeds):\n  1\tone primary\n  2\tno stale takeover\n") !=
        std::string::npos);
  CHECK(text.find("seeds that held but broke an invariant (the scenario has no `expect invariants`):\n"
                  "  no stale takeover\tbuild/pairsim run x.scn --seed 1\n") != std::string::npos);
  // Nothing broken: nothing said.
  CampaignSummary clean("x.scn", SeedPlan(range("1..1"), Shard{}));
  clean.add(result(1, Verdict::held));
  CHECK(clean.text("p", "out", 1.0).find("invariant") == std::string::npos);
}

TEST_CASE("campaign summary: the closing text lists the first 20 seeds that did not hold", "[campaign]") {
  CampaignSummary summary("x.scn", SeedPlan(range("1..30"), Shard{}));
  for (std::uint64_t s = 1; s <= 30; ++s)
    summary.add(s <= 25 ? result(s, Verdict::failed, 4) : result(s, Verdict::held));
  const std::string text = summary.text("build/pairsim", "out", 2.0);
  CHECK(text.find("x.scn, seeds 1..30: 30 of 30 runs in 2.0 s (15.0 runs/s)\n") == 0);
  CHECK(text.find("verdicts: held 5, failed 25, timeout 0, crash 0\n") != std::string::npos);
  CHECK(text.find("  25\tline 4: expect cpu 0 up\n") != std::string::npos);
  CHECK(text.find("(the first 20 of 25; out/results.jsonl has them all)") != std::string::npos);
  CHECK(text.find("build/pairsim run x.scn --seed 20\n") != std::string::npos);
  CHECK(text.find("--seed 21\n") == std::string::npos);
}

TEST_CASE("campaign replay: commands quoted for the shell", "[campaign]") {
  CHECK(shell_quote("scenarios/pair-bank.scn") == "scenarios/pair-bank.scn");
  CHECK(shell_quote("my test.scn") == "'my test.scn'");
  CHECK(shell_quote("it's.scn") == "'it'\\''s.scn'");
  CHECK(shell_quote("") == "''");
  CHECK(replay_command("build/pairsim", "x.scn", 7) == "build/pairsim run x.scn --seed 7");
  const std::string script = replay_script("/opt/pairsim", "/home/me/work", "x.scn", result(7, Verdict::failed, 4));
  CHECK(script.find("#!/bin/sh\n# Seed 7 of a campaign over x.scn: failed\n#   line 4: expect cpu 0 up\n") == 0);
  CHECK(script.find("\ncd /home/me/work || exit 2\nexec /opt/pairsim run x.scn --seed 7 \"$@\"\n") !=
        std::string::npos);
}

TEST_CASE("campaign progress: the line and the time left", "[campaign]") {
  CHECK(CampaignProgress::line(120, 1000, 2, 3.0) == "runs 120/1000 (12%), 2 failing, 40.0 runs/s, 22 s left");
  CHECK(CampaignProgress::line(1000, 1000, 0, 25.0) == "runs 1000/1000 (100%), 0 failing, 40.0 runs/s");
  CHECK(CampaignProgress::line(0, 10, 0, 0.0) == "runs 0/10 (0%), 0 failing, 0.0 runs/s");
  CHECK(CampaignProgress::duration(0.2) == "0 s");
  CHECK(CampaignProgress::duration(185) == "3 min 05 s");
  CHECK(CampaignProgress::duration(7620) == "2 h 07 min");

  std::ostringstream log;
  CampaignProgress plain(log, false, 20);
  for (std::uint64_t done = 1; done <= 20; ++done) plain.update(done, 0, static_cast<double>(done));
  plain.note("seed 9 failed");
  plain.finish();
  std::size_t lines = 0;
  for (char c : log.str()) lines += c == '\n';
  CHECK(lines == 11);  // one every tenth of the runs, and the note
  CHECK(log.str().find('\r') == std::string::npos);
}
