#include "bus/bus_system.hpp"

#include <stdexcept>
#include <string>

namespace pairsim::bus {

// One bus as the hierarchy and the waveform show it; its method ends one transfer and starts the next.
class BusLane : public sc_core::sc_module {
 public:
  SC_HAS_PROCESS(BusLane);
  BusLane(sc_core::sc_module_name name, BusSystem& owner, BusId id) : sc_module(name), owner_(owner), id_(id) {
    SC_METHOD(run);
    sensitive << event;
    dont_initialize();
  }
  sc_core::sc_event event;

 private:
  void run() { owner_.on_lane_event(id_); }
  BusSystem& owner_;
  BusId id_;
};

BusSystem::BusSystem(sc_core::sc_module_name name, const BusConfig& config, const sim::TraceBus& trace)
    : sc_module(name),
      bus_(config, trace, *this),
      ticks_per_ns_(sc_core::sc_time(1, sc_core::SC_NS).value()),
      listeners_(static_cast<std::size_t>(config.cpus), nullptr) {
  if (ticks_per_ns_ == 0) throw std::invalid_argument("the SystemC time resolution must be 1 ns or finer");
  lanes_[0] = std::make_unique<BusLane>("x", *this, BusId::x);
  lanes_[1] = std::make_unique<BusLane>("y", *this, BusId::y);
  SC_METHOD(on_timer);
  sensitive << timer_event_;
  dont_initialize();
}

BusSystem::~BusSystem() = default;

std::uint64_t BusSystem::now_ns() const {
  return sc_core::sc_time_stamp().value() / ticks_per_ns_;
}

sc_core::sc_time BusSystem::from_ns(std::uint64_t ns) const {
  return sc_core::sc_time::from_value(ns * ticks_per_ns_);
}

void BusSystem::attach(int cpu, BusListener* l) {
  if (cpu >= 0 && cpu < static_cast<int>(listeners_.size())) listeners_[cpu] = l;
}

std::uint64_t BusSystem::send(int src, int dst, std::vector<std::uint8_t> payload, SendMode mode) {
  const std::uint64_t id = bus_.send(now_ns(), src, dst, std::move(payload), mode);
  kick_idle_lanes();
  arm_timer();
  return id;
}

void BusSystem::kick_idle_lanes() {
  for (int i = 0; i < kBusCount; ++i) {
    const auto b = static_cast<BusId>(i);
    if (lane_scheduled_[i] || bus_.busy(b) || !bus_.has_requests(b)) continue;
    lane_scheduled_[i] = true;
    // Wait one delta so every CPU that sends at this instant takes part in the arbitration.
    lanes_[i]->event.notify(sc_core::SC_ZERO_TIME);
  }
}

void BusSystem::on_lane_event(BusId b) {
  const int i = static_cast<int>(b);
  const std::uint64_t now = now_ns();
  // Stays set while running: a listener that sends from inside the delivery must not re-notify the event.
  lane_scheduled_[i] = true;
  if (bus_.busy(b) && bus_.transfer_end(b) <= now) bus_.finish_transfer(b, now);
  const std::uint64_t end = bus_.start_transfer(b, now);
  if (end != Dynabus::kNever) {
    lanes_[i]->event.notify(from_ns(end - now));
  } else {
    lane_scheduled_[i] = false;
  }
  kick_idle_lanes();  // a packet moved to the other bus because its path went down
  arm_timer();
}

void BusSystem::arm_timer() {
  const std::uint64_t d = bus_.next_deadline();
  if (d >= timer_armed_for_) return;
  timer_armed_for_ = d;
  const std::uint64_t now = now_ns();
  timer_event_.notify(d > now ? from_ns(d - now) : sc_core::SC_ZERO_TIME);
}

void BusSystem::on_timer() {
  timer_armed_for_ = Dynabus::kNever;
  bus_.run_timers(now_ns());
  kick_idle_lanes();
  arm_timer();
}

void BusSystem::deliver(int dst, int src, std::uint64_t msg_id, std::vector<std::uint8_t>&& payload) {
  if (BusListener* l = listeners_[dst]) l->on_message(src, msg_id, std::move(payload));
}

void BusSystem::send_failed(int src, int dst, std::uint64_t msg_id) {
  if (BusListener* l = listeners_[src]) l->on_send_failed(dst, msg_id);
}

void BusSystem::fail_bus(BusId b) {
  bus_.fail_bus(b);
}
void BusSystem::repair_bus(BusId b) {
  bus_.repair_bus(b);
}
void BusSystem::fail_path(BusId b, int cpu) {
  bus_.fail_path(b, cpu);
}
void BusSystem::repair_path(BusId b, int cpu) {
  bus_.repair_path(b, cpu);
}

void BusSystem::set_cpu_alive(int cpu, bool alive) {
  bus_.set_cpu_alive(cpu, alive);
  kick_idle_lanes();
}

void BusSystem::trace(sc_core::sc_trace_file* tf) {
  if (!tf) return;
  for (int i = 0; i < kBusCount; ++i) {
    const auto& v = bus_.view(static_cast<BusId>(i));
    const std::string base = lanes_[i]->name();
    sc_core::sc_trace(tf, v.up, base + ".up");
    sc_core::sc_trace(tf, v.busy, base + ".busy");
    sc_core::sc_trace(tf, v.sender, base + ".sender");
    for (int c = 0; c < bus_.config().cpus; ++c)
      sc_core::sc_trace(tf, v.attached[c], base + ".path_cpu" + std::to_string(c));
  }
}

}  // namespace pairsim::bus
