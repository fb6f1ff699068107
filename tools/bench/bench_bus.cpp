// Bus throughput: two CPUs keep buses X and Y saturated by echoing 32-byte messages back and forth.
//   bench_bus [simulated-seconds=2] [reliable|both]
// "reliable" sends 32-byte reliable messages (2 packets each, alternating over X and Y); "both" sends
// 16-byte both_buses messages (one packet, a copy on each bus), the I'm-alive pattern.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <systemc>

#include "bus/bus_system.hpp"

namespace {

using pairsim::bus::BusId;
using pairsim::bus::BusSystem;
using pairsim::bus::SendMode;

class Echo : public pairsim::bus::BusListener {
 public:
  Echo(BusSystem& bus, int self, SendMode mode) : bus_(bus), self_(self), mode_(mode) {}
  void on_message(int src, std::uint64_t, std::vector<std::uint8_t>&& payload) override {
    ++received;
    bus_.send(self_, src, std::move(payload), mode_);
  }
  void on_send_failed(int, std::uint64_t) override { ++failed; }
  std::uint64_t received = 0;
  std::uint64_t failed = 0;

 private:
  BusSystem& bus_;
  int self_;
  SendMode mode_;
};

class Starter : public sc_core::sc_module {
 public:
  SC_HAS_PROCESS(Starter);
  Starter(sc_core::sc_module_name n, BusSystem& bus, SendMode mode, std::size_t bytes)
      : sc_module(n), bus_(bus), mode_(mode), bytes_(bytes) {
    SC_METHOD(start);
  }

 private:
  void start() {
    for (int i = 0; i < 16; ++i)  // enough in flight that neither bus ever waits
      for (int cpu = 0; cpu < 2; ++cpu) bus_.send(cpu, 1 - cpu, std::vector<std::uint8_t>(bytes_, 0x5a), mode_);
  }
  BusSystem& bus_;
  SendMode mode_;
  std::size_t bytes_;
};

}  // namespace

int sc_main(int argc, char* argv[]) {
  const double seconds = argc > 1 ? std::atof(argv[1]) : 2.0;
  const bool both = argc > 2 && std::strcmp(argv[2], "both") == 0;
  const SendMode mode = both ? SendMode::both_buses : SendMode::reliable;

  pairsim::sim::TraceBus trace;
  pairsim::bus::BusConfig config;
  config.cpus = 2;
  BusSystem bus("bus", config, trace);
  Echo cpu0(bus, 0, mode), cpu1(bus, 1, mode);
  bus.attach(0, &cpu0);
  bus.attach(1, &cpu1);
  Starter starter("starter", bus, mode, both ? 16 : 32);

  const auto t0 = std::chrono::steady_clock::now();
  sc_core::sc_start(sc_core::sc_time(seconds, sc_core::SC_SEC));
  const double host = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  const std::uint64_t x = bus.packets_delivered(BusId::x), y = bus.packets_delivered(BusId::y);
  std::printf("mode             %s\n", both ? "both_buses, 16-byte messages" : "reliable, 32-byte messages");
  std::printf("simulated time   %.3f s\n", sc_core::sc_time_stamp().to_seconds());
  std::printf("packets          X %llu  Y %llu  total %llu\n", static_cast<unsigned long long>(x),
              static_cast<unsigned long long>(y), static_cast<unsigned long long>(x + y));
  std::printf("messages         %llu delivered, %llu failed\n",
              static_cast<unsigned long long>(cpu0.received + cpu1.received),
              static_cast<unsigned long long>(cpu0.failed + cpu1.failed));
  std::printf("host time        %.3f s\n", host);
  std::printf("packets/host-s   %.2f M\n", (x + y) / host / 1e6);
  return 0;
}
