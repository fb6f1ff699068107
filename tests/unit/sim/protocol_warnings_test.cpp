// Protocol warnings, from trace events alone: each rule fires on the events of a pair that makes its mistake
// and stays silent on those of a pair that does it right (guest/counter.pasm's way), and the report and
// the summary show what fired.
#include <catch2/catch.hpp>

#include <algorithm>

#include "sim/report/protocol_log.hpp"
#include "sim/report/protocol_warnings.hpp"

using namespace pairsim::sim;

namespace {

constexpr std::uint64_t ms = 1'000'000;
constexpr std::uint64_t heartbeat = 100 * ms;

void feed(TraceSink& s, std::uint64_t t, const std::string& kind,
          std::initializer_list<std::pair<const char*, std::int64_t>> ints,
          std::initializer_list<std::pair<const char*, const char*>> strs = {}) {
  TraceEvent e(t, kind);
  for (auto& [k, v] : ints) e.with(k, v);
  for (auto& [k, v] : strs) e.with(k, v);
  s.on_event(e);
}

void checkpoint(TraceSink& s, std::uint64_t t, int cpu, int seq, bool stack = true) {
  TraceEvent e(t, "checkpoint");
  e.with("pair", "$C").with("cpu", cpu).with("bytes", 48).with("buffers", 1).with_bool("stack", stack).with("seq", seq);
  s.on_event(e);
}

// $C in CPU 1 with its backup in CPU 2, which calls checkmonitor at `monitor` (never when 0).
void pair_started(TraceSink& s, std::uint64_t monitor = 260'000) {
  feed(s, 0, "process_start", {{"cpu", 1}, {"pin", 2}}, {{"process", "$C"}, {"program", "counter.pasm"}});
  feed(s, 240'000, "process_start", {{"cpu", 2}, {"pin", 2}}, {{"process", "$C"}, {"program", "counter.pasm"}});
  feed(s, 250'000, "backup_created", {{"cpu", 2}, {"pin", 2}, {"primary_cpu", 1}}, {{"pair", "$C"}});
  if (monitor) feed(s, monitor, "checkmonitor", {{"cpu", 2}, {"pin", 2}}, {{"pair", "$C"}});
}

// Checkpoints every 50 ms, as the counter sends them, from `from` to `to`.
void steady(TraceSink& s, std::uint64_t from, std::uint64_t to, int seq = 1, bool stack = true) {
  for (std::uint64_t t = from; t < to; t += 50 * ms) checkpoint(s, t, 1, seq++, stack);
}

std::vector<ProtocolRule> rules(const ProtocolLog& log, std::uint64_t end) {
  std::vector<ProtocolRule> out;
  for (const auto& w : protocol_warnings(log, heartbeat, end)) out.push_back(w.rule);
  return out;
}

}  // namespace

TEST_CASE("a pair that follows the protocol has no warning") {
  ProtocolLog log;
  pair_started(log);
  steady(log, 300'000, 1000 * ms);
  CHECK(rules(log, 1000 * ms).empty());
  CHECK(protocol_warnings_text({}).empty());
}

TEST_CASE("a backup that never calls checkmonitor is named, with the checkpoint that waits for it") {
  ProtocolLog log;
  pair_started(log, 0);
  checkpoint(log, 300'000, 1, 1);
  const auto w = protocol_warnings(log, heartbeat, 1000 * ms);
  REQUIRE(w.size() == 1);
  CHECK(w[0].rule == ProtocolRule::backup_not_monitoring);
  CHECK(w[0].process == "2,2");
  CHECK(w[0].t_ns == 250'000);
  CHECK(w[0].text.find("never called checkmonitor") != std::string::npos);
  CHECK(w[0].text.find("checkpoint of 0.000300 s waited") != std::string::npos);
  CHECK(w[0].read == "docs/process-pairs.md#checkpoint-and-takeover-as-the-kernel-does-them");
  const std::string text = protocol_warnings_text(w);
  CHECK(text.find("protocol warnings: 1\n  ! backup never in checkmonitor at 0.000250 s: $C (2,2)\n") == 1);
}

TEST_CASE("a backup that had no time to reach checkmonitor is not a mistake") {
  ProtocolLog log;
  pair_started(log, 0);
  checkpoint(log, 300'000, 1, 1);
  CHECK(rules(log, 50 * ms).empty());  // the run ended within a heartbeat of its creation
  feed(log, 20 * ms, "cpu_state", {{"cpu", 2}}, {{"state", "down"}});
  CHECK(rules(log, 1000 * ms).empty());  // its CPU failed first
}

TEST_CASE("a checkpoint that waits longer than a heartbeat for checkmonitor is a warning; a shorter wait is not") {
  ProtocolLog late;
  pair_started(late, 300 * ms);
  checkpoint(late, 300'000, 1, 1);
  steady(late, 301 * ms, 1000 * ms, 2);
  const auto w = protocol_warnings(late, heartbeat, 1000 * ms);
  REQUIRE(w.size() == 1);
  CHECK(w[0].rule == ProtocolRule::checkpoint_blocked);
  CHECK(w[0].process == "1,2");
  CHECK(w[0].text.find("waited 0.300 s (3.0 heartbeats)") != std::string::npos);

  ProtocolLog soon;
  pair_started(soon, 90 * ms);
  checkpoint(soon, 300'000, 1, 1);
  steady(soon, 91 * ms, 1000 * ms, 2);
  CHECK(rules(soon, 1000 * ms).empty());
}

TEST_CASE("a pair none of whose checkpoints carries the stack is a warning") {
  ProtocolLog log;
  pair_started(log);
  steady(log, 300'000, 1000 * ms, 1, false);
  CHECK(rules(log, 1000 * ms) == std::vector{ProtocolRule::no_stack_checkpoint});
}

TEST_CASE("a reply before the checkpoint that carries its work is a warning, counted once per pair") {
  ProtocolLog log;
  pair_started(log);
  steady(log, 300'000, 1000 * ms);
  for (std::uint64_t t : {20 * ms, 70 * ms, 120 * ms})
    feed(log, t, "reply_ahead", {{"cpu", 1}, {"pin", 2}, {"backup_cpu", 2}, {"sync_id", 17}, {"checkpoints", 3}},
         {{"pair", "$C"}, {"to", "0,2"}});
  const auto w = protocol_warnings(log, heartbeat, 1000 * ms);
  REQUIRE(w.size() == 1);
  CHECK(w[0].rule == ProtocolRule::reply_before_checkpoint);
  CHECK(w[0].t_ns == 20 * ms);
  CHECK(w[0].text.find("replied to 0,2 (sync ID 17)") != std::string::npos);
  CHECK(w[0].text.find("2 more replies like it") != std::string::npos);
  CHECK(w[0].read == "docs/process-pairs.md#requests-sync-ids-and-saved-replies");
}

namespace {
// Checkpoint `seq` of $C's primary in CPU 1 carried the work of 0,2's request `sync` but not its reply.
void unsaved(TraceSink& s, std::uint64_t t, int seq, int sync) {
  feed(s, t, "checkpoint_unsaved", {{"cpu", 1}, {"pin", 2}, {"backup_cpu", 2}, {"sync_id", sync}, {"checkpoint", seq}},
       {{"pair", "$C"}, {"to", "0,2"}});
}
void resend(TraceSink& s, std::uint64_t t, int cpu, int sync) {
  feed(s, t, "fs_resend", {{"cpu", cpu}, {"pin", 2}, {"sync_id", sync}}, {{"process", "$K"}, {"target", "$C"}});
}
void takeover_from_1(TraceSink& s, std::uint64_t t, int applied) {
  feed(s, t, "takeover", {{"from_cpu", 1}, {"to_cpu", 2}, {"restart_p", 220}, {"checkpoints", applied}},
       {{"pair", "$C"}, {"reason", "processor failed"}});
}
}  // namespace

TEST_CASE("a request taken over without its reply and resent is done again: a warning") {
  const int applied = GENERATE(4, 5);
  ProtocolLog log;
  pair_started(log);
  steady(log, 300'000, 100 * ms);
  unsaved(log, 110 * ms, 5, 9);  // checkpoint 5 has request 9's work, not its reply
  resend(log, 200 * ms, 0, 9);   // at the takeover's instant, before it in the trace: the reply never came
  takeover_from_1(log, 200 * ms, applied);
  const auto w = protocol_warnings(log, heartbeat, 1000 * ms);
  if (applied < 5) {
    CHECK(w.empty());  // the backup did not have the work: the resend is done once
  } else {
    REQUIRE(w.size() == 1);
    CHECK(w[0].rule == ProtocolRule::request_done_again);
    CHECK(protocol_rule_name(w[0].rule) == std::string("request done again"));
    CHECK(w[0].t_ns == 200 * ms);
    CHECK(w[0].process == "1,2");
    CHECK(w[0].text.find("cpu 2 took over from cpu 1 at 0.200000 s having applied checkpoint 5 (0.110000 s), which "
                         "carried the work of 0,2's request (sync ID 9) but not its reply; 0,2 resent it at "
                         "0.200000 s") == 0);
    CHECK(w[0].text.find("Harmless only if the request is idempotent") != std::string::npos);
    CHECK(w[0].read == "docs/process-pairs.md#requests-sync-ids-and-saved-replies");
  }
}

TEST_CASE("no warning when the reply had arrived, a saved reply answered the resend, or a new backup came between") {
  ProtocolLog log;
  pair_started(log);
  steady(log, 300'000, 100 * ms);
  unsaved(log, 110 * ms, 5, 9);  // its reply arrived: no resend of 9
  unsaved(log, 120 * ms, 6, 10);
  resend(log, 200 * ms, 0, 10);
  resend(log, 200 * ms, 3, 9);  // another requester's sync ID 9
  takeover_from_1(log, 200 * ms, 6);
  feed(log, 201 * ms, "duplicate", {{"cpu", 2}, {"sync_id", 10}}, {{"pair", "$C"}});  // a later checkpoint saved it
  CHECK(rules(log, 1000 * ms).empty());

  ProtocolLog fresh;
  pair_started(fresh);
  unsaved(fresh, 110 * ms, 5, 9);
  feed(fresh, 150 * ms, "backup_created", {{"cpu", 3}, {"pin", 2}, {"primary_cpu", 1}}, {{"pair", "$C"}});
  for (int seq = 1; seq <= 6; ++seq) checkpoint(fresh, 150 * ms + seq, 1, seq);
  resend(fresh, 200 * ms, 0, 9);
  takeover_from_1(fresh, 200 * ms, 6);  // the new backup's checkpoints are counted from 1 again
  const auto r = rules(fresh, 1000 * ms);
  CHECK(std::find(r.begin(), r.end(), ProtocolRule::request_done_again) == r.end());
}

TEST_CASE(
    "a pair that runs alone for most of its life when it could make a backup is a warning; one that makes a new backup "
    "is not") {
  auto takeover = [](ProtocolLog& log) {
    steady(log, 300'000, 400 * ms);
    feed(log, 420 * ms, "cpu_state", {{"cpu", 1}}, {{"state", "down"}});
    feed(log, 675 * ms, "takeover", {{"from_cpu", 1}, {"to_cpu", 2}, {"restart_p", 220}, {"checkpoints", 8}},
         {{"pair", "$C"}, {"reason", "processor failed"}});
  };
  // Waiting for the failed CPU to come back, as bank.pasm does, is a policy, not a mistake.
  ProtocolLog waiting;
  pair_started(waiting);
  takeover(waiting);
  CHECK(rules(waiting, 3000 * ms).empty());
  // Once CPU 1 is reloaded the pair could have put a backup there, and did not.
  ProtocolLog alone;
  pair_started(alone);
  takeover(alone);
  feed(alone, 700 * ms, "cpu_state", {{"cpu", 1}}, {{"state", "up"}});
  const auto w = protocol_warnings(alone, heartbeat, 3000 * ms);
  REQUIRE(w.size() == 1);
  CHECK(w[0].rule == ProtocolRule::alone_most_of_run);
  CHECK(w[0].t_ns == 700 * ms);
  CHECK(w[0].process == "2,2");
  CHECK(w[0].read == "docs/process-pairs.md#keeping-a-backup");

  ProtocolLog renewed;
  pair_started(renewed);
  takeover(renewed);
  feed(renewed, 676 * ms, "backup_created", {{"cpu", 3}, {"pin", 2}, {"primary_cpu", 2}}, {{"pair", "$C"}});
  feed(renewed, 677 * ms, "checkmonitor", {{"cpu", 3}, {"pin", 2}}, {{"pair", "$C"}});
  CHECK(rules(renewed, 3000 * ms).empty());
  // Alone for less than two heartbeats at the end of a short run is not "most of the run".
  ProtocolLog brief;
  pair_started(brief);
  takeover(brief);
  feed(brief, 700 * ms, "cpu_state", {{"cpu", 1}}, {{"state", "up"}});
  CHECK(rules(brief, 800 * ms).empty());
}
