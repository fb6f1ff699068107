#include "cpu/action_horizon.hpp"

#include <algorithm>
#include <utility>

namespace pairsim::cpu {

void ActionHorizon::schedule(std::vector<std::uint64_t> times_ns) {
  std::sort(times_ns.begin(), times_ns.end());
  times_ns.erase(std::unique(times_ns.begin(), times_ns.end()), times_ns.end());
  times_ = std::move(times_ns);
  next_ = 0;
  update();
}

void ActionHorizon::done_through(std::uint64_t t_ns) {
  const std::size_t before = next_;
  while (next_ < times_.size() && times_[next_] <= t_ns) ++next_;
  update();
  // Immediate: the CPUs waiting for this instant go on in it, after the actions.
  if (next_ != before) done_.notify();
}

void ActionHorizon::update() {
  next_ns_ = next_ < times_.size() ? times_[next_] : kNever;
  next_ticks_ = next_ns_ == kNever ? ~0ull : next_ns_ * sc_core::sc_time(1, sc_core::SC_NS).value();
}

}  // namespace pairsim::cpu
