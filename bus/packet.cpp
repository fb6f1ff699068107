#include "bus/packet.hpp"

#include <algorithm>
#include <cstring>

namespace pairsim::bus {

std::uint32_t packet_count(std::size_t bytes) {
  return bytes == 0 ? 1u : static_cast<std::uint32_t>((bytes + kPacketPayloadBytes - 1) / kPacketPayloadBytes);
}

void fill_header(Packet& p, std::size_t message_bytes, std::uint32_t index) {
  const std::size_t begin = static_cast<std::size_t>(index) * kPacketPayloadBytes;
  const std::size_t n = begin < message_bytes ? std::min<std::size_t>(kPacketPayloadBytes, message_bytes - begin) : 0;
  p.index = index;
  p.count = packet_count(message_bytes);
  p.length = static_cast<std::uint32_t>(message_bytes);
  p.size = static_cast<std::uint8_t>(n);
}

void fill_packet(Packet& p, const std::vector<std::uint8_t>& message, std::uint32_t index) {
  fill_header(p, message.size(), index);
  if (p.size)
    std::memcpy(p.payload.data(), message.data() + static_cast<std::size_t>(index) * kPacketPayloadBytes, p.size);
}

}  // namespace pairsim::bus
