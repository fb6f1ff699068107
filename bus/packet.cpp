#include "bus/packet.hpp"

#include <algorithm>
#include <cstring>

namespace pairsim::bus {

std::uint32_t packet_count(std::size_t bytes) {
  return bytes == 0 ? 1u : static_cast<std::uint32_t>((bytes + kPacketPayloadBytes - 1) / kPacketPayloadBytes);
}

void fill_packet(Packet& p, const std::vector<std::uint8_t>& message, std::uint32_t index) {
  const std::size_t begin = static_cast<std::size_t>(index) * kPacketPayloadBytes;
  const std::size_t n = begin < message.size() ? std::min<std::size_t>(kPacketPayloadBytes, message.size() - begin) : 0;
  p.index = index;
  p.count = packet_count(message.size());
  p.length = static_cast<std::uint32_t>(message.size());
  p.size = static_cast<std::uint8_t>(n);
  if (n) std::memcpy(p.payload.data(), message.data() + begin, n);
}

}  // namespace pairsim::bus
