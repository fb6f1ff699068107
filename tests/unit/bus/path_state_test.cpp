#include "bus/path_state.hpp"

#include <catch2/catch.hpp>


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

TEST_CASE("path state: a lost reliable packet marks the path down at once", "[bus][path]") {
  PathState p;
  CHECK(p.lost());
  CHECK_FALSE(p.up());
  CHECK_FALSE(p.lost());  // already down: no second report
  CHECK(p.acknowledged());
  CHECK(p.up());
}
