#pragma once
// What a sender does with a reliable packet it knows was lost.
#include "bus/bus_types.hpp"

namespace pairsim::bus {

// A reliable packet is never given up while its receiver lives: the message system's promise is that a
// message between two CPUs that stay in the membership is delivered, however long their paths are out.
// After a loss on `failed_on` the packet goes to the other bus if that path is up, else again to `failed_on`
// if that path is still up; with neither path up it alternates, each copy a probe of its path, one per
// acknowledgement timeout. Path states are the sender's view after counting the loss.
BusId resend_bus(BusId failed_on, bool failed_path_up, bool other_path_up);

}  // namespace pairsim::bus
