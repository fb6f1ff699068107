// RegroupMessage: the wire format round-trips, and no byte string crashes the parser.
#include <catch2/catch.hpp>
#include <random>

#include "cpu/membership/regroup_message.hpp"

using namespace pairsim::cpu;

TEST_CASE("membership: a regroup message round-trips through its 44 bytes") {
  RegroupMessage m;
  m.round = 0x01020304;
  m.sender_membership = 0x000F;
  m.membership_union = 0x001F;
  m.joiners = 0x0008;
  m.rows[0] = 0x000B;
  m.rows[3] = 0x0009;
  m.rows[15] = 0x8001;
  const auto bytes = m.encode();
  REQUIRE(bytes.size() == RegroupMessage::kBytes);
  CHECK(bytes[0] == 0x52);
  CHECK(bytes[2] == 0x04);  // little-endian round
  CHECK(bytes[5] == 0x01);
  auto back = RegroupMessage::parse(bytes);
  REQUIRE(back);
  CHECK(back->round == m.round);
  CHECK(back->sender_membership == m.sender_membership);
  CHECK(back->membership_union == m.membership_union);
  CHECK(back->joiners == m.joiners);
  CHECK(back->rows == m.rows);
}

TEST_CASE("membership: malformed regroup messages are refused") {
  RegroupMessage m;
  m.round = 7;
  m.rows[1] = cpu_bit(1) | cpu_bit(2);
  auto good = m.encode();
  REQUIRE(RegroupMessage::parse(good));

  auto b = good;
  b.pop_back();
  CHECK_FALSE(RegroupMessage::parse(b));
  b = good;
  b.push_back(0);
  CHECK_FALSE(RegroupMessage::parse(b));
  CHECK_FALSE(RegroupMessage::parse({}));
  b = good;
  b[0] = 'X';
  CHECK_FALSE(RegroupMessage::parse(b));
  b = good;
  b[1] = 2;
  CHECK_FALSE(RegroupMessage::parse(b));
  b = good;
  b[2] = 0;  // round 0 is an admission request: only a joiner (no membership) sends one
  CHECK(RegroupMessage::parse(b));
  b[6] = 1;
  CHECK_FALSE(RegroupMessage::parse(b));
  b = good;
  b[12 + 2 * 1] = 0x04;  // row 1 = {2}: a row that does not list its author
  CHECK_FALSE(RegroupMessage::parse(b));
}

TEST_CASE("membership: random bytes never crash the regroup parser") {
  std::mt19937 rng(12345);
  for (int n = 0; n < 20000; ++n) {
    std::vector<std::uint8_t> b(n % 3 == 0 ? rng() % 64 : RegroupMessage::kBytes);
    for (auto& x : b) x = static_cast<std::uint8_t>(rng());
    if (b.size() >= 2 && n % 2 == 0) {
      b[0] = RegroupMessage::kTag;
      b[1] = RegroupMessage::kVersion;
    }
    auto m = RegroupMessage::parse(b);
    if (m) {
      CHECK(m->encode() == b);
    }
  }
}
