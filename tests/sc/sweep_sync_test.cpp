// Tier 2: the scenario driver's sync points, on which sweeps fork their moments' runs (one model per test case,
// each in a process of its own).
#include <catch2/catch.hpp>

#include <string>
#include <systemc>
#include <vector>

#include "sim/campaign/sweep.hpp"
#include "sim/report/run_record.hpp"
#include "sim/run/machine.hpp"
#include "sim/run/program_library.hpp"
#include "sim/run/scenario_driver.hpp"
#include "sim/scenario/scenario_parser.hpp"

namespace {

using namespace pairsim::sim;

std::uint64_t now_ns() {
  return static_cast<std::uint64_t>(sc_core::sc_time_stamp().value() / sc_core::sc_time(1, sc_core::SC_NS).value());
}

struct Stamped {
  std::uint64_t t_ns;
  std::string kind;
  std::string what;
};

class Log : public TraceSink {
 public:
  void on_event(const TraceEvent& e) override {
    events.push_back({e.t_ns, e.kind, e.get_str("what").value_or(e.get_str("text").value_or(""))});
  }
  std::vector<Stamped> events;
};

}  // namespace

TEST_CASE(
    "a sync point stops every CPU at its time, its call comes before the instant's actions, and a schedule "
    "replaced there plays from that instant",
    "[sc][sweep]") {
  REQUIRE(sc_core::sc_get_top_level_objects().empty());
  // CPU 1 computes without pause and prints after each short round: its events follow its own clock, which
  // runs ahead of the kernel's by up to a quantum.
  auto parsed = parse_scenario(
      "machine cpus 2 mips 100\n"
      "start $P program compute.pasm cpu 1 args 30 0\n"
      "at 5ms fail bus X\n"
      "at random 3ms..9ms fail cpu 1 for 2ms\n"
      "run for 10ms\n",
      std::string(PAIRSIM_SOURCE_DIR) + "/scenarios/sync.scn");
  REQUIRE(parsed.ok());
  const Scenario& s = *parsed.scenario;
  const auto drawn = resolve_schedule(s, 1);
  std::string error;
  const auto swept = find_swept_fault(s, 4, false, error);
  REQUIRE(swept);

  TraceBus trace;
  RunRecord record(s.machine.cpus);
  Log log;
  trace.add_sink(&record);
  trace.add_sink(&log);
  ProgramLibrary programs(s.path, PAIRSIM_SOURCE_DIR);
  Machine machine("top", s.machine, trace, programs);
  ScenarioDriver driver("driver", s, without_fault(drawn, swept->fault), machine, trace, record);
  trace.add_sink(&driver);

  struct Call {
    std::uint64_t at;
    std::uint64_t now;
    std::uint64_t latest_event;
    std::size_t faults;
  };
  std::vector<Call> calls;
  driver.add_sync_point(2'000'000);
  driver.on_sync_point([&](std::uint64_t t) {
    Call c{t, now_ns(), 0, 0};
    for (const auto& e : log.events) {
      c.latest_event = std::max(c.latest_event, e.t_ns);
      c.faults += e.kind == "fault";
    }
    calls.push_back(c);
    if (t == 2'000'000) driver.add_sync_point(5'000'000);  // the next one, added from the call
    if (t == 5'000'000) driver.replace_schedule(move_fault(drawn, swept->fault, t, s.run.for_ns));
  });
  sc_core::sc_start(sc_core::sc_time(10, sc_core::SC_MS));

  REQUIRE(calls.size() == 2);
  for (const auto& c : calls) {
    CHECK(c.now == c.at);
    CHECK(c.latest_event <= c.at);  // no CPU had gone past the sync point
    CHECK(c.faults == 0);           // the instant's actions come after the call
  }
  CHECK(calls[0].latest_event > 1'000'000);  // the busy CPU had come close to it

  std::vector<std::string> faults;
  for (const auto& e : log.events)
    if (e.kind == "fault") faults.push_back(std::to_string(e.t_ns) + " " + e.what);
  // At 5 ms the schedule's own action and the one put in there, in draw order; the repair 2 ms later.
  CHECK(faults == std::vector<std::string>{"5000000 fail bus X", "5000000 fail cpu 1", "7000000 reload cpu 1"});
  std::uint64_t last_output = 0;
  std::size_t outputs = 0;
  for (const auto& e : log.events)
    if (e.kind == "output") {
      last_output = std::max(last_output, e.t_ns);
      ++outputs;
    }
  CHECK(outputs > 5);
  CHECK(last_output <= 5'000'000);  // nothing of CPU 1 after its failure
}
