#include "bus/path_state.hpp"

#include <catch2/catch.hpp>

#include "bus/resend.hpp"

using namespace pairsim::bus;

TEST_CASE("path state: consecutive unacknowledged packets mark the path down once", "[bus][path]") {
  PathState p;
  CHECK(p.up());
  CHECK_FALSE(p.unacknowledged(3));
  CHECK_FALSE(p.unacknowledged(3));
  CHECK(p.unacknowledged(3));  // the third one reports the change
  CHECK_FALSE(p.up());
  CHECK_FALSE(p.unacknowledged(3));  // already down: no second report
  CHECK_FALSE(p.up());
}

TEST_CASE("path state: an acknowledgement resets the count and brings the path back up", "[bus][path]") {
  PathState p;
  p.unacknowledged(3);
  p.unacknowledged(3);
  CHECK_FALSE(p.acknowledged());  // was up: no change to report
  CHECK(p.failures() == 0);
  CHECK_FALSE(p.unacknowledged(3));
  CHECK_FALSE(p.unacknowledged(3));
  CHECK(p.up());
  CHECK(p.unacknowledged(3));
  CHECK(p.acknowledged());  // probe got through
  CHECK(p.up());
}

TEST_CASE("path table: views are per (src, dst, bus) and a restarting sender starts with all paths up", "[bus][path]") {
  PathTable t(3);
  t.at(0, 1, BusId::x).unacknowledged(1);
  t.at(2, 1, BusId::y).unacknowledged(1);
  CHECK_FALSE(t.at(0, 1, BusId::x).up());
  CHECK(t.at(0, 1, BusId::y).up());
  CHECK(t.at(1, 0, BusId::x).up());  // the other direction is another sender's view
  t.reset_sender(0);
  CHECK(t.at(0, 1, BusId::x).up());
  CHECK_FALSE(t.at(2, 1, BusId::y).up());
}

TEST_CASE("resend: first failure goes to the other bus when its path is up", "[bus][resend]") {
  CHECK(resend_bus(BusId::x, 1, true, true) == BusId::y);
  CHECK(resend_bus(BusId::y, 1, false, true) == BusId::x);
}

TEST_CASE("resend: with the other path down, retry once where the path is still up", "[bus][resend]") {
  CHECK(resend_bus(BusId::x, 1, true, false) == BusId::x);
}

TEST_CASE("resend: no path up, or a packet that failed twice, fails the message", "[bus][resend]") {
  CHECK_FALSE(resend_bus(BusId::x, 1, false, false).has_value());
  CHECK_FALSE(resend_bus(BusId::y, 2, true, true).has_value());
  CHECK_FALSE(resend_bus(BusId::x, 3, true, true).has_value());
}
