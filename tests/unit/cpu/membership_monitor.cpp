// ImAliveMonitor: missed counts, suspicion after two silent checks, the connectivity row, non-members.
#include <catch2/catch.hpp>

#include "cpu/membership/im_alive_monitor.hpp"

using namespace pairsim::cpu;

namespace {
constexpr std::uint64_t P = 1'000'000'000;
}

TEST_CASE("membership: a member silent for one check is an observation, for two a suspect") {
  ImAliveMonitor m(0, 4);
  const CpuMask members = all_cpus(4);
  for (int j = 1; j < 4; ++j) m.heard(j, 10);
  auto r = m.check(members);  // at P/2: everybody heard
  CHECK(r.missed_once == 0);
  CHECK(r.suspected == 0);

  m.heard(1, P + 10);
  m.heard(3, P + 10);
  r = m.check(members);  // 2 silent once
  CHECK(r.missed_once == cpu_bit(2));
  CHECK(r.suspected == 0);
  CHECK(m.missed(2) == 1);

  m.heard(1, 2 * P + 10);
  m.heard(3, 2 * P + 10);
  r = m.check(members);
  CHECK(r.missed_once == 0);
  CHECK(r.suspected == cpu_bit(2));

  m.heard(1, 3 * P + 10);
  m.heard(3, 3 * P + 10);
  r = m.check(members);  // still suspected while a member
  CHECK(r.suspected == cpu_bit(2));
  CHECK(m.missed(2) == 3);

  m.heard(2, 4 * P + 10);  // heard again: the count starts over
  m.heard(1, 4 * P + 10);
  m.heard(3, 4 * P + 10);
  r = m.check(members);
  CHECK(r.suspected == 0);
  CHECK(m.missed(2) == 0);
}

TEST_CASE("membership: a lost I'm-alive between two heard ones never makes a suspect") {
  ImAliveMonitor m(1, 3);
  const CpuMask members = all_cpus(3);
  for (int k = 0; k < 20; ++k) {
    if (k % 2 == 0) m.heard(0, k * P);  // CPU 0: every other I'm-alive lost
    m.heard(2, k * P);
    auto r = m.check(members);
    CHECK(r.suspected == 0);
    CHECK(r.missed_once == (k % 2 == 1 ? cpu_bit(0) : 0));
  }
}

TEST_CASE("membership: non-members are not counted but are reported when heard") {
  ImAliveMonitor m(0, 4);
  const CpuMask members = cpu_bit(0) | cpu_bit(1) | cpu_bit(2);  // 3 was declared down
  m.heard(1, 5);
  m.heard(2, 5);
  auto r = m.check(members);
  CHECK(r.non_members_heard == 0);
  CHECK(m.missed(3) == 0);
  m.heard(1, P);
  m.heard(2, P);
  m.heard(3, P);  // reloaded
  r = m.check(members);
  CHECK(r.non_members_heard == cpu_bit(3));
  CHECK(r.suspected == 0);
}

TEST_CASE("membership: the row holds the CPUs heard in the window, and self") {
  ImAliveMonitor m(2, 5);
  CHECK(m.heard_within(0, 2 * P) == cpu_bit(2));
  m.heard(0, 1 * P);
  m.heard(1, 2 * P);
  m.heard(4, 3 * P);
  m.heard(7, 3 * P);   // out of range: ignored
  m.heard(-1, 3 * P);  // ditto
  m.heard(2, 3 * P);   // self: ignored
  CHECK(m.heard_within(3 * P, 2 * P) == (cpu_bit(1) | cpu_bit(2) | cpu_bit(4)));
  CHECK(m.heard_within(3 * P - 1, 2 * P) == (cpu_bit(0) | cpu_bit(1) | cpu_bit(2) | cpu_bit(4)));
  // 1 was heard P-5 ago, just inside; 4's time is past "now" (host clocks a quantum apart): heard.
  CHECK(m.heard_within(3 * P - 5, P) == (cpu_bit(1) | cpu_bit(2) | cpu_bit(4)));
  m.forget(cpu_bit(4));
  CHECK(m.heard_within(3 * P, 2 * P) == (cpu_bit(1) | cpu_bit(2)));
  m.reset();
  CHECK(m.heard_within(3 * P, 2 * P) == cpu_bit(2));
}

TEST_CASE("membership: forget clears a CPU heard just before it was declared down") {
  ImAliveMonitor m(0, 3);
  m.heard(1, 10);
  m.heard(2, 10);
  m.forget(cpu_bit(2));
  auto r = m.check(cpu_bit(0) | cpu_bit(1));
  CHECK(r.non_members_heard == 0);
}

TEST_CASE("membership: bad wiring is refused") {
  CHECK_THROWS_AS(ImAliveMonitor(0, 1), std::invalid_argument);
  CHECK_THROWS_AS(ImAliveMonitor(0, 17), std::invalid_argument);
  CHECK_THROWS_AS(ImAliveMonitor(4, 4), std::invalid_argument);
  CHECK_THROWS_AS(ImAliveMonitor(-1, 4), std::invalid_argument);
}
