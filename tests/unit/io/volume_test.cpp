#include "io/volume.hpp"

#include <catch2/catch.hpp>
#include <stdexcept>
#include <vector>

using namespace pairsim::io;

namespace {
std::vector<std::uint8_t> filled(std::uint8_t v) {
  return std::vector<std::uint8_t>(kBlockBytes, v);
}
std::vector<std::uint8_t> read_drive(const Volume& v, int d, std::uint32_t block) {
  std::vector<std::uint8_t> out(kBlockBytes);
  v.drive(d).read(block, out.data());
  return out;
}
}  // namespace

TEST_CASE("volume: a mirrored volume writes both drives and reads one", "[io][volume]") {
  Volume v("$DATA", true);
  CHECK(v.mirrored());
  CHECK(v.drive_count() == 2);
  CHECK(v.blocks() == DiskTiming{}.blocks);
  const auto w = v.write(100, filled(5).data(), 0);
  CHECK(w.status == IoStatus::ok);
  CHECK(w.done_ns == std::max(v.drive(0).busy_until_ns, v.drive(1).busy_until_ns));
  CHECK(read_drive(v, 0, 100) == filled(5));
  CHECK(read_drive(v, 1, 100) == filled(5));
  CHECK(v.mirrors_equal());
  CHECK(v.drive(0).head == cylinder_of(v.timing(), 100));

  std::vector<std::uint8_t> out(kBlockBytes);
  const auto r = v.read(100, out.data(), w.done_ns);
  CHECK(r.status == IoStatus::ok);
  CHECK(r.drive == 0);  // both the same distance away, at the same angle: drive 0 on a tie
  CHECK(out == filled(5));
  CHECK(r.done_ns == w.done_ns + service_ns(v.timing(), v.drive(0).head, 100, w.done_ns));
}

TEST_CASE("volume: a read goes to the drive that finishes first", "[io][volume]") {
  Volume v("$DATA", true);
  v.write(0, filled(1).data(), 0);
  v.write(16000, filled(2).data(), v.drive(1).busy_until_ns);
  // Both arms are now at the far end. Drive 0 is sent back to the start by a read it alone serves.
  v.fail_drive(1);
  std::vector<std::uint8_t> out(kBlockBytes);
  const std::uint64_t t = v.drive(0).busy_until_ns;
  CHECK(v.read(0, out.data(), t).drive == 0);
  v.drive(1).set_state(DriveState::up);
  // Block 16001 is near drive 1's arm, far from drive 0's.
  const auto r = v.read(16001, out.data(), v.drive(0).busy_until_ns);
  CHECK(r.drive == 1);
  CHECK(out == filled(0));
}

TEST_CASE("volume: a single drive", "[io][volume]") {
  Volume v("$LOG", false);
  CHECK_FALSE(v.mirrored());
  CHECK(v.drive_count() == 1);
  CHECK_THROWS_AS(v.drive(1), std::out_of_range);
  CHECK(v.write(7, filled(3).data(), 0).status == IoStatus::ok);
  std::vector<std::uint8_t> out(kBlockBytes);
  const auto r = v.read(7, out.data(), 0);
  CHECK(r.drive == 0);
  CHECK(out == filled(3));
  CHECK(v.mirrors_equal());
  v.fail_drive(0);
  CHECK(v.read(7, out.data(), 5).status == IoStatus::volume_down);
  const auto w = v.write(7, out.data(), 5);
  CHECK(w.status == IoStatus::volume_down);
  CHECK(w.done_ns == 5);
}

TEST_CASE("volume: a block past the end is refused at once", "[io][volume]") {
  Volume v("$DATA", true);
  std::vector<std::uint8_t> out(kBlockBytes);
  const auto r = v.read(v.blocks(), out.data(), 42);
  CHECK(r.status == IoStatus::bad_block);
  CHECK(r.done_ns == 42);
  CHECK(v.write(v.blocks() + 5, out.data(), 42).status == IoStatus::bad_block);
  CHECK(v.drive(0).busy_until_ns == 0);
  CHECK(std::string(to_string(IoStatus::bad_block)) == "bad_block");
}

TEST_CASE("volume: names and timings that are not a volume's are refused", "[io][volume]") {
  CHECK_THROWS_AS(Volume("DATA", true), std::invalid_argument);
  CHECK_THROWS_AS(Volume("$1", true), std::invalid_argument);
  DiskTiming t;
  t.blocks = 0;
  CHECK_THROWS_AS(Volume("$DATA", true, t), std::invalid_argument);
  CHECK(valid_volume_name("$SYSTEM"));
  CHECK_FALSE(valid_volume_name("$ABCDEFGHIJKLMNOP"));
}

TEST_CASE("volume: after a drive fails the volume goes on with the other", "[io][volume]") {
  Volume v("$DATA", true);
  v.write(10, filled(1).data(), 0);
  v.fail_drive(0);
  CHECK(v.drive(0).state() == DriveState::down);
  std::vector<std::uint8_t> out(kBlockBytes);
  const auto r = v.read(10, out.data(), 0);
  CHECK(r.status == IoStatus::ok);
  CHECK(r.drive == 1);
  const std::uint64_t before = v.drive(0).busy_until_ns;
  CHECK(v.write(10, filled(2).data(), 0).status == IoStatus::ok);
  CHECK(v.drive(0).busy_until_ns == before);  // the failed drive took nothing
  CHECK(read_drive(v, 0, 10) == filled(1));   // and is stale
  CHECK(read_drive(v, 1, 10) == filled(2));
  CHECK_FALSE(v.mirrors_equal());
  v.fail_drive(1);
  CHECK(v.read(10, out.data(), 0).status == IoStatus::volume_down);
  CHECK(v.write(10, out.data(), 0).status == IoStatus::volume_down);
}

TEST_CASE("volume: a revive copies the survivor while writes go to both", "[io][volume]") {
  Volume v("$DATA", true);
  for (std::uint32_t b = 0; b < 6; ++b) v.write(b, filled(static_cast<std::uint8_t>(b + 1)).data(), 0);
  CHECK_FALSE(v.start_revive(0, 0));  // drive 0 is not down
  v.fail_drive(1);
  v.write(3, filled(33).data(), 0);  // drive 1 misses this one
  v.write(50, filled(50).data(), 0);
  const std::uint64_t now = v.drive(0).busy_until_ns + 1'000'000;
  const auto end = v.start_revive(1, now);
  REQUIRE(end);
  CHECK(*end == now + sector_ns(v.timing()) * v.drive(0).written().size());
  CHECK(v.drive(1).state() == DriveState::reviving);
  CHECK_FALSE(v.start_revive(1, now));  // already reviving

  // Reads never come from the reviving drive, even when it would be faster.
  std::vector<std::uint8_t> out(kBlockBytes);
  v.drive(0).busy_until_ns = now + 1'000'000'000;
  const auto r = v.read(3, out.data(), now);
  CHECK(r.drive == 0);
  CHECK(out == filled(33));
  // Writes go to both.
  const auto w = v.write(60, filled(60).data(), now);
  CHECK(w.status == IoStatus::ok);
  CHECK(read_drive(v, 1, 60) == filled(60));
  CHECK_FALSE(v.mirrors_equal());  // drive 1 still misses blocks 3 and 50

  v.finish_revive(1);
  CHECK(v.drive(1).state() == DriveState::up);
  CHECK(v.mirrors_equal());
  CHECK(read_drive(v, 1, 3) == filled(33));
  v.finish_revive(1);  // not reviving: nothing happens
  CHECK(v.drive(1).state() == DriveState::up);
}

TEST_CASE("volume: a revive waits for what the survivor is busy with", "[io][volume]") {
  Volume v("$DATA", true);
  v.write(1, filled(1).data(), 0);
  v.fail_drive(0);
  v.drive(1).busy_until_ns = 9'000'000;
  const auto end = v.start_revive(0, 1'000);
  REQUIRE(end);
  CHECK(*end == 9'000'000 + sector_ns(v.timing()));
}

TEST_CASE("volume: no revive without a survivor, and a lost survivor loses the copy", "[io][volume]") {
  Volume single("$LOG", false);
  single.fail_drive(0);
  CHECK_FALSE(single.start_revive(0, 0));

  Volume v("$DATA", true);
  v.fail_drive(0);
  v.fail_drive(1);
  CHECK_FALSE(v.start_revive(0, 0));
  v.drive(1).set_state(DriveState::up);
  REQUIRE(v.start_revive(0, 0));
  v.fail_drive(1);
  v.finish_revive(0);
  CHECK(v.drive(0).state() == DriveState::down);
}

TEST_CASE("volume: each drive queues its operations", "[io][volume]") {
  Volume v("$LOG", false);
  std::vector<std::uint8_t> out(kBlockBytes);
  const auto a = v.read(8000, out.data(), 1000);
  CHECK(v.drive(0).busy_until_ns == a.done_ns);
  CHECK(v.drive(0).head == cylinder_of(v.timing(), 8000));
  // Started at the same time, the second waits for the first.
  const auto b = v.read(8001, out.data(), 1000);
  CHECK(b.done_ns == a.done_ns + service_ns(v.timing(), v.drive(0).head, 8001, a.done_ns));
  CHECK(b.done_ns > a.done_ns);
  // One that starts after the drive is free does not wait.
  const std::uint64_t later = b.done_ns + 1'000'000'000;
  const auto c = v.write(8002, out.data(), later);
  CHECK(c.done_ns == later + service_ns(v.timing(), v.drive(0).head, 8002, later));
}
