#pragma once
// CONTRACT between bus/ and its users (the CPU module). The bus carries bytes between CPUs; it knows nothing
// of processes, pairs or the kernel's message formats.
#include <cstdint>
#include <string>
#include <vector>

namespace pairsim::bus {

enum class BusId : std::uint8_t { x = 0, y = 1 };
constexpr int kBusCount = 2;
inline const char* bus_name(BusId b) {
  return b == BusId::x ? "X" : "Y";
}
inline BusId other_bus(BusId b) {
  return b == BusId::x ? BusId::y : BusId::x;
}

constexpr std::uint32_t kPacketBytes = 32;  // 16 words of 16 bits, as on the T/16 Dynabus
// Each packet carries an 8-byte header (source, destination, packet index, message id) and 24 bytes of the
// message: a message of n bytes takes max(1, ceil(n / 24)) packets, and each packet occupies the bus for the
// time 32 bytes take at BusConfig::bytes_per_second.
constexpr std::uint32_t kPacketHeaderBytes = 8;
constexpr std::uint32_t kPacketPayloadBytes = kPacketBytes - kPacketHeaderBytes;
constexpr int kMaxCpus = 16;  // T/16 systems had 2 to 16 processors

// How a message travels.
enum class SendMode : std::uint8_t {
  // One copy on each bus whose path is up (and a probe copy on paths marked down), no resend: the receiver
  // may get it twice and deduplicates by (src, msg_id). Used by I'm-alive and regroup, whose redundancy is
  // the second bus itself.
  both_buses,
  // Packets alternate over the buses that are up; each packet is acknowledged; after the acknowledgement
  // timeout it is resent on the other bus. Delivered once, in order, or reported failed.
  reliable,
};

struct BusConfig {
  int cpus = 4;
  double bytes_per_second = 13e6;  // per bus
  std::uint64_t ack_timeout_ns = 1'000'000'000;
  int path_down_after = 3;  // consecutive unacknowledged packets that mark a path down
};

// Nanoseconds one packet occupies a bus: ceil(32 bytes / bytes_per_second), 2462 ns at 13 MB/s.
std::uint64_t packet_transfer_ns(const BusConfig& c);
// Empty when the configuration is usable, else a sentence saying what is wrong (for the machine builder,
// which adds file:line:col). BusSystem throws std::invalid_argument with the same sentence.
std::string check_bus_config(const BusConfig& c);

}  // namespace pairsim::bus
