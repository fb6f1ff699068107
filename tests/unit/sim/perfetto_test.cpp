// The timeline file (trace-event JSON for ui.perfetto.dev): built from hand-made event lists, read back with
// the project's JSON reader and held to the format's rules by a small checker, which is tested on broken
// files too.
#include <catch2/catch.hpp>

#include <cmath>
#include <map>
#include <set>

#include "sim/report/json_reader.hpp"
#include "sim/view/perfetto.hpp"

using namespace pairsim::sim;

namespace {

std::int64_t ts_ns(const JsonValue& e) {
  return std::llround(e.get("ts")->as_double().value_or(-1) * 1000);
}
// Where a complete ("X") event ends.
std::int64_t end_ns(const JsonValue& e) {
  return ts_ns(e) + std::llround(e.get("dur")->as_double().value_or(-1) * 1000);
}
std::string str(const JsonValue& e, const char* key) {
  const JsonValue* v = e.get(key);
  return v ? v->as_string().value_or("") : "";
}

// What is wrong with a trace-event file, by the format's rules (empty when nothing is): every event has its
// keys, times are not negative, B and E pair up on each track in time order and nest, X spans nest on each
// track (one inside another or apart, never half over), each flow has one start and one end in time order,
// and every track and group is named.
std::vector<std::string> problems(const JsonValue& doc) {
  std::vector<std::string> out;
  const JsonValue* events = doc.get("traceEvents");
  if (!events || !events->is_array()) return {"no traceEvents array"};
  using Track = std::pair<std::int64_t, std::int64_t>;
  struct Open {
    std::string name;
    std::int64_t ts;
  };
  std::map<Track, std::vector<Open>> open;
  std::map<Track, std::int64_t> last_ts;
  std::map<Track, std::vector<std::pair<std::int64_t, std::int64_t>>> spans;  // X events' begins and ends
  std::map<std::int64_t, std::vector<std::pair<std::string, std::int64_t>>> flows;
  std::set<Track> used, named_tracks;
  std::set<std::int64_t> named_groups;
  for (const JsonValue& e : events->items()) {
    const std::string ph = str(e, "ph");
    const std::string what = ph + " " + str(e, "name");
    if (!e.get("pid") || !e.get("pid")->as_int() || !e.get("tid") || !e.get("tid")->as_int() || !e.get("name") ||
        !e.get("name")->as_string()) {
      out.push_back(what + ": no pid, tid or name");
      continue;
    }
    const Track track{*e.get("pid")->as_int(), *e.get("tid")->as_int()};
    if (ph == "M") {
      const JsonValue* args = e.get("args");
      if (str(e, "name") == "thread_name" && args && args->get("name")) named_tracks.insert(track);
      if (str(e, "name") == "process_name" && args && args->get("name")) named_groups.insert(track.first);
      continue;
    }
    if (!e.get("ts") || !e.get("ts")->as_double() || ts_ns(e) < 0 || !e.get("cat")) {
      out.push_back(what + ": no ts, a negative one, or no cat");
      continue;
    }
    used.insert(track);
    const std::int64_t t = ts_ns(e);
    if (ph == "B" || ph == "E" || ph == "X") {
      if (last_ts.count(track) && t < last_ts[track]) out.push_back(what + ": goes back in time on its track");
      last_ts[track] = t;
    }
    if (ph == "B") {
      open[track].push_back({str(e, "name"), t});
    } else if (ph == "E") {
      auto& stack = open[track];
      if (stack.empty())
        out.push_back(what + ": ends nothing");
      else if (stack.back().name != str(e, "name"))
        out.push_back(what + ": ends " + stack.back().name + " (not nested)");
      else
        stack.pop_back();
    } else if (ph == "X") {
      if (!e.get("dur") || e.get("dur")->as_double().value_or(-1) < 0)
        out.push_back(what + ": no dur");
      else
        spans[track].push_back({t, end_ns(e)});
    } else if (ph == "i" || ph == "I") {
      const std::string s = str(e, "s");
      if (s != "t" && s != "p" && s != "g") out.push_back(what + ": scope is not t, p or g");
    } else if (ph == "s" || ph == "t" || ph == "f") {
      if (!e.get("id") || !e.get("id")->as_int())
        out.push_back(what + ": no id");
      else
        flows[*e.get("id")->as_int()].push_back({ph, t});
    } else {
      out.push_back(what + ": unknown phase");
    }
  }
  for (const auto& [track, stack] : open)
    for (const auto& s : stack) out.push_back("B " + s.name + ": never ends");
  for (auto& [track, list] : spans) {
    // Outer spans first among those that begin together; a span must end by the end of the one it is in.
    std::sort(list.begin(), list.end(),
              [](auto& a, auto& b) { return a.first < b.first || (a.first == b.first && a.second > b.second); });
    std::vector<std::int64_t> ends;
    for (const auto& [begin, end] : list) {
      while (!ends.empty() && ends.back() <= begin) ends.pop_back();
      if (!ends.empty() && end > ends.back())
        out.push_back("X at " + std::to_string(begin) + " on track " + std::to_string(track.second) +
                      ": overlaps another span without nesting");
      ends.push_back(end);
    }
  }
  for (const auto& [id, points] : flows) {
    std::string phases;
    bool in_order = true;
    for (std::size_t i = 0; i < points.size(); ++i) {
      phases += points[i].first;
      if (i > 0 && points[i].second < points[i - 1].second) in_order = false;
    }
    const bool shape = phases.size() >= 2 && phases.front() == 's' && phases.back() == 'f' &&
                       phases.substr(1, phases.size() - 2).find_first_not_of('t') == std::string::npos;
    if (!shape || !in_order) out.push_back("flow " + std::to_string(id) + ": " + phases);
  }
  for (const Track& t : used) {
    if (!named_tracks.count(t)) out.push_back("track " + std::to_string(t.second) + " has no thread_name");
    if (!named_groups.count(t.first)) out.push_back("group " + std::to_string(t.first) + " has no process_name");
  }
  return out;
}

JsonValue parse(const std::string& text) {
  std::string error;
  auto v = parse_json(text, &error);
  INFO(error);
  REQUIRE(v);
  return *v;
}

std::vector<const JsonValue*> with(const JsonValue& doc, const std::string& ph, const std::string& name) {
  std::vector<const JsonValue*> out;
  for (const JsonValue& e : doc.get("traceEvents")->items())
    if (str(e, "ph") == ph && str(e, "name") == name) out.push_back(&e);
  return out;
}

// The (pid, tid) of the track a metadata event names so.
std::pair<std::int64_t, std::int64_t> track_named(const JsonValue& doc, const std::string& name) {
  for (const JsonValue& e : doc.get("traceEvents")->items())
    if (str(e, "ph") == "M" && str(e, "name") == "thread_name" && e.get("args")->get("name")->as_string() == name)
      return {*e.get("pid")->as_int(), *e.get("tid")->as_int()};
  return {-1, -1};
}

bool on(const JsonValue* e, std::pair<std::int64_t, std::int64_t> track) {
  return e && e->get("pid")->as_int() == track.first && e->get("tid")->as_int() == track.second;
}

TraceEvent proc_event(std::uint64_t t, const char* kind, int cpu, int pin, const char* name) {
  return TraceEvent(t, kind).with("cpu", cpu).with("pin", pin).with("process", name);
}

// $BANK in CPU 1 with its backup in CPU 2; $C1 in CPU 0 asks it once; CPU 1 fails and the backup takes over.
// The events are in the order a run emits them: CPU 1 runs a quantum ahead of the others.
std::vector<TraceEvent> takeover_run() {
  return {
      TraceEvent(0, "run_start").with("scenario", "t.scn").with("seed", 1).with("cpus", 3),
      proc_event(0, "process_start", 1, 2, "$BANK").with("program", "bank.pasm").with("priority", 150),
      proc_event(100'000, "process_start", 2, 2, "$BANK").with("program", "bank.pasm").with("priority", 150),
      TraceEvent(110'000, "backup_created").with("pair", "$BANK").with("cpu", 2).with("pin", 2).with("primary_cpu", 1),
      TraceEvent(120'000, "checkmonitor").with("pair", "$BANK").with("cpu", 2).with("pin", 2),
      TraceEvent(130'000, "checkpoint")
          .with("pair", "$BANK")
          .with("cpu", 1)
          .with("bytes", 8)
          .with("buffers", 1)
          .with_bool("stack", true)
          .with("seq", 1),
      proc_event(1'000'000, "process_start", 0, 2, "$C1").with("program", "client.pasm").with("priority", 150),
      proc_event(1'200'000, "send", 0, 2, "$C1").with("target", "$BANK").with("bytes", 24).with("tag", 1),
      // CPU 1's lines, ahead of the time of the reply's arrival in CPU 0 that follows them.
      proc_event(1'210'000, "receive", 1, 2, "$BANK").with("target", "0,2").with("bytes", 24).with("tag", 1),
      TraceEvent(1'300'000, "checkpoint")
          .with("pair", "$BANK")
          .with("cpu", 1)
          .with("bytes", 8)
          .with("buffers", 1)
          .with_bool("stack", true)
          .with("seq", 2),
      proc_event(1'350'000, "send", 1, 2, "$BANK").with("target", "0,2").with("bytes", 16).with("tag", 1),
      proc_event(1'360'000, "receive", 0, 2, "$C1").with("target", "$BANK").with("bytes", 16).with("tag", 1),
      proc_event(1'400'000, "send", 0, 2, "$C1").with("target", "$BANK").with("bytes", 24).with("tag", 2),
      TraceEvent(2'000'000, "fault").with("what", "fail cpu 1").with("line", 9),
      TraceEvent(2'000'000, "cpu_state").with("cpu", 1).with("state", "down"),
      TraceEvent(3'000'000, "imalive_missed").with("cpu", 2).with("from", 1),
      TraceEvent(4'000'000, "suspect").with("cpu", 2).with("suspect", 1),
      TraceEvent(4'000'000, "regroup_start").with("cpu", 2).with("round", 1).with("reason", "suspect 1"),
      TraceEvent(4'500'000, "regroup_end").with("cpu", 2).with("round", 1).with("members", "0,2"),
      TraceEvent(4'500'000, "declared_down").with("cpu", 1).with("declared_by", 2),
      TraceEvent(4'500'000, "takeover")
          .with("pair", "$BANK")
          .with("from_cpu", 1)
          .with("to_cpu", 2)
          .with("reason", "processor failed")
          .with("restart_p", 100)
          .with("checkpoints", 2),
      proc_event(4'600'000, "fs_resend", 0, 2, "$C1").with("target", "$BANK").with("sync_id", 2),
      proc_event(4'610'000, "receive", 2, 2, "$BANK").with("target", "0,2").with("bytes", 24).with("tag", 1),
      proc_event(4'700'000, "send", 2, 2, "$BANK").with("target", "0,2").with("bytes", 16).with("tag", 1),
      proc_event(4'710'000, "receive", 0, 2, "$C1").with("target", "$BANK").with("bytes", 16).with("tag", 2),
      proc_event(4'800'000, "output", 2, 2, "$BANK").with("text", "took over"),
      TraceEvent(6'000'000, "run_end").with("stopped_early", 0),
  };
}

}  // namespace

TEST_CASE("perfetto: a takeover run is a valid file with its tracks, instants and arrows", "[perfetto]") {
  const JsonValue doc = parse(perfetto_json(takeover_run()));
  CHECK(problems(doc) == std::vector<std::string>{});

  const auto scenario = track_named(doc, "scenario");
  const auto cpu1 = track_named(doc, "cpu 1"), cpu2 = track_named(doc, "cpu 2");
  const auto primary = track_named(doc, "$BANK pin 2");  // the first $BANK is the one in CPU 1
  const auto backup_role = std::pair{cpu2.first, cpu2.second + 2};
  CHECK(cpu1.first != cpu2.first);  // each CPU a group of its own
  CHECK(primary.first == cpu1.first);

  // The fault, the detection and the takeover, each where it happened.
  REQUIRE(with(doc, "I", "fault: fail cpu 1").size() == 1);
  CHECK(on(with(doc, "I", "fault: fail cpu 1")[0], scenario));
  CHECK(str(*with(doc, "I", "fault: fail cpu 1")[0], "cat") == "fault");
  REQUIRE(with(doc, "I", "declared cpu 1 down").size() == 1);
  CHECK(on(with(doc, "I", "declared cpu 1 down")[0], cpu2));
  REQUIRE(with(doc, "I", "takeover from cpu 1 (processor failed)").size() == 1);
  CHECK(on(with(doc, "I", "takeover from cpu 1 (processor failed)")[0], std::pair{cpu2.first, cpu2.second + 1}));
  CHECK(with(doc, "I", "no I'm alive from cpu 1").size() == 1);

  // CPU 1 is up until it fails, then down until the run ends; CPU 2's regroup lies inside its "up".
  auto up_ends = with(doc, "X", "up");
  CHECK(std::count_if(up_ends.begin(), up_ends.end(), [&](auto* e) { return on(e, cpu1) && end_ns(*e) == 2'000'000; }));
  auto down = with(doc, "X", "down");
  REQUIRE(down.size() == 1);
  CHECK(end_ns(*down[0]) == 6'000'000);  // closed at run_end
  REQUIRE(with(doc, "X", "regroup round 1").size() == 1);
  CHECK(on(with(doc, "X", "regroup round 1")[0], cpu2));

  // The backup is a backup from its start, and in checkmonitor until it takes over; then it is the primary.
  auto backup_b = with(doc, "X", "backup");
  REQUIRE(backup_b.size() == 1);
  CHECK(on(backup_b[0], backup_role));
  CHECK(ts_ns(*backup_b[0]) == 100'000);
  auto primary_b = with(doc, "X", "primary");
  CHECK(std::count_if(primary_b.begin(), primary_b.end(),
                      [&](auto* e) { return on(e, backup_role) && ts_ns(*e) == 4'500'000; }));
  auto cm = with(doc, "X", "checkmonitor");
  REQUIRE(cm.size() == 1);
  CHECK(end_ns(*cm[0]) == 4'500'000);
  // The client waits for its reply between its send and the reply's arrival.
  auto waits = with(doc, "X", "waiting for $BANK");
  REQUIRE(waits.size() == 2);
  CHECK(end_ns(*with(doc, "X", "waiting for $BANK")[0]) == 1'360'000);

  // Arrows: the first request send → receive → reply → receive; the second goes to the old primary's
  // CPU, which fails, so it runs through the resend to the new primary; a checkpoint from primary to backup.
  std::map<std::int64_t, std::string> flows;
  for (const JsonValue& e : doc.get("traceEvents")->items()) {
    const std::string ph = str(e, "ph");
    if (ph == "s" || ph == "t" || ph == "f") flows[*e.get("id")->as_int()] += str(e, "name") + ":" + ph + " ";
  }
  std::multiset<std::string> shapes;
  for (const auto& [id, s] : flows) shapes.insert(s);
  CHECK(shapes == std::multiset<std::string>{"message:s message:t message:t message:f ",
                                             "message:s message:t message:t message:t message:f ",
                                             "checkpoint:s checkpoint:f ", "checkpoint:s checkpoint:f "});

  // Every line after the metadata is in time order, though the events were not.
  std::int64_t last = -1;
  bool ordered = true;
  for (const JsonValue& e : doc.get("traceEvents")->items()) {
    if (str(e, "ph") == "M") continue;
    ordered = ordered && ts_ns(e) >= last;
    last = ts_ns(e);
  }
  CHECK(ordered);
}

TEST_CASE("perfetto: times are exact microseconds with three decimals, the same text every time", "[perfetto]") {
  std::vector<TraceEvent> ev{TraceEvent(0, "run_start").with("scenario", "t.scn").with("seed", 1).with("cpus", 2),
                             TraceEvent(5, "fault").with("what", "fail cpu 1").with("line", 2),
                             TraceEvent(5, "cpu_state").with("cpu", 1).with("state", "down"),
                             TraceEvent(123'456'789'012, "run_end").with("stopped_early", 0)};
  const std::string text = perfetto_json(ev);
  CHECK(text.find(R"("ts":0.005,)") != std::string::npos);
  CHECK(text.find(R"("ts":123456789.012,)") != std::string::npos);
  CHECK(text.find(R"("ts":0.000,)") != std::string::npos);
  CHECK(perfetto_json(ev) == text);
  CHECK(problems(parse(text)) == std::vector<std::string>{});
}

TEST_CASE("perfetto: every span open at the end of the run ends with it", "[perfetto]") {
  std::vector<TraceEvent> ev{
      TraceEvent(0, "run_start").with("scenario", "t.scn").with("seed", 1).with("cpus", 2),
      proc_event(10, "process_start", 0, 2, "$C").with("program", "c.pasm").with("priority", 150),
      proc_event(20, "send", 0, 2, "$S").with("target", "$S").with("bytes", 4).with("tag", 1),
      TraceEvent(30, "regroup_start").with("cpu", 1).with("round", 1).with("reason", "suspect 0"),
      TraceEvent(40, "disk_op")
          .with("controller", 0)
          .with("volume", "$D")
          .with("cpu", 1)
          .with("op", "read")
          .with("block", 3)
          .with("drive", 0)
          .with("status", "ok")
          .with("done_ns", 900),
      proc_event(50, "request_open", 0, 2, "$C").with("target", "$S").with("sync_id", 1),
      TraceEvent(60, "run_end").with("stopped_early", 1)};
  const JsonValue doc = parse(perfetto_json(ev));
  CHECK(problems(doc) == std::vector<std::string>{});
  for (const char* name : {"running", "waiting for $S", "regroup round 1", "up", "read block 3"}) {
    INFO(name);
    auto e = with(doc, "X", name);
    REQUIRE_FALSE(e.empty());
    CHECK(end_ns(*e.back()) == 60);
  }
  // A trace cut short (no run_end) ends its spans at its last event.
  ev.pop_back();
  const JsonValue cut = parse(perfetto_json(ev));
  CHECK(problems(cut) == std::vector<std::string>{});
  CHECK(end_ns(*with(cut, "X", "running")[0]) == 50);
}

TEST_CASE("perfetto: a CPU that fails ends its processes' spans, nested, at that instant", "[perfetto]") {
  std::vector<TraceEvent> ev{
      TraceEvent(0, "run_start").with("scenario", "t.scn").with("seed", 1).with("cpus", 2),
      proc_event(0, "process_start", 1, 2, "$A").with("program", "a.pasm").with("priority", 150),
      proc_event(0, "process_start", 1, 3, "").with("program", "b.pasm").with("priority", 150),
      proc_event(5, "send", 1, 2, "$A").with("target", "$Z").with("bytes", 4).with("tag", 1),
      TraceEvent(7, "regroup_start").with("cpu", 1).with("round", 1).with("reason", "suspect 0"),
      TraceEvent(9, "cpu_state").with("cpu", 1).with("state", "down"),
      TraceEvent(20, "cpu_state").with("cpu", 1).with("state", "reloading"),
      TraceEvent(30, "cpu_state").with("cpu", 1).with("state", "up"),
      proc_event(40, "process_start", 1, 2, "$A").with("program", "a.pasm").with("priority", 150),
      TraceEvent(50, "run_end").with("stopped_early", 0)};
  const JsonValue doc = parse(perfetto_json(ev));
  CHECK(problems(doc) == std::vector<std::string>{});
  for (const char* name : {"waiting for $Z", "regroup round 1", "running"}) {
    INFO(name);
    REQUIRE_FALSE(with(doc, "X", name).empty());
    CHECK(end_ns(*with(doc, "X", name)[0]) == 9);
  }
  CHECK(with(doc, "X", "reloading").size() == 1);
  // The process started again after the reload is a track of its own; a process that is no pair has no role.
  CHECK(with(doc, "M", "thread_name").size() == 1 + 2 + 2 + 1);  // scenario, 2 CPUs, $A twice, pin 3
  CHECK(with(doc, "X", "primary").empty());
  CHECK(track_named(doc, "pin 3 b.pasm").first == 11);
}

TEST_CASE("perfetto: a checkswitch reverses the roles, and overlapping transfers take lanes", "[perfetto]") {
  std::vector<TraceEvent> ev{
      TraceEvent(0, "run_start").with("scenario", "t.scn").with("seed", 1).with("cpus", 2),
      proc_event(0, "process_start", 0, 2, "$P").with("program", "p.pasm").with("priority", 150),
      proc_event(10, "process_start", 1, 2, "$P").with("program", "p.pasm").with("priority", 150),
      TraceEvent(12, "backup_created").with("pair", "$P").with("cpu", 1).with("pin", 2).with("primary_cpu", 0),
      TraceEvent(20, "checkswitch").with("pair", "$P").with("from_cpu", 0).with("to_cpu", 1),
      TraceEvent(25, "takeover")
          .with("pair", "$P")
          .with("from_cpu", 0)
          .with("to_cpu", 1)
          .with("reason", "checkswitch")
          .with("restart_p", 1)
          .with("checkpoints", 0),
      TraceEvent(26, "checkmonitor").with("pair", "$P").with("cpu", 0).with("pin", 2),
      TraceEvent(30, "checkpoint")
          .with("pair", "$P")
          .with("cpu", 1)
          .with("bytes", 4)
          .with("buffers", 1)
          .with_bool("stack", false)
          .with("seq", 1),
      TraceEvent(40, "disk_op")
          .with("controller", 0)
          .with("volume", "$D")
          .with("cpu", 0)
          .with("op", "write")
          .with("block", 1)
          .with("drive", -1)
          .with("status", "ok")
          .with("done_ns", 80),
      TraceEvent(50, "disk_op")
          .with("controller", 0)
          .with("volume", "$D")
          .with("cpu", 0)
          .with("op", "write")
          .with("block", 2)
          .with("drive", -1)
          .with("status", "ok")
          .with("done_ns", 70),
      TraceEvent(80, "disk_op")
          .with("controller", 0)
          .with("volume", "$D")
          .with("cpu", 0)
          .with("op", "read")
          .with("block", 3)
          .with("drive", 0)
          .with("status", "ok")
          .with("done_ns", 90),
      TraceEvent(100, "run_end").with("stopped_early", 0)};
  const JsonValue doc = parse(perfetto_json(ev));
  CHECK(problems(doc) == std::vector<std::string>{});
  const auto role0 = std::pair{std::int64_t{10}, std::int64_t{10002}};
  const auto role1 = std::pair{std::int64_t{11}, std::int64_t{11002}};
  auto b = with(doc, "X", "backup");
  CHECK(std::count_if(b.begin(), b.end(), [&](auto* e) { return on(e, role0) && ts_ns(*e) == 25; }) == 1);
  CHECK(std::count_if(b.begin(), b.end(), [&](auto* e) { return on(e, role1) && ts_ns(*e) == 10; }) == 1);
  // The checkpoint of the new primary in CPU 1 reaches the old one, its backup now, in CPU 0.
  REQUIRE(with(doc, "X", "checkpoint 1 received").size() == 1);
  CHECK(on(with(doc, "X", "checkpoint 1 received")[0], std::pair{std::int64_t{10}, std::int64_t{10001}}));
  // Block 2's transfer overlaps block 1's: a second lane; block 3 starts as block 1 ends, on the first.
  const auto lane1 = track_named(doc, "controller 0 $D"), lane2 = track_named(doc, "controller 0 $D (2)");
  CHECK(on(with(doc, "X", "write block 1")[0], lane1));
  CHECK(on(with(doc, "X", "write block 2")[0], lane2));
  CHECK(on(with(doc, "X", "read block 3")[0], lane1));
}

TEST_CASE("perfetto: the checker finds what is wrong in a broken file", "[perfetto]") {
  const std::string names = R"({"name":"process_name","ph":"M","pid":1,"tid":0,"args":{"name":"g"}},)"
                            R"({"name":"thread_name","ph":"M","pid":1,"tid":1,"args":{"name":"t"}})";
  auto check_bad = [&](const std::string& events, const std::string& what) {
    INFO(what);
    CHECK_FALSE(problems(parse(R"({"traceEvents":[)" + names + "," + events + "]}")).empty());
  };
  const std::string b = R"({"name":"a","cat":"c","ph":"B","ts":1.000,"pid":1,"tid":1})";
  const std::string e = R"({"name":"a","cat":"c","ph":"E","ts":2.000,"pid":1,"tid":1})";
  CHECK(problems(parse(R"({"traceEvents":[)" + names + "," + b + "," + e + "]}")).empty());
  check_bad(b, "a B without its E");
  check_bad(e, "an E without its B");
  check_bad(R"({"name":"a","cat":"c","ph":"B","ts":3.000,"pid":1,"tid":1},)" + e, "an E before its B");
  check_bad(b + R"(,{"name":"b","cat":"c","ph":"B","ts":1.500,"pid":1,"tid":1},)" + e +
                R"(,{"name":"b","cat":"c","ph":"E","ts":2.500,"pid":1,"tid":1})",
            "spans that overlap");
  check_bad(R"({"name":"m","cat":"m","ph":"s","ts":1.000,"pid":1,"tid":1,"id":7})", "a flow that never ends");
  check_bad(R"({"name":"m","cat":"m","ph":"f","ts":1.000,"pid":1,"tid":1,"id":7})", "a flow that never starts");
  check_bad(R"({"name":"m","cat":"m","ph":"s","ts":2.000,"pid":1,"tid":1,"id":7},)"
            R"({"name":"m","cat":"m","ph":"f","ts":1.000,"pid":1,"tid":1,"id":7})",
            "a flow that ends before it starts");
  check_bad(R"({"name":"i","cat":"c","ph":"i","ts":-1.000,"pid":1,"tid":1,"s":"t"})", "a negative time");
  check_bad(R"({"name":"i","cat":"c","ph":"i","ts":1.000,"pid":1,"tid":1,"s":"x"})", "a bad scope");
  check_bad(R"({"name":"i","cat":"c","ph":"i","ts":1.000,"pid":1,"tid":2,"s":"t"})", "a track with no name");
  check_bad(R"({"name":"x","cat":"c","ph":"X","ts":1.000,"pid":1,"tid":1})", "a complete event without dur");
  const std::string x = R"({"name":"x","cat":"c","ph":"X","ts":1.000,"dur":1.000,"pid":1,"tid":1})";
  CHECK(problems(parse(R"({"traceEvents":[)" + names + "," + x +
                       R"(,{"name":"y","cat":"c","ph":"X","ts":1.000,"dur":0.500,"pid":1,"tid":1})"
                       R"(,{"name":"z","cat":"c","ph":"X","ts":2.000,"dur":1.000,"pid":1,"tid":1}]})"))
            .empty());
  check_bad(x + R"(,{"name":"y","cat":"c","ph":"X","ts":1.500,"dur":1.000,"pid":1,"tid":1})",
            "complete events that overlap");
}
