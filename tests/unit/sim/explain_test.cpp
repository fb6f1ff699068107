// --explain from trace events alone: the chain from a CPU's failure to its verdict and the takeover, with
// the checkpoint the backup resumed from and what the requesters resent; and statuses as the docs write them.
#include <catch2/catch.hpp>

#include "sim/report/explain.hpp"
#include "sim/report/protocol_log.hpp"
#include "sim/report/status_word.hpp"

using namespace pairsim::sim;

namespace {

constexpr std::uint64_t ms = 1'000'000;

void feed(TraceSink& s, std::uint64_t t, const std::string& kind,
          std::initializer_list<std::pair<const char*, std::int64_t>> ints,
          std::initializer_list<std::pair<const char*, const char*>> strs = {}) {
  TraceEvent e(t, kind);
  for (auto& [k, v] : ints) e.with(k, v);
  for (auto& [k, v] : strs) e.with(k, v);
  s.on_event(e);
}

void checkpoint(TraceSink& s, std::uint64_t t, int seq) {
  TraceEvent e(t, "checkpoint");
  e.with("pair", "$B").with("cpu", 1).with("bytes", 48).with("buffers", 1).with_bool("stack", true).with("seq", seq);
  s.on_event(e);
}

bool has(const std::string& text, const std::string& part) {
  INFO(text);
  return text.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("the explanation follows a failure from the missed I'm-alive to the takeover and the resends") {
  ProtocolLog log;
  feed(log, 0, "process_start", {{"cpu", 1}, {"pin", 2}}, {{"process", "$B"}, {"program", "bank.pasm"}});
  feed(log, 300'000, "backup_created", {{"cpu", 2}, {"pin", 3}, {"primary_cpu", 1}}, {{"pair", "$B"}});
  checkpoint(log, 1 * ms, 1);
  checkpoint(log, 401 * ms, 2);
  feed(log, 420 * ms, "fault", {{"line", 23}}, {{"what", "fail cpu 1"}});
  feed(log, 420 * ms, "cpu_state", {{"cpu", 1}}, {{"state", "down"}});
  for (int c : {2, 0}) feed(log, 550 * ms, "imalive_missed", {{"cpu", c}, {"from", 1}});
  for (int c : {0, 2}) {
    feed(log, 650 * ms, "suspect", {{"cpu", c}, {"suspect", 1}});
    feed(log, 650 * ms, "regroup_start", {{"cpu", c}, {"round", 1}}, {{"reason", "suspect 1"}});
  }
  for (int c : {0, 2}) {
    feed(log, 675 * ms, "regroup_end", {{"cpu", c}, {"round", 1}}, {{"members", "0,2"}});
    feed(log, 675 * ms, "declared_down", {{"cpu", 1}, {"declared_by", c}});
  }
  feed(log, 675 * ms, "takeover", {{"from_cpu", 1}, {"to_cpu", 2}, {"restart_p", 220}, {"checkpoints", 2}},
       {{"pair", "$B"}, {"reason", "processor failed"}});
  feed(log, 675'100'000, "fs_resend", {{"cpu", 0}, {"pin", 2}, {"sync_id", 17}}, {{"process", "$C"}, {"target", "$B"}});
  feed(log, 675'200'000, "duplicate", {{"cpu", 2}, {"sync_id", 17}}, {{"pair", "$B"}});

  const std::string text = explain_text(log, 100 * ms);
  CHECK(has(text, "cpu 1 failed at 0.420000 s (fail cpu 1, scenario line 23)"));
  CHECK(has(text, "    0.400000 s  cpu 1 sent its last I'm-alive; the others' check at 0.450000 s counted it"));
  CHECK(has(text, "    0.550000 s  cpus 0 and 2 heard no I'm-alive from cpu 1 at their check"));
  CHECK(has(text, "    0.650000 s  a second check in a row without one: cpus 0 and 2 suspect cpu 1"));
  CHECK(has(text, "cpus 0 and 2 enter regroup round 1 (suspect 1)"));
  CHECK(has(text, "regroup round 1 ends for cpus 0 and 2 with the members 0,2: cpu 1 is not among them"));
  CHECK(has(text, "    0.675000 s  cpus 0 and 2 declare cpu 1 down"));
  CHECK(has(text, "Detection took 0.255000 s (2.55 heartbeats) after the failure"));
  CHECK(has(text, "$B: the backup (2,3) in cpu 2 took over from cpu 1 at 0.675000 s (processor failed)."));
  CHECK(has(text,
            "it had applied 2 checkpoints of the old primary, the last sent at 0.401000 s; it resumed just after "
            "the stack checkpoint of 0.401000 s, whose checkpoint call returns 0x202"));
  CHECK(has(text, "requesters resent 1 request to the new primary, each with its sync ID (0,2 sync 17)"));
  CHECK(has(text, "1 of them was already done: answered from the saved reply"));
  CHECK(has(text, "The gap of 0.255000 s (2.55 heartbeats) from the failure to the takeover"));
  // From a trace file the heartbeat is unknown: the same chain, without counting in periods.
  CHECK_FALSE(has(explain_text(log, std::nullopt), "(2.55 heartbeats)"));
}

TEST_CASE("a run without failures or takeovers has nothing to explain") {
  ProtocolLog log;
  feed(log, 0, "process_start", {{"cpu", 1}, {"pin", 2}}, {{"process", "$B"}, {"program", "bank.pasm"}});
  CHECK(explain_text(log, 100 * ms).empty());
}

TEST_CASE("statuses are written in hex with their meaning") {
  CHECK(status_hex(514) == "0x202");
  CHECK(status_meaning(0x202) == std::optional<std::string>("takeover, its processor failed"));
  CHECK(status_meaning(0x1C9) == std::optional<std::string>("no backup, its CPU was declared down (error 201)"));
  CHECK_FALSE(status_meaning(7));
  CHECK(annotate_status("took over, status 514") == "took over, status 514 [0x202: takeover, its processor failed]");
  CHECK(annotate_status("status 316 now") == "status 316 [0x13C: no backup (error 60)] now");
  CHECK(annotate_status("status 5") == "status 5");
  CHECK(annotate_status("status 514x") == "status 514x");
  CHECK(annotate_status("hello") == "hello");
}
