#include <catch2/catch.hpp>

#include <cmath>
#include <sstream>
#include <string>

#include "sim/trace/trace_bus.hpp"
#include "sim/trace/vcd_writer.hpp"
#include "sim/view/gtkw_writer.hpp"
#include "sim/view/vcd_membership.hpp"
#include "sim/view/vcd_pairs.hpp"

using namespace pairsim::sim;

namespace {

std::string body(VcdWriter& w, std::uint64_t end_ns) {
  std::ostringstream out;
  w.write(out, end_ns);
  const std::string vcd = out.str(), mark = "$enddefinitions $end\n";
  return vcd.substr(vcd.find(mark) + mark.size());
}

std::string code_of(const VcdWriter& w, const std::string& path) {
  for (VcdWriter::Signal s = 0; s < w.signals().size(); ++s)
    if (w.signals()[s].path == path) return VcdWriter::code(s);
  return "";
}

bool declared(const VcdWriter& w, const std::string& path) {
  return !code_of(w, path).empty();
}

}  // namespace

TEST_CASE("the save file names its VCD and filters relatively, groups the signals and marks the faults",
          "[vcd][gtkw]") {
  VcdWriter w("t", "t");
  w.declare({"top.bus.x.busy", 1, VcdShow::bit, "", {}, "buses", "bus X busy", 0});
  w.declare({"top.cpu0.state", 2, VcdShow::names, "cpu-state", {"up", "down"}, "CPUs", "cpu0 state", 0});
  w.declare({"top.cpu1.state", 2, VcdShow::names, "cpu-state", {"up", "down"}, "CPUs", "cpu1 state", 0});
  w.declare({"top.pairs.A.primary_cpu", 5, VcdShow::signed_number, "", {}, "pair $A", "", -1});
  w.declare({"top.cpu0.members", 2, VcdShow::cpu_set, "", {}, "membership", "cpu0 members", 3});
  GtkwLayout layout{"run.vcd", "run.gtkw", "pairsim run x.scn --seed 1", 500'000'000};
  WaveMarkers markers;
  markers.on_event(TraceEvent(300, "takeover")
                       .with("pair", "$A")
                       .with("from_cpu", 1)
                       .with("to_cpu", 2)
                       .with("reason", "processor failed"));
  markers.on_event(TraceEvent(100, "fault").with("what", "fail cpu 1").with("line", 3));
  markers.on_event(TraceEvent(200, "output").with("text", "not a marker"));
  const auto files = gtkw_files(w, layout, markers.markers());

  REQUIRE(files.size() == 2);  // the save file and one filter, shared by both CPUs' state
  const std::string& g = files[0].text;
  CHECK(files[0].name == "run.gtkw");
  CHECK(files[1].name == "run.gtkw.cpu-state.txt");
  CHECK(files[1].text.find("\n0 up\n1 ?red?down\n") != std::string::npos);
  // With its own name as [savefile], GTKWave looks for the VCD and the filters beside the save file.
  CHECK(g.find("[dumpfile] \"run.vcd\"\n[savefile] \"run.gtkw\"\n") != std::string::npos);
  CHECK(g.find('/') == std::string::npos);  // no folder anywhere: the files move together
  CHECK(g.find("[markername] Afail cpu 1\n[markername] Btakeover $A cpu 1 -> 2\n") != std::string::npos);
  CHECK(g.find(" -1 100 300 -1 ") != std::string::npos);  // no primary marker, then A and B
  // Groups in their order, whatever the order the signals were declared in.
  const auto cpus = g.find("-CPUs\n"), membership = g.find("-membership\n"), pair = g.find("-pair $A\n"),
             buses = g.find("-buses\n");
  CHECK((cpus < membership && membership < pair && pair < buses && buses != std::string::npos));
  CHECK(g.find("@800200\n-CPUs\n@2004\n^1 run.gtkw.cpu-state.txt\n+{cpu0 state} top.cpu0.state[1:0]\n"
               "^1 run.gtkw.cpu-state.txt\n+{cpu1 state} top.cpu1.state[1:0]\n@1000200\n-CPUs\n") != std::string::npos);
  CHECK(g.find("@404\ntop.pairs.A.primary_cpu[4:0]\n") != std::string::npos);  // signed decimal
  CHECK(g.find("@8\n+{cpu0 members} top.cpu0.members[0:1]\n") != std::string::npos);
}

TEST_CASE("the save file's zoom shows the whole run", "[vcd][gtkw]") {
  // GTKWave 3.3.118's own "zoom full" of a 500 ms run, 571 pixels of wave area, saved -27.386391.
  CHECK(std::abs(gtkw_zoom(500'000'000, 571) - -27.386391) < 0.01);
  CHECK(gtkw_zoom(1'000'000, 1000) > gtkw_zoom(1'000'000'000, 1000));  // a shorter run, zoomed in further
}

TEST_CASE("only 26 markers: GTKWave names A to Z", "[vcd][gtkw]") {
  VcdWriter w("t", "t");
  w.declare({"top.a", 1, VcdShow::bit, "", {}, "CPUs", "", 0});
  WaveMarkers markers;
  for (int i = 0; i < 30; ++i) markers.on_event(TraceEvent(static_cast<std::uint64_t>(i), "fault").with("what", "f"));
  const std::string g = gtkw_files(w, {"r.vcd", "r.gtkw", "t", 100}, markers.markers())[0].text;
  CHECK(g.find("[markername] Zf\n") != std::string::npos);
  CHECK(g.find("[markername] [") == std::string::npos);
}

TEST_CASE("each CPU's view of the membership follows its regroup events", "[vcd][membership]") {
  VcdWriter w("t", "t");
  MembershipSignals m(w, 3);
  TraceBus bus;
  bus.add_sink(&m);
  bus.emit(TraceEvent(100, "cpu_state").with("cpu", 2).with("state", "down"));
  bus.emit(TraceEvent(200, "suspect").with("cpu", 0).with("suspect", 2));
  bus.emit(TraceEvent(210, "regroup_start").with("cpu", 0).with("round", 1).with("reason", "x"));
  bus.emit(TraceEvent(220, "regroup_wait").with("cpu", 0).with("round", 1).with("waiting", "2"));
  bus.emit(TraceEvent(300, "regroup_end").with("cpu", 0).with("round", 1).with("members", "0,1"));
  bus.emit(TraceEvent(300, "declared_down").with("cpu", 2).with("declared_by", 0));
  bus.emit(TraceEvent(400, "cpu_state").with("cpu", 2).with("state", "reloading"));
  bus.emit(TraceEvent(500, "declared_up").with("cpu", 2).with("declared_by", 0));
  const std::string members = code_of(w, "top.cpu0.members"), down2 = code_of(w, "top.cpu2.members"),
                    stage = code_of(w, "top.cpu0.regroup"), suspects = code_of(w, "top.cpu0.suspects"),
                    declared = code_of(w, "top.cpu0.declared_down");
  const std::string b = body(w, 600);
  CHECK(b.find("#100\nb000 " + down2 + "\n") != std::string::npos);  // a CPU that is down believes nothing
  CHECK(b.find("#200\nb001 " + suspects + "\n") != std::string::npos);
  CHECK(b.find("#210\nb1 " + stage + "\n") != std::string::npos);
  CHECK(b.find("#220\nb10 " + stage + "\n") != std::string::npos);
  CHECK(b.find("#300\nb110 " + members + "\nb0 " + stage + "\nb000 " + suspects + "\nb001 " + declared + "\n") !=
        std::string::npos);
  CHECK(b.find("#500\nb000 " + declared + "\n") != std::string::npos);
}

TEST_CASE("pairs are under pairs, plain processes under processes, and the halves follow the summary's rules",
          "[vcd][pairs]") {
  VcdWriter w("t", "t");
  PairSignals p(4);
  TraceBus bus;
  bus.add_sink(&p);
  bus.emit(TraceEvent(10, "process_start").with("cpu", 1).with("pin", 3).with("process", "$COUNT"));
  bus.emit(TraceEvent(12, "process_start").with("cpu", 0).with("pin", 4).with("process", "$CLIENT"));
  bus.emit(TraceEvent(11, "process_start").with("cpu", 3).with("pin", 5).with("process", ""));  // unnamed
  // The backup's start comes first from a CPU that ran ahead: the events are played in time order.
  bus.emit(
      TraceEvent(30, "backup_created").with("pair", "$COUNT").with("cpu", 2).with("pin", 3).with("primary_cpu", 1));
  bus.emit(TraceEvent(20, "process_start").with("cpu", 2).with("pin", 3).with("process", "$COUNT"));
  bus.emit(TraceEvent(40, "checkpoint").with("pair", "$COUNT").with("cpu", 1));
  bus.emit(TraceEvent(50, "checkpoint").with("pair", "$COUNT").with("cpu", 1));
  bus.emit(TraceEvent(100, "cpu_state").with("cpu", 1).with("state", "down"));
  bus.emit(TraceEvent(300, "takeover")
               .with("pair", "$COUNT")
               .with("from_cpu", 1)
               .with("to_cpu", 2)
               .with("reason", "processor failed"));
  bus.emit(TraceEvent(350, "process_stop").with("cpu", 0).with("pin", 4).with("process", "$CLIENT").with("exit", 0));
  p.write(w, 2000);

  CHECK(declared(w, "top.pairs.COUNT.primary_cpu"));
  CHECK(declared(w, "top.pairs.COUNT.takeover"));
  CHECK(declared(w, "top.processes.CLIENT.cpu"));
  CHECK_FALSE(declared(w, "top.pairs.CLIENT.primary_cpu"));
  CHECK_FALSE(declared(w, "top.processes.COUNT.cpu"));
  for (const auto& s : w.signals()) CHECK(s.path.find("top.processes..") == std::string::npos);

  const std::string primary = code_of(w, "top.pairs.COUNT.primary_cpu"),
                    backup = code_of(w, "top.pairs.COUNT.backup_cpu"), state = code_of(w, "top.pairs.COUNT.state"),
                    ck = code_of(w, "top.pairs.COUNT.checkpoints"), pulse = code_of(w, "top.pairs.COUNT.takeover"),
                    client = code_of(w, "top.processes.CLIENT.state"),
                    client_cpu = code_of(w, "top.processes.CLIENT.cpu");
  const std::string b = body(w, 2000);
  CHECK(b.find("#10\nb1 " + primary + "\nb10 " + state + "\n") != std::string::npos);  // no backup yet
  CHECK(b.find("#30\nb10 " + backup + "\nb1 " + state + "\n") != std::string::npos);   // ok
  CHECK(b.find("#50\nb10 " + ck + "\n") != std::string::npos);
  CHECK(b.find("#100\nb11111 " + primary + "\nb11 " + state + "\n") != std::string::npos);  // taking over
  CHECK(b.find("#300\n1" + pulse + "\nb10 " + primary + "\nb11111 " + backup + "\nb10 " + state + "\n") !=
        std::string::npos);
  CHECK(b.find("#310\n0" + pulse + "\n") != std::string::npos);  // the pulse: 1/200 of the run
  CHECK(b.find("#350\nb11111 " + client_cpu + "\nb10 " + client + "\n") != std::string::npos);  // stopped
}
