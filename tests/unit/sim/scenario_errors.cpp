// Every error the scenario parser reports: its line, column and sentence.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "sim/scenario/scenario_parser.hpp"

using namespace pairsim::sim;

namespace {
struct Found {
  int line, col;
  std::string message;
};
// The file must have exactly one error; returns it.
Found only_error(const std::string& text) {
  ParseResult r = parse_scenario(text, "bad.scn");
  for (const ScenarioError& e : r.errors) UNSCOPED_INFO(e.str());
  REQUIRE_FALSE(r.ok());
  REQUIRE(r.errors.size() == 1);
  const ScenarioError& e = r.errors[0];
  CHECK(e.loc.file == "bad.scn");
  return {e.loc.line, e.loc.col, e.message};
}
void check(const std::string& text, int line, int col, const std::string& message) {
  Found f = only_error(text);
  CHECK(f.line == line);
  CHECK(f.col == col);
  CHECK(f.message == message);
}
}  // namespace

TEST_CASE("scenario error: unknown statement lists the statements", "[scenario][error]") {
  check("run for 1s\nmachin cpus 4\n", 2, 1,
        "unknown statement 'machin'; expected one of: machine, at, start, run, expect, seed, menu, volume, terminal");
  check("run for 1s\n  fail cpu 2\n", 2, 3,
        "unknown statement 'fail'; expected one of: machine, at, start, run, expect, seed, menu, volume, terminal "
        "(schedule it: 'at 2s fail ...')");
  check("run for 1s\n\"run\"\n", 2, 1,
        "unknown statement the string \"run\"; expected one of: machine, at, start, run, expect, seed, menu, volume, terminal");
}

TEST_CASE("scenario error: unknown word inside a statement", "[scenario][error]") {
  check("run for 1s\nat 0.5s fail cpux 2\n", 2, 14, "expected one of: cpu, bus, path, drive, controller after 'fail', found 'cpux'");
  check("run for 1s\nat 0.5s break cpu 2\n", 2, 9,
        "expected one of: fail, repair, reload, revive, switch, start as the action, found 'break'");
  check("run for 1s\nat 0.5s repair cpu 2\n", 2, 16,
        "expected one of: bus, path, controller after 'repair' (a CPU comes back with 'reload cpu N', a drive "
        "with 'revive drive $V N'), found 'cpu'");
  check("machine cpus 4 speed 3\nrun for 1s\n", 1, 16,
        "expected one of: cpus, mips, memory, bus, heartbeat, quantum, ack-timeout, path-errors, slice, "
        "reload-time as a machine option, found 'speed'");
  check("run for 1s\nexpect cpu 1 sleeping\n", 2, 14,
        "expected a CPU state (one of: up, down, halted, reloading), found 'sleeping'");
  check("run for 1s\nexpect everything\n", 2, 8,
        "expected one of: cpu, detected, no, halted, output, takeover, pair, invariants, volume, file, or a "
        "process name such as $SERV after 'expect', found 'everything'");
  check("run for 1s\nstart $A program a.pasm cpu 0\nexpect $A finished\n", 3, 11,
        "expected one of: exit, running, abend, stopped, primary, backup, no after the process name, found "
        "'finished'");
  check("run for 1s\nstart $A program a.pasm cpu 0\nexpect output $A matches \"x\"\n", 3, 18,
        "expected a \"line\", or one of: contains, sequence, count, found 'matches'");
  check("run during 1s\n", 1, 5, "expected one of: for, until after 'run', found 'during'");
  check("run for 1s\nat 1ms fail bus Z\n", 2, 17, "expected a bus name, X or Y, or 'random', found 'Z'");
}

TEST_CASE("scenario error: a statement that ends too early", "[scenario][error]") {
  check("run for 1s\nat\n", 2, 3, "expected a time such as 1.5s, or 'random', but the statement ends here");
  check("run for 1s\nat 1ms fail path X\n", 2, 19, "expected 'cpu' after the bus name, but the statement ends here");
  check("run for\n", 1, 8, "expected a time such as 1.5s or 250ms, but the statement ends here");
}

TEST_CASE("scenario error: bad numbers", "[scenario][error]") {
  check("machine cpus four\nrun for 1s\n", 1, 14, "expected a whole number for cpus, found 'four'");
  check("machine mips fast\nrun for 1s\n", 1, 14, "expected a number such as 0.8, found 'fast'");
  check("run for 1s\nat 1ms fail cpu two\n", 2, 17, "expected a CPU number, found 'two'");
  check("run for 1s\nstart $A program a.pasm cpu 0\nexpect $A exit zero\n", 3, 16,
        "expected a whole number for the exit code, found 'zero'");
  check("run for 1s\nstart program a.pasm cpu 0 args 1 x 3\n", 2, 35,
        "expected a 32-bit whole number as an argument, found 'x'");
  check("run for 1s\nstart program a.pasm cpu 0 args 2147483648\n", 2, 33,
        "expected a 32-bit whole number as an argument, found '2147483648'");
  check("run for 1s\nstart program a.pasm cpu 0 priority 200\n", 2, 37, "priority must be between 1 and 199, not 200");
  check("seed -1\nrun for 1s\n", 1, 6, "expected a seed, a whole number from 0 to 18446744073709551615, found '-1'");
  check("seed 18446744073709551616\nrun for 1s\n", 1, 6,
        "expected a seed, a whole number from 0 to 18446744073709551615, found '18446744073709551616'");
  check("run for 1s\nstart $A program a.pasm cpu 0\nexpect output $A sequence 1..x\n", 3, 30,
        "expected a whole number in the range '1..x'");
}

TEST_CASE("scenario error: bad units and times", "[scenario][error]") {
  check("run for 10s\nat 3sec fail cpu 1\n", 2, 4, "unknown unit 'sec' in '3sec' (use ns, us, ms or s)");
  check("run for 10s\nat 1.5 fail cpu 1\n", 2, 4, "missing unit in '1.5' (use ns, us, ms or s)");
  check("run for 10s\nat 1.5ns fail cpu 1\n", 2, 4, "'1.5ns' is not a whole number of nanoseconds");
  check("machine memory 2MB/s\nrun for 1s\n", 1, 16,
        "unknown unit 'MB/s' in '2MB/s' (use B, KiB, MiB, GiB, KB, MB or GB)");
  check("machine bus 13MiB\nrun for 1s\n", 1, 13,
        "unknown unit 'MiB' in '13MiB' (use B/s, KB/s, MB/s, GB/s, KiB/s, MiB/s or GiB/s)");
  check("run for 10s\nat random 1s..5x fail cpu 1\n", 2, 15, "unknown unit 'x' in '5x' (use ns, us, ms or s)");
  check("run for 10s\nat random 1s-5s fail cpu 1\n", 2, 11, "expected a range such as 1s..5s, found '1s-5s'");
  check("run for 99999999999s\n", 1, 9, "a time '99999999999s' is too large");
}

TEST_CASE("scenario error: machine values out of range", "[scenario][error]") {
  check("machine cpus 17\nrun for 1s\n", 1, 14, "cpus must be between 2 and 16, not 17");
  check("machine cpus 1\nrun for 1s\n", 1, 14, "cpus must be between 2 and 16, not 1");
  check("machine mips 0\nrun for 1s\n", 1, 14, "mips must be between 0.001 and 100000, not 0");
  check("machine mips 1e9\nrun for 1s\n", 1, 14, "expected a number such as 0.8, found '1e9'");
  check("machine mips 100001\nrun for 1s\n", 1, 14, "mips must be between 0.001 and 100000, not 100001");
  check("machine memory 32KiB\nrun for 1s\n", 1, 16, "memory must be at least 64KiB, not 32KiB");
  check("machine memory 65538B\nrun for 1s\n", 1, 16, "memory must be a multiple of 4 bytes (whole words), not 65538B");
  check("machine memory 2GiB\nrun for 1s\n", 1, 16, "memory must be at most 64MiB per CPU, not 2GiB");
  check("machine bus 0MB/s\nrun for 1s\n", 1, 13, "bus bandwidth must be between 1KB/s and 1000GB/s, not 0MB/s");
  check("machine bus 999B/s\nrun for 1s\n", 1, 13, "bus bandwidth must be between 1KB/s and 1000GB/s, not 999B/s");
  check("machine ack-timeout 9us\nrun for 1s\n", 1, 21, "ack-timeout must be at least 10us, not 9us");
  check("run for 1000001s\n", 1, 9, "times go up to 1000000s (about 11.6 days), not 1000001s");
  check("machine heartbeat 0s\nrun for 1s\n", 1, 19, "heartbeat must be longer than 0s");
  check("machine quantum 0ns\nrun for 1s\n", 1, 17, "quantum must be longer than 0s");
  check("machine ack-timeout 0s\nrun for 1s\n", 1, 21, "ack-timeout must be longer than 0s");
  check("machine slice 0s\nrun for 1s\n", 1, 15, "slice must be longer than 0s");
  check("machine path-errors 0\nrun for 1s\n", 1, 21, "path-errors must be between 1 and 1000, not 0");
  check("machine heartbeat 10ms quantum 20ms\nrun for 1s\n", 1, 24,
        "quantum (20ms) must not be longer than the heartbeat (10ms)");
  // the default heartbeat (1s) counts too; the error points at the option that was given
  check("machine quantum 2s\nrun for 1s\n", 1, 9, "quantum (2s) must not be longer than the heartbeat (1s)");
  check("machine heartbeat 5us\nrun for 1s\n", 1, 19, "heartbeat must be at least 1ms, not 5us");
  check("machine heartbeat 1ms quantum 2ms\nrun for 1s\n", 1, 23,
        "quantum (2ms) must not be longer than the heartbeat (1ms)");
  check("machine cpus 4 cpus 5\nrun for 1s\n", 1, 16, "machine option 'cpus' given twice");
}

TEST_CASE("scenario error: machine placement", "[scenario][error]") {
  check("machine cpus 4\nmachine cpus 8\nrun for 1s\n", 2, 1, "machine given twice (first at line 1)");
  check("run for 10s\nat 1s fail cpu 1\nmachine cpus 8\n", 3, 1,
        "machine must come before the first statement that names a CPU (line 2)");
  // statements that name no CPU may come first
  CHECK(parse_scenario("run for 10s\nat 1s fail bus X\nseed 1\nmachine cpus 8\n", "ok.scn").ok());
}

TEST_CASE("scenario error: CPU number out of range", "[scenario][error]") {
  check("run for 10s\nat 1s fail cpu 4\n", 2, 16, "CPU 4 does not exist: the machine has 4 CPUs, numbered 0 to 3");
  check("machine cpus 2\nrun for 10s\nexpect cpu 2 up\n", 3, 12,
        "CPU 2 does not exist: the machine has 2 CPUs, numbered 0 to 1");
  check("run for 10s\nstart program a.pasm cpu -1\n", 2, 26,
        "CPU -1 does not exist: the machine has 4 CPUs, numbered 0 to 3");
  check("run for 10s\nat 1s start program a.pasm cpu random\n", 2, 32,
        "'cpu random' is allowed only where a fault names a CPU (fail cpu, fail path, repair path, reload cpu)");
}

TEST_CASE("scenario error: times beyond the run's end", "[scenario][error]") {
  check("at 12s fail cpu 1\nrun for 10s\n", 1, 4, "the time 12s is not before the end of the run (10s, line 2)");
  check("run for 10s\nat 10s fail cpu 1\n", 2, 4, "the time 10s is not before the end of the run (10s, line 1)");
  check("run for 10s\nat random 1s..10s fail cpu 1\n", 2, 11,
        "the range's end 10s is not before the end of the run (10s, line 1)");
  check("run for 10s\nexpect cpu 1 down at 10.5s\n", 2, 22, "the time 10.5s is after the end of the run (10s, line 1)");
  CHECK(parse_scenario("run for 10s\nexpect cpu 1 down at 10s\n", "ok.scn").ok());
  check("run for 10s\nat random 5s..1s fail cpu 1\n", 2, 11, "the range 5s..1s starts after it ends");
  check("run for 0s\n", 1, 9, "the run must be longer than 0s");
  check("run for 10s\nexpect detected cpu 1 within 0s\n", 2, 30, "'within' must be longer than 0s");
}

TEST_CASE("scenario error: the run statement", "[scenario][error]") {
  check("machine cpus 4\n\nexpect no halt\n", 3, 1, "missing run statement: add one, for example 'run for 10s'");
  check("", 1, 1, "missing run statement: add one, for example 'run for 10s'");
  check("run for 10s\nrun for 5s\n", 2, 1, "run given twice (first at line 1)");
  check("start $C program c.pasm cpu 0\nrun until $C stops\n", 2, 19,
        "'run until' needs a time limit: run until $X stops or 60s");
  check("start $C program c.pasm cpu 0\nrun until $C exits or 5s\n", 2, 14,
        "expected 'stops' after the process name, found 'exits'");
  check("run until $CL stops or 5s\nstart $C program c.pasm cpu 0\n", 1, 11,
        "no start statement names process $CL (named: $C)");
}

TEST_CASE("scenario error: process names", "[scenario][error]") {
  check("start $A program a.pasm cpu 0\nstart $A program b.pasm cpu 1\nrun for 1s\n", 2, 7,
        "process $A is already started at line 1");
  check("run for 1s\nat 1ms start $A program a.pasm cpu 0\nstart $A program b.pasm cpu 1\n", 3, 7,
        "process $A is already started at line 2");
  check("run for 1s\nexpect $SREV running\nstart $SERV program s.pasm cpu 0\n", 2, 8,
        "no start statement names process $SREV (named: $SERV)");
  check("run for 1s\nexpect takeover $X\n", 2, 17, "no start statement names process $X (no process is named)");
  check("run for 1s\nstart $1A program a.pasm cpu 0\n", 2, 7,
        "bad process name '$1A': a name is $, a letter, then letters, digits or _");
  check("run for 1s\nstart $A-B program a.pasm cpu 0\n", 2, 7,
        "bad process name '$A-B': a name is $, a letter, then letters, digits or _");
  check("run for 1s\nstart $ABCDEFGHIJKLMNOP program a.pasm cpu 0\n", 2, 7,
        "process name '$ABCDEFGHIJKLMNOP' is longer than 16 characters");
  CHECK(parse_scenario("start $A_1 program a.pasm cpu 0\nrun for 1s\nexpect $A_1 running\n", "t").ok());
  check("run for 1s\nstart $A program a.pasm cpu 0\nexpect takeover A\n", 3, 17,
        "expected a process name such as $SERV, found 'A'");
}

TEST_CASE("scenario error: start statement parts", "[scenario][error]") {
  check("run for 1s\nstart $A cpu 0\n", 2, 15, "a start statement needs 'program PATH'");
  check("run for 1s\nstart $A program a.pasm\n", 2, 24, "a start statement needs 'cpu N'");
  check("run for 1s\nstart program a.pasm cpu 0 cpu 1\n", 2, 28, "'cpu' given twice in one start statement");
  check("run for 1s\nstart program \"\" cpu 0\n", 2, 15, "the program path is empty");
}

TEST_CASE("scenario error: strings", "[scenario][error]") {
  check("run for 1s\nstart $A program a.pasm cpu 0\nexpect output $A \"echo 42\n", 3, 18,
        "unterminated string: add the closing \" on the same line");
  check("run for 1s\nstart $A program a.pasm cpu 0\nexpect output $A \"a\\qb\"\n", 3, 20,
        "unknown escape '\\q' in a string (use \\\\, \\\", \\n or \\t)");
  check("run for 1s\nstart $A program a.pasm cpu 0\nexpect output $A contains x\n", 3, 27,
        "expected the text to look for in double quotes, found 'x'");
  check("run for \"1s\"\n", 1, 9, "expected a time such as 1.5s or 250ms, found the string \"1s\"");
}

TEST_CASE("scenario error: trailing junk after a complete statement", "[scenario][error]") {
  check("run for 10s now\n", 1, 13, "unexpected 'now' after a complete statement");
  check("run for 10s\nexpect no halt please\n", 2, 16, "unexpected 'please' after a complete statement");
  check("run for 10s\nat 1s fail bus X\"Y\"\n", 2, 17, "unexpected the string \"Y\" after a complete statement");
  check("seed 1 2\nrun for 1s\n", 1, 8, "unexpected '2' after a complete statement");
}

TEST_CASE("scenario error: repeated seed", "[scenario][error]") {
  check("seed 1\nseed 2\nrun for 1s\n", 2, 1, "seed given twice (first at line 1)");
}

TEST_CASE("scenario error: control bytes are shown escaped", "[scenario][error]") {
  check(std::string("run for 1s\nat\x01 1s\n", 17), 2, 1,
        "unknown statement 'at\\x01'; expected one of: machine, at, start, run, expect, seed, menu, volume, terminal");
}

TEST_CASE("scenario errors: all reported, in line order, one per statement", "[scenario][error]") {
  ParseResult r = parse_scenario(
      "expect $NOPE running\n"  // 1: found only after all lines are read
      "machine cpus 99\n"       // 2
      "at 1s fail cpu 9 now\n"  // 3: the first error of a statement only
      "run for 5s\n"
      "at 6s fail bus X\n"  // 5: after the run's end
      "bogus\n",            // 6
      "m.scn");
  REQUIRE(r.errors.size() == 5);
  std::vector<int> lines;
  for (const ScenarioError& e : r.errors) lines.push_back(e.loc.line);
  CHECK(lines == std::vector<int>{1, 2, 3, 5, 6});
  CHECK(r.errors[2].str() == "m.scn:3:16: error: CPU 9 does not exist: the machine has 4 CPUs, numbered 0 to 3");
  CHECK_FALSE(r.scenario);
}

TEST_CASE("scenario errors: at most 20, then a note", "[scenario][error]") {
  std::string text = "run for 1s\n";
  for (int i = 0; i < 30; ++i) text += "oops\n";
  ParseResult r = parse_scenario(text, "many.scn");
  REQUIRE(r.errors.size() == max_reported_errors + 1);
  CHECK(r.errors[19].loc.line == 21);
  CHECK(r.errors[20].message == "10 more error(s) not shown");
}

TEST_CASE("scenario errors: a statement with an error leaves no trace", "[scenario][error]") {
  // The failed start must not count as starting $A, or the second would be called a duplicate.
  ParseResult r = parse_scenario("start $A program a.pasm cpu 9\nstart $A program a.pasm cpu 1\nrun for 1s\n", "x");
  REQUIRE(r.errors.size() == 1);
  CHECK(r.errors[0].loc.line == 1);
}

TEST_CASE("scenario: reading a scenario from a file", "[scenario]") {
  namespace fs = std::filesystem;
  // Named by the process id: test runs from several build folders may overlap.
  fs::path path = fs::temp_directory_path() / ("pairsim_scenario_unit_" + std::to_string(getpid()) + ".scn");
  {
    std::ofstream out(path);
    out << "machine cpus 3\nrun for 2s\nat 1s fail cpu 7\n";
  }
  ParseResult r = parse_scenario_file(path.string());
  fs::remove(path);
  REQUIRE(r.errors.size() == 1);
  CHECK(r.errors[0].str() ==
        path.string() + ":3:16: error: CPU 7 does not exist: the machine has 3 CPUs, numbered 0 to 2");
}

#ifdef PAIRSIM_SOURCE_DIR
// Each tests/scenarios/bad/*.scn starts with "# expect-error: LINE:COL: <part of the message>".
TEST_CASE("scenario errors: the bad scenario files report what their header says", "[scenario][error]") {
  namespace fs = std::filesystem;
  fs::path dir = fs::path(PAIRSIM_SOURCE_DIR) / "tests" / "scenarios" / "bad";
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir))
    if (entry.path().extension() == ".scn") files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  REQUIRE(files.size() >= 10);
  for (const fs::path& file : files) {
    INFO(file.string());
    std::ifstream in(file);
    std::string header;
    std::getline(in, header);
    const std::string prefix = "# expect-error: ";
    REQUIRE(header.rfind(prefix, 0) == 0);
    std::string rest = header.substr(prefix.size());
    std::size_t c1 = rest.find(':'), c2 = rest.find(':', c1 + 1);
    REQUIRE(c2 != std::string::npos);
    std::string where = rest.substr(0, c2);
    std::string part = rest.substr(c2 + 2);
    ParseResult r = parse_scenario_file(file.string());
    REQUIRE_FALSE(r.errors.empty());
    const ScenarioError& e = r.errors[0];
    CHECK(std::to_string(e.loc.line) + ":" + std::to_string(e.loc.col) == where);
    CHECK_THAT(e.message, Catch::Matchers::Contains(part));
  }
}
#endif

TEST_CASE("scenario error: the fault space (menus, picks, sets of CPUs, durations)", "[scenario][error]") {
  check("run for 10s\nat 1s pick 2 from net\n", 2, 19, "no menu statement defines menu 'net' (write entries as: menu net fail cpu random)");
  check("menu cpus fail cpu 1\nrun for 10s\nat 1s pick 2 from net\n", 3, 19,
        "no menu statement defines menu 'net' (defined: cpus)");
  check("run for 10s\nat 1s pick 0 from m\nmenu m fail bus X\n", 2, 12,
        "the number of faults to pick must be between 1 and 1000, not 0");
  check("run for 10s\nmenu m start program a.pasm cpu 1\n", 2, 8, "a menu holds faults (fail, repair, reload, revive, switch), not 'start'");
  check("run for 10s\nmenu 9m fail bus X\n", 2, 6, "bad menu name '9m': a letter, then letters, digits, _ or -");
  check("run for 10s\nat 1s fail cpu random of\n", 2, 25, "expected CPU numbers after 'of', such as: cpu random of 1 2");
  check("run for 10s\nat 1s fail cpu random of 1 3 1\n", 2, 30, "CPU 1 is listed twice after 'of'");
  check("run for 10s\nat 1s fail cpu random of 1 4\n", 2, 28, "CPU 4 does not exist: the machine has 4 CPUs, numbered 0 to 3");
  check("run for 10s\nat 1s fail bus X for 0s\n", 2, 22, "a fault's duration must be longer than 0s");
  check("run for 10s\nat 1s fail bus X for random 0s..1s\n", 2, 29, "a fault lasts longer than 0s");
  check("run for 10s\nat 1s fail bus X for random 3s..1s\n", 2, 29, "the range 3s..1s starts after it ends");
  check("run for 10s\nat 1s repair bus X for 1s\n", 2, 20, "unexpected 'for' after a complete statement");
}
