#include <catch2/catch.hpp>

#include "sim/report/expectations.hpp"
#include "sim/report/json_writer.hpp"
#include "sim/report/pair_table.hpp"
#include "sim/report/run_record.hpp"
#include "sim/scenario/scenario_parser.hpp"
#include "sim/trace/trace_event.hpp"
#include "record_test_support.hpp"

using namespace pairsim::sim;

TEST_CASE("a trace event writes one JSON line and reads back the same", "[trace]") {
  TraceEvent e(1500000000, "output");
  e.with("cpu", 2).with("pin", 5).with("process", "$C\"x\\y\n").with_bool("ok", true).with("neg", -7);
  const std::string line = e.to_json();
  CHECK(line == R"({"t_ns":1500000000,"kind":"output","cpu":2,"pin":5,"process":"$C\"x\\y\n","ok":true,"neg":-7})");
  auto back = parse_trace_line(line);
  REQUIRE(back);
  CHECK(back->t_ns == e.t_ns);
  CHECK(back->kind == "output");
  CHECK(back->get_str("process") == std::string("$C\"x\\y\n"));
  CHECK(back->get_int("neg") == -7);
  CHECK(back->get_bool("ok") == true);
  CHECK(back->to_json() == line);
}

TEST_CASE("malformed trace lines are refused, not misread", "[trace]") {
  CHECK_FALSE(parse_trace_line(""));
  CHECK_FALSE(parse_trace_line("{"));
  CHECK_FALSE(parse_trace_line(R"({"kind":"x"})"));            // no time
  CHECK_FALSE(parse_trace_line(R"({"t_ns":1})"));              // no kind
  CHECK_FALSE(parse_trace_line(R"({"t_ns":1,"kind":"x",})"));  // trailing comma
  CHECK_FALSE(parse_trace_line(R"({"t_ns":1,"kind":"x","a":})"));
  CHECK_FALSE(parse_trace_line(R"({"t_ns":1,"kind":"x","a":"unterminated})"));
}

TEST_CASE("guest bytes that are not UTF-8 still make valid JSON and read back the same", "[trace]") {
  const std::string text =
      std::string("caf\xc3\xa9 ") + "\xfe\xc3\xff" + "\xe2\x82" + " \xf0\x9f\x99\x82" + " \xf8\x80\x80";
  TraceEvent e(1, "output");
  e.with("text", text);
  const std::string line = e.to_json();
  // Well-formed sequences stay as they are; stray bytes become \u00XX.
  CHECK(line.find("caf\xc3\xa9") != std::string::npos);
  CHECK(line.find("\\u00fe\\u00c3\\u00ff\\u00e2\\u0082") != std::string::npos);
  CHECK(line.find("\xf0\x9f\x99\x82") != std::string::npos);
  CHECK(line.find("\\u00f8\\u0080\\u0080") != std::string::npos);  // F8 starts no sequence
  auto back = parse_trace_line(line);
  REQUIRE(back);
  CHECK(back->get_str("text") == text);
}

TEST_CASE("numbers and escapes out of range are refused, not thrown", "[trace]") {
  CHECK_FALSE(parse_trace_line(R"({"t_ns":99999999999999999999999,"kind":"x"})"));
  CHECK_FALSE(parse_trace_line(R"({"t_ns":-5,"kind":"x"})"));
  CHECK_FALSE(parse_trace_line(R"({"t_ns":1,"kind":"x","a":-})"));
  CHECK_FALSE(parse_trace_line(R"({"t_ns":1,"kind":"x","a":"\uZZZZ"})"));
  CHECK_FALSE(parse_trace_line(R"({"t_ns":1,"kind":"x","a":"\u12"})"));
  CHECK_FALSE(parse_trace_line(R"({"t_ns":1,"kind":"x"} trailing)"));
  CHECK(parse_trace_line(R"({"t_ns":1,"kind":"x"}  )"));
}

TEST_CASE("the JSON writer nests objects and arrays with commas in the right places", "[json]") {
  JsonWriter j(0);
  j.begin_object().field("a", 1).key("b").begin_array().value("x").value(true).null().end_array();
  j.key("c").begin_object().end_object().field("d", std::string("q\"")).end_object();
  CHECK(j.str() == R"({"a":1,"b":["x",true,null],"c":{},"d":"q\""})");
}

TEST_CASE("format_seconds prints every report time to the microsecond", "[report]") {
  CHECK(format_seconds(0) == "0.000000 s");
  CHECK(format_seconds(1500000000) == "1.500000 s");
  CHECK(format_seconds(255000000) == "0.255000 s");
  CHECK(format_seconds(2000016375) == "2.000016 s");
}

namespace {

using test::feed;
using test::parse_ok;

}  // namespace

TEST_CASE("detection expectations need every survivor within the bound", "[expectations]") {
  auto s = parse_ok("machine cpus 3\nat 1s fail cpu 2\nrun for 5s\nexpect detected cpu 2 within 2s\n");
  RunRecord r(3);
  feed(r, 1000000000, "cpu_state", {{"cpu", 2}}, {{"state", "down"}});
  feed(r, 2500000000, "declared_down", {{"cpu", 2}, {"declared_by", 0}});
  SECTION("one survivor missing fails") {
    auto res = check_expectations(s, r, {});
    REQUIRE(res.size() == 1);
    CHECK_FALSE(res[0].ok);
    CHECK(res[0].detail.find("cpu 1 never declared it") != std::string::npos);
  }
  SECTION("both in time passes") {
    feed(r, 2600000000, "declared_down", {{"cpu", 2}, {"declared_by", 1}});
    auto res = check_expectations(s, r, {});
    CHECK(res[0].ok);
  }
  SECTION("one too late fails") {
    feed(r, 3100000000, "declared_down", {{"cpu", 2}, {"declared_by", 1}});
    auto res = check_expectations(s, r, {});
    CHECK_FALSE(res[0].ok);
  }
}

TEST_CASE("state expectations read samples and final states; halts are counted", "[expectations]") {
  auto s = parse_ok(
      "machine cpus 2\nrun for 5s\nexpect cpu 1 down at 2s\nexpect cpu 1 up\nexpect no halt\nexpect halted cpu 1\n");
  RunRecord r(2);
  feed(r, 3000000000, "halt", {{"cpu", 1}}, {{"reason", "regroup: minority"}});
  feed(r, 3000000000, "cpu_state", {{"cpu", 1}}, {{"state", "halted"}});
  auto res = check_expectations(s, r, {{0, "down"}});
  REQUIRE(res.size() == 4);
  CHECK(res[0].ok);
  CHECK_FALSE(res[1].ok);
  CHECK(res[1].detail == "cpu 1 was halted");
  CHECK_FALSE(res[2].ok);
  CHECK(res[3].ok);
  // A sample that was never taken (the run ended first) fails with a reason.
  auto res2 = check_expectations(s, r, {});
  CHECK_FALSE(res2[0].ok);
}

TEST_CASE("output sequence finds gaps, repeats and short runs", "[expectations]") {
  auto s = parse_ok("start $C program x.pasm cpu 0\nrun for 5s\nexpect output $C sequence 1..3\n");
  auto run_with = [&](std::vector<const char*> lines) {
    RunRecord r(4);
    feed(r, 0, "process_start", {{"cpu", 0}, {"pin", 2}}, {{"process", "$C"}, {"program", "x"}});
    for (auto* l : lines) feed(r, 1, "output", {{"cpu", 0}, {"pin", 2}}, {{"process", "$C"}, {"text", l}});
    return check_expectations(s, r, {})[0];
  };
  CHECK(run_with({"1", "2", "3"}).ok);
  CHECK(run_with({"start", "1", "2", "note", "3"}).ok);  // non-numbers are ignored
  CHECK_FALSE(run_with({"1", "3"}).ok);
  CHECK(run_with({"1", "3"}).detail.find("gap") != std::string::npos);
  CHECK_FALSE(run_with({"1", "2", "2", "3"}).ok);
  CHECK(run_with({"1", "2", "2", "3"}).detail.find("repeat") != std::string::npos);
  CHECK_FALSE(run_with({"1", "2"}).ok);
  CHECK_FALSE(run_with({"1", "2", "3", "4"}).ok);
}

TEST_CASE("output sequence with repeats allows that many immediate repeats and nothing else", "[expectations]") {
  auto s = parse_ok("start $C program x.pasm cpu 0\nrun for 5s\nexpect output $C sequence 1..4 repeats 1\n");
  auto run_with = [&](std::vector<const char*> lines) {
    RunRecord r(4);
    feed(r, 0, "process_start", {{"cpu", 0}, {"pin", 2}}, {{"process", "$C"}, {"program", "x"}});
    for (auto* l : lines) feed(r, 1, "output", {{"cpu", 0}, {"pin", 2}}, {{"process", "$C"}, {"text", l}});
    return check_expectations(s, r, {})[0];
  };
  CHECK(run_with({"1", "2", "3", "4"}).ok);
  const auto once = run_with({"1", "2", "2", "3", "4"});
  CHECK(once.ok);
  CHECK(once.detail == "1..4 in order, 1 printed twice (1 allowed)");
  CHECK_FALSE(run_with({"1", "2", "2", "3", "3", "4"}).ok);  // two repeats, one allowed
  CHECK_FALSE(run_with({"1", "2", "3", "2", "4"}).ok);       // not right after itself: out of order
  CHECK_FALSE(run_with({"1", "1", "1", "2", "3", "4"}).ok);  // the same number three times
  CHECK_FALSE(run_with({"1", "3", "4"}).ok);                 // a gap is never allowed
  CHECK_FALSE(run_with({"1", "2", "3", "4", "4", "5"}).ok);  // past the end
}

TEST_CASE("a printed line with a newline or quotes stays one line in the verdict", "[expectations]") {
  auto s = parse_ok("start $H program x.pasm cpu 0\nrun for 5s\nexpect output $H \"hello, world\"\n");
  RunRecord r(4);
  feed(r, 0, "process_start", {{"cpu", 0}, {"pin", 2}}, {{"process", "$H"}, {"program", "x"}});
  feed(r, 1, "output", {{"cpu", 0}, {"pin", 2}}, {{"process", "$H"}, {"text", "hello, world\n"}});
  feed(r, 2, "output", {{"cpu", 0}, {"pin", 2}}, {{"process", "$H"}, {"text", "say \"hi\"\t\x01\\"}});
  const auto v = check_expectations(s, r, {})[0];
  CHECK_FALSE(v.ok);  // the newline is part of the line
  CHECK(v.detail == "2 lines printed, the last \"say \\\"hi\\\"\\t\\x01\\\\\"");
  CHECK(v.detail.find('\n') == std::string::npos);
}

TEST_CASE("process and pair expectations follow the record", "[expectations]") {
  auto s = parse_ok(
      "start $B program x.pasm cpu 1\nrun for 9s\nexpect $B primary cpu 2\nexpect $B no backup\n"
      "expect takeover $B within 2s\nexpect $B running\nexpect no takeover $B\n");
  RunRecord r(4);
  feed(r, 0, "process_start", {{"cpu", 1}, {"pin", 2}}, {{"process", "$B"}, {"program", "x"}});
  feed(r, 10, "process_start", {{"cpu", 2}, {"pin", 2}}, {{"process", "$B"}, {"program", "x"}});
  feed(r, 10, "backup_created", {{"cpu", 2}, {"pin", 2}, {"primary_cpu", 1}}, {{"pair", "$B"}});
  CHECK(r.pair("$B")->backup_cpu == 2);
  feed(r, 1000000000, "cpu_state", {{"cpu", 1}}, {{"state", "down"}});
  feed(r, 2500000000, "declared_down", {{"cpu", 1}, {"declared_by", 2}});
  feed(r, 2500000000, "takeover", {{"from_cpu", 1}, {"to_cpu", 2}, {"restart_p", 7}},
       {{"pair", "$B"}, {"reason", "processor failed"}});
  auto res = check_expectations(s, r, {});
  REQUIRE(res.size() == 5);
  CHECK(res[0].ok);
  CHECK(res[1].ok);
  CHECK(res[2].ok);
  CHECK(res[3].ok);
  CHECK_FALSE(res[4].ok);
  REQUIRE(r.takeovers().size() == 1);
  CHECK(r.takeovers()[0].failure_ns == 1000000000u);
  CHECK(r.takeovers()[0].detected_ns == 2500000000u);
  CHECK(r.processes()[0].state == "lost");
}

TEST_CASE("the pair table follows Table 8-1 from trace events", "[table]") {
  std::vector<TraceEvent> ev;
  auto add = [&](std::uint64_t t, const char* kind) -> TraceEvent& {
    ev.emplace_back(t, kind);
    return ev.back();
  };
  add(0, "process_start").with("cpu", 1).with("pin", 2).with("process", "$P").with("program", "p");
  add(5, "process_start").with("cpu", 2).with("pin", 2).with("process", "$P").with("program", "p");
  add(5, "backup_created").with("pair", "$P").with("cpu", 2).with("pin", 2).with("primary_cpu", 1);
  add(6, "checkmonitor").with("pair", "$P").with("cpu", 2).with("pin", 2);
  add(7, "checkpoint").with("pair", "$P").with("cpu", 1).with("bytes", 64).with("buffers", 1).with_bool("stack", true);
  add(8, "checkopen").with("pair", "$P").with("cpu", 1).with("file", 1);
  add(9, "output").with("cpu", 1).with("pin", 2).with("process", "$P").with("text", "1");
  add(10, "checkswitch").with("pair", "$P").with("from_cpu", 1).with("to_cpu", 2);
  add(11, "fault").with("what", "fail cpu 2").with("line", 3);
  add(12, "takeover")
      .with("pair", "$P")
      .with("from_cpu", 2)
      .with("to_cpu", 1)
      .with("reason", "processor failed")
      .with("restart_p", 4);
  std::string err;
  const std::string t = pair_tables(ev, "$P", err);
  CHECK(err.empty());
  const char* order[] = {
      "Perform initialization",       "call newprocess", "call checkmonitor", "call checkpoint", "call checkopen",
      "call open from checkmonitor",  "Processing",      "Voluntary switch",  "Take over",       "CPU fails",
      "Take over (processor failed)", "(gone)"};
  std::size_t at = 0;
  for (const char* step : order) {
    INFO(step << "\n" << t);
    const auto found = t.find(step, at);
    REQUIRE(found != std::string::npos);
    at = found;
  }
  pair_tables(ev, "$NOPE", err);
  CHECK(err == "the trace holds no pair named $NOPE; its pairs: $P");
  err.clear();
  pair_tables(ev, "P", err);  // the shell ate the '$' of "$P"
  CHECK(err == "the trace holds no pair named P (did you mean '$P'? In a shell, quote it: --pair '$P')");
}
