// Tier 2: each TEST_CASE elaborates one small model and simulates it. SystemC elaborates once per process,
// so ctest runs every test case in a process of its own (catch_discover_tests); no SECTION or GENERATE here.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <functional>
#include <memory>
#include <systemc>
#include <vector>

#include "bus/bus_system.hpp"
#include "sim/run/machine.hpp"
#include "sim/run/program_library.hpp"
#include "sim/report/run_record.hpp"

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

TEST_CASE("with bus X failed, packets are resent on Y as soon as Y acknowledges a later one", "[sc][bus]") {
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
  // ... without waiting for the acknowledgement timeout: Y's acknowledgement of the next packet told the
  // sender that the one on X was lost.
  CHECK(r1.arrivals.back().t_ns < cfg.ack_timeout_ns);
  CHECK(events.count("path_down") == 1);
  CHECK(bus.packets_delivered(BusId::x) == 0);
  CHECK(bus.packets_delivered(BusId::y) == 4);
}

// Answers every message with one of a size derived from it, from inside the delivery (as a listener may).
class Echoer : public pairsim::bus::BusListener {
 public:
  Echoer(BusSystem& bus, int self, std::vector<Arrival>& log) : bus_(bus), self_(self), log_(log) {}
  void on_message(int src, std::uint64_t, std::vector<std::uint8_t>&& payload) override {
    log_.push_back({src * 100 + self_, payload.size(), now_ns()});
    if (payload.size() > 1) payload.resize(payload.size() * 2 / 3);
    if (payload.size() > 1) bus_.send(self_, src, std::move(payload), SendMode::reliable);
  }
  void on_send_failed(int, std::uint64_t) override {}

 private:
  BusSystem& bus_;
  int self_;
  std::vector<Arrival>& log_;
};

TEST_CASE("the bus gives the same arrivals with a waveform as without, and the waveform has every transfer",
          "[sc][bus]") {
  require_fresh_kernel();
  pairsim::sim::TraceBus trace;
  pairsim::bus::BusConfig cfg;
  cfg.cpus = 6;
  cfg.ack_timeout_ns = 100'000;
  BusSystem lazy("lazy", cfg, trace);
  BusSystem exact("exact", cfg, trace);
  pairsim::sim::VcdWriter vcd("test", "models_test");  // the bus reports every transfer to a waveform
  exact.trace(vcd);
  std::vector<Arrival> lazy_log, exact_log;
  std::vector<std::unique_ptr<Echoer>> echoers;
  for (int c = 0; c < cfg.cpus; ++c) {
    echoers.push_back(std::make_unique<Echoer>(lazy, c, lazy_log));
    lazy.attach(c, echoers.back().get());
    echoers.push_back(std::make_unique<Echoer>(exact, c, exact_log));
    exact.attach(c, echoers.back().get());
  }
  Script s("script", [&] {
    for (int round = 0; round < 20; ++round) {
      for (int src = 0; src < cfg.cpus; ++src) {
        const int dst = (src + 1 + round % (cfg.cpus - 1)) % cfg.cpus;
        const std::size_t bytes = 1 + static_cast<std::size_t>((round * 37 + src * 11) % 300);
        // Some now, some stamped ahead of the kernel's time, as a CPU running ahead sends.
        const std::uint64_t at = now_ns() + (src % 2 ? 0 : static_cast<std::uint64_t>(round * 500));
        for (BusSystem* b : {&lazy, &exact})
          b->send_at(at, src, dst, std::vector<std::uint8_t>(bytes, static_cast<std::uint8_t>(src)),
                     SendMode::reliable);
      }
      if (round == 10)
        for (BusSystem* b : {&lazy, &exact}) b->fail_bus(BusId::y);
      if (round == 15)
        for (BusSystem* b : {&lazy, &exact}) b->repair_bus(BusId::y);
      sc_core::wait(sc_core::sc_time(40, sc_core::SC_US));
    }
  });
  sc_core::sc_start(sc_core::sc_time(50, sc_core::SC_MS));
  exact.finish_waveform();
  // Each transfer: busy and sender at its start and at its end (4 changes); every packet delivered had one.
  std::uint64_t packets = 0;
  for (auto b : {BusId::x, BusId::y}) packets += exact.packets_delivered(b);
  CHECK(vcd.change_count() >= 4 * packets);
  REQUIRE(lazy_log.size() > 100);
  REQUIRE(lazy_log.size() == exact_log.size());
  for (std::size_t i = 0; i < lazy_log.size(); ++i) {
    INFO("arrival " << i);
    CHECK(lazy_log[i].src == exact_log[i].src);
    CHECK(lazy_log[i].bytes == exact_log[i].bytes);
    CHECK(lazy_log[i].t_ns == exact_log[i].t_ns);
  }
  CHECK(lazy.late_results() == 0);
  CHECK(exact.late_results() == 0);
  for (auto b : {BusId::x, BusId::y}) CHECK(lazy.packets_delivered(b) == exact.packets_delivered(b));
}

TEST_CASE("a message stamped ahead of the kernel's time leaves then, and not at all if its CPU fails first",
          "[sc][bus]") {
  require_fresh_kernel();
  pairsim::sim::TraceBus trace;
  pairsim::bus::BusConfig cfg;
  cfg.cpus = 3;
  BusSystem bus("bus", cfg, trace);
  Recorder r0, r1, r2;
  bus.attach(0, &r0);
  bus.attach(1, &r1);
  bus.attach(2, &r2);
  Script s("script", [&] {
    CHECK(bus.send_at(10'000, 0, 1, std::vector<std::uint8_t>(10, 1), SendMode::reliable) == 1);
    CHECK(bus.send_at(10'000, 2, 1, std::vector<std::uint8_t>(10, 2), SendMode::reliable) == 1);
    sc_core::wait(sc_core::sc_time(5, sc_core::SC_US));
    bus.set_cpu_alive(2, false);  // before its message's time
  });
  sc_core::sc_start(sc_core::sc_time(1, sc_core::SC_MS));
  REQUIRE(r1.arrivals.size() == 1);
  CHECK(r1.arrivals[0].src == 0);
  CHECK(r1.arrivals[0].t_ns == 10'000 + pairsim::bus::packet_transfer_ns(cfg));
  CHECK(bus.late_results() == 0);
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
