#include "bus/arbiter.hpp"

namespace pairsim::bus {

Arbiter::Arbiter(int requesters) : requesters_(requesters), last_(requesters - 1) {}

}  // namespace pairsim::bus
