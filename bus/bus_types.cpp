#include "bus/bus_types.hpp"

#include <cmath>

namespace pairsim::bus {

std::uint64_t packet_transfer_ns(const BusConfig& c) {
  return static_cast<std::uint64_t>(std::ceil(kPacketBytes * 1e9 / c.bytes_per_second));
}

std::string check_bus_config(const BusConfig& c) {
  if (c.cpus < 1 || c.cpus > kMaxCpus) return "the bus joins 1 to 16 CPUs, not " + std::to_string(c.cpus);
  if (!(c.bytes_per_second >= 1e3 && c.bytes_per_second <= 1e12))
    return "bus bandwidth must be between 1 kB/s and 1 TB/s";
  if (c.ack_timeout_ns == 0) return "the acknowledgement timeout must be longer than 0 ns";
  if (c.path_down_after < 1) return "a path goes down after at least 1 unacknowledged packet";
  return {};
}

}  // namespace pairsim::bus
