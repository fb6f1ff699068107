// The report page: text from the scenario and the guests is escaped wherever it lands, the page has its
// parts (a lane per CPU and per process, the fault in the scenario's words, the takeover, the
// expectations, Table 8-1), and the same run gives the same bytes. A small run is made by hand.
#include <catch2/catch.hpp>

#include "record_test_support.hpp"
#include "sim/report/expectations.hpp"
#include "sim/report/report.hpp"
#include "sim/report/run_record.hpp"
#include "sim/view/html_report.hpp"
#include "sim/view/html_timeline.hpp"

using namespace pairsim::sim;

namespace {

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + what.size())) ++n;
  return n;
}

const char* const scenario_text =
    "machine cpus 3 heartbeat 50ms\n"
    "start $S program server.pasm cpu 0\n"
    "start $C program client.pasm cpu 2\n"
    "at 100ms fail cpu 0\n"
    "run for 300ms\n"
    "expect $S primary cpu 1\n"
    "expect output $C contains \"<b>&\"\n";

// $S in CPU 0 with its backup in CPU 1; $C in CPU 2 asks $S once; CPU 0 fails at 100 ms; $S takes over in
// CPU 1. Some events come before earlier ones, as a CPU running ahead of the rest emits them.
std::vector<TraceEvent> small_run() {
  std::vector<TraceEvent> ev;
  ev.push_back(TraceEvent(0, "run_start").with("scenario", "a<b>&c.scn").with("seed", 1).with("cpus", 3));
  ev.push_back(TraceEvent(0, "process_start")
                   .with("cpu", 0)
                   .with("pin", 1)
                   .with("process", "$S")
                   .with("program", "server.pasm")
                   .with("priority", 150));
  ev.push_back(TraceEvent(0, "process_start")
                   .with("cpu", 2)
                   .with("pin", 1)
                   .with("process", "$C")
                   .with("program", "client.pasm")
                   .with("priority", 150));
  ev.push_back(TraceEvent(2'000, "process_start")
                   .with("cpu", 1)
                   .with("pin", 1)
                   .with("process", "$S")
                   .with("program", "server.pasm")
                   .with("priority", 150));
  ev.push_back(
      TraceEvent(2'100, "backup_created").with("pair", "$S").with("cpu", 1).with("pin", 1).with("primary_cpu", 0));
  ev.push_back(TraceEvent(2'200, "checkmonitor").with("pair", "$S").with("cpu", 1).with("pin", 1));
  // The client's request and its reply, its receipt emitted before the server's send (it ran ahead).
  ev.push_back(TraceEvent(10'000, "send")
                   .with("cpu", 2)
                   .with("pin", 1)
                   .with("process", "$C")
                   .with("target", "$S")
                   .with("bytes", 8)
                   .with("tag", 1));
  ev.push_back(TraceEvent(30'000, "receive")
                   .with("cpu", 2)
                   .with("pin", 1)
                   .with("process", "$C")
                   .with("target", "$S")
                   .with("bytes", 4)
                   .with("tag", 1));
  ev.push_back(TraceEvent(15'000, "receive")
                   .with("cpu", 0)
                   .with("pin", 1)
                   .with("process", "$S")
                   .with("target", "2,1")
                   .with("bytes", 8)
                   .with("tag", 3));
  ev.push_back(TraceEvent(20'000, "checkpoint")
                   .with("pair", "$S")
                   .with("cpu", 0)
                   .with("bytes", 64)
                   .with("buffers", 1)
                   .with_bool("stack", true)
                   .with("seq", 1));
  ev.push_back(TraceEvent(25'000, "send")
                   .with("cpu", 0)
                   .with("pin", 1)
                   .with("process", "$S")
                   .with("target", "2,1")
                   .with("bytes", 4)
                   .with("tag", 3));
  ev.push_back(TraceEvent(40'000, "output")
                   .with("cpu", 2)
                   .with("pin", 1)
                   .with("process", "$C")
                   .with("text", "<script>alert('x')</script> <b>& \x01"));
  ev.push_back(TraceEvent(100'000'000, "fault").with("what", "fail cpu 0").with("line", 4));
  ev.push_back(TraceEvent(100'000'000, "cpu_state").with("cpu", 0).with("state", "down"));
  ev.push_back(TraceEvent(180'000'000, "declared_down").with("cpu", 0).with("declared_by", 1));
  ev.push_back(TraceEvent(180'000'100, "declared_down").with("cpu", 0).with("declared_by", 2));
  ev.push_back(TraceEvent(180'001'000, "takeover")
                   .with("pair", "$S")
                   .with("from_cpu", 0)
                   .with("to_cpu", 1)
                   .with("reason", "processor failed")
                   .with("restart_p", 7)
                   .with("checkpoints", 1));
  ev.push_back(TraceEvent(300'000'000, "run_end").with("stopped_early", 0));
  return ev;
}

struct SmallRun {
  Scenario scenario;
  RunRecord record{3};
  std::vector<TraceEvent> events;
  RunOutcome outcome;

  explicit SmallRun(std::vector<TraceEvent> evs = small_run()) : events(std::move(evs)) {
    scenario = test::parse_ok(scenario_text);
    scenario.path = "a<b>&c.scn";
    for (const auto& e : events) record.on_event(e);
    outcome.scenario = &scenario;
    outcome.seed = 1;
    outcome.sim_time_ns = 300'000'000;
    outcome.host_seconds = 0.25;
    outcome.record = &record;
    outcome.results = check_expectations(scenario, record, {});
  }
};

}  // namespace

TEST_CASE("html_escape makes markup characters text", "[html]") {
  CHECK(html_escape("<a href=\"x\">Tom & 'Jerry'</a>") ==
        "&lt;a href=&quot;x&quot;&gt;Tom &amp; &#39;Jerry&#39;&lt;/a&gt;");
  CHECK(html_escape("&amp;") == "&amp;amp;");
  CHECK(html_escape("line\n\tnext") == "line\n\tnext");
  CHECK(html_escape("") == "");
}

TEST_CASE("html_escape keeps UTF-8 and replaces what HTML cannot hold", "[html]") {
  CHECK(html_escape("caf\xc3\xa9 → ✓ \xf0\x9f\x99\x82") == "caf\xc3\xa9 → ✓ \xf0\x9f\x99\x82");
  CHECK(html_escape(std::string("a\x01"
                                "b\x7f"
                                "c\r")) ==
        "a\xEF\xBF\xBD"
        "b\xEF\xBF\xBD"
        "c\xEF\xBF\xBD");
  CHECK(html_escape(std::string(1, '\0')) == "\xEF\xBF\xBD");
  CHECK(html_escape("\xff\xc3") == "\xEF\xBF\xBD\xEF\xBF\xBD");                  // a stray byte, a sequence cut short
  CHECK(html_escape("\xed\xa0\x80") == "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // a surrogate is not UTF-8
  CHECK(html_escape("\xc0\xaf") == "\xEF\xBF\xBD\xEF\xBF\xBD");                  // nor is an overlong '/'
}

TEST_CASE("the time axis steps by 1, 2 or 5 of a unit and labels in it", "[html]") {
  CHECK(axis_step(1'500'000'000) == 200'000'000);
  CHECK(axis_label(1'400'000'000, 200'000'000) == "1.4 s");
  CHECK(axis_label(1'000'000'000, 200'000'000) == "1 s");
  CHECK(axis_step(500'000'000) == 50'000'000);
  CHECK(axis_label(450'000'000, 50'000'000) == "450 ms");
  CHECK(axis_step(20'000'000'000) == 2'000'000'000);
  CHECK(axis_label(4'000'000'000, 2'000'000'000) == "4 s");
  CHECK(axis_step(300'000) == 50'000);
  CHECK(axis_label(100'000, 50'000) == "100 µs");
  CHECK(axis_step(1'500) == 200);
  CHECK(axis_label(400, 200) == "0.4 µs");
  CHECK(axis_label(40, 20) == "40 ns");
  CHECK(axis_label(0, 200) == "0");
  CHECK(axis_step(0) == 1);
}

TEST_CASE("the page has the machine, the timeline, the expectations and Table 8-1", "[html]") {
  SmallRun run;
  const std::string page = html_report(run.outcome, run.events);
  CHECK(page.rfind("<!DOCTYPE html>\n<html lang=\"en\">", 0) == 0);
  CHECK(page.size() > 1000);
  CHECK(page.substr(page.size() - 8) == "</html>\n");
  CHECK(count(page, "<section") == count(page, "</section>"));
  CHECK(count(page, "<svg") == 2);  // the machine and the timeline
  CHECK(count(page, "<svg") == count(page, "</svg>"));
  CHECK(count(page, "<g") == count(page, "</g>"));

  SECTION("the timeline: a lane per CPU and per process, in state colours") {
    CHECK(count(page, "<svg class=\"timeline\"") == 1);
    CHECK(count(page, "<g class=\"lane cpu\"") == 3);
    CHECK(count(page, "<g class=\"lane process\"") == 3);  // $S's primary and backup, $C
    CHECK(page.find("data-lane=\"cpu 2\"") != std::string::npos);
    CHECK(page.find("data-lane=\"$S (1,1)\"") != std::string::npos);
    CHECK(count(page, "class=\"st-down\"") == 1);
    CHECK(page.find("class=\"st-primary\"") != std::string::npos);
    CHECK(page.find("class=\"st-backup\"") != std::string::npos);
    CHECK(page.find("class=\"wait\"") != std::string::npos);  // $C waits for its reply
  }
  SECTION("the fault in the scenario's words, the detection and the takeover") {
    CHECK(page.find("<g class=\"band-fault\"><title>fail cpu 0 (scenario line 4) at 0.100000 s</title>") !=
          std::string::npos);
    CHECK(page.find(">fail cpu 0</text>") != std::string::npos);
    CHECK(count(page, "<g class=\"band-detect\">") == 1);  // two survivors' verdicts, one label
    CHECK(count(page, "class=\"mark-detect\"") == 2);
    CHECK(count(page, "class=\"mark-takeover\"") == 1);
    CHECK(page.find(">$S takes over in cpu 1</text>") != std::string::npos);
  }
  SECTION("the request and its reply as arrows, the checkpoint from primary to backup") {
    CHECK(count(page, "<line class=\"msg\"") == 2);
    CHECK(page.find("$C (2,1) → $S (0,1), 8 bytes") != std::string::npos);
    CHECK(page.find("$S (0,1) → $C (2,1), 4 bytes") != std::string::npos);
    CHECK(page.find("All 2 messages drawn.") != std::string::npos);
    CHECK(count(page, "<line class=\"ckpt\"") == 1);
  }
  SECTION("the expectations with their marks and words, the invariants, the summary") {
    CHECK(count(page,
                "<li class=\"held\"><span class=\"mark ok\">✓</span>line 6: <code>expect $S primary cpu 1</code>") ==
          1);
    CHECK(page.find("<li class=\"held\"><span class=\"mark ok\">✓</span>line 7: <code>expect output $C contains "
                    "&quot;&lt;b&gt;&amp;&quot;</code>") != std::string::npos);
    CHECK(page.find("invariants: all held") != std::string::npos);
    CHECK(page.find("<p class=\"verdict ok\">✓ all 2 expectations held") != std::string::npos);
    CHECK(page.find("<section id=\"summary\">") != std::string::npos);
    CHECK(page.find("2 passed, 0 failed") != std::string::npos);
  }
  SECTION("Table 8-1 for the pair") {
    CHECK(page.find("<h3 class=\"pair-table\">Life of process pair $S</h3>") != std::string::npos);
    CHECK(page.find("Take over (processor failed)") != std::string::npos);
  }
  SECTION("the machine: each CPU with what starts there") {
    CHECK(count(page, "<g class=\"cpu-node\">") == 3);
    CHECK(page.find("$S: program server.pasm in cpu 0") != std::string::npos);
  }
}

TEST_CASE("text from the scenario and the guests is escaped everywhere", "[html]") {
  SmallRun run;
  const std::string page = html_report(run.outcome, run.events);
  CHECK(page.find("a<b>") == std::string::npos);
  CHECK(page.find("<script") == std::string::npos);
  CHECK(page.find("<b>") == std::string::npos);
  CHECK(page.find("a&lt;b&gt;&amp;c.scn") != std::string::npos);
  CHECK(page.find("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &lt;b&gt;&amp; \xEF\xBF\xBD") != std::string::npos);
  CHECK(page.find('\x01') == std::string::npos);
}

TEST_CASE("the page is the same for the same run, whatever the host's time", "[html]") {
  SmallRun a, b;
  b.outcome.host_seconds = 99.5;
  const std::string page = html_report(a.outcome, a.events);
  CHECK(page == html_report(b.outcome, b.events));
  CHECK(page.find("0.25") == std::string::npos);
  CHECK(page.find("http://") == std::string::npos);
  CHECK(page.find("https://") == std::string::npos);
  CHECK(page.find(" src=") == std::string::npos);
}

namespace {

// A request from `pin` in CPU 2 to $S in CPU 0 at `t`, and its reply.
void request_and_reply(std::vector<TraceEvent>& ev, std::uint64_t t, int pin, int tag) {
  ev.push_back(TraceEvent(t, "send")
                   .with("cpu", 2)
                   .with("pin", pin)
                   .with("process", "")
                   .with("target", "$S")
                   .with("bytes", 8)
                   .with("tag", tag));
  ev.push_back(TraceEvent(t + 5'000, "receive")
                   .with("cpu", 0)
                   .with("pin", 1)
                   .with("process", "$S")
                   .with("target", "2," + std::to_string(pin))
                   .with("bytes", 8)
                   .with("tag", tag));
  ev.push_back(TraceEvent(t + 6'000, "send")
                   .with("cpu", 0)
                   .with("pin", 1)
                   .with("process", "$S")
                   .with("target", "2," + std::to_string(pin))
                   .with("bytes", 4)
                   .with("tag", tag));
  ev.push_back(TraceEvent(t + 9'000, "receive")
                   .with("cpu", 2)
                   .with("pin", pin)
                   .with("process", "")
                   .with("target", "$S")
                   .with("bytes", 4)
                   .with("tag", tag));
}

std::size_t drawn_of(const std::string& page, std::size_t total) {
  const std::string tail = " of " + std::to_string(total) + " messages drawn: where they crowd";
  const auto at = page.find(tail);
  if (at == std::string::npos) return 0;
  const auto from = page.rfind('>', at) + 1;
  return std::stoul(page.substr(from, at - from));
}

}  // namespace

TEST_CASE("crowded messages are thinned out, and the page says how many it drew", "[html]") {
  std::vector<TraceEvent> ev = small_run();
  for (int i = 0; i < 500; ++i) request_and_reply(ev, 50'000'000 + static_cast<std::uint64_t>(i) * 40'000, 1, i + 2);
  SmallRun run(ev);
  const std::string page = html_report(run.outcome, run.events);
  const std::size_t drawn = drawn_of(page, 1002);
  CHECK(drawn > 10);
  CHECK(drawn < 200);  // 20 ms of a 300 ms run: a few dozen places for an arrow each way
  CHECK(count(page, "<line class=\"msg\"") == drawn);
}

TEST_CASE("past a budget, an even spread of the arrows is drawn", "[html]") {
  std::vector<TraceEvent> ev = small_run();
  for (int pin = 2; pin <= 9; ++pin) {
    ev.push_back(TraceEvent(0, "process_start")
                     .with("cpu", 2)
                     .with("pin", pin)
                     .with("process", "")
                     .with("program", "client.pasm")
                     .with("priority", 150));
    for (int i = 0; i < 200; ++i)
      request_and_reply(ev, 1'000'000 + static_cast<std::uint64_t>(i) * 470'000, pin, i + 1);
  }
  SmallRun run(ev);
  const std::string page = html_report(run.outcome, run.events);
  CHECK(drawn_of(page, 3202) == timeline_max_arrows);
  CHECK(count(page, "<line class=\"msg\"") == timeline_max_arrows);
}

TEST_CASE("a run without pairs or messages still makes a page", "[html]") {
  Scenario s = test::parse_ok("machine cpus 2\nrun for 1s\n");
  RunRecord r(2);
  RunOutcome o;
  o.scenario = &s;
  o.record = &r;
  o.sim_time_ns = 1'000'000'000;
  const std::string page = html_report(o, {});
  CHECK(count(page, "<g class=\"lane cpu\"") == 2);
  CHECK(count(page, "<g class=\"lane process\"") == 0);
  CHECK(page.find("No table: the trace holds no process pair.") != std::string::npos);
  CHECK(page.find("The scenario states no expectations.") != std::string::npos);
  CHECK(page.find("No messages between processes.") != std::string::npos);
}
