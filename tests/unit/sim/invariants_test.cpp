// The machine's invariants, checked from trace events alone: each rule holds on the runs a correct machine
// makes and fails on the events of one that breaks it, whatever order the events arrive in; `expect
// invariants`, the summary and the report say what was found.
#include <catch2/catch.hpp>

#include "record_test_support.hpp"
#include "sim/report/expectations.hpp"
#include "sim/report/invariants.hpp"
#include "sim/report/json_reader.hpp"
#include "sim/report/report.hpp"
#include "sim/report/run_record.hpp"

using namespace pairsim::sim;

namespace {

using test::parse_ok;

void feed(TraceSink& s, std::uint64_t t, const std::string& kind,
          std::initializer_list<std::pair<const char*, std::int64_t>> ints,
          std::initializer_list<std::pair<const char*, const char*>> strs = {}) {
  TraceEvent e(t, kind);
  for (auto& [k, v] : ints) e.with(k, v);
  for (auto& [k, v] : strs) e.with(k, v);
  s.on_event(e);
}

void cpu_state(TraceSink& s, std::uint64_t t, int cpu, const char* state) {
  feed(s, t, "cpu_state", {{"cpu", cpu}}, {{"state", state}});
}

// $B starts in CPU 1 with its backup in CPU 2, as bank.pasm does.
void pair_in_1_and_2(TraceSink& s) {
  feed(s, 0, "run_start", {{"seed", 1}, {"cpus", 4}}, {{"scenario", "t.scn"}});
  feed(s, 0, "process_start", {{"cpu", 1}, {"pin", 2}}, {{"process", "$B"}, {"program", "bank.pasm"}});
  feed(s, 300, "process_start", {{"cpu", 2}, {"pin", 2}}, {{"process", "$B"}, {"program", "bank.pasm"}});
  feed(s, 310, "backup_created", {{"cpu", 2}, {"pin", 2}, {"primary_cpu", 1}}, {{"pair", "$B"}});
  feed(s, 400, "checkpoint", {{"cpu", 1}, {"bytes", 64}, {"seq", 1}}, {{"pair", "$B"}});
}

void takeover(TraceSink& s, std::uint64_t t, int from, int to, const char* reason, std::int64_t checkpoints) {
  feed(s, t, "takeover", {{"from_cpu", from}, {"to_cpu", to}, {"restart_p", 7}, {"checkpoints", checkpoints}},
       {{"pair", "$B"}, {"reason", reason}});
}

void reply_ahead(TraceSink& s, std::uint64_t t, int cpu, int backup_cpu, std::int64_t checkpoints) {
  feed(s, t, "reply_ahead",
       {{"cpu", cpu}, {"pin", 2}, {"backup_cpu", backup_cpu}, {"sync_id", 9}, {"checkpoints", checkpoints}},
       {{"pair", "$B"}, {"to", "0,2"}});
}

void regroup_end(TraceSink& s, std::uint64_t t, int cpu, int round, const char* members) {
  feed(s, t, "regroup_end", {{"cpu", cpu}, {"round", round}}, {{"members", members}});
}

void request_open(TraceSink& s, std::uint64_t t, int cpu, const char* target, std::uint64_t since,
                  std::uint64_t limit) {
  feed(s, t, "request_open",
       {{"cpu", cpu},
        {"pin", 3},
        {"sync_id", 4},
        {"since_ns", static_cast<std::int64_t>(since)},
        {"hung_after_ns", static_cast<std::int64_t>(limit)}},
       {{"process", "$C1"}, {"target", target}});
}

std::vector<std::string> rules(const InvariantChecker& c) {
  std::vector<std::string> out;
  for (const auto& v : c.violations()) out.push_back(invariant_name(v.rule));
  return out;
}

}  // namespace

TEST_CASE("invariants: the rules' names", "[invariants]") {
  std::vector<std::string> names;
  for (Invariant r : all_invariants) names.push_back(invariant_name(r));
  CHECK(names ==
        std::vector<std::string>{"one primary", "no stale takeover", "no hung request", "membership agreement"});
}

TEST_CASE("one primary: a takeover after the old primary's CPU went down is the only primary", "[invariants]") {
  InvariantChecker c;
  pair_in_1_and_2(c);
  cpu_state(c, 1000, 1, "down");
  takeover(c, 5000, 1, 2, "processor failed", 1);
  CHECK(c.violations().empty());
}

TEST_CASE("one primary: a backup that takes over while the old primary's CPU is up makes two", "[invariants]") {
  InvariantChecker c;
  pair_in_1_and_2(c);
  takeover(c, 5000, 1, 2, "processor failed", 1);  // CPU 1 declared down, but it still runs
  cpu_state(c, 6000, 1, "halted");
  REQUIRE(c.violations().size() == 1);
  const auto& v = c.violations()[0];
  CHECK(v.rule == Invariant::one_primary);
  CHECK(v.t_ns == 5000);
  CHECK(v.pair == "$B");
  CHECK(v.cpus == std::vector<int>{1, 2});
  CHECK(v.text == "$B has 2 primaries at once, in cpus 1 and 2, all up");
}

TEST_CASE("one primary: what happens within one instant counts once the instant is over", "[invariants]") {
  // The cut-off CPU halts at the very instant the others decide, in either order: never two primaries.
  const bool halt_first = GENERATE(false, true);
  InvariantChecker c;
  pair_in_1_and_2(c);
  if (halt_first) cpu_state(c, 5000, 1, "halted");
  takeover(c, 5000, 1, 2, "processor failed", 1);
  if (!halt_first) cpu_state(c, 5000, 1, "halted");
  CHECK(c.violations().empty());
}

TEST_CASE("one primary: events are judged in time order, not arrival order", "[invariants]") {
  InvariantChecker c;
  pair_in_1_and_2(c);
  takeover(c, 5000, 1, 2, "processor failed", 1);
  cpu_state(c, 1000, 1, "down");  // a late line from the CPU's failure, long before the takeover
  CHECK(c.violations().empty());
}

TEST_CASE("one primary: a checkswitch hands the role over; a second overlap is reported again", "[invariants]") {
  InvariantChecker c;
  pair_in_1_and_2(c);
  feed(c, 900, "checkswitch", {{"from_cpu", 1}, {"to_cpu", 2}}, {{"pair", "$B"}});
  takeover(c, 1000, 1, 2, "checkswitch", 1);
  CHECK(c.violations().empty());
  takeover(c, 2000, 2, 1, "processor failed", 0);  // CPU 2 is up: two primaries ...
  takeover(c, 3000, 1, 2, "checkswitch", 0);       // ... until a switch back ...
  takeover(c, 4000, 2, 1, "processor failed", 0);  // ... and two again
  CHECK(rules(c) == std::vector<std::string>{"one primary", "one primary"});
  CHECK(c.violations()[1].t_ns == 4000);
}

TEST_CASE("one primary: a takeover stamped in a CPU already down gives it nothing", "[invariants]") {
  InvariantChecker c;
  pair_in_1_and_2(c);
  cpu_state(c, 1000, 2, "down");
  takeover(c, 2000, 1, 2, "primary stopped", 1);
  CHECK(c.violations().empty());
}

TEST_CASE("no stale takeover: the backup must have applied the checkpoint a reply needed", "[invariants]") {
  const std::int64_t applied = GENERATE(7, 8, 9);
  InvariantChecker c;
  pair_in_1_and_2(c);
  reply_ahead(c, 2000, 1, 2, 7);  // replied with 7 checkpoints sent: the state behind it goes with the 8th
  cpu_state(c, 3000, 1, "down");
  takeover(c, 5000, 1, 2, "processor failed", applied);
  if (applied >= 8) {
    CHECK(c.violations().empty());
  } else {
    REQUIRE(c.violations().size() == 1);
    const auto& v = c.violations()[0];
    CHECK(v.rule == Invariant::no_stale_takeover);
    CHECK(v.t_ns == 5000);
    CHECK(v.pair == "$B");
    CHECK(v.cpus == std::vector<int>{1, 2});
    CHECK(v.text ==
          "$B: cpu 2 took over from cpu 1 (processor failed) with 7 checkpoints applied, but the primary had "
          "replied to 0,2 (sync ID 9) at 0.000002 s on state that only checkpoint 8 would have carried");
  }
}

TEST_CASE("no stale takeover: a reply ahead of an earlier backup does not count against a new one", "[invariants]") {
  InvariantChecker c;
  pair_in_1_and_2(c);
  reply_ahead(c, 2000, 1, 2, 7);
  cpu_state(c, 3000, 2, "down");  // that backup is gone; a new one in CPU 3, counted afresh
  feed(c, 4000, "process_start", {{"cpu", 3}, {"pin", 2}}, {{"process", "$B"}, {"program", "bank.pasm"}});
  feed(c, 4010, "backup_created", {{"cpu", 3}, {"pin", 2}, {"primary_cpu", 1}}, {{"pair", "$B"}});
  cpu_state(c, 5000, 1, "down");
  takeover(c, 6000, 1, 3, "processor failed", 1);
  CHECK(c.violations().empty());
}

TEST_CASE("no stale takeover: only the replies of the primary taken over from count", "[invariants]") {
  InvariantChecker c;
  pair_in_1_and_2(c);
  reply_ahead(c, 2000, 3, 1, 4);  // some other primary of the name, elsewhere, earlier
  feed(c, 4000, "process_stop", {{"cpu", 1}, {"pin", 2}, {"exit", 0}}, {{"process", "$B"}});
  takeover(c, 5000, 1, 2, "primary stopped", 1);
  CHECK(rules(c).empty());
}

TEST_CASE("no stale takeover: a process taking back the role it switched away finds what the other did",
          "[invariants]") {
  InvariantChecker c;
  pair_in_1_and_2(c);
  takeover(c, 1000, 1, 2, "checkswitch", 1);
  reply_ahead(c, 1500, 2, 1, 0);  // the new primary answered before it ever checkpointed to CPU 1
  cpu_state(c, 2000, 2, "down");
  takeover(c, 5000, 2, 1, "processor failed", 0);
  CHECK(rules(c) == std::vector<std::string>{"no stale takeover"});
}

TEST_CASE("no hung request: a requester still waiting for a live server at the end", "[invariants]") {
  const std::uint64_t since = GENERATE(1'000'000ull, 3'000'000ull);
  InvariantChecker c;
  pair_in_1_and_2(c);
  request_open(c, 10'000'000, 0, "$B", since, 8'000'000);
  if (since == 3'000'000) {
    CHECK(c.violations().empty());  // 7 ms of 8: still a request in progress
    return;
  }
  REQUIRE(c.violations().size() == 1);
  const auto& v = c.violations()[0];
  CHECK(v.rule == Invariant::no_hung_request);
  CHECK(v.t_ns == 1'000'000);
  CHECK(v.pair == "$B");
  CHECK(v.cpus == std::vector<int>{0});
  CHECK(v.text ==
        "$C1 (0,3) has waited 0.009000 s for its request to $B (sync ID 4, made at 0.001000 s), longer than 0.008 s, and $B "
        "is alive in cpus 1 and 2");
}

TEST_CASE("no hung request: a server is alive while any half of it is up", "[invariants]") {
  InvariantChecker c;
  pair_in_1_and_2(c);
  cpu_state(c, 2'000'000, 1, "down");  // the backup in CPU 2 has not taken over yet: still alive
  request_open(c, 10'000'000, 0, "$B", 1'000'000, 1'000'000);
  CHECK(rules(c) == std::vector<std::string>{"no hung request"});

  InvariantChecker gone;
  pair_in_1_and_2(gone);
  cpu_state(gone, 2'000'000, 1, "down");
  cpu_state(gone, 2'000'000, 2, "down");
  request_open(gone, 10'000'000, 0, "$B", 1'000'000, 1'000'000);
  request_open(gone, 10'000'000, 0, "$NOBODY", 1'000'000, 1'000'000);
  CHECK(gone.violations().empty());
}

TEST_CASE("no hung request: a disk process whose controllers are both down waits on the hardware",
          "[invariants]") {
  // $B plays a volume's disk process here: a request to it is not hung while both of its controllers are
  // down (it finishes the operation after a repair), and is again once one is back.
  for (int down : {1, 2}) {
    CAPTURE(down);
    InvariantChecker c;
    pair_in_1_and_2(c);
    feed(c, 2'000'000, "controller_state", {{"controller", 0}}, {{"volume", "$B"}, {"state", "down"}});
    if (down == 2)
      feed(c, 3'000'000, "controller_state", {{"controller", 1}}, {{"volume", "$B"}, {"state", "down"}});
    request_open(c, 10'000'000, 0, "$B", 1'000'000, 1'000'000);
    CHECK(rules(c) == (down == 2 ? std::vector<std::string>{} : std::vector<std::string>{"no hung request"}));
  }
}

TEST_CASE("membership agreement: the CPUs that end a round agree on its membership", "[invariants]") {
  InvariantChecker c;
  feed(c, 0, "run_start", {{"seed", 1}, {"cpus", 4}}, {{"scenario", "t.scn"}});
  cpu_state(c, 1000, 3, "halted");  // cut off: it halted, and reports nothing
  for (int cpu : {2, 0, 1}) regroup_end(c, 2000 + cpu, cpu, 1, "0,1,2");
  CHECK(c.violations().empty());

  regroup_end(c, 9000, 0, 2, "0,1");
  regroup_end(c, 9005, 2, 2, "0,2");
  regroup_end(c, 9010, 1, 2, "0,1");
  REQUIRE(c.violations().size() == 1);
  const auto& v = c.violations()[0];
  CHECK(v.rule == Invariant::membership_agreement);
  CHECK(v.t_ns == 9005);
  CHECK(v.pair.empty());
  CHECK(v.cpus == std::vector<int>{0, 1, 2});
  CHECK(v.text == "regroup round 2 ended with different memberships: cpus 0 and 1 on 0,1; cpu 2 on 0,2");
}

TEST_CASE("membership agreement: a report stamped after its CPU stopped is not a survivor's", "[invariants]") {
  InvariantChecker c;
  feed(c, 0, "run_start", {{"seed", 1}, {"cpus", 4}}, {{"scenario", "t.scn"}});
  cpu_state(c, 1000, 3, "down");
  regroup_end(c, 2000, 0, 1, "0,1,2");
  regroup_end(c, 2000, 3, 1, "3");
  CHECK(c.violations().empty());
}

TEST_CASE("invariants: violations are listed in time order", "[invariants]") {
  InvariantChecker c;
  pair_in_1_and_2(c);
  request_open(c, 10'000'000, 0, "$B", 1'000, 1'000);  // came last, happened first
  regroup_end(c, 9000, 0, 2, "0,1");
  regroup_end(c, 9000, 1, 2, "0,1,2");
  takeover(c, 5000, 1, 2, "processor failed", 1);
  CHECK(rules(c) == std::vector<std::string>{"no hung request", "one primary", "membership agreement"});
}

TEST_CASE("expect invariants, the summary and the report tell what was found", "[invariants][summary]") {
  const Scenario s = parse_ok("start $B program bank.pasm cpu 1\nrun for 1s\nexpect invariants\n");
  RunRecord r(4);
  pair_in_1_and_2(r);
  RunOutcome o;
  o.scenario = &s;
  o.record = &r;

  auto res = check_expectations(s, r, {});
  REQUIRE(res.size() == 1);
  CHECK(res[0].ok);
  CHECK(res[0].detail == "none violated");
  auto summary = parse_json(json_summary(o));
  REQUIRE(summary);
  const JsonValue* inv = summary->get("invariants");
  REQUIRE(inv);
  CHECK(inv->is_array());
  CHECK(inv->items().empty());
  CHECK(summary->keys()[summary->keys().size() - 2] == "invariants");  // just before the expectations
  CHECK(text_report(o).find("\ninvariants: all held (one primary, no stale takeover, no hung request, membership "
                            "agreement)\n") != std::string::npos);

  reply_ahead(r, 2000, 1, 2, 1);
  cpu_state(r, 3000, 1, "down");
  takeover(r, 5000, 1, 2, "processor failed", 1);
  res = check_expectations(s, r, {});
  CHECK_FALSE(res[0].ok);
  CHECK(res[0].detail == "1 violated: no stale takeover at 0.000005 s ($B)");
  summary = parse_json(json_summary(o));
  REQUIRE(summary);
  inv = summary->get("invariants");
  REQUIRE((inv && inv->items().size() == 1));
  const JsonValue& v = inv->items()[0];
  CHECK(v.keys() == std::vector<std::string>{"rule", "t_ns", "pair", "cpus", "text"});
  CHECK(v.get("rule")->as_string() == "no stale takeover");
  CHECK(v.get("t_ns")->as_uint() == 5000u);
  CHECK(v.get("pair")->as_string() == "$B");
  REQUIRE(v.get("cpus")->items().size() == 2);
  CHECK(v.get("cpus")->items()[1].as_int() == 2);
  CHECK(v.get("text")->as_string().value_or("").rfind("$B: cpu 2 took over from cpu 1", 0) == 0);
  const std::string text = text_report(o);
  CHECK(text.find("\ninvariants: 1 violated\n  ✗ no stale takeover at 0.000005 s: $B: cpu 2 took over from cpu 1") !=
        std::string::npos);
  CHECK(text.find("reply ahead $B cpu 1 replied to 0,2 sync 9 before checkpoint 2 reached its backup") !=
        std::string::npos);
}

TEST_CASE("expect invariants parses, and takes nothing after it", "[invariants][scenario]") {
  const Scenario s = parse_ok("run for 1s\nexpect invariants\n");
  REQUIRE(s.expectations.size() == 1);
  CHECK(std::holds_alternative<ExpectInvariants>(s.expectations[0].form));
  auto bad = parse_scenario("run for 1s\nexpect invariants now\n", "t.scn");
  REQUIRE(bad.errors.size() == 1);
  CHECK(bad.errors[0].str() == "t.scn:2:19: error: unexpected 'now' after a complete statement");
}
