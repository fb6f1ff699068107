#pragma once
// Round-robin arbitration of one bus among the CPUs that want it: the grant goes to the first requester
// after the one granted last, so every waiting CPU gets a transfer before any CPU gets a second one.
#include <cstdint>

namespace pairsim::bus {

class Arbiter {
 public:
  explicit Arbiter(int requesters);
  // `requests` has bit i set when CPU i has a packet for this bus. Returns the CPU granted, -1 if none.
  int grant(std::uint32_t requests);
  int last_granted() const { return last_; }

 private:
  int requesters_;
  int last_;  // starts at the last CPU so that CPU 0 wins the first contest
};

}  // namespace pairsim::bus
