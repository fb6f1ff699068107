#pragma once
// What a sender does when a reliable packet's acknowledgement times out.
#include <optional>

#include "bus/bus_types.hpp"

namespace pairsim::bus {

// A packet gets at most kBusCount attempts, so no packet is retried forever. After its first attempt failed
// on `failed_on` it goes to the other bus if that path is up, else again to `failed_on` if that path is still
// up; otherwise (second failure, or no path up) the message fails. Path states are the sender's view after
// counting this failure.
std::optional<BusId> resend_bus(BusId failed_on, int attempts, bool failed_path_up, bool other_path_up);

}  // namespace pairsim::bus
