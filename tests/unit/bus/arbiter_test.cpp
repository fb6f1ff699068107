#include "bus/arbiter.hpp"

#include <catch2/catch.hpp>
#include <vector>

using pairsim::bus::Arbiter;

TEST_CASE("arbiter: two senders that always request alternate", "[bus][arbiter]") {
  Arbiter a(4);
  std::vector<int> grants;
  for (int i = 0; i < 6; ++i) grants.push_back(a.grant(0b0110));
  CHECK(grants == std::vector<int>{1, 2, 1, 2, 1, 2});
}

TEST_CASE("arbiter: three senders interleave round-robin", "[bus][arbiter]") {
  Arbiter a(16);
  std::vector<int> grants;
  for (int i = 0; i < 7; ++i) grants.push_back(a.grant((1u << 0) | (1u << 5) | (1u << 15)));
  CHECK(grants == std::vector<int>{0, 5, 15, 0, 5, 15, 0});
}

TEST_CASE("arbiter: a newcomer waits at most one round", "[bus][arbiter]") {
  Arbiter a(4);
  CHECK(a.grant(0b0001) == 0);
  CHECK(a.grant(0b0001) == 0);  // alone: it keeps the bus
  CHECK(a.grant(0b1001) == 3);  // CPU 3 asks: it goes before CPU 0's next packet
  CHECK(a.grant(0b1001) == 0);
  CHECK(a.grant(0b1011) == 1);  // CPU 1 comes after 0 in the rotation
  CHECK(a.grant(0b1011) == 3);
}

TEST_CASE("arbiter: nothing requested grants nobody and ignores CPUs beyond its size", "[bus][arbiter]") {
  Arbiter a(2);
  CHECK(a.grant(0) == -1);
  CHECK(a.grant(0b100) == -1);
  CHECK(a.grant(0b110) == 1);
}
