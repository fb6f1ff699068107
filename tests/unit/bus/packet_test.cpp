#include "bus/packet.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <numeric>

#include "bus/reassembler.hpp"

using namespace pairsim::bus;

TEST_CASE("packet: 24 message bytes a packet, an empty message takes one", "[bus][packet]") {
  CHECK(packet_count(0) == 1);
  CHECK(packet_count(1) == 1);
  CHECK(packet_count(24) == 1);
  CHECK(packet_count(25) == 2);
  CHECK(packet_count(2048) == 86);  // 85 full packets and 8 bytes
}

TEST_CASE("packet: a transfer takes 32 bytes' time at the bus bandwidth", "[bus][packet]") {
  BusConfig c;
  CHECK(packet_transfer_ns(c) == 2462);  // 32 / 13e6 s = 2461.5 ns, rounded up
  c.bytes_per_second = 32e6;
  CHECK(packet_transfer_ns(c) == 1000);
}

TEST_CASE("packet: bad bus configurations are explained", "[bus][packet]") {
  BusConfig c;
  CHECK(check_bus_config(c).empty());
  c.cpus = 17;
  CHECK_THAT(check_bus_config(c), Catch::Contains("17"));
  c = {};
  c.bytes_per_second = 0;
  CHECK_FALSE(check_bus_config(c).empty());
  c = {};
  c.path_down_after = 0;
  CHECK_FALSE(check_bus_config(c).empty());
}

TEST_CASE("packet: a 2 KiB message split into packets and reassembled in any order is unchanged",
          "[bus][packet][reassembler]") {
  std::vector<std::uint8_t> message(2048);
  for (std::size_t i = 0; i < message.size(); ++i) message[i] = static_cast<std::uint8_t>(i * 7 + i / 256);
  const std::uint32_t n = packet_count(message.size());
  std::vector<Packet> packets(n);
  std::size_t carried = 0;
  for (std::uint32_t i = 0; i < n; ++i) {
    packets[i].src = 2;
    packets[i].dst = 0;
    packets[i].msg_id = 77;
    fill_packet(packets[i], message, i);
    CHECK(packets[i].count == n);
    CHECK(packets[i].length == 2048);
    carried += packets[i].size;
  }
  CHECK(carried == 2048);
  CHECK(packets.back().size == 8);

  // The two buses deliver alternate packets, so arrival order differs from sending order.
  std::vector<std::uint32_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::stable_partition(order.begin(), order.end(), [](std::uint32_t i) { return i % 2 == 1; });
  Reassembler r(0, 4);
  std::vector<Reassembler::Message> out;
  for (std::uint32_t k = 0; k + 1 < n; ++k) {
    r.accept(packets[order[k]], out);
    REQUIRE(out.empty());
  }
  r.accept(packets[order[n - 1]], out);
  REQUIRE(out.size() == 1);
  CHECK(out[0].src == 2);
  CHECK(out[0].dst == 0);
  CHECK(out[0].msg_id == 77);
  CHECK(out[0].payload == message);
  CHECK(r.pending() == 0);
}
