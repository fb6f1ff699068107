// The run's summary and report tell what held at the end of the run, in time order: a pair never names a CPU
// that is down, and events that reached the record out of time order are listed in time order.
#include <catch2/catch.hpp>

#include "sim/report/expectations.hpp"
#include "sim/report/report.hpp"
#include "sim/report/run_record.hpp"
#include "sim/scenario/scenario_parser.hpp"
#include "record_test_support.hpp"

using namespace pairsim::sim;

namespace {

using test::feed;
using test::parse_ok;

void cpu_state(RunRecord& r, std::uint64_t t, int cpu, const char* state) {
  feed(r, t, "cpu_state", {{"cpu", cpu}}, {{"state", state}});
}

// $B starts in CPU 1 and creates its backup in CPU 2, as bank.pasm does.
void pair_in_1_and_2(RunRecord& r) {
  feed(r, 0, "process_start", {{"cpu", 1}, {"pin", 2}}, {{"process", "$B"}, {"program", "bank.pasm"}});
  feed(r, 300, "process_start", {{"cpu", 2}, {"pin", 2}}, {{"process", "$B"}, {"program", "bank.pasm"}});
  feed(r, 310, "backup_created", {{"cpu", 2}, {"pin", 2}, {"primary_cpu", 1}}, {{"pair", "$B"}});
  feed(r, 400, "checkpoint", {{"cpu", 1}, {"bytes", 64}}, {{"pair", "$B"}});
}

void takeover(RunRecord& r, std::uint64_t t, int from, int to, const char* reason) {
  feed(r, t, "takeover", {{"from_cpu", from}, {"to_cpu", to}, {"restart_p", 7}}, {{"pair", "$B"}, {"reason", reason}});
}

const char* const pair_expectations =
    "start $B program bank.pasm cpu 1\nrun for 1s\nexpect pair $B lost\nexpect $B primary cpu 1\n"
    "expect $B backup cpu 2\nexpect $B no backup\n";

struct Verdicts {
  bool lost, primary_1, backup_2, no_backup;
};

Verdicts verdicts(const RunRecord& r) {
  const auto res = check_expectations(parse_ok(pair_expectations), r, {});
  REQUIRE(res.size() == 4);
  return {res[0].ok, res[1].ok, res[2].ok, res[3].ok};
}

std::string summary_of(const RunRecord& r, const Scenario& s) {
  RunOutcome o;
  o.scenario = &s;
  o.record = &r;
  return json_summary(o);
}

std::string report_of(const RunRecord& r, const Scenario& s) {
  RunOutcome o;
  o.scenario = &s;
  o.record = &r;
  return text_report(o);
}

// The lines of the report's event list, each with its time.
std::vector<std::pair<double, std::string>> timeline(const std::string& report) {
  std::vector<std::pair<double, std::string>> out;
  std::size_t at = 0;
  while (at < report.size()) {
    const std::size_t end = report.find('\n', at);
    const std::string line = report.substr(at, end - at);
    at = end == std::string::npos ? report.size() : end + 1;
    const auto s = line.find(" s  ");
    if (line.rfind("    ", 0) == 0 && s != std::string::npos) out.emplace_back(std::stod(line.substr(0, s)), line);
  }
  return out;
}

}  // namespace

TEST_CASE("a pair whose CPUs are all down at the end is lost and names no CPU", "[summary]") {
  RunRecord r(4);
  pair_in_1_and_2(r);
  // The whole machine goes down: nobody is left to declare anything, so no takeover and no pair_lost.
  for (int cpu = 0; cpu < 4; ++cpu) cpu_state(r, 100'000'000, cpu, "down");
  const auto* p = r.pair("$B");
  REQUIRE(p);
  CHECK(p->state == "lost");
  CHECK(p->primary_cpu == -1);
  CHECK(p->backup_cpu == -1);
  const auto v = verdicts(r);
  CHECK(v.lost);
  CHECK_FALSE(v.primary_1);
  CHECK_FALSE(v.backup_2);
  CHECK(v.no_backup);
  const auto s = parse_ok(pair_expectations);
  const std::string json = summary_of(r, s);
  CHECK(json.find("\"name\": \"$B\",\n      \"primary_cpu\": null,\n      \"backup_cpu\": null,\n      \"state\": "
                  "\"lost\"") != std::string::npos);
  CHECK(report_of(r, s).find("  $B lost: primary none, backup none, 1 checkpoint\n") != std::string::npos);
}

TEST_CASE("a halted CPU takes its half of a pair with it, as a failed one does", "[summary]") {
  RunRecord r(4);
  pair_in_1_and_2(r);
  cpu_state(r, 100'000'000, 1, "halted");
  cpu_state(r, 100'000'000, 2, "halted");
  CHECK(r.pair("$B")->state == "lost");
  CHECK(r.pair("$B")->primary_cpu == -1);
}

TEST_CASE("a reload brings back no half of a pair", "[summary]") {
  RunRecord r(4);
  pair_in_1_and_2(r);
  for (int cpu = 0; cpu < 4; ++cpu) cpu_state(r, 100'000'000, cpu, "down");
  cpu_state(r, 200'000'000, 1, "reloading");
  cpu_state(r, 300'000'000, 1, "up");
  const auto* p = r.pair("$B");
  CHECK(p->state == "lost");
  CHECK(p->primary_cpu == -1);
  CHECK(verdicts(r).lost);
}

TEST_CASE("only the backup's CPU down: the pair has no backup and keeps its primary", "[summary]") {
  RunRecord r(4);
  pair_in_1_and_2(r);
  cpu_state(r, 100'000'000, 2, "down");
  const auto* p = r.pair("$B");
  CHECK(p->state == "no backup");
  CHECK(p->primary_cpu == 1);
  CHECK(p->backup_cpu == -1);
  const auto v = verdicts(r);
  CHECK_FALSE(v.lost);
  CHECK(v.primary_1);
  CHECK_FALSE(v.backup_2);
  CHECK(v.no_backup);
}

TEST_CASE("the primary's CPU down and no takeover by the end: the pair is taking over", "[summary]") {
  RunRecord r(4);
  pair_in_1_and_2(r);
  cpu_state(r, 100'000'000, 1, "down");  // the run ends before the survivors agree it is down
  const auto* p = r.pair("$B");
  CHECK(p->state == "taking over");
  CHECK(p->primary_cpu == -1);
  CHECK(p->backup_cpu == 2);  // up, and about to take over
  CHECK_FALSE(verdicts(r).primary_1);
  CHECK_FALSE(verdicts(r).lost);
  SECTION("a takeover after it names the backup's CPU") {
    feed(r, 250'000'000, "declared_down", {{"cpu", 1}, {"declared_by", 2}});
    takeover(r, 250'000'000, 1, 2, "processor failed");
    CHECK(r.pair("$B")->state == "no backup");
    CHECK(r.pair("$B")->primary_cpu == 2);
  }
}

TEST_CASE("an interrupted checkswitch leaves the primary where it was", "[summary]") {
  RunRecord r(4);
  pair_in_1_and_2(r);
  feed(r, 40'000'000, "checkswitch", {{"from_cpu", 1}, {"to_cpu", 2}}, {{"pair", "$B"}});
  SECTION("the new primary's CPU fails before the switch reaches it") {
    cpu_state(r, 40'000'010, 2, "down");
    const auto* p = r.pair("$B");
    CHECK(p->primary_cpu == 1);
    CHECK(p->backup_cpu == -1);
    CHECK(p->state == "no backup");
    CHECK(r.takeovers().empty());
  }
  SECTION("the switch happened, the new primary's CPU failed, and the old primary took over again") {
    takeover(r, 40'000'020, 1, 2, "checkswitch");
    CHECK(r.pair("$B")->primary_cpu == 2);
    CHECK(r.pair("$B")->backup_cpu == 1);
    cpu_state(r, 40'000'030, 2, "down");
    feed(r, 130'000'000, "declared_down", {{"cpu", 2}, {"declared_by", 1}});
    takeover(r, 130'000'000, 2, 1, "processor failed");
    const auto* p = r.pair("$B");
    CHECK(p->primary_cpu == 1);
    CHECK(p->backup_cpu == -1);
    CHECK(p->state == "no backup");
    REQUIRE(r.takeovers().size() == 2);
    CHECK(r.takeovers()[1].from_cpu == 2);
    CHECK(r.takeovers()[1].to_cpu == 1);
    CHECK(r.takeovers()[1].failure_ns == 40'000'030u);
    CHECK(r.takeovers()[1].detected_ns == 130'000'000u);
  }
  SECTION("the switch stamped after the new primary's CPU failed, reaching the record first") {
    // The CPU ran past its failure: the takeover it made there was seen by nobody.
    takeover(r, 40'000'020, 1, 2, "checkswitch");
    cpu_state(r, 40'000'010, 2, "down");
    const auto* p = r.pair("$B");
    CHECK(p->primary_cpu == 1);
    CHECK(p->backup_cpu == -1);
    CHECK(p->state == "no backup");
  }
}

TEST_CASE("a backup whose CPU failed before its creation was reported is no backup", "[summary]") {
  RunRecord r(4);
  feed(r, 0, "process_start", {{"cpu", 1}, {"pin", 2}}, {{"process", "$B"}, {"program", "bank.pasm"}});
  feed(r, 300, "process_start", {{"cpu", 2}, {"pin", 2}}, {{"process", "$B"}, {"program", "bank.pasm"}});
  cpu_state(r, 305, 2, "down");
  feed(r, 310, "backup_created", {{"cpu", 2}, {"pin", 2}, {"primary_cpu", 1}}, {{"pair", "$B"}});
  CHECK(r.pair("$B")->primary_cpu == 1);
  CHECK(r.pair("$B")->backup_cpu == -1);
  CHECK(r.pair("$B")->state == "no backup");
}

TEST_CASE("a pair stopped as a whole is stopped and names no CPU", "[summary]") {
  RunRecord r(4);
  pair_in_1_and_2(r);
  // stoppair: the primary stops, then its backup is told to.
  feed(r, 50'000'000, "process_stop", {{"cpu", 1}, {"pin", 2}, {"exit", 0}}, {{"process", "$B"}});
  feed(r, 50'000'100, "process_stop", {{"cpu", 2}, {"pin", 2}, {"exit", 0}}, {{"process", "$B"}});
  const auto* p = r.pair("$B");
  CHECK(p->state == "stopped");
  CHECK(p->primary_cpu == -1);
  CHECK(p->backup_cpu == -1);
  SECTION("and stays stopped when its CPUs fail later") {
    cpu_state(r, 90'000'000, 1, "down");
    CHECK(r.pair("$B")->state == "stopped");
  }
}

TEST_CASE("a primary that stops hands over to its backup", "[summary]") {
  RunRecord r(4);
  pair_in_1_and_2(r);
  feed(r, 50'000'000, "process_stop", {{"cpu", 1}, {"pin", 2}, {"exit", 0}}, {{"process", "$B"}});
  takeover(r, 50'000'100, 1, 2, "primary stopped");
  CHECK(r.pair("$B")->primary_cpu == 2);
  CHECK(r.pair("$B")->state == "no backup");
}

TEST_CASE("the report's events and the summary's lists are in time order", "[summary]") {
  RunRecord r(4);
  // As the simulation can produce them: CPU 1 ran ahead and printed before the scenario's fault, stamped
  // earlier, was applied; CPU 3's verdicts and halt reach the record before CPU 0's earlier ones.
  feed(r, 0, "process_start", {{"cpu", 1}, {"pin", 2}}, {{"process", "$C"}, {"program", "counter.pasm"}});
  feed(r, 19'458'522, "output", {{"cpu", 1}, {"pin", 2}}, {{"process", "$C"}, {"text", "55"}});
  feed(r, 19'455'000, "fault", {{"line", 3}}, {{"what", "fail bus X"}});
  feed(r, 19'455'000, "fault", {{"line", 4}}, {{"what", "fail path Y cpu 3"}});
  feed(r, 19'456'000, "process_start", {{"cpu", 0}, {"pin", 3}}, {{"process", "$D"}, {"program", "hello.pasm"}});
  feed(r, 19'455'500, "process_start", {{"cpu", 2}, {"pin", 3}}, {{"process", "$E"}, {"program", "hello.pasm"}});
  feed(r, 30'000'000, "declared_down", {{"cpu", 2}, {"declared_by", 3}});
  feed(r, 29'000'000, "declared_down", {{"cpu", 2}, {"declared_by", 0}});
  feed(r, 31'000'000, "halt", {{"cpu", 3}}, {{"reason", "regroup: minority"}});
  feed(r, 30'500'000, "halt", {{"cpu", 1}}, {{"reason", "regroup: minority"}});

  const auto s = parse_ok("start $C program counter.pasm cpu 1\nrun for 1s\n");
  const auto lines = timeline(report_of(r, s));
  REQUIRE(lines.size() == 10);
  for (std::size_t i = 1; i < lines.size(); ++i) {
    INFO(lines[i - 1].second << "\n" << lines[i].second);
    CHECK(lines[i - 1].first <= lines[i].first);
  }
  // Events of one instant keep the order they came in.
  CHECK(lines[1].second.find("fail bus X") != std::string::npos);
  CHECK(lines[2].second.find("fail path Y cpu 3") != std::string::npos);
  CHECK(lines[5].second.find("$C (1,2): 55") != std::string::npos);

  CHECK(r.detections().at(0).declared_by == 0);
  CHECK(r.detections().at(1).declared_by == 3);
  CHECK(r.halts().at(0).cpu == 1);
  CHECK(r.halts().at(1).cpu == 3);
  REQUIRE(r.processes().size() == 3);
  CHECK(r.processes()[1].name == "$E");
  CHECK(r.processes()[2].name == "$D");
  // The output went to its process although a later start came between.
  CHECK(r.processes()[0].output == std::vector<std::string>{"55"});
}

TEST_CASE("takeovers are listed in time order", "[summary]") {
  RunRecord r(4);
  pair_in_1_and_2(r);
  feed(r, 0, "process_start", {{"cpu", 3}, {"pin", 2}}, {{"process", "$A"}, {"program", "bank.pasm"}});
  feed(r, 50'000'000, "takeover", {{"from_cpu", 3}, {"to_cpu", 0}, {"restart_p", 7}},
       {{"pair", "$A"}, {"reason", "primary stopped"}});
  takeover(r, 40'000'000, 1, 2, "checkswitch");
  REQUIRE(r.takeovers().size() == 2);
  CHECK(r.takeovers()[0].pair == "$B");
  CHECK(r.takeovers()[1].pair == "$A");
}
