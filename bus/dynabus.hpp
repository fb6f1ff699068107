#pragma once
// The Dynabus without a simulation kernel: buses X and Y, every CPU's bus interface (send queues, path
// states, acknowledgement timers, reassembly) and the faults, driven by explicit times in nanoseconds.
// Two ways to drive it, both without a simulation kernel:
// - step by step: send(), then start_transfer / finish_transfer / run_timers when their times come (unit
//   tests do this, transfer by transfer);
// - lazily, as BusSystem does: post() sends stamped with their time, advance(now) whenever
//   next_activation() comes (and before any fault), flush() to hand over what is due. A transfer whose end
//   changes nothing a CPU or the trace can see (a packet that is not the last of its message on its bus)
//   gets no activation of its own: advance() catches up with it later, in time order, with the same result
//   as if it had had one. A message of n packets costs about two activations instead of n + 2.
//
// Acknowledgement model: at the end of a transfer the bus knows whether the receiver took the packet (bus
// up, both CPUs attached to it, receiver alive and the same incarnation the message was sent to). A sender
// learns of a taken packet at once. It knows a reliable packet was lost when its timer expires
// ack_timeout_ns later, or earlier, as soon as a packet it sent later to the same CPU is acknowledged. A
// lost reliable packet marks its path down and is sent again; it is never given up while its receiver
// lives (the message fails only when the receiver died). Faults are looked at when a transfer ends.
#include <array>
#include <cstdint>
#include <deque>
#include <optional>
#include <vector>

#include "bus/arbiter.hpp"
#include "bus/bus_types.hpp"
#include "bus/packet.hpp"
#include "bus/path_state.hpp"
#include "bus/payload_pool.hpp"
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

// Where the Dynabus reports each transfer as it starts, with the time it will end (a transfer always runs to
// its end: a fault loses its packet but not its time on the bus). For a waveform: the bus need not wake at
// each transfer for it to be shown at its true times, so a run shows the same with a waveform as without.
class LaneObserver {
 public:
  virtual ~LaneObserver() = default;
  virtual void transfer(BusId b, std::uint64_t start, std::uint64_t end, int sender) = 0;
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
  // The reassemblers point at the bus's own buffer pool: a copy or a move would leave them pointing at
  // another bus's.
  Dynabus(const Dynabus&) = delete;
  Dynabus& operator=(const Dynabus&) = delete;

  // Queues a message. Returns its id (from 1, unique per source CPU for the whole run), or 0 when nothing
  // was sent: src == dst (the CPU delivers locally), a CPU number out of range, or a dead source.
  std::uint64_t send(std::uint64_t now, int src, int dst, std::vector<std::uint8_t> payload, SendMode mode);

  // Lazy driving. post() is send() taking effect at `at` (a CPU running ahead of the simulation kernel
  // stamps its sends with its own clock); the id is given at once. A time before the last advance() counts
  // as that time. A source that dies before `at` never sends it.
  std::uint64_t post(std::uint64_t at, int src, int dst, std::vector<std::uint8_t> payload, SendMode mode);
  // The same with the message's n bytes at `bytes`, copied into a buffer the Dynabus reuses (a short message
  // sent often, such as I'm-alive, then costs no allocation).
  std::uint64_t post(std::uint64_t at, int src, int dst, const std::uint8_t* bytes, std::size_t n, SendMode mode);
  // next_activation() can only have moved to this since the last post (posting changes nothing else).
  std::uint64_t last_post_activation() const { return last_post_activation_; }
  // Processes every transfer end, timer and posted send at or before `now`, in time order; at one instant:
  // transfers end, timers run, posted sends join the queues, idle buses arbitrate. Results wait for flush().
  void advance(std::uint64_t now);
  // The earliest time advance() must be called so that nothing is delivered, failed or traced late:
  // a delivery, failure or trace event can happen no earlier. kNever when nothing is under way.
  std::uint64_t next_activation() const;
  // Hands deliveries and failures over to the client.
  void flush();
  // Reports every transfer from now on to `o` (nullptr: to nobody).
  void set_lane_observer(LaneObserver* o) { lane_observer_ = o; }
  // Deliveries, failures and trace events advance() found before `now`: zero unless next_activation() is
  // wrong. Tests check it.
  std::uint64_t late_results() const { return late_results_; }

  bool busy(BusId b) const { return lane(b).view.busy; }
  bool has_requests(BusId b) const { return lane(b).requests != 0; }
  std::uint64_t transfer_end(BusId b) const { return lane(b).view.busy ? lane(b).end : kNever; }
  // Arbitrates and starts the next transfer on an idle bus. Returns its end time, kNever if nothing waits.
  std::uint64_t start_transfer(BusId b, std::uint64_t now);
  // Ends the transfer in flight on `b`: delivers or arms an acknowledgement timer.
  void finish_transfer(BusId b, std::uint64_t now);

  std::uint64_t next_deadline() const { return timers_.empty() ? kNever : timers_.front().deadline; }
  std::uint64_t next_post() const { return posts_.empty() ? kNever : posts_.front().at; }
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
    std::uint32_t group_left = 0;  // packets of the same message queued right behind it on this bus
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
    std::array<std::uint32_t, kBusCount> queued{};  // packets waiting in a send queue, per bus
    bool lost_packet = false;                       // one of its transfers was not taken (a both_buses copy may now be
                                                    // completed by the other copy's packets, in any order)
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
    Packet packet;  // the header of the packet in flight; its bytes stay in the sender's message
    explicit Lane(int cpus) : arbiter(cpus) {}
  };
  struct Timer {  // an acknowledgement timer of a packet that was not taken
    std::uint64_t deadline;
    std::uint64_t order;  // ties keep arming order, for determinism
    std::uint64_t msg_id;
    PacketRef ref;
    std::uint32_t src_incarnation;
    std::uint32_t dst_incarnation;  // the receiver's life the packet was meant for
    std::uint8_t src;
    std::uint8_t dst;
    BusId bus;
    SendMode mode;
  };
  struct Failure {
    int src;
    int dst;
    std::uint64_t msg_id;
    std::size_t after;  // deliveries found before it: the outbox hands both over in the order they came
  };
  struct Post {
    std::uint64_t at;
    int src;
    int dst;
    std::uint64_t msg_id;
    SendMode mode;
    std::vector<std::uint8_t> payload;
  };

  Lane& lane(BusId b) { return lanes_[static_cast<int>(b)]; }
  const Lane& lane(BusId b) const { return lanes_[static_cast<int>(b)]; }
  bool valid_cpu(int cpu) const { return cpu >= 0 && cpu < config_.cpus; }
  bool sendable(int src, int dst) const { return valid_cpu(src) && valid_cpu(dst) && src != dst && cpus_[src].alive; }
  OutMessage* live(const PacketRef& r);
  const OutMessage* live(const PacketRef& r) const;
  std::uint32_t allocate_slot();
  void release(OutMessage& m);
  void queue_message(int src, int dst, std::uint64_t id, std::vector<std::uint8_t> payload, SendMode mode);
  void enqueue(int src, BusId b, const PacketRef& r, bool front);
  void end_transfer(BusId b, std::uint64_t now);
  void expire_timers(std::uint64_t now);
  void start_idle_lanes(std::uint64_t now);
  void arm(const Timer& t);
  void fail_message(std::uint64_t now, int src, int dst, std::uint64_t msg_id);
  // A reliable packet is known lost: by its timeout (via empty), or because a later packet to the same CPU
  // was just acknowledged on bus *via. Sends it again, or fails its message if the receiver died.
  void handle_lost(std::uint64_t now, const Timer& t, std::optional<BusId> via);
  // Removes and returns, in arming order, the timers of reliable packets from src to dst not yet expired
  // (on bus *on only, or on either).
  std::vector<Timer> take_lost(int src, int dst, std::optional<BusId> on);
  std::uint32_t& lost_pending(int src, int dst) {
    return lost_pending_[static_cast<std::size_t>(src) * config_.cpus + dst];
  }
  std::uint32_t lost_pending(int src, int dst) const {
    return lost_pending_[static_cast<std::size_t>(src) * config_.cpus + dst];
  }
  void emit(const sim::TraceEvent& e);
  bool takes(const Lane& l, const OutMessage& m) const;
  // Whether the end of packet r on bus b can deliver, fail or trace anything. `ends_at`: when it ends, if it
  // is on the bus now (kNever for a packet still queued).
  bool visible_end(const PacketRef& r, BusId b, std::uint64_t ends_at = kNever) const;
  std::uint64_t lane_activation(BusId b) const;
  std::uint64_t post_activation(const Post& p) const;

  BusConfig config_;
  std::uint64_t transfer_ns_;
  const sim::TraceBus& trace_;
  DynabusClient& client_;
  PayloadPool pool_;  // before the reassemblers, which draw on it
  std::vector<Lane> lanes_;
  std::vector<Interface> cpus_;
  std::vector<Reassembler> reassemblers_;
  PathTable paths_;
  std::vector<OutMessage> slots_;
  std::vector<std::uint32_t> free_slots_;
  std::vector<Timer> timers_;                // min-heap on (deadline, order)
  std::vector<std::uint32_t> lost_pending_;  // per (src, dst): armed timers of reliable packets
  std::uint64_t timer_order_ = 0;
  // Outbox, handed to the client at the end of each call; the spare copies let a callback send again.
  std::vector<Reassembler::Message> deliveries_, deliveries_spare_;
  std::vector<Failure> failures_, failures_spare_;
  bool flushing_ = false;
  // Lazy driving.
  std::deque<Post> posts_;  // by time; ties in posting order
  std::uint64_t last_post_activation_ = kNever;
  std::uint64_t advanced_to_ = 0;
  LaneObserver* lane_observer_ = nullptr;
  std::uint64_t emitted_ = 0;  // trace events, to tell late ones
  std::uint64_t late_results_ = 0;
};

}  // namespace pairsim::bus
