#pragma once
// Path state: whether the sender believes it can reach a destination over one bus. A path is marked down
// after `down_after` consecutive I'm-alive or regroup copies went unacknowledged, or at once when a reliable
// packet on it is known lost, and comes back up with the first packet that is acknowledged on it (normally a
// probe copy of an I'm-alive or regroup message).
#include <cstdint>
#include <vector>

#include "bus/bus_types.hpp"

namespace pairsim::bus {

class PathState {
 public:
  bool up() const { return up_; }
  int failures() const { return failures_; }
  // A packet on this path was acknowledged. True when that brings a path marked down back up.
  bool acknowledged() {  // inline: every packet taken asks
    failures_ = 0;
    if (up_) return false;
    up_ = true;
    return true;
  }
  // A packet's acknowledgement timed out. True when that marks the path down.
  bool unacknowledged(int down_after);
  // A reliable packet on this path is known lost. True when that marks the path down.
  bool lost();
  void reset() { *this = PathState{}; }

 private:
  bool up_ = true;
  int failures_ = 0;  // consecutive, since the last acknowledgement
};

// Every sender's view of every path: (src, dst, bus).
class PathTable {
 public:
  explicit PathTable(int cpus);
  PathState& at(int src, int dst, BusId b) { return paths_[index(src, dst, b)]; }
  const PathState& at(int src, int dst, BusId b) const { return paths_[index(src, dst, b)]; }
  // A CPU that starts again starts with all its paths up.
  void reset_sender(int src);

 private:
  std::size_t index(int src, int dst, BusId b) const {
    return (static_cast<std::size_t>(src) * cpus_ + dst) * kBusCount + static_cast<int>(b);
  }
  int cpus_;
  std::vector<PathState> paths_;
};

}  // namespace pairsim::bus
