#pragma once
// The receiving half of one CPU's bus interface: collects packets into messages, keyed by (src, msg id).
// Reliable messages come out in the order their sender sent them to this CPU (each carries an order number
// per (src, dst); a later message that completes first waits for the earlier one, which its sender
// resends until it arrives: a reliable message to a live CPU never fails). both_buses messages come out as soon as one
// copy is whole; the other copy's packets are then dropped until the sender says no copy is left in flight.
#include <cstdint>
#include <vector>

#include "bus/packet.hpp"
#include "bus/payload_pool.hpp"

namespace pairsim::bus {

class Reassembler {
 public:
  struct Message {
    int src = 0;
    int dst = 0;
    std::uint64_t msg_id = 0;
    std::vector<std::uint8_t> payload;
  };

  // Buffers of messages whole in one packet come from `pool`, when given.
  Reassembler(int self, int cpus, PayloadPool* pool = nullptr);

  // Takes one packet addressed to this CPU. Appends to `out` every message it makes deliverable, in order.
  void accept(const Packet& p, std::vector<Message>& out) { accept(p, p.payload.data(), out); }
  // The same with the packet's p.size message bytes at `bytes` instead of in p.payload.
  void accept(const Packet& p, const std::uint8_t* bytes, std::vector<Message>& out);
  // No further copy of both_buses message (src, msg_id) is in flight: forget that it was delivered.
  void forget(int src, std::uint64_t msg_id);
  // The sender died: drop everything from it; its next life numbers its messages from 0 again.
  void discard_from(int src);
  // This CPU died: drop everything.
  void clear();

  // Messages being collected or remembered (partial, delivered both_buses copies, waiting for order).
  std::size_t pending() const;

 private:
  struct Partial {
    bool in_use = false;
    bool delivered = false;  // both_buses: one copy is out; later copies are duplicates
    int src = 0;
    std::uint64_t msg_id = 0;
    std::uint32_t seq = 0;
    SendMode mode = SendMode::reliable;
    std::uint32_t count = 0;
    std::uint32_t received = 0;
    std::vector<std::uint64_t> have;  // one bit a packet
    std::vector<std::uint8_t> data;
  };
  struct Waiting {  // a reliable message complete before an earlier one from the same sender
    int src;
    std::uint32_t seq;
    std::uint64_t msg_id;
    std::vector<std::uint8_t> data;
  };

  Partial* find(int src, std::uint64_t msg_id);
  Partial& claim();  // an entry not in use
  Partial& open(const Packet& p);
  std::vector<std::uint8_t> copy(const std::uint8_t* bytes, std::size_t n);
  void in_order(int src, std::uint32_t seq, std::uint64_t msg_id, std::vector<std::uint8_t>&& data,
                std::vector<Message>& out);
  void release_waiting(int src, std::vector<Message>& out);

  int self_;
  PayloadPool* pool_;
  std::vector<Partial> partial_;  // few at a time; entries are reused, so buffers keep their capacity
  std::vector<Waiting> waiting_;
  std::vector<std::uint32_t> expected_;  // next order number per sender
};

}  // namespace pairsim::bus
