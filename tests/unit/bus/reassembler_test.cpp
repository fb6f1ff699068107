#include "bus/reassembler.hpp"

#include <catch2/catch.hpp>

using namespace pairsim::bus;

namespace {

std::vector<std::uint8_t> bytes(std::size_t n, std::uint8_t first) {
  std::vector<std::uint8_t> v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = static_cast<std::uint8_t>(first + i);
  return v;
}

Packet packet(int src, std::uint64_t id, std::uint32_t seq, const std::vector<std::uint8_t>& msg, std::uint32_t index,
              SendMode mode = SendMode::reliable) {
  Packet p;
  p.src = static_cast<std::uint8_t>(src);
  p.dst = 1;
  p.msg_id = id;
  p.seq = seq;
  p.mode = mode;
  fill_packet(p, msg, index);
  return p;
}

}  // namespace

TEST_CASE("reassembler: a reliable message completing early waits for the one sent before it", "[bus][reassembler]") {
  Reassembler r(1, 4);
  std::vector<Reassembler::Message> out;
  const auto a = bytes(40, 0);  // two packets
  const auto b = bytes(5, 100);
  r.accept(packet(0, 10, 0, a, 0), out);
  r.accept(packet(0, 11, 1, b, 0), out);  // complete, but message 10 is not
  CHECK(out.empty());
  r.accept(packet(0, 10, 0, a, 1), out);
  REQUIRE(out.size() == 2);
  CHECK(out[0].msg_id == 10);
  CHECK(out[0].payload == a);
  CHECK(out[1].msg_id == 11);
  CHECK(out[1].payload == b);
  CHECK(r.pending() == 0);
}

TEST_CASE("reassembler: order is kept per sender, not across senders", "[bus][reassembler]") {
  Reassembler r(1, 4);
  std::vector<Reassembler::Message> out;
  const auto a = bytes(40, 0);
  r.accept(packet(0, 1, 0, a, 0), out);  // sender 0's first message half here
  r.accept(packet(2, 1, 0, bytes(3, 0), 0), out);
  REQUIRE(out.size() == 1);
  CHECK(out[0].src == 2);
}

TEST_CASE("reassembler: both_buses copies are delivered once until the sender forgets them", "[bus][reassembler]") {
  Reassembler r(1, 4);
  std::vector<Reassembler::Message> out;
  const auto m = bytes(30, 1);  // two packets; copies on X and Y interleave
  r.accept(packet(0, 4, 0, m, 0, SendMode::both_buses), out);
  r.accept(packet(0, 4, 0, m, 0, SendMode::both_buses), out);  // the other bus's copy of packet 0
  CHECK(out.empty());
  r.accept(packet(0, 4, 0, m, 1, SendMode::both_buses), out);
  REQUIRE(out.size() == 1);
  CHECK(out[0].payload == m);
  r.accept(packet(0, 4, 0, m, 1, SendMode::both_buses), out);
  CHECK(out.size() == 1);
  CHECK(r.pending() == 1);  // still remembered as delivered
  r.forget(0, 4);
  CHECK(r.pending() == 0);
}

TEST_CASE("reassembler: a one-packet both_buses message is delivered once, with its bytes from the pool",
          "[bus][reassembler]") {
  PayloadPool pool;
  std::vector<std::uint8_t> spare(8, 0);
  const auto* spare_bytes = spare.data();
  pool.give(spare);
  CHECK(spare.capacity() == 0);  // the pool took the buffer
  Reassembler r(1, 4, &pool);
  std::vector<Reassembler::Message> out;
  const auto m = bytes(1, 7);  // I'm-alive is one byte
  r.accept(packet(2, 9, 0, m, 0, SendMode::both_buses), out);
  REQUIRE(out.size() == 1);
  CHECK(out[0].src == 2);
  CHECK(out[0].msg_id == 9);
  CHECK(out[0].payload == m);
  CHECK(out[0].payload.data() == spare_bytes);                 // reused, not allocated
  r.accept(packet(2, 9, 0, m, 0, SendMode::both_buses), out);  // the other bus's copy
  CHECK(out.size() == 1);
  CHECK(r.pending() == 1);
  r.accept(packet(2, 10, 0, bytes(1, 8), 0, SendMode::both_buses), out);  // the next one is new
  REQUIRE(out.size() == 2);
  CHECK(out[1].payload == bytes(1, 8));
  r.forget(2, 9);
  r.forget(2, 10);
  CHECK(r.pending() == 0);
  // A multi-packet message later reuses the entries with clean state.
  const auto big = bytes(30, 1);
  r.accept(packet(2, 11, 0, big, 0, SendMode::both_buses), out);
  CHECK(out.size() == 2);
  r.accept(packet(2, 11, 0, big, 1, SendMode::both_buses), out);
  REQUIRE(out.size() == 3);
  CHECK(out[2].payload == big);
}

TEST_CASE("payload pool: keeps only small buffers, a bounded number of them", "[bus][reassembler]") {
  PayloadPool pool;
  std::vector<std::uint8_t> big(PayloadPool::kMaxCapacity + 1, 1);
  pool.give(big);
  CHECK(big.size() == PayloadPool::kMaxCapacity + 1);  // too big: left with its owner
  std::vector<std::uint8_t> small{1, 2, 3};
  pool.give(small);
  CHECK(small.empty());
  const std::uint8_t data[2] = {5, 6};
  const auto v = pool.take(data, 2);
  CHECK(v == std::vector<std::uint8_t>{5, 6});
  const auto w = pool.take(data, 0);  // empty pool: a new buffer
  CHECK(w.empty());
  for (std::size_t i = 0; i < PayloadPool::kMaxKept; ++i) {
    std::vector<std::uint8_t> b(1);
    pool.give(b);
    CHECK(b.empty());
  }
  std::vector<std::uint8_t> one_more(1, 9);
  pool.give(one_more);
  CHECK(one_more.size() == 1);  // the pool is full
}

TEST_CASE("reassembler: a dead sender's partial and waiting messages are dropped, and it restarts at 0",
          "[bus][reassembler]") {
  Reassembler r(1, 4);
  std::vector<Reassembler::Message> out;
  r.accept(packet(2, 1, 0, bytes(40, 0), 0), out);
  r.accept(packet(2, 2, 1, bytes(4, 0), 0), out);
  CHECK(r.pending() == 2);
  r.discard_from(2);
  CHECK(r.pending() == 0);
  r.accept(packet(2, 9, 0, bytes(4, 0), 0), out);
  REQUIRE(out.size() == 1);
  CHECK(out[0].msg_id == 9);
}

TEST_CASE("reassembler: a receiver that restarts expects order number 0 from everybody", "[bus][reassembler]") {
  Reassembler r(1, 4);
  std::vector<Reassembler::Message> out;
  r.accept(packet(0, 1, 0, bytes(4, 0), 0), out);
  r.accept(packet(2, 1, 0, bytes(4, 0), 0), out);
  r.accept(packet(3, 1, 0, bytes(40, 0), 0), out);
  REQUIRE(out.size() == 2);
  r.clear();
  CHECK(r.pending() == 0);
  out.clear();
  r.accept(packet(0, 5, 0, bytes(4, 0), 0), out);
  CHECK(out.size() == 1);
}
