#include "bus/resend.hpp"

namespace pairsim::bus {

BusId resend_bus(BusId failed_on, bool failed_path_up, bool other_path_up) {
  if (other_path_up) return other_bus(failed_on);
  if (failed_path_up) return failed_on;
  return other_bus(failed_on);
}

}  // namespace pairsim::bus
