#pragma once
// A packet: the unit the bus moves in one transfer.
#include <array>
#include <cstdint>
#include <vector>

#include "bus/bus_types.hpp"

namespace pairsim::bus {

struct Packet {
  // The wire header is kPacketHeaderBytes long; the simulator keeps its fields wide and adds the message
  // length and order number, which a real interface would carry in the first packet. Only the 32-byte size
  // decides how long a transfer takes.
  std::uint64_t msg_id = 0;
  std::uint32_t seq = 0;     // order of reliable messages from src to dst
  std::uint32_t length = 0;  // bytes in the whole message
  std::uint32_t index = 0;   // this packet's place in the message
  std::uint32_t count = 1;   // packets in the message
  std::uint8_t src = 0;
  std::uint8_t dst = 0;
  SendMode mode = SendMode::reliable;
  std::uint8_t size = 0;  // message bytes in this packet
  std::array<std::uint8_t, kPacketPayloadBytes> payload{};
};

// Packets a message of `bytes` takes; an empty message still takes one. (Inline, as fill_header: the bus calls
// both for every packet.)
inline std::uint32_t packet_count(std::size_t bytes) {
  return bytes == 0 ? 1u : static_cast<std::uint32_t>((bytes + kPacketPayloadBytes - 1) / kPacketPayloadBytes);
}

// Copies slice `index` of `message` into the packet and sets index, count, length and size.
void fill_packet(Packet& p, const std::vector<std::uint8_t>& message, std::uint32_t index);
// Sets index, count, length and size for slice `index` of a message of `message_bytes`, without the bytes
// (the Dynabus hands the reassembler the slice straight from the sender's buffer).
inline void fill_header(Packet& p, std::size_t message_bytes, std::uint32_t index) {
  const std::size_t begin = static_cast<std::size_t>(index) * kPacketPayloadBytes;
  const std::size_t rest = begin < message_bytes ? message_bytes - begin : 0;
  p.index = index;
  p.count = packet_count(message_bytes);
  p.length = static_cast<std::uint32_t>(message_bytes);
  p.size = static_cast<std::uint8_t>(rest < kPacketPayloadBytes ? rest : kPacketPayloadBytes);
}

}  // namespace pairsim::bus
