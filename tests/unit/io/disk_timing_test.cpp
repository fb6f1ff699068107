#include "io/disk_timing.hpp"

#include <catch2/catch.hpp>
#include <cmath>

using namespace pairsim::io;

TEST_CASE("disk timing: the default drive's geometry", "[io][timing]") {
  const DiskTiming t;
  std::string error;
  CHECK(valid_timing(t, error));
  CHECK(cylinders(t) == 410);
  CHECK(cylinder_of(t, 0) == 0);
  CHECK(cylinder_of(t, 39) == 0);
  CHECK(cylinder_of(t, 40) == 1);
  CHECK(cylinder_of(t, t.blocks - 1) == 409);
  CHECK(sector_ns(t) == 16'666'667 / 8);
}

TEST_CASE("disk timing: on the same cylinder there is no seek", "[io][timing]") {
  const DiskTiming t;
  // Started so that the controller's time ends just as sector 0 comes under the head: no wait at all.
  const std::uint64_t start = 10 * t.rotation_ns - t.controller_ns;
  CHECK(service_ns(t, 0, 0, start) == t.controller_ns + sector_ns(t));
  CHECK(service_ns(t, 3, 3 * 40 + 8, start) == t.controller_ns + sector_ns(t));  // track 1's sector 0, cylinder 3
  CHECK(seek_ns(t, 0) == 0);
}

TEST_CASE("disk timing: a seek grows with its distance, from the shortest to the longest", "[io][timing]") {
  const DiskTiming t;
  CHECK(seek_ns(t, 1) == t.seek_min_ns);
  // min + (max-min)*sqrt(408/409), the whole way across; a distance beyond counts as that.
  CHECK(seek_ns(t, cylinders(t) - 1) == 54'938'837);
  CHECK(seek_ns(t, 5000) == seek_ns(t, cylinders(t) - 1));
  for (std::uint32_t d = 2; d < cylinders(t); ++d) {
    INFO("distance " << d);
    REQUIRE(seek_ns(t, d) > seek_ns(t, d - 1));
    const double want = t.seek_min_ns + (t.seek_max_ns - t.seek_min_ns) * std::sqrt((d - 1.0) / (cylinders(t) - 1.0));
    REQUIRE(std::fabs(static_cast<double>(seek_ns(t, d)) - want) < 1.0);
  }
  // The seek shows in a transfer's time: the same sector, reached from further away, never sooner.
  const std::uint64_t start = 10 * t.rotation_ns;
  const std::uint32_t block = 200 * 40;  // cylinder 200, sector 0
  CHECK(service_ns(t, 200, block, start) < service_ns(t, 150, block, start));
  CHECK(service_ns(t, 150, block, start) <= service_ns(t, 0, block, start) + t.rotation_ns);
}

TEST_CASE("disk timing: the wait for the sector follows the platter's angle", "[io][timing]") {
  const DiskTiming t;
  for (std::uint64_t start : {std::uint64_t{0}, std::uint64_t{1}, std::uint64_t{123'456'789}, t.rotation_ns - 1,
                              std::uint64_t{99'999'999'999}}) {
    for (std::uint32_t k = 0; k < t.blocks_per_track; ++k) {
      const std::uint32_t block = 80 + 8 + k;  // cylinder 2, track 1, sector k
      const std::uint64_t seek_end = start + t.controller_ns;
      const std::uint64_t sector_start = k * t.rotation_ns / t.blocks_per_track;
      const std::uint64_t wait = (sector_start + t.rotation_ns - seek_end % t.rotation_ns) % t.rotation_ns;
      INFO("start " << start << ", sector " << k);
      const std::uint64_t got = service_ns(t, 2, block, start);
      CHECK(got == t.controller_ns + wait + sector_ns(t));
      CHECK(got < t.controller_ns + t.rotation_ns + sector_ns(t));
      // The transfer begins exactly when sector k's start passes under the head.
      CHECK((start + got - sector_ns(t)) % t.rotation_ns == sector_start);
    }
  }
}

TEST_CASE("disk timing: the same request at the same angle takes the same time", "[io][timing]") {
  const DiskTiming t;
  for (std::uint32_t block : {0u, 7u, 1234u, 16383u}) {
    const std::uint64_t a = service_ns(t, 17, block, 5'000'123);
    CHECK(service_ns(t, 17, block, 5'000'123) == a);
    CHECK(service_ns(t, 17, block, 5'000'123 + 7 * t.rotation_ns) == a);  // a whole number of turns later
  }
}

TEST_CASE("disk timing: numbers that describe no drive are refused", "[io][timing]") {
  std::string error;
  DiskTiming t;
  t.blocks_per_track = 0;
  CHECK_FALSE(valid_timing(t, error));
  t = DiskTiming{};
  t.blocks = 0;
  CHECK_FALSE(valid_timing(t, error));
  t = DiskTiming{};
  t.seek_min_ns = t.seek_max_ns + 1;
  CHECK_FALSE(valid_timing(t, error));
  CHECK(error == "the shortest seek cannot take longer than the longest");
  t = DiskTiming{};
  t.rotation_ns = 7;
  CHECK_FALSE(valid_timing(t, error));
}

TEST_CASE("disk timing: a one-cylinder drive never seeks far", "[io][timing]") {
  DiskTiming t;
  t.blocks = 40;
  CHECK(cylinders(t) == 1);
  CHECK(seek_ns(t, 0) == 0);
  CHECK(seek_ns(t, 3) == t.seek_min_ns);
  CHECK(service_ns(t, 0, 39, 0) < t.controller_ns + t.rotation_ns + sector_ns(t));
}
