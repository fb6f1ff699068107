#include "bus/path_state.hpp"

#include <algorithm>

namespace pairsim::bus {

bool PathState::unacknowledged(int down_after) {
  if (failures_ < down_after) ++failures_;
  if (!up_ || failures_ < down_after) return false;
  up_ = false;
  return true;
}

bool PathState::lost() {
  failures_ = std::max(failures_, 1);
  if (!up_) return false;
  up_ = false;
  return true;
}

PathTable::PathTable(int cpus) : cpus_(cpus), paths_(static_cast<std::size_t>(cpus) * cpus * kBusCount) {}

void PathTable::reset_sender(int src) {
  for (int dst = 0; dst < cpus_; ++dst)
    for (int b = 0; b < kBusCount; ++b) at(src, dst, static_cast<BusId>(b)).reset();
}

}  // namespace pairsim::bus
