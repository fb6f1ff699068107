// Every statement form of the scenario language parsed into the right AST node.
#include <catch2/catch.hpp>

#include "sim/scenario/scenario_parser.hpp"

using namespace pairsim::sim;

namespace {
Scenario parse_ok(const std::string& text) {
  ParseResult r = parse_scenario(text, "t.scn");
  for (const ScenarioError& e : r.errors) UNSCOPED_INFO(e.str());
  REQUIRE(r.ok());
  REQUIRE(r.errors.empty());
  return *r.scenario;
}
// One expectation line (plus whatever starts it names) -> its form.
template <typename T>
T expectation(const std::string& line, const std::string& starts = "") {
  Scenario s = parse_ok(starts + "run for 10s\n" + line + "\n");
  REQUIRE(s.expectations.size() == 1);
  REQUIRE(std::holds_alternative<T>(s.expectations[0].form));
  return std::get<T>(s.expectations[0].form);
}
template <typename T>
T action(const std::string& line) {
  Scenario s = parse_ok("machine cpus 16\nrun for 10s\n" + line + "\n");
  REQUIRE(s.actions.size() == 1);
  REQUIRE(std::holds_alternative<T>(s.actions[0].action));
  return std::get<T>(s.actions[0].action);
}
}  // namespace

TEST_CASE("scenario: defaults without a machine statement", "[scenario]") {
  Scenario s = parse_ok("run for 10s\n");
  const MachineConfig& m = s.machine;
  CHECK(m.cpus == 4);
  CHECK(m.mips == 0.8);
  CHECK(m.memory_bytes == 2u << 20);
  CHECK(m.bus_bytes_per_second == 13'000'000);
  CHECK(m.heartbeat_ns == 1'000'000'000);
  CHECK(m.quantum_ns == 10'000);
  CHECK(m.ack_timeout_ns == 1'000'000'000);
  CHECK(m.path_errors == 3);
  CHECK(m.slice_ns == 10'000'000);
  CHECK(m.reload_ns == 100'000'000);
  CHECK_FALSE(s.seed);
  CHECK(s.starts.empty());
  CHECK(s.actions.empty());
  CHECK(s.expectations.empty());
  CHECK(s.path == "t.scn");
  CHECK(s.run.for_ns == 10'000'000'000);
  CHECK_FALSE(s.run.until_process_stops);
}

TEST_CASE("scenario: machine options in any order", "[scenario]") {
  Scenario s = parse_ok(
      "machine quantum 50us reload-time 0s slice 5ms path-errors 7 ack-timeout 250ms heartbeat 10ms "
      "bus 1.5KB/s memory 64KiB mips 2.5 cpus 16\nrun for 1s\n");
  const MachineConfig& m = s.machine;
  CHECK(m.cpus == 16);
  CHECK(m.mips == 2.5);
  CHECK(m.memory_bytes == 65'536);
  CHECK(m.bus_bytes_per_second == 1'500);
  CHECK(m.heartbeat_ns == 10'000'000);
  CHECK(m.quantum_ns == 50'000);
  CHECK(m.ack_timeout_ns == 250'000'000);
  CHECK(m.path_errors == 7);
  CHECK(m.slice_ns == 5'000'000);
  CHECK(m.reload_ns == 0);
  // cpus alone, and no option at all, keep the other defaults
  CHECK(parse_ok("machine cpus 2\nrun for 1s\n").machine.heartbeat_ns == 1'000'000'000);
  CHECK(parse_ok("machine\nrun for 1s\n").machine.cpus == 4);
}

TEST_CASE("scenario: fault actions", "[scenario]") {
  CHECK(action<FailCpu>("at 1.5s fail cpu 2").cpu == 2);
  CHECK(action<FailCpu>("at 1s fail cpu random").cpu == random_cpu);
  CHECK(action<ReloadCpu>("at 6s reload cpu 15").cpu == 15);
  CHECK(action<ReloadCpu>("at 6s reload cpu random").cpu == random_cpu);
  CHECK(action<FailBus>("at 2s fail bus X").bus == BusName::x);
  CHECK(action<FailBus>("at 2s fail bus y").bus == BusName::y);
  CHECK(action<RepairBus>("at 4s repair bus Y").bus == BusName::y);
  FailPath fp = action<FailPath>("at 3s fail path Y cpu 1");
  CHECK(fp.bus == BusName::y);
  CHECK(fp.cpu == 1);
  RepairPath rp = action<RepairPath>("at 5s repair path X cpu 9");
  CHECK(rp.bus == BusName::x);
  CHECK(rp.cpu == 9);
  CHECK(to_char(BusName::x) == 'X');
  CHECK(to_char(BusName::y) == 'Y');
}

TEST_CASE("scenario: timed action fields", "[scenario]") {
  Scenario s = parse_ok("run for 10s\n   at 1.5s   fail cpu 2   # the first fault\n");
  REQUIRE(s.actions.size() == 1);
  const TimedAction& a = s.actions[0];
  CHECK(a.t_ns == 1'500'000'000);
  CHECK_FALSE(a.random_range);
  CHECK(a.text == "at 1.5s   fail cpu 2");
  CHECK(a.loc.file == "t.scn");
  CHECK(a.loc.line == 2);
  CHECK(a.loc.col == 4);
  CHECK(a.loc.str() == "t.scn:2:4");
}

TEST_CASE("scenario: random actions", "[scenario]") {
  Scenario s = parse_ok("run for 10s\nat random 1s..5s fail cpu random\nat random 2s..2s fail bus X\n");
  REQUIRE(s.actions.size() == 2);
  REQUIRE(s.actions[0].random_range);
  CHECK(s.actions[0].random_range->from_ns == 1'000'000'000);
  CHECK(s.actions[0].random_range->to_ns == 5'000'000'000);
  CHECK(s.actions[0].t_ns == 1'000'000'000);
  CHECK(std::get<FailCpu>(s.actions[0].action).cpu == random_cpu);
  CHECK(s.actions[1].random_range->from_ns == s.actions[1].random_range->to_ns);
  // any action may be random, a start too
  Scenario t = parse_ok("run for 10s\nat random 1ms..2ms start $LATE program x.pasm cpu 3\n");
  CHECK(std::get<StartProcess>(t.actions[0].action).name == "$LATE");
}

TEST_CASE("scenario: actions are sorted by time, equal times in file order", "[scenario]") {
  Scenario s = parse_ok(
      "at 5s fail cpu 1\n"
      "at 2s fail bus X\n"
      "at 5s fail cpu 2\n"
      "at random 3s..9s reload cpu 0\n"
      "at 2s repair bus X\n"
      "at 0s fail cpu 3\n"
      "run for 10s\n");
  std::vector<int> lines;
  for (const TimedAction& a : s.actions) lines.push_back(a.loc.line);
  CHECK(lines == std::vector<int>{6, 2, 5, 4, 1, 3});
}

TEST_CASE("scenario: start statements", "[scenario]") {
  Scenario s = parse_ok(
      "machine cpus 4\n"
      "start $SERV program guest/echo.pasm cpu 1 priority 150 args 5 9\n"
      "start program guest/hello.pasm cpu 0\n"
      "start $Q cpu 3 priority 1 program \"dir with space/q.pasm\" args -7 0x10 0xFFFFFFFF -2147483648 "
      "2147483647\n"
      "at 2s start $LATE program x.pasm cpu 3\n"
      "run for 10s\n");
  REQUIRE(s.starts.size() == 3);
  const StartProcess& serv = s.starts[0].process;
  CHECK(serv.name == "$SERV");
  CHECK(serv.program == "guest/echo.pasm");
  CHECK(serv.cpu == 1);
  CHECK(serv.priority == 150);
  CHECK(serv.args == std::vector<std::int32_t>{5, 9});
  CHECK(s.starts[0].loc.line == 2);
  CHECK(s.starts[0].text == "start $SERV program guest/echo.pasm cpu 1 priority 150 args 5 9");
  const StartProcess& hello = s.starts[1].process;
  CHECK(hello.name.empty());
  CHECK(hello.cpu == 0);
  CHECK(hello.priority == 150);
  CHECK(hello.args.empty());
  const StartProcess& q = s.starts[2].process;
  CHECK(q.program == "dir with space/q.pasm");
  CHECK(q.priority == 1);
  CHECK(q.args == std::vector<std::int32_t>{-7, 16, -1, INT32_MIN, INT32_MAX});
  REQUIRE(s.actions.size() == 1);
  const StartProcess& late = std::get<StartProcess>(s.actions[0].action);
  CHECK(late.name == "$LATE");
  CHECK(late.cpu == 3);
  CHECK(s.actions[0].t_ns == 2'000'000'000);
}

TEST_CASE("scenario: run for and run until", "[scenario]") {
  Scenario s = parse_ok("run for 1.25s\n");
  CHECK(s.run.for_ns == 1'250'000'000);
  CHECK_FALSE(s.run.until_process_stops);
  CHECK(s.run.loc.line == 1);
  CHECK(s.run.text == "run for 1.25s");
  Scenario u = parse_ok("run until $CLI stops or 60s\nstart $CLI program c.pasm cpu 0\n");
  CHECK(u.run.for_ns == 60'000'000'000);
  REQUIRE(u.run.until_process_stops);
  CHECK(*u.run.until_process_stops == "$CLI");
}

TEST_CASE("scenario: seed", "[scenario]") {
  CHECK(*parse_ok("seed 42\nrun for 1s\n").seed == 42);
  CHECK(*parse_ok("run for 1s\nseed 18446744073709551615\n").seed == 18446744073709551615ull);
}

TEST_CASE("scenario: CPU expectations", "[scenario]") {
  ExpectCpuState down = expectation<ExpectCpuState>("expect cpu 2 down at 5s");
  CHECK(down.cpu == 2);
  CHECK(down.state == CpuState::down);
  REQUIRE(down.at_ns);
  CHECK(*down.at_ns == 5'000'000'000);
  ExpectCpuState up = expectation<ExpectCpuState>("expect cpu 3 up");
  CHECK(up.state == CpuState::up);
  CHECK_FALSE(up.at_ns);
  CHECK(expectation<ExpectCpuState>("expect cpu 0 halted").state == CpuState::halted);
  CHECK(expectation<ExpectCpuState>("expect cpu 0 reloading at 10s").state == CpuState::reloading);
  ExpectDetected d = expectation<ExpectDetected>("expect detected cpu 2 within 3s");
  CHECK(d.cpu == 2);
  CHECK(d.within_ns == 3'000'000'000);
  expectation<ExpectNoHalt>("expect no halt");
  CHECK(expectation<ExpectHalted>("expect halted cpu 1").cpu == 1);
  for (CpuState st : {CpuState::up, CpuState::down, CpuState::halted, CpuState::reloading})
    CHECK(parse_cpu_state(to_string(st)) == st);
  CHECK_FALSE(parse_cpu_state("sleeping"));
}

TEST_CASE("scenario: process expectations", "[scenario]") {
  const std::string starts = "start $CLI program c.pasm cpu 0\n";
  ExpectExit exit = expectation<ExpectExit>("expect $CLI exit -3", starts);
  CHECK(exit.process == "$CLI");
  CHECK(exit.code == -3);
  CHECK(expectation<ExpectRunning>("expect $CLI running", starts).process == "$CLI");
  CHECK(expectation<ExpectStopped>("expect $CLI stopped", starts).process == "$CLI");
  ExpectAbend ab = expectation<ExpectAbend>("expect $CLI abend \"division by zero\"", starts);
  REQUIRE(ab.reason_contains);
  CHECK(*ab.reason_contains == "division by zero");
  CHECK_FALSE(expectation<ExpectAbend>("expect $CLI abend", starts).reason_contains);
  ExpectOutputLine line = expectation<ExpectOutputLine>("expect output $CLI \"echo 42\"", starts);
  CHECK(line.process == "$CLI");
  CHECK(line.line == "echo 42");
  CHECK(expectation<ExpectOutputLine>(R"(expect output $CLI "say \"hi\"\\")", starts).line == "say \"hi\"\\");
  CHECK(expectation<ExpectOutputContains>("expect output $CLI contains \"x\"", starts).text == "x");
  ExpectOutputSequence seq = expectation<ExpectOutputSequence>("expect output $CLI sequence 1..100", starts);
  CHECK(seq.first == 1);
  CHECK(seq.last == 100);
  CHECK(seq.repeats == 0);
  CHECK(expectation<ExpectOutputSequence>("expect output $CLI sequence 1..100 repeats 2", starts).repeats == 2);
  CHECK(expectation<ExpectOutputSequence>("expect output $CLI sequence -5..-5", starts).first == -5);
  ExpectOutputCount count = expectation<ExpectOutputCount>("expect output $CLI count \"ok\" 5", starts);
  CHECK(count.line == "ok");
  CHECK(count.count == 5);
}

TEST_CASE("scenario: pair expectations", "[scenario]") {
  const std::string starts = "start $BANK program bank.pasm cpu 1\n";
  ExpectPrimary p = expectation<ExpectPrimary>("expect $BANK primary cpu 1", starts);
  CHECK(p.process == "$BANK");
  CHECK(p.cpu == 1);
  CHECK(expectation<ExpectBackup>("expect $BANK backup cpu 3", starts).cpu == 3);
  CHECK(expectation<ExpectNoBackup>("expect $BANK no backup", starts).process == "$BANK");
  ExpectTakeover t = expectation<ExpectTakeover>("expect takeover $BANK within 3s", starts);
  CHECK(t.process == "$BANK");
  REQUIRE(t.within_ns);
  CHECK(*t.within_ns == 3'000'000'000);
  CHECK_FALSE(expectation<ExpectTakeover>("expect takeover $BANK", starts).within_ns);
  CHECK(expectation<ExpectNoTakeover>("expect no takeover $BANK", starts).process == "$BANK");
  CHECK(expectation<ExpectPairLost>("expect pair $BANK lost", starts).process == "$BANK");
  // a process started by a scheduled start may be named too
  expectation<ExpectRunning>("expect $B2 running", "at 1s start $B2 program b.pasm cpu 0\n");
}

TEST_CASE("scenario: expectations keep file order, location and text", "[scenario]") {
  Scenario s = parse_ok(
      "run for 10s\n"
      "expect no halt   # nothing halts\n"
      "\texpect cpu 1 up\n");
  REQUIRE(s.expectations.size() == 2);
  CHECK(s.expectations[0].text == "expect no halt");
  CHECK(s.expectations[0].loc.line == 2);
  CHECK(s.expectations[1].loc.line == 3);
  CHECK(s.expectations[1].loc.col == 2);
  CHECK(s.expectations[1].text == "expect cpu 1 up");
}

TEST_CASE("scenario: comments, blank lines and CRLF", "[scenario]") {
  Scenario s = parse_ok(
      "# header\r\n\r\n   \r\nrun for 2s\r\nexpect output $A \"a # not a comment\"\r\n"
      "start $A program a.pasm cpu 0 # comment\r\n");
  CHECK(s.run.for_ns == 2'000'000'000);
  CHECK(std::get<ExpectOutputLine>(s.expectations[0].form).line == "a # not a comment");
  CHECK(s.starts[0].text == "start $A program a.pasm cpu 0");
}

TEST_CASE("scenario: the issue's full example parses", "[scenario]") {
  Scenario s = parse_ok(R"(# comment
machine cpus 4 mips 0.8 memory 2MiB bus 13MB/s heartbeat 1s quantum 10us
at 1.5s fail cpu 2
at 2s fail bus X
at 4s repair bus X
at 3s fail path Y cpu 1
at 5s repair path Y cpu 1
at 6s reload cpu 2
run for 10s
expect cpu 2 down at 5s
expect cpu 2 up
expect detected cpu 2 within 3s
expect no halt
expect halted cpu 0
start $SERV program guest/echo.pasm cpu 1 priority 150 args 5 9
start program guest/hello.pasm cpu 0
at 2s start $LATE program x.pasm cpu 3
start $CLI program c.pasm cpu 2
expect $CLI exit 0
expect $SERV running
expect output $CLI "echo 42"
expect $CLI abend "division by zero"
expect $CLI stopped
expect $LATE primary cpu 1
expect $LATE backup cpu 3
expect $LATE no backup
expect takeover $LATE within 3s
expect no takeover $LATE
expect pair $LATE lost
expect output $CLI sequence 1..100
expect output $CLI count "ok" 5
at random 1s..5s fail cpu random
seed 42
)");
  CHECK(s.actions.size() == 8);
  CHECK(s.starts.size() == 3);
  CHECK(s.expectations.size() == 18);
  CHECK(*s.seed == 42);
}

TEST_CASE("scenario: program search paths", "[scenario]") {
  CHECK(program_search_paths("scenarios/echo.scn", "echo.pasm", "/src/pairsim") ==
        std::vector<std::string>{"scenarios/echo.pasm", "echo.pasm", "/src/pairsim/guest/echo.pasm",
                                 "/src/pairsim/echo.pasm"});
  CHECK(program_search_paths("a.scn", "guest/x.pasm", "/p") ==
        std::vector<std::string>{"guest/x.pasm", "guest/x.pasm", "/p/guest/guest/x.pasm", "/p/guest/x.pasm"});
  CHECK(program_search_paths("s/a.scn", "/abs/x.pasm", "/p") == std::vector<std::string>{"/abs/x.pasm"});
}

TEST_CASE("scenario: reading a file", "[scenario]") {
  ParseResult missing = parse_scenario_file("/nonexistent/dir/none.scn");
  REQUIRE(missing.errors.size() == 1);
  CHECK(missing.errors[0].str() == "/nonexistent/dir/none.scn: error: cannot read the scenario file: no such file");
  CHECK_FALSE(missing.ok());
}
