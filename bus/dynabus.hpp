#pragma once
// The Dynabus without a simulation kernel: buses X and Y, every CPU's bus interface (send queues, path
// states, acknowledgement timers, reassembly) and the faults, driven by explicit times in nanoseconds.
// BusSystem wraps it in SystemC and calls start_transfer / finish_transfer / run_timers when their times
// come; unit tests call them directly, so the whole protocol is testable without elaborating a kernel.
//
// Acknowledgement model: at the end of a transfer the bus knows whether the receiver took the packet (bus
// up, both CPUs attached to it, receiver alive and the same incarnation the message was sent to). A sender
// learns of a taken packet at once and of a lost one only when its timer expires ack_timeout_ns later.
// Faults are looked at when a transfer ends.
#include <array>
#include <cstdint>
#include <vector>

#include "bus/arbiter.hpp"
#include "bus/bus_types.hpp"
#include "bus/packet.hpp"
#include "bus/path_state.hpp"
#include "bus/reassembler.hpp"
#include "bus/ring_queue.hpp"
#include "sim/trace/trace_bus.hpp"

namespace pairsim::bus {

// Where the Dynabus hands over what it has for the CPUs. Called at the end of the Dynabus call that caused
// it, with the Dynabus in a consistent state, so a callback may send again.
class DynabusClient {
 public:
  virtual ~DynabusClient() = default;
  virtual void deliver(int dst, int src, std::uint64_t msg_id, std::vector<std::uint8_t>&& payload) = 0;
  virtual void send_failed(int src, int dst, std::uint64_t msg_id) = 0;
};

class Dynabus {
 public:
  static constexpr std::uint64_t kNever = ~std::uint64_t{0};

  // What a waveform shows of one bus. Addresses stay valid for the Dynabus's lifetime.
  struct LaneView {
    bool up = true;
    bool busy = false;
    int sender = -1;
    std::array<bool, kMaxCpus> attached{};
  };

  // Throws std::invalid_argument when check_bus_config finds fault with `config`.
  Dynabus(const BusConfig& config, const sim::TraceBus& trace, DynabusClient& client);

  // Queues a message. Returns its id (from 1, unique per source CPU for the whole run), or 0 when nothing
  // was sent: src == dst (the CPU delivers locally), a CPU number out of range, or a dead source.
  std::uint64_t send(std::uint64_t now, int src, int dst, std::vector<std::uint8_t> payload, SendMode mode);

  bool busy(BusId b) const { return lane(b).view.busy; }
  bool has_requests(BusId b) const { return lane(b).requests != 0; }
  std::uint64_t transfer_end(BusId b) const { return lane(b).view.busy ? lane(b).end : kNever; }
  // Arbitrates and starts the next transfer on an idle bus. Returns its end time, kNever if nothing waits.
  std::uint64_t start_transfer(BusId b, std::uint64_t now);
  // Ends the transfer in flight on `b`: delivers or arms an acknowledgement timer.
  void finish_transfer(BusId b, std::uint64_t now);

  std::uint64_t next_deadline() const { return timers_.empty() ? kNever : timers_.front().deadline; }
  // Handles every timer due at or before `now`: path failure counting, resends, failed messages.
  void run_timers(std::uint64_t now);

  void fail_bus(BusId b) { lane(b).view.up = false; }
  void repair_bus(BusId b) { lane(b).view.up = true; }
  void fail_path(BusId b, int cpu);
  void repair_path(BusId b, int cpu);
  // A CPU that dies drops its queued packets and half-received messages; one that comes back starts clean.
  void set_cpu_alive(int cpu, bool alive);

  bool path_up(int src, int dst, BusId b) const;
  bool bus_up(BusId b) const { return lane(b).view.up; }
  bool cpu_alive(int cpu) const;
  const LaneView& view(BusId b) const { return lane(b).view; }
  std::uint64_t packets_delivered(BusId b) const { return lane(b).delivered; }
  std::uint64_t transfer_ns() const { return transfer_ns_; }
  const BusConfig& config() const { return config_; }
  // Messages queued or partly acknowledged by senders (for tests and leak checks).
  std::size_t messages_in_flight() const { return slots_.size() - free_slots_.size(); }

 private:
  struct PacketRef {
    std::uint32_t slot = 0;
    std::uint32_t generation = 0;
    std::uint32_t index = 0;
    std::uint32_t attempts = 0;  // transfers of this packet before this one
  };
  struct OutMessage {  // a message from its send until its sender is done with it
    bool live = false;
    std::uint32_t generation = 0;
    int src = 0;
    int dst = 0;
    SendMode mode = SendMode::reliable;
    std::uint32_t src_incarnation = 0;
    std::uint32_t dst_incarnation = 0;
    std::uint64_t msg_id = 0;
    std::uint32_t seq = 0;
    std::uint32_t outstanding = 0;  // reliable: packets not yet acknowledged; both_buses: copies not yet sent
    std::vector<std::uint8_t> payload;
  };
  struct Interface {  // the sending half of one CPU's bus interface
    bool alive = true;
    std::uint32_t incarnation = 0;
    std::uint64_t next_msg_id = 1;
    std::array<RingQueue<PacketRef>, kBusCount> queue;
    std::array<std::uint32_t, kMaxCpus> next_seq{};  // order number of the next reliable message per dst
    std::array<std::uint8_t, kMaxCpus> next_bus{};   // bus of the next reliable packet per dst
  };
  struct Lane {
    LaneView view;
    Arbiter arbiter;
    std::uint32_t requests = 0;  // bit per CPU with packets queued for this bus
    std::uint64_t end = 0;
    std::uint64_t delivered = 0;
    PacketRef current;
    Packet packet;
    explicit Lane(int cpus) : arbiter(cpus) {}
  };
  enum class TimerKind : std::uint8_t { ack_timeout, unsendable };
  struct Timer {
    std::uint64_t deadline;
    std::uint64_t order;  // ties keep arming order, for determinism
    std::uint64_t msg_id;
    PacketRef ref;
    std::uint32_t src_incarnation;
    std::uint32_t dst_incarnation;  // the receiver's life the packet was meant for
    std::uint8_t src;
    std::uint8_t dst;
    BusId bus;
    TimerKind kind;
    SendMode mode;
  };
  struct Failure {
    int src;
    int dst;
    std::uint64_t msg_id;
  };

  Lane& lane(BusId b) { return lanes_[static_cast<int>(b)]; }
  const Lane& lane(BusId b) const { return lanes_[static_cast<int>(b)]; }
  bool valid_cpu(int cpu) const { return cpu >= 0 && cpu < config_.cpus; }
  OutMessage* live(const PacketRef& r);
  std::uint32_t allocate_slot();
  void release(OutMessage& m);
  void enqueue(int src, BusId b, const PacketRef& r, bool front);
  void arm(const Timer& t);
  void fail_message(std::uint64_t now, int src, int dst, std::uint64_t msg_id);
  void flush();

  BusConfig config_;
  std::uint64_t transfer_ns_;
  const sim::TraceBus& trace_;
  DynabusClient& client_;
  std::vector<Lane> lanes_;
  std::vector<Interface> cpus_;
  std::vector<Reassembler> reassemblers_;
  PathTable paths_;
  std::vector<OutMessage> slots_;
  std::vector<std::uint32_t> free_slots_;
  std::vector<Timer> timers_;  // min-heap on (deadline, order)
  std::uint64_t timer_order_ = 0;
  // Outbox, handed to the client at the end of each call; the spare copies let a callback send again.
  std::vector<Reassembler::Message> deliveries_, deliveries_spare_;
  std::vector<Failure> failures_, failures_spare_;
  bool flushing_ = false;
};

}  // namespace pairsim::bus
