#include "io/disk_timing.hpp"

#include <algorithm>

namespace pairsim::io {

namespace {

using u128 = unsigned __int128;

// The largest r with r*r <= v: bisection, exact on integers (a floating-point sqrt could round differently
// on another host, and the result decides simulated times).
std::uint64_t isqrt(u128 v) {
  std::uint64_t lo = 0, hi = ~std::uint64_t{0};
  while (lo < hi) {
    const std::uint64_t mid = lo + (hi - lo) / 2 + 1;  // above lo, at most hi; never overflows
    if (static_cast<u128>(mid) * mid <= v)
      lo = mid;
    else
      hi = mid - 1;
  }
  return lo;
}

std::uint32_t blocks_per_cylinder(const DiskTiming& t) {
  return t.blocks_per_track * t.tracks_per_cylinder;
}

}  // namespace

bool valid_timing(const DiskTiming& t, std::string& error) {
  if (t.blocks == 0 || t.blocks > kMaxBlocks)
    error = "a drive holds 1 to " + std::to_string(kMaxBlocks) + " blocks, not " + std::to_string(t.blocks);
  else if (t.blocks_per_track == 0 || t.tracks_per_cylinder == 0)
    error = "a drive needs at least one block a track and one track a cylinder";
  else if (static_cast<std::uint64_t>(t.blocks_per_track) * t.tracks_per_cylinder > kMaxBlocks)
    error = "a cylinder of more than " + std::to_string(kMaxBlocks) + " blocks is not a drive";
  else if (t.rotation_ns < t.blocks_per_track)
    error = "a turn of the platter must last at least a nanosecond a sector";
  else if (t.seek_min_ns > t.seek_max_ns)
    error = "the shortest seek cannot take longer than the longest";
  else
    return true;
  return false;
}

std::uint32_t cylinder_of(const DiskTiming& t, std::uint32_t block) {
  return block / blocks_per_cylinder(t);
}

std::uint32_t cylinders(const DiskTiming& t) {
  const std::uint32_t per = blocks_per_cylinder(t);
  return t.blocks / per + (t.blocks % per != 0 ? 1 : 0);
}

std::uint64_t sector_ns(const DiskTiming& t) {
  return t.rotation_ns / t.blocks_per_track;
}

std::uint64_t seek_ns(const DiskTiming& t, std::uint32_t distance) {
  if (distance == 0) return 0;
  const std::uint32_t c = cylinders(t);
  if (c <= 1) return t.seek_min_ns;      // no other cylinder: never called with a distance, but defined
  distance = std::min(distance, c - 1);  // an arm goes no further than across the disk
  const u128 range = t.seek_max_ns - t.seek_min_ns;
  // sqrt((d-1)/(c-1)) * range == sqrt(range² (d-1) / (c-1)); flooring the quotient first floors the root.
  return t.seek_min_ns + isqrt(range * range * (distance - 1) / (c - 1));
}

std::uint64_t service_ns(const DiskTiming& t, std::uint32_t head, std::uint32_t block, std::uint64_t start_ns) {
  const std::uint32_t cylinder = cylinder_of(t, block);
  const std::uint32_t distance = cylinder > head ? cylinder - head : head - cylinder;
  const std::uint64_t seek_end = start_ns + t.controller_ns + seek_ns(t, distance);
  const std::uint64_t sector_start = (block % t.blocks_per_track) * t.rotation_ns / t.blocks_per_track;
  const std::uint64_t angle = seek_end % t.rotation_ns;
  const std::uint64_t wait = (sector_start + t.rotation_ns - angle) % t.rotation_ns;
  return seek_end + wait + sector_ns(t) - start_ns;
}

}  // namespace pairsim::io
