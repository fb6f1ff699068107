#include "bus/packet.hpp"

#include <algorithm>
#include <cstring>

namespace pairsim::bus {

void fill_packet(Packet& p, const std::vector<std::uint8_t>& message, std::uint32_t index) {
  fill_header(p, message.size(), index);
  if (p.size)
    std::memcpy(p.payload.data(), message.data() + static_cast<std::size_t>(index) * kPacketPayloadBytes, p.size);
}

}  // namespace pairsim::bus
