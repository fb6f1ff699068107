#pragma once
// One disk drive: its contents, its state, where its arm is and until when it is busy. Contents are sparse
// (only the blocks ever written are held), so a 64 MiB drive that holds a few files costs a few blocks of
// memory, and an image file holds only what was written.
#include <cstdint>
#include <map>
#include <optional>
#include <vector>

#include "io/disk_timing.hpp"

namespace pairsim::io {

// up: serves reads and writes. down: failed; serves nothing, and its contents are stale from the moment it
// failed. reviving: being copied from its mirror; takes writes (so it misses none) but serves no reads.
enum class DriveState : std::uint8_t { up, down, reviving };
const char* to_string(DriveState s);  // "up", "down", "reviving"

class Drive {
 public:
  explicit Drive(std::uint32_t blocks);
  std::uint32_t blocks() const { return blocks_; }
  DriveState state() const { return state_; }
  void set_state(DriveState s) { state_ = s; }
  // Both throw std::out_of_range for a block past the end: the volume refuses those before it gets here.
  void read(std::uint32_t block, std::uint8_t* out) const;     // kBlockBytes; never written = zeros
  void write(std::uint32_t block, const std::uint8_t* bytes);  // kBlockBytes
  const std::map<std::uint32_t, std::vector<std::uint8_t>>& written() const { return written_; }  // by block
  // Makes this drive's contents exactly `other`'s (a revive's copy); state, arm and queue stay.
  void copy_contents(const Drive& other) { written_ = other.written_; }

  std::uint32_t head = 0;           // cylinder the arm is on
  std::uint64_t busy_until_ns = 0;  // an operation that starts earlier waits for this one

 private:
  std::uint32_t blocks_;
  DriveState state_ = DriveState::up;
  std::map<std::uint32_t, std::vector<std::uint8_t>> written_;
};

bool all_zero(const std::uint8_t* bytes, std::size_t n);
// The lowest block whose contents differ, nullopt when none does. An all-zero written block equals a
// never-written one: both read as zeros.
std::optional<std::uint32_t> first_difference(const Drive& a, const Drive& b);
bool same_contents(const Drive& a, const Drive& b);  // an all-zero written block equals a never-written one

}  // namespace pairsim::io
