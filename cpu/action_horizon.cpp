#include "cpu/action_horizon.hpp"

#include <algorithm>
#include <stdexcept>
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

void ActionHorizon::add(std::uint64_t t_ns) {
  const auto at = std::lower_bound(times_.begin(), times_.end(), t_ns);
  if (at != times_.end() && *at == t_ns) return;
  if (static_cast<std::size_t>(at - times_.begin()) < next_)
    throw std::logic_error("an action time added before an instant already carried out");
  times_.insert(at, t_ns);
  update();
}

void ActionHorizon::update() {
  next_ns_ = next_ < times_.size() ? times_[next_] : kNever;
  next_ticks_ = next_ns_ == kNever ? ~0ull : next_ns_ * sc_core::sc_time(1, sc_core::SC_NS).value();
}

}  // namespace pairsim::cpu
