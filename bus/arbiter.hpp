#pragma once
// Round-robin arbitration of one bus among the CPUs that want it: the grant goes to the first requester
// after the one granted last, so every waiting CPU gets a transfer before any CPU gets a second one.
#include <cstdint>

namespace pairsim::bus {

class Arbiter {
 public:
  explicit Arbiter(int requesters);
  // `requests` has bit i set when CPU i has a packet for this bus. Returns the CPU granted, -1 if none.
  int grant(std::uint32_t requests) {  // inline: the bus asks once a packet
    requests &= requesters_ >= 32 ? ~0u : (1u << requesters_) - 1;
    if (requests == 0) return -1;
    const int start = last_ + 1 >= requesters_ ? 0 : last_ + 1;
    const std::uint32_t after = requests & (~0u << start);
    last_ = __builtin_ctz(after ? after : requests);
    return last_;
  }
  int last_granted() const { return last_; }

 private:
  int requesters_;
  int last_;  // starts at the last CPU so that CPU 0 wins the first contest
};

}  // namespace pairsim::bus
