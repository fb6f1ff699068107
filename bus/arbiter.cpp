#include "bus/arbiter.hpp"

namespace pairsim::bus {

Arbiter::Arbiter(int requesters) : requesters_(requesters), last_(requesters - 1) {}

int Arbiter::grant(std::uint32_t requests) {
  requests &= requesters_ >= 32 ? ~0u : (1u << requesters_) - 1;
  if (requests == 0) return -1;
  const int start = last_ + 1 >= requesters_ ? 0 : last_ + 1;
  const std::uint32_t after = requests & (~0u << start);
  last_ = __builtin_ctz(after ? after : requests);
  return last_;
}

}  // namespace pairsim::bus
