// Tier 2: each TEST_CASE elaborates one small model and simulates it. SystemC elaborates once per process,
// so ctest runs every test case in a process of its own (catch_discover_tests); no SECTION or GENERATE here.
#include <catch2/catch.hpp>

#include <algorithm>
#include <functional>
#include <systemc>
#include <vector>

#include "bus/bus_system.hpp"
#include "sim/machine.hpp"
#include "sim/program_library.hpp"
#include "sim/run_record.hpp"

namespace {

using pairsim::bus::BusId;
using pairsim::bus::BusSystem;
using pairsim::bus::SendMode;

std::uint64_t now_ns() {
  return static_cast<std::uint64_t>(sc_core::sc_time_stamp().value() / sc_core::sc_time(1, sc_core::SC_NS).value());
}

// Every test starts from a kernel nobody has elaborated into or run.
void require_fresh_kernel() {
  REQUIRE(sc_core::sc_get_top_level_objects().empty());
  REQUIRE(sc_core::sc_time_stamp() == sc_core::SC_ZERO_TIME);
}

struct Arrival {
  int src;
  std::size_t bytes;
  std::uint64_t t_ns;
};

class Recorder : public pairsim::bus::BusListener {
 public:
  void on_message(int src, std::uint64_t, std::vector<std::uint8_t>&& payload) override {
    arrivals.push_back({src, payload.size(), now_ns()});
  }
  void on_send_failed(int, std::uint64_t) override { ++failed; }
  std::vector<Arrival> arrivals;
  int failed = 0;
};

class Events : public pairsim::sim::TraceSink {
 public:
  void on_event(const pairsim::sim::TraceEvent& e) override { kinds.push_back(e.kind); }
  std::size_t count(const std::string& k) const {
    return static_cast<std::size_t>(std::count(kinds.begin(), kinds.end(), k));
  }
  std::vector<std::string> kinds;
};

// Runs `body` once, at time 0, in a thread of its own (sends and faults need a SystemC process).
class Script : public sc_core::sc_module {
 public:
  SC_HAS_PROCESS(Script);
  Script(sc_core::sc_module_name n, std::function<void()> body) : sc_module(n), body_(std::move(body)) {
    SC_THREAD(run);
  }

 private:
  void run() { body_(); }
  std::function<void()> body_;
};

}  // namespace

TEST_CASE("a two-packet message crosses the buses in one packet time, one packet on each bus", "[sc][bus]") {
  require_fresh_kernel();
  pairsim::sim::TraceBus trace;
  pairsim::bus::BusConfig cfg;
  cfg.cpus = 2;
  BusSystem bus("bus", cfg, trace);
  Recorder r0, r1;
  bus.attach(0, &r0);
  bus.attach(1, &r1);
  Script s("script", [&] { bus.send(0, 1, std::vector<std::uint8_t>(48, 7), SendMode::reliable); });
  sc_core::sc_start(sc_core::sc_time(1, sc_core::SC_MS));
  REQUIRE(r1.arrivals.size() == 1);
  CHECK(r1.arrivals[0].src == 0);
  CHECK(r1.arrivals[0].bytes == 48);
  CHECK(r1.arrivals[0].t_ns == pairsim::bus::packet_transfer_ns(cfg));
  CHECK(bus.packets_delivered(BusId::x) == 1);
  CHECK(bus.packets_delivered(BusId::y) == 1);
  CHECK(r0.arrivals.empty());
}

TEST_CASE("with bus X failed, packets are resent on Y after the acknowledgement timeout", "[sc][bus]") {
  require_fresh_kernel();
  pairsim::sim::TraceBus trace;
  Events events;
  trace.add_sink(&events);
  pairsim::bus::BusConfig cfg;
  cfg.cpus = 2;
  cfg.ack_timeout_ns = 1'000'000;
  BusSystem bus("bus", cfg, trace);
  Recorder r0, r1;
  bus.attach(0, &r0);
  bus.attach(1, &r1);
  Script s("script", [&] {
    bus.fail_bus(BusId::x);
    for (int i = 0; i < 4; ++i)
      bus.send(0, 1, std::vector<std::uint8_t>(16, static_cast<std::uint8_t>(i)), SendMode::reliable);
  });
  sc_core::sc_start(sc_core::sc_time(50, sc_core::SC_MS));
  REQUIRE(r1.arrivals.size() == 4);  // nothing lost ...
  CHECK(r1.failed == 0);
  CHECK(events.count("bus_resend") >= 1);  // ... because what went to X was sent again on Y
  CHECK(r1.arrivals.back().t_ns >= cfg.ack_timeout_ns);
  CHECK(bus.packets_delivered(BusId::x) == 0);
  CHECK(bus.packets_delivered(BusId::y) == 4);
}

TEST_CASE("a machine's survivors each declare a failed CPU down within three heartbeats", "[sc][machine]") {
  require_fresh_kernel();
  pairsim::sim::MachineConfig m;
  m.cpus = 3;
  m.heartbeat_ns = 100'000'000;
  pairsim::sim::TraceBus trace;
  pairsim::sim::RunRecord record(m.cpus);
  trace.add_sink(&record);
  pairsim::sim::ProgramLibrary programs(".", PAIRSIM_SOURCE_DIR);
  pairsim::sim::Machine machine("top", m, trace, programs);
  Script s("script", [&] {
    sc_core::wait(sc_core::sc_time(150, sc_core::SC_MS));
    machine.cpu(2).fail();
  });
  sc_core::sc_start(sc_core::sc_time(1, sc_core::SC_SEC));
  CHECK(record.cpu_states() == std::vector<std::string>{"up", "up", "down"});
  REQUIRE(record.detections().size() == 2);
  for (const auto& d : record.detections()) {
    CHECK(d.cpu == 2);
    REQUIRE(d.failure_ns);
    CHECK(*d.failure_ns == 150'000'000u);
    CHECK(d.declared_ns - *d.failure_ns >= m.heartbeat_ns);
    CHECK(d.declared_ns - *d.failure_ns <= 3 * m.heartbeat_ns);
  }
  CHECK(record.halts().empty());
}
