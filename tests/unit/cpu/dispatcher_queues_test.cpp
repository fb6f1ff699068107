// The dispatcher keeps a priority's queue when it empties (so blocking and waking allocates nothing): an
// emptied queue must not count as a ready process nor hide a lower priority's.
#include <catch2/catch.hpp>

#include "cpu/kernel/dispatcher.hpp"

using pairsim::cpu::Dispatcher;

TEST_CASE("dispatcher: emptied priority queues neither count as ready nor block lower ones", "[kernel]") {
  Dispatcher d(10);
  d.make_ready(2, 150);
  d.make_ready(3, 50);
  CHECK(d.select() == 2);
  d.remove(2);  // blocks: the 150 queue is empty now, but kept
  CHECK(d.has_ready());
  CHECK(d.select() == 3);  // the empty higher queue is skipped
  d.remove(3);
  CHECK_FALSE(d.has_ready());
  CHECK(d.select() == -1);

  d.make_ready(3, 50);  // both wake again, into their kept queues
  CHECK(d.select() == 3);
  d.make_ready(2, 150);
  CHECK(d.select() == 2);  // preempts through the reused queue
  d.remove(2);
  CHECK(d.select() == 3);  // the preempted one kept its turn
  d.charge(10);
  CHECK(d.select() == 3);  // alone with work: keeps the CPU after its slice
  d.make_ready(4, 50);
  d.make_ready(4, 50);  // already queued: not twice
  d.charge(10);
  CHECK(d.select() == 4);
  d.charge(10);
  CHECK(d.select() == 3);
  d.remove(3);
  d.remove(4);
  CHECK_FALSE(d.has_ready());
}
