#pragma once
// How long a disk takes: the geometry and speeds of a moving-head drive, and the time one block transfer
// takes from where the arm is. The platter turns with simulated time itself (its angle is a function of the
// time alone), so the same requests at the same times always take the same time: no state, integers only.
#include <cstdint>
#include <string>

namespace pairsim::io {

constexpr std::uint32_t kBlockBytes = 4096;  // the unit of every disk transfer; one record a block
// The largest volume an image may describe (64 GiB, far beyond the era's drives): a bound that keeps a corrupt
// block count from passing as a real one.
constexpr std::uint32_t kMaxBlocks = 1u << 24;

struct DiskTiming {              // defaults: a late-1970s 64 MiB moving-head drive at 3600 rpm
  std::uint32_t blocks = 16384;  // 64 MiB
  std::uint32_t blocks_per_track = 8;
  std::uint32_t tracks_per_cylinder = 5;   // 40 blocks a cylinder, 410 cylinders
  std::uint64_t rotation_ns = 16'666'667;  // 3600 rpm
  std::uint64_t seek_min_ns = 5'000'000;   // to the next cylinder
  std::uint64_t seek_max_ns = 55'000'000;  // across the whole disk
  std::uint64_t controller_ns = 200'000;   // the controller's own time per operation
};

// False and a sentence when the numbers cannot describe a drive (no blocks, no sectors, a sector shorter than
// a nanosecond, a shortest seek longer than the longest).
bool valid_timing(const DiskTiming& t, std::string& error);

std::uint32_t cylinder_of(const DiskTiming& t, std::uint32_t block);
std::uint32_t cylinders(const DiskTiming& t);  // the last one may be partly used
// One sector passing under the head: rotation / blocks_per_track, rounded down.
std::uint64_t sector_ns(const DiskTiming& t);
// The arm's move over `distance` cylinders: 0 for none, else min + (max-min)*sqrt((d-1)/(cylinders-1)) rounded
// down (a real arm accelerates, so a long seek costs less per cylinder than a short one). A distance beyond the
// last cylinder counts as cylinders-1.
std::uint64_t seek_ns(const DiskTiming& t, std::uint32_t distance);

// Time to carry out one block transfer that starts at start_ns with the head on cylinder `head`: controller time,
// seek (0 on the same cylinder, else min + (max-min)*sqrt((d-1)/(cylinders-1)), integer ns), the wait until the
// block's sector comes under the head (the platter's angle is a pure function of simulated time: sector k of a
// track starts at times t with t % rotation == k * rotation / blocks_per_track), and the transfer (one sector time).
// Deterministic: integers only.
std::uint64_t service_ns(const DiskTiming& t, std::uint32_t head, std::uint32_t block, std::uint64_t start_ns);

}  // namespace pairsim::io
