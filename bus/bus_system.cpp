#include "bus/bus_system.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace pairsim::bus {

BusSystem::BusSystem(sc_core::sc_module_name name, const BusConfig& config, const sim::TraceBus& trace)
    : sc_module(name),
      bus_(config, trace, *this),
      ticks_per_ns_(sc_core::sc_time(1, sc_core::SC_NS).value()),
      lane_names_{std::string(this->name()) + ".x", std::string(this->name()) + ".y"},
      listeners_(static_cast<std::size_t>(config.cpus), nullptr) {
  if (ticks_per_ns_ == 0) throw std::invalid_argument("the SystemC time resolution must be 1 ns or finer");
  SC_METHOD(activate);
  sensitive << event_;
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

std::uint64_t BusSystem::send_at(std::uint64_t at_ns, int src, int dst, std::vector<std::uint8_t> payload,
                                 SendMode mode) {
  const std::uint64_t id = bus_.post(std::max(at_ns, now_ns()), src, dst, std::move(payload), mode);
  if (id != 0) schedule_at(bus_.last_post_activation());
  return id;
}

std::uint64_t BusSystem::send_at(std::uint64_t at_ns, int src, int dst, const std::uint8_t* bytes, std::size_t n,
                                 SendMode mode) {
  const std::uint64_t id = bus_.post(std::max(at_ns, now_ns()), src, dst, bytes, n, mode);
  if (id != 0) schedule_at(bus_.last_post_activation());
  return id;
}

void BusSystem::schedule() {
  schedule_at(bus_.next_activation());
}

void BusSystem::schedule_at(std::uint64_t t) {
  if (t >= scheduled_for_) return;  // the event is already due no later
  scheduled_for_ = t;
  const std::uint64_t now = now_ns();
  event_.notify(t > now ? from_ns(t - now) : sc_core::SC_ZERO_TIME);
}

void BusSystem::advance() {
  bus_.advance(now_ns());
}

void BusSystem::activate() {
  scheduled_for_ = Dynabus::kNever;
  advance();
  bus_.flush();  // a listener may send from inside: its schedule() sees the event free
  schedule();
}

std::uint64_t BusSystem::packets_delivered(BusId b) {
  advance();
  schedule();
  return bus_.packets_delivered(b);
}

void BusSystem::deliver(int dst, int src, std::uint64_t msg_id, std::vector<std::uint8_t>&& payload) {
  if (BusListener* l = listeners_[dst]) l->on_message(src, msg_id, std::move(payload));
}

void BusSystem::send_failed(int src, int dst, std::uint64_t msg_id) {
  if (BusListener* l = listeners_[src]) l->on_send_failed(dst, msg_id);
}

// A fault hits transfers that end after it: the Dynabus first catches up with everything before.
void BusSystem::fail_bus(BusId b) {
  bus_.advance(now_ns());
  bus_.fail_bus(b);
  if (vcd_) show_faults();
  schedule();
}
void BusSystem::repair_bus(BusId b) {
  bus_.advance(now_ns());
  bus_.repair_bus(b);
  if (vcd_) show_faults();
  schedule();
}
void BusSystem::fail_path(BusId b, int cpu) {
  bus_.advance(now_ns());
  bus_.fail_path(b, cpu);
  if (vcd_) show_faults();
  schedule();
}
void BusSystem::repair_path(BusId b, int cpu) {
  bus_.advance(now_ns());
  bus_.repair_path(b, cpu);
  if (vcd_) show_faults();
  schedule();
}

void BusSystem::set_cpu_alive(int cpu, bool alive) {
  bus_.advance(now_ns());
  bus_.set_cpu_alive(cpu, alive);
  if (vcd_) show_faults();
  schedule();
}

void BusSystem::trace(sim::VcdWriter& vcd) {
  vcd_ = &vcd;
  // Each transfer is written when it starts, with its end: no activation of the bus is added for it.
  bus_.set_lane_observer(this);
  for (int i = 0; i < kBusCount; ++i) {
    const auto& v = bus_.view(static_cast<BusId>(i));
    const std::string& base = lane_names_[i];
    const std::string lane = std::string("bus ") + bus_name(static_cast<BusId>(i)) + " ";
    auto bit = [&](const std::string& signal, const std::string& label, bool initial) {
      return vcd.declare({base + "." + signal, 1, sim::VcdShow::bit, "", {}, "buses", lane + label, initial});
    };
    LaneWave w;
    w.up = bit("up", "up", v.up);
    w.busy = bit("busy", "busy", v.busy);
    w.sender =
        vcd.declare({base + ".sender", 5, sim::VcdShow::signed_number, "", {}, "buses", lane + "sender", v.sender});
    for (int c = 0; c < bus_.config().cpus; ++c)
      w.attached.push_back(bit("path_cpu" + std::to_string(c), "path cpu" + std::to_string(c), v.attached[c]));
    w.shown = v;
    waves_.push_back(std::move(w));
  }
}

// At one instant the last change wins: a transfer that starts as another ends keeps the bus busy.
void BusSystem::transfer(BusId b, std::uint64_t start, std::uint64_t end, int sender) {
  const LaneWave& w = waves_[static_cast<int>(b)];
  vcd_->change(w.busy, start, 1);
  vcd_->change(w.sender, start, sender);
  vcd_->change(w.busy, end, 0);
  vcd_->change(w.sender, end, -1);
}

void BusSystem::finish_waveform() {
  if (vcd_) bus_.advance(now_ns());
}

void BusSystem::show_faults() {
  const std::uint64_t now = now_ns();
  for (int i = 0; i < kBusCount; ++i) {
    const auto& v = bus_.view(static_cast<BusId>(i));
    LaneWave& w = waves_[i];
    if (v.up != w.shown.up) vcd_->change(w.up, now, w.shown.up = v.up);
    for (std::size_t c = 0; c < w.attached.size(); ++c)
      if (v.attached[c] != w.shown.attached[c]) vcd_->change(w.attached[c], now, w.shown.attached[c] = v.attached[c]);
  }
}

}  // namespace pairsim::bus
