#include "bus/resend.hpp"

namespace pairsim::bus {

std::optional<BusId> resend_bus(BusId failed_on, int attempts, bool failed_path_up, bool other_path_up) {
  if (attempts >= kBusCount) return std::nullopt;
  if (other_path_up) return other_bus(failed_on);
  if (failed_path_up) return failed_on;
  return std::nullopt;
}

}  // namespace pairsim::bus
