// The whole bus protocol without a SystemC kernel: a small event loop plays the role of BusSystem.
#include "bus/dynabus.hpp"

#include <algorithm>
#include <catch2/catch.hpp>

using namespace pairsim;
using namespace pairsim::bus;

namespace {

constexpr std::uint64_t kT = 2462;             // one transfer at 13 MB/s
constexpr std::uint64_t kAck = 1'000'000'000;  // default acknowledgement timeout

struct Delivery {
  std::uint64_t t;
  int dst, src;
  std::uint64_t id;
  std::vector<std::uint8_t> payload;
};
struct Failure {
  std::uint64_t t;
  int src, dst;
  std::uint64_t id;
};

struct Recorder : DynabusClient, sim::TraceSink {
  std::uint64_t now = 0;
  std::vector<Delivery> delivered;
  std::vector<Failure> failed;
  std::vector<sim::TraceEvent> events;
  void deliver(int dst, int src, std::uint64_t id, std::vector<std::uint8_t>&& p) override {
    delivered.push_back({now, dst, src, id, std::move(p)});
  }
  void send_failed(int src, int dst, std::uint64_t id) override { failed.push_back({now, src, dst, id}); }
  void on_event(const sim::TraceEvent& e) override { events.push_back(e); }
  std::vector<sim::TraceEvent> of_kind(const std::string& k) const {
    std::vector<sim::TraceEvent> r;
    for (const auto& e : events)
      if (e.kind == k) r.push_back(e);
    return r;
  }
};

struct Rig {
  Recorder rec;
  sim::TraceBus trace;
  Dynabus bus;
  std::vector<std::vector<int>> senders{2};  // per bus, the CPU of each transfer started

  explicit Rig(const BusConfig& c = {}) : bus(c, trace_with(trace, rec), rec) {}
  static const sim::TraceBus& trace_with(sim::TraceBus& t, Recorder& r) {
    t.add_sink(&r);
    return t;
  }
  std::uint64_t send(int src, int dst, std::vector<std::uint8_t> p, SendMode m = SendMode::reliable) {
    return bus.send(rec.now, src, dst, std::move(p), m);
  }
  // What BusSystem does with SystemC events, in time order.
  void run_until(std::uint64_t until) {
    for (;;) {
      for (int i = 0; i < kBusCount; ++i) {
        const auto b = static_cast<BusId>(i);
        if (!bus.busy(b) && bus.start_transfer(b, rec.now) != Dynabus::kNever) senders[i].push_back(bus.view(b).sender);
      }
      const std::uint64_t t = std::min({bus.transfer_end(BusId::x), bus.transfer_end(BusId::y), bus.next_deadline()});
      if (t == Dynabus::kNever || t > until) {
        rec.now = until;
        return;
      }
      rec.now = t;
      for (int i = 0; i < kBusCount; ++i)
        if (bus.transfer_end(static_cast<BusId>(i)) == t) bus.finish_transfer(static_cast<BusId>(i), t);
      bus.run_timers(t);
    }
  }
};

std::vector<std::uint8_t> bytes(std::size_t n) {
  std::vector<std::uint8_t> v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = static_cast<std::uint8_t>(i ^ (i >> 8));
  return v;
}

}  // namespace

TEST_CASE("dynabus: a 2 KiB reliable message alternates over both buses and arrives whole", "[bus][dynabus]") {
  Rig r;
  const auto id = r.send(0, 3, bytes(2048));
  CHECK(id == 1);
  r.run_until(10 * kAck);
  REQUIRE(r.rec.delivered.size() == 1);
  CHECK(r.rec.delivered[0].payload == bytes(2048));
  CHECK(r.rec.delivered[0].src == 0);
  CHECK(r.rec.delivered[0].dst == 3);
  CHECK(r.rec.delivered[0].t == 43 * kT);  // 86 packets, 43 on each bus in parallel
  CHECK(r.bus.packets_delivered(BusId::x) == 43);
  CHECK(r.bus.packets_delivered(BusId::y) == 43);
  CHECK(r.rec.events.empty());
  CHECK(r.bus.messages_in_flight() == 0);
}

TEST_CASE("dynabus: message ids are unique per source; sends to self, out of range or from a dead CPU are refused",
          "[bus][dynabus]") {
  Rig r;
  CHECK(r.send(0, 1, bytes(1)) == 1);
  CHECK(r.send(0, 2, bytes(1)) == 2);
  CHECK(r.send(1, 0, bytes(1)) == 1);
  CHECK(r.send(2, 2, bytes(1)) == 0);
  CHECK(r.send(0, 4, bytes(1)) == 0);
  CHECK(r.send(-1, 0, bytes(1)) == 0);
  r.bus.set_cpu_alive(3, false);
  CHECK(r.send(3, 0, bytes(1)) == 0);
}

TEST_CASE("dynabus: the arbiter interleaves three senders on one bus", "[bus][dynabus]") {
  Rig r;
  for (int k = 0; k < 3; ++k)
    for (int src : {1, 2, 3}) r.send(src, 0, bytes(1), SendMode::both_buses);
  r.run_until(kAck);
  CHECK(r.senders[0] == std::vector<int>{1, 2, 3, 1, 2, 3, 1, 2, 3});
  CHECK(r.rec.delivered.size() == 9);  // each message once although two copies arrived
  CHECK(r.bus.packets_delivered(BusId::x) == 9);
  CHECK(r.bus.packets_delivered(BusId::y) == 9);
}

TEST_CASE("dynabus: an unacknowledged packet is resent on the other bus after the timeout, its path marked down",
          "[bus][dynabus]") {
  Rig r;
  r.bus.fail_bus(BusId::x);
  const auto id = r.send(0, 1, bytes(10));  // one packet; the first reliable packet goes on X
  r.run_until(kAck);
  CHECK(r.rec.delivered.empty());
  r.run_until(3 * kAck);
  REQUIRE(r.rec.delivered.size() == 1);
  CHECK(r.rec.delivered[0].t == kT + kAck + kT);
  CHECK(r.rec.delivered[0].payload == bytes(10));
  const auto resends = r.rec.of_kind("bus_resend");
  REQUIRE(resends.size() == 1);
  CHECK(resends[0].t_ns == kT + kAck);
  CHECK(resends[0].to_json() ==
        "{\"t_ns\":" + std::to_string(kT + kAck) +
            ",\"kind\":\"bus_resend\",\"cpu\":0,\"dst\":1,\"bus\":\"Y\",\"msg\":" + std::to_string(id) + "}");
  // A lost reliable packet is certain news: the path goes down at once and traffic moves to Y.
  const auto down = r.rec.of_kind("path_down");
  REQUIRE(down.size() == 1);
  CHECK(down[0].t_ns == kT + kAck);
  CHECK_FALSE(r.bus.path_up(0, 1, BusId::x));
  CHECK(r.rec.failed.empty());
}

TEST_CASE("dynabus: an acknowledgement on the other bus resends every lost packet at once; a probe brings the "
          "path back",
          "[bus][dynabus]") {
  Rig r;
  r.bus.fail_path(BusId::x, 1);                        // CPU 1's attachment to X
  for (int i = 0; i < 6; ++i) r.send(0, 1, bytes(8));  // alternate X, Y, X, Y, X, Y
  r.run_until(3 * kAck);
  REQUIRE(r.rec.delivered.size() == 6);
  // No acknowledgement timeout was waited for: the first acknowledgement on Y told the sender that the
  // packet on X, which ended at the same moment, was lost.
  CHECK(r.rec.delivered.back().t < 10 * kT);
  const auto down = r.rec.of_kind("path_down");
  REQUIRE(down.size() == 1);
  CHECK(down[0].get_int("cpu") == 0);
  CHECK(down[0].get_int("dst") == 1);
  CHECK(down[0].get_str("bus") == "X");
  CHECK(down[0].t_ns == kT);
  CHECK_FALSE(r.bus.path_up(0, 1, BusId::x));
  CHECK(r.bus.path_up(1, 0, BusId::x));  // CPU 1 has sent nothing: its view is unchanged
  CHECK(r.rec.of_kind("bus_resend").size() == 1);

  // In order, even though the resent one completed after the others were sent.
  for (std::size_t i = 0; i < r.rec.delivered.size(); ++i) CHECK(r.rec.delivered[i].id == i + 1);

  const auto x_before = r.bus.packets_delivered(BusId::x);
  r.send(0, 1, bytes(100));  // 5 packets, all on Y now
  r.run_until(4 * kAck);
  CHECK(r.bus.packets_delivered(BusId::x) == x_before);
  CHECK(r.rec.of_kind("bus_resend").size() == 1);

  r.bus.repair_path(BusId::x, 1);
  r.send(0, 1, bytes(4), SendMode::both_buses);  // the X copy is a probe
  r.run_until(5 * kAck);
  const auto up = r.rec.of_kind("path_up");
  REQUIRE(up.size() == 1);
  CHECK(up[0].get_str("bus") == "X");
  CHECK(r.bus.path_up(0, 1, BusId::x));
  CHECK(r.bus.messages_in_flight() == 0);
}

TEST_CASE("dynabus: a message to a live CPU is never given up, however long both paths are out", "[bus][dynabus]") {
  Rig r;
  r.bus.fail_bus(BusId::x);
  r.bus.fail_bus(BusId::y);
  const auto id = r.send(2, 0, bytes(60));  // 3 packets
  r.run_until(kAck / 2);
  r.run_until(20 * kAck);  // both buses out for 20 acknowledgement timeouts
  CHECK(r.rec.delivered.empty());
  CHECK(r.rec.failed.empty());
  CHECK(r.rec.of_kind("send_failed").empty());
  CHECK(r.rec.of_kind("bus_resend").size() >= 3 * 19);  // each packet retried once per timeout
  CHECK(r.bus.messages_in_flight() == 1);

  r.bus.repair_bus(BusId::y);
  r.run_until(22 * kAck);
  REQUIRE(r.rec.delivered.size() == 1);
  CHECK(r.rec.delivered[0].id == id);
  CHECK(r.rec.delivered[0].payload == bytes(60));
  CHECK(r.rec.failed.empty());
  CHECK(r.bus.messages_in_flight() == 0);

  r.bus.repair_bus(BusId::x);
  r.send(2, 0, bytes(5));
  r.run_until(23 * kAck);
  REQUIRE(r.rec.delivered.size() == 2);
  CHECK(r.rec.delivered[1].id == id + 1);
}

TEST_CASE("dynabus: a reliable message fails only when its receiver died, at the timeout that finds it dead",
          "[bus][dynabus]") {
  Rig r;
  r.bus.set_cpu_alive(1, false);
  const auto id = r.send(0, 1, bytes(30));  // 2 packets
  r.run_until(3 * kAck);
  REQUIRE(r.rec.failed.size() == 1);
  CHECK(r.rec.failed[0].id == id);
  CHECK(r.rec.failed[0].t == kT + kAck);
  const auto f = r.rec.of_kind("send_failed");
  REQUIRE(f.size() == 1);
  CHECK(f[0].to_json() == "{\"t_ns\":" + std::to_string(f[0].t_ns) +
                              ",\"kind\":\"send_failed\",\"cpu\":0,\"dst\":1,\"msg\":" + std::to_string(id) + "}");
  CHECK(r.rec.of_kind("path_down").empty());  // a dead receiver's silence says nothing about the paths
  CHECK(r.bus.messages_in_flight() == 0);
}

TEST_CASE("dynabus: with no path up a reliable send still goes out, as a probe, and arrives once a path is back",
          "[bus][dynabus]") {
  BusConfig c;
  c.path_down_after = 1;
  Rig r(c);
  r.bus.fail_path(BusId::x, 0);
  r.bus.fail_path(BusId::y, 0);
  r.send(0, 1, bytes(1), SendMode::both_buses);
  r.run_until(2 * kAck);
  CHECK_FALSE(r.bus.path_up(0, 1, BusId::x));
  CHECK_FALSE(r.bus.path_up(0, 1, BusId::y));
  CHECK(r.rec.of_kind("path_down").size() == 2);
  CHECK(r.rec.failed.empty());  // both_buses is never reported failed

  const auto id = r.send(0, 1, bytes(1));
  r.run_until(5 * kAck);
  CHECK(r.rec.failed.empty());
  CHECK(r.rec.delivered.empty());
  r.bus.repair_path(BusId::y, 0);
  r.run_until(7 * kAck);
  REQUIRE(r.rec.delivered.size() == 1);
  CHECK(r.rec.delivered[0].id == id);
  CHECK(r.bus.path_up(0, 1, BusId::y));  // the message itself was the probe that brought Y back
  CHECK(r.rec.of_kind("path_up").size() == 1);
}

TEST_CASE("dynabus: both_buses arrives once over whichever bus works and is never resent", "[bus][dynabus]") {
  Rig r;
  r.bus.fail_bus(BusId::y);
  r.send(3, 2, bytes(50), SendMode::both_buses);
  r.run_until(10 * kAck);
  REQUIRE(r.rec.delivered.size() == 1);
  CHECK(r.rec.delivered[0].payload == bytes(50));
  CHECK(r.rec.of_kind("bus_resend").empty());
  CHECK(r.rec.failed.empty());
  CHECK(r.bus.packets_delivered(BusId::y) == 0);
}

TEST_CASE("dynabus: a dead CPU neither receives nor sends, and starts clean when it comes back", "[bus][dynabus]") {
  Rig r;
  r.send(0, 1, bytes(100));  // 5 packets in flight when CPU 1 dies
  r.run_until(2 * kT);
  r.bus.set_cpu_alive(1, false);
  r.send(0, 1, bytes(3));
  r.send(1, 0, bytes(3));  // refused
  r.run_until(5 * kAck);
  CHECK(r.rec.delivered.empty());
  REQUIRE(r.rec.failed.size() == 2);  // the sender learns by timeouts
  // The two resends crossed buses, so message 2's second attempt ended first.
  CHECK(r.rec.failed[0].id + r.rec.failed[1].id == 3);
  CHECK(r.rec.failed[0].id != r.rec.failed[1].id);

  r.bus.set_cpu_alive(1, true);
  r.send(0, 1, bytes(30));
  r.send(1, 0, bytes(30));
  r.run_until(6 * kAck);
  REQUIRE(r.rec.delivered.size() == 2);
  CHECK(r.bus.messages_in_flight() == 0);
}

TEST_CASE("dynabus: a sender that dies drops its queued packets and its half-sent messages", "[bus][dynabus]") {
  Rig r;
  r.send(2, 0, bytes(2048));
  r.send(2, 1, bytes(10), SendMode::both_buses);
  r.run_until(10 * kT);
  r.bus.set_cpu_alive(2, false);
  r.run_until(3 * kAck);
  CHECK(r.rec.delivered.empty());
  CHECK(r.rec.failed.empty());  // nobody is told: the sender is dead
  CHECK(r.bus.messages_in_flight() == 0);
  CHECK(r.bus.packets_delivered(BusId::x) + r.bus.packets_delivered(BusId::y) == 20);

  r.bus.set_cpu_alive(2, true);
  const auto id = r.send(2, 0, bytes(2048));
  CHECK(id == 3);  // ids stay unique across the CPU's lives
  r.run_until(4 * kAck);
  REQUIRE(r.rec.delivered.size() == 1);
  CHECK(r.rec.delivered[0].payload == bytes(2048));
}

TEST_CASE("dynabus: a callback may send from inside a delivery", "[bus][dynabus]") {
  struct Echo : DynabusClient {
    Dynabus* bus = nullptr;
    int received = 0;
    void deliver(int dst, int src, std::uint64_t, std::vector<std::uint8_t>&& p) override {
      ++received;
      if (received < 10) bus->send(0, dst, src, std::move(p), SendMode::reliable);
    }
    void send_failed(int, int, std::uint64_t) override {}
  } echo;
  sim::TraceBus trace;
  Dynabus bus(BusConfig{}, trace, echo);
  echo.bus = &bus;
  bus.send(0, 0, 1, bytes(30), SendMode::reliable);
  std::uint64_t now = 0;
  for (int guard = 0; guard < 100; ++guard) {
    for (auto b : {BusId::x, BusId::y})
      if (!bus.busy(b)) bus.start_transfer(b, now);
    now = std::min(bus.transfer_end(BusId::x), bus.transfer_end(BusId::y));
    if (now == Dynabus::kNever) break;
    for (auto b : {BusId::x, BusId::y})
      if (bus.transfer_end(b) == now) bus.finish_transfer(b, now);
  }
  CHECK(echo.received == 10);
}

TEST_CASE("dynabus: a bad configuration is refused with a sentence", "[bus][dynabus]") {
  Recorder rec;
  sim::TraceBus trace;
  BusConfig c;
  c.cpus = 20;
  CHECK_THROWS_AS(Dynabus(c, trace, rec), std::invalid_argument);
}
