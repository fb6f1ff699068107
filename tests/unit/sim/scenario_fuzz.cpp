// The parser never crashes and always answers consistently, whatever it is fed.
#include <catch2/catch.hpp>
#include <random>

#include "sim/scenario/scenario_parser.hpp"

using namespace pairsim::sim;

namespace {
int count_lines(const std::string& text) {
  int lines = 0;
  for (std::size_t start = 0; start < text.size(); ++lines) {
    std::size_t end = text.find('\n', start);
    start = end == std::string::npos ? text.size() : end + 1;
  }
  return lines;
}

// What must hold for any input, good or bad.
void check_consistent(const std::string& text) {
  ParseResult r = parse_scenario(text, "fuzz.scn");
  REQUIRE(r.ok() == r.errors.empty());
  REQUIRE(r.errors.size() <= max_reported_errors + 1);
  int lines = std::max(count_lines(text), 1);
  for (std::size_t i = 0; i < r.errors.size(); ++i) {
    const ScenarioError& e = r.errors[i];
    REQUIRE(e.loc.line >= 1);
    REQUIRE(e.loc.line <= lines);
    REQUIRE(e.loc.col >= 1);
    REQUIRE_FALSE(e.message.empty());
    if (i > 0) REQUIRE(r.errors[i - 1].loc.line <= e.loc.line);
  }
  if (!r.ok()) return;
  const Scenario& s = *r.scenario;
  REQUIRE(s.run.for_ns > 0);
  for (std::size_t i = 1; i < s.actions.size(); ++i) REQUIRE(s.actions[i - 1].t_ns <= s.actions[i].t_ns);
  for (const TimedAction& a : s.actions) {
    REQUIRE(a.t_ns < s.run.for_ns);
    if (a.random_range) REQUIRE(a.random_range->from_ns <= a.random_range->to_ns);
  }
  REQUIRE(s.machine.cpus >= 2);
  REQUIRE(s.machine.cpus <= 16);
  REQUIRE(s.machine.quantum_ns <= s.machine.heartbeat_ns);
}

const char* const vocabulary[] = {"machine",
                                  "cpus",
                                  "mips",
                                  "memory",
                                  "bus",
                                  "heartbeat",
                                  "quantum",
                                  "ack-timeout",
                                  "path-errors",
                                  "slice",
                                  "reload-time",
                                  "at",
                                  "random",
                                  "fail",
                                  "repair",
                                  "reload",
                                  "cpu",
                                  "path",
                                  "X",
                                  "Y",
                                  "start",
                                  "program",
                                  "priority",
                                  "args",
                                  "run",
                                  "for",
                                  "until",
                                  "stops",
                                  "or",
                                  "expect",
                                  "detected",
                                  "within",
                                  "no",
                                  "halt",
                                  "halted",
                                  "up",
                                  "down",
                                  "reloading",
                                  "exit",
                                  "running",
                                  "abend",
                                  "stopped",
                                  "output",
                                  "contains",
                                  "sequence",
                                  "count",
                                  "primary",
                                  "backup",
                                  "takeover",
                                  "pair",
                                  "lost",
                                  "seed",
                                  "$A",
                                  "$B",
                                  "$SERV",
                                  "$",
                                  "$1",
                                  "0",
                                  "1",
                                  "2",
                                  "3",
                                  "15",
                                  "16",
                                  "17",
                                  "-1",
                                  "0x10",
                                  "99999999999999999999",
                                  "1s",
                                  "1.5s",
                                  "0s",
                                  "250ms",
                                  "10us",
                                  "3ns",
                                  "1.5ns",
                                  "1s..5s",
                                  "5s..1s",
                                  "1..100",
                                  "..",
                                  "1.",
                                  ".5",
                                  "2MiB",
                                  "64KiB",
                                  "13MB/s",
                                  "0.8",
                                  "\"ok\"",
                                  "\"\"",
                                  "\"a\\\"b\"",
                                  "\"unterminated",
                                  "#",
                                  "# comment",
                                  "\\",
                                  "\t",
                                  "\xC2\xB5s",
                                  "\xff",
                                  "x.pasm",
                                  "guest/echo.pasm"};
}  // namespace

TEST_CASE("scenario fuzz: random bytes", "[scenario][fuzz]") {
  std::mt19937 rng(12345);
  for (int round = 0; round < 3000; ++round) {
    std::string text(rng() % 200, '\0');
    for (char& c : text) c = static_cast<char>(rng() % 256);
    check_consistent(text);
  }
}

TEST_CASE("scenario fuzz: random token soup", "[scenario][fuzz]") {
  std::mt19937 rng(777);
  constexpr std::size_t words = sizeof vocabulary / sizeof vocabulary[0];
  int parsed_ok = 0;
  for (int round = 0; round < 5000; ++round) {
    std::string text;
    int lines = static_cast<int>(rng() % 8);
    for (int l = 0; l < lines; ++l) {
      int n = static_cast<int>(rng() % 9);
      for (int i = 0; i < n; ++i) text += std::string(vocabulary[rng() % words]) + (rng() % 8 ? " " : "");
      text += rng() % 10 ? "\n" : "\r\n";
    }
    if (rng() % 2) text += "run for 20s\n";
    ParseResult r = parse_scenario(text, "soup.scn");
    parsed_ok += r.ok();
    check_consistent(text);
  }
  CHECK(parsed_ok > 0);  // the soup reaches valid scenarios now and then, not only the first error
}

TEST_CASE("scenario fuzz: mutations of a valid scenario", "[scenario][fuzz]") {
  const std::string valid =
      "machine cpus 4 heartbeat 10ms quantum 10us\n"
      "start $SERV program guest/echo.pasm cpu 1 priority 150 args 5 9\n"
      "at 1.5s fail cpu 2\n"
      "at random 1s..2s fail cpu random\n"
      "at 2s fail path Y cpu 3\n"
      "run until $SERV stops or 10s\n"
      "expect output $SERV sequence 1..100\n"
      "expect takeover $SERV within 3s\n"
      "expect cpu 2 down at 5s\n";
  REQUIRE(parse_scenario(valid, "v.scn").ok());
  std::mt19937 rng(99);
  for (int round = 0; round < 5000; ++round) {
    std::string text = valid;
    int edits = 1 + static_cast<int>(rng() % 4);
    for (int e = 0; e < edits; ++e) {
      std::size_t at = rng() % (text.size() + 1);
      switch (rng() % 3) {
        case 0:
          if (at < text.size()) text.erase(at, 1 + rng() % 5);
          break;
        case 1:
          text.insert(at, 1, static_cast<char>(rng() % 128));
          break;
        default:
          if (at < text.size()) text[at] = " \n\"#$.0123456789sx"[rng() % 17];
          break;
      }
    }
    check_consistent(text);
  }
}
