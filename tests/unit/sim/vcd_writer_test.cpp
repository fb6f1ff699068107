#include <catch2/catch.hpp>

#include <set>
#include <sstream>
#include <stdexcept>
#include <string>

#include "sim/trace/vcd_writer.hpp"

using namespace pairsim::sim;

namespace {

std::string written(VcdWriter& w, std::uint64_t end_ns) {
  std::ostringstream out;
  w.write(out, end_ns);
  return out.str();
}

// The part after the header.
std::string body(const std::string& vcd) {
  const std::string mark = "$enddefinitions $end\n";
  return vcd.substr(vcd.find(mark) + mark.size());
}

}  // namespace

TEST_CASE("the VCD header is fixed: no date, pairsim's version, a 1 ns time scale, nested scopes", "[vcd]") {
  VcdWriter w("1.2.3", "pairsim run demo.scn --seed 1");
  w.declare({"top.cpu0.state", 2, VcdShow::names, "cpu-state", {"up", "down", "halted", "reloading"}, "CPUs", "", 0});
  w.declare({"top.cpu0.imalive", 1, VcdShow::bit, "", {}, "CPUs", "", 0});
  w.declare({"top.bus.x.busy", 1, VcdShow::bit, "", {}, "buses", "", 0});
  w.declare({"top.cpu1.state", 2, VcdShow::names, "cpu-state", {"up", "down"}, "CPUs", "", 0});
  const std::string vcd = written(w, 10);
  CHECK(vcd.find("$date") == std::string::npos);
  CHECK(vcd.rfind("$comment\n\tpairsim run demo.scn --seed 1\n$end\n"
                  "$version\n\tpairsim 1.2.3\n$end\n"
                  "$timescale\n\t1 ns\n$end\n",
                  0) == 0);
  // Each scope once, in the order the signals first name them; a signal's scope holds it.
  CHECK(vcd.find("$scope module top $end\n"
                 "$scope module cpu0 $end\n"
                 "$var wire 2 ! state [1:0] $end\n"
                 "$var wire 1 \" imalive $end\n"
                 "$upscope $end\n"
                 "$scope module bus $end\n"
                 "$scope module x $end\n"
                 "$var wire 1 # busy $end\n"
                 "$upscope $end\n"
                 "$upscope $end\n"
                 "$scope module cpu1 $end\n"
                 "$var wire 2 $ state [1:0] $end\n"
                 "$upscope $end\n"
                 "$upscope $end\n"
                 "$enddefinitions $end\n") != std::string::npos);
}

TEST_CASE("VCD identifiers are short, printable and distinct", "[vcd]") {
  CHECK(VcdWriter::code(0) == "!");
  CHECK(VcdWriter::code(93) == "~");
  CHECK(VcdWriter::code(94) == "!!");
  CHECK(VcdWriter::code(95) == "\"!");
  std::set<std::string> seen;
  for (VcdWriter::Signal s = 0; s < 20000; ++s) {
    const std::string c = VcdWriter::code(s);
    for (char ch : c) REQUIRE((ch >= '!' && ch <= '~'));
    REQUIRE(seen.insert(c).second);
  }
}

TEST_CASE("changes made out of time order are written in time order; the last one of an instant wins", "[vcd]") {
  VcdWriter w("t", "t");
  const auto a = w.declare({"top.a", 1, VcdShow::bit, "", {}, "g", "", 0});
  const auto n = w.declare({"top.n", 8, VcdShow::number, "", {}, "g", "", 0});
  w.change(a, 300, 1);  // a CPU ahead of the rest
  w.change(n, 100, 5);
  w.change(n, 200, 7);
  w.change(n, 200, 6);  // later at the same instant: wins
  w.change(a, 250, 0);  // the value it has: nothing written
  w.change(n, 400, 6);
  w.change(n, 400, 6);
  CHECK(body(written(w, 1000)) ==
        "#0\n$dumpvars\n0!\nb0 \"\n$end\n"
        "#100\nb101 \"\n"
        "#200\nb110 \"\n"
        "#300\n1!\n"
        "#1000\n");
}

TEST_CASE("changes at time 0 become the values $dumpvars gives", "[vcd]") {
  VcdWriter w("t", "t");
  const auto a = w.declare({"top.a", 1, VcdShow::bit, "", {}, "g", "", 1});
  const auto b = w.declare({"top.b", 1, VcdShow::bit, "", {}, "g", "", 0});
  w.change(b, 0, 1);
  w.change(a, 5, 1);                                                   // no change: it is 1 from the start
  CHECK(body(written(w, 5)) == "#0\n$dumpvars\n1!\n1\"\n$end\n#5\n");  // and the run's end
}

TEST_CASE("value formats: bits, numbers, signed numbers and CPU sets", "[vcd]") {
  VcdWriter w("t", "t");
  const auto bit = w.declare({"top.bit", 1, VcdShow::bit, "", {}, "g", "", 0});
  const auto num = w.declare({"top.num", 32, VcdShow::number, "", {}, "g", "", 0});
  const auto cpu = w.declare({"top.cpu", 5, VcdShow::signed_number, "", {}, "g", "", -1});
  const auto big = w.declare({"top.big", 32, VcdShow::signed_number, "", {}, "g", "", 0});
  const auto set = w.declare({"top.set", 4, VcdShow::cpu_set, "", {}, "g", "", 0xF});
  w.change(bit, 1, 1);
  w.change(num, 1, 4000000000LL);
  w.change(cpu, 1, 3);
  w.change(big, 1, -2);
  w.change(set, 1, 0b1011);  // CPUs 0, 1 and 3
  const std::string vcd = written(w, 1);
  CHECK(vcd.find("$var wire 32 \" num [31:0] $end\n") != std::string::npos);
  CHECK(vcd.find("$var wire 5 # cpu [4:0] $end\n") != std::string::npos);
  CHECK(vcd.find("$var integer 32 $ big $end\n") != std::string::npos);  // a 32-bit signed number
  CHECK(vcd.find("$var wire 4 % set [0:3] $end\n") != std::string::npos);
  CHECK(body(vcd) ==
        "#0\n$dumpvars\n0!\nb0 \"\nb11111 #\nb0 $\nb1111 %\n$end\n"
        "#1\n1!\nb11101110011010110010100000000000 \"\nb11 #\nb11111111111111111111111111111110 $\nb1101 %\n");
  CHECK(w.reference(set) == "top.set[0:3]");
  CHECK(w.reference(cpu) == "top.cpu[4:0]");
  CHECK(w.reference(bit) == "top.bit");
}

TEST_CASE("a declaration the file cannot hold is refused", "[vcd]") {
  VcdWriter w("t", "t");
  CHECK_THROWS_AS(w.declare({"top.wide", 33, VcdShow::number, "", {}, "g", "", 0}), std::invalid_argument);
  CHECK_THROWS_AS(w.declare({"top.none", 0, VcdShow::number, "", {}, "g", "", 0}), std::invalid_argument);
  CHECK_THROWS_AS(w.declare({"noscope", 1, VcdShow::bit, "", {}, "g", "", 0}), std::invalid_argument);
  // A space would end the name early: it becomes '_'.
  const auto s = w.declare({"top.two words", 1, VcdShow::bit, "", {}, "g", "", 0});
  CHECK(w.reference(s) == "top.two_words");
}

TEST_CASE("the same changes give the same bytes, whatever order they came in at other instants", "[vcd]") {
  auto make = [](bool reversed) {
    VcdWriter w("t", "t");
    const auto a = w.declare({"top.a", 8, VcdShow::number, "", {}, "g", "", 0});
    const auto b = w.declare({"top.b", 1, VcdShow::bit, "", {}, "g", "", 0});
    for (int k = 0; k < 100; ++k) {
      const int i = reversed ? 99 - k : k;
      w.change(a, static_cast<std::uint64_t>(i) * 10, i);
      w.change(b, static_cast<std::uint64_t>(i) * 10 + 5, i % 2);
    }
    return written(w, 2000);
  };
  CHECK(make(false) == make(false));
  CHECK(make(false) == make(true));
}
