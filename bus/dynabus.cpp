#include "bus/dynabus.hpp"

#include <algorithm>
#include <stdexcept>

#include "bus/resend.hpp"

namespace pairsim::bus {

namespace {

const BusConfig& checked(const BusConfig& c) {
  if (auto why = check_bus_config(c); !why.empty()) throw std::invalid_argument(why);
  return c;
}

// std heap functions keep the largest first; the earliest deadline must come first.
struct TimerAfter {
  template <typename T>
  bool operator()(const T& a, const T& b) const {
    return a.deadline != b.deadline ? a.deadline > b.deadline : a.order > b.order;
  }
};

}  // namespace

Dynabus::Dynabus(const BusConfig& config, const sim::TraceBus& trace, DynabusClient& client)
    : config_(checked(config)),
      transfer_ns_(packet_transfer_ns(config)),
      trace_(trace),
      client_(client),
      cpus_(static_cast<std::size_t>(config.cpus)),
      paths_(config.cpus) {
  for (int b = 0; b < kBusCount; ++b) {
    Lane& l = lanes_.emplace_back(config.cpus);
    for (int c = 0; c < config.cpus; ++c) l.view.attached[c] = true;
  }
  for (int c = 0; c < config.cpus; ++c) reassemblers_.emplace_back(c, config.cpus);
}

bool Dynabus::cpu_alive(int cpu) const {
  return valid_cpu(cpu) && cpus_[cpu].alive;
}

bool Dynabus::path_up(int src, int dst, BusId b) const {
  return valid_cpu(src) && valid_cpu(dst) && paths_.at(src, dst, b).up();
}

void Dynabus::fail_path(BusId b, int cpu) {
  if (valid_cpu(cpu)) lane(b).view.attached[cpu] = false;
}

void Dynabus::repair_path(BusId b, int cpu) {
  if (valid_cpu(cpu)) lane(b).view.attached[cpu] = true;
}

Dynabus::OutMessage* Dynabus::live(const PacketRef& r) {
  OutMessage& m = slots_[r.slot];
  return m.live && m.generation == r.generation ? &m : nullptr;
}

std::uint32_t Dynabus::allocate_slot() {
  if (free_slots_.empty()) {
    slots_.emplace_back();
    return static_cast<std::uint32_t>(slots_.size() - 1);
  }
  const std::uint32_t s = free_slots_.back();
  free_slots_.pop_back();
  return s;
}

void Dynabus::release(OutMessage& m) {
  m.live = false;
  ++m.generation;  // queued packets and armed timers of this message now find it gone
  m.payload = {};
  free_slots_.push_back(static_cast<std::uint32_t>(&m - slots_.data()));
}

void Dynabus::enqueue(int src, BusId b, const PacketRef& r, bool front) {
  auto& q = cpus_[src].queue[static_cast<int>(b)];
  if (front)
    q.push_front(r);
  else
    q.push_back(r);
  lane(b).requests |= 1u << src;
}

std::uint64_t Dynabus::send(std::uint64_t now, int src, int dst, std::vector<std::uint8_t> payload, SendMode mode) {
  if (!valid_cpu(src) || !valid_cpu(dst) || src == dst || !cpus_[src].alive) return 0;
  Interface& s = cpus_[src];
  const std::uint64_t id = s.next_msg_id++;
  const bool up_x = paths_.at(src, dst, BusId::x).up();
  const bool up_y = paths_.at(src, dst, BusId::y).up();
  if (mode == SendMode::reliable && !up_x && !up_y) {
    // Reported from the timer process, not from inside send(), so the caller never re-enters itself.
    arm({now,
         0,
         id,
         {},
         s.incarnation,
         cpus_[dst].incarnation,
         static_cast<std::uint8_t>(src),
         static_cast<std::uint8_t>(dst),
         BusId::x,
         TimerKind::unsendable,
         mode});
    return id;
  }
  const std::uint32_t slot = allocate_slot();
  OutMessage& m = slots_[slot];
  const std::uint32_t count = packet_count(payload.size());
  m.live = true;
  m.src = src;
  m.dst = dst;
  m.mode = mode;
  m.src_incarnation = s.incarnation;
  m.dst_incarnation = cpus_[dst].incarnation;
  m.msg_id = id;
  m.payload = std::move(payload);
  if (mode == SendMode::reliable) {
    m.seq = s.next_seq[dst]++;
    m.outstanding = count;
    for (std::uint32_t i = 0; i < count; ++i) {
      auto b = static_cast<BusId>(s.next_bus[dst]);
      if (!(b == BusId::x ? up_x : up_y)) b = other_bus(b);
      s.next_bus[dst] = static_cast<std::uint8_t>(other_bus(b));
      enqueue(src, b, {slot, m.generation, i, 0}, false);
    }
  } else {
    m.seq = 0;
    m.outstanding = count * kBusCount;
    for (int b = 0; b < kBusCount; ++b)
      for (std::uint32_t i = 0; i < count; ++i) enqueue(src, static_cast<BusId>(b), {slot, m.generation, i, 0}, false);
  }
  return id;
}

std::uint64_t Dynabus::start_transfer(BusId b, std::uint64_t now) {
  Lane& l = lane(b);
  if (l.view.busy) return l.end;
  while (l.requests) {
    const int cpu = l.arbiter.grant(l.requests);
    auto& q = cpus_[cpu].queue[static_cast<int>(b)];
    const PacketRef r = q.front();
    q.pop_front();
    if (q.empty()) l.requests &= ~(1u << cpu);
    OutMessage* m = live(r);
    if (!m) continue;  // its message failed, or its sender died, while it waited
    if (m->mode == SendMode::reliable && !paths_.at(cpu, m->dst, b).up() && paths_.at(cpu, m->dst, other_bus(b)).up()) {
      enqueue(cpu, other_bus(b), r, false);  // the path went down while it waited: use the other bus
      continue;
    }
    Packet& p = l.packet;
    p.msg_id = m->msg_id;
    p.seq = m->seq;
    p.src = static_cast<std::uint8_t>(cpu);
    p.dst = static_cast<std::uint8_t>(m->dst);
    p.mode = m->mode;
    fill_packet(p, m->payload, r.index);
    l.current = r;
    l.view.busy = true;
    l.view.sender = cpu;
    l.end = now + transfer_ns_;
    return l.end;
  }
  return kNever;
}

void Dynabus::finish_transfer(BusId b, std::uint64_t now) {
  Lane& l = lane(b);
  if (!l.view.busy) return;
  l.view.busy = false;
  l.view.sender = -1;
  OutMessage* m = live(l.current);
  if (!m) return;
  const int src = m->src;
  const int dst = m->dst;
  const bool taken = l.view.up && l.view.attached[src] && l.view.attached[dst] && cpus_[dst].alive &&
                     cpus_[dst].incarnation == m->dst_incarnation;
  if (taken) {
    ++l.delivered;
    if (paths_.at(src, dst, b).acknowledged())
      trace_.emit(sim::TraceEvent(now, "path_up").with("cpu", src).with("dst", dst).with("bus", bus_name(b)));
    reassemblers_[dst].accept(l.packet, deliveries_);
  } else {
    arm({now + config_.ack_timeout_ns, 0, m->msg_id,
         PacketRef{l.current.slot, l.current.generation, l.current.index, l.current.attempts + 1}, m->src_incarnation,
         m->dst_incarnation, static_cast<std::uint8_t>(src), static_cast<std::uint8_t>(dst), b, TimerKind::ack_timeout, m->mode});
  }
  // A reliable packet stays the sender's until acknowledged; a both_buses copy is done once sent.
  if ((taken || m->mode == SendMode::both_buses) && --m->outstanding == 0) {
    if (m->mode == SendMode::both_buses) reassemblers_[dst].forget(src, m->msg_id);
    release(*m);
  }
  flush();
}

void Dynabus::arm(const Timer& t) {
  timers_.push_back(t);
  timers_.back().order = timer_order_++;
  std::push_heap(timers_.begin(), timers_.end(), TimerAfter{});
}

void Dynabus::run_timers(std::uint64_t now) {
  while (!timers_.empty() && timers_.front().deadline <= now) {
    std::pop_heap(timers_.begin(), timers_.end(), TimerAfter{});
    const Timer t = timers_.back();
    timers_.pop_back();
    if (cpus_[t.src].incarnation != t.src_incarnation) continue;  // the sender died since
    if (t.kind == TimerKind::unsendable) {
      fail_message(now, t.src, t.dst, t.msg_id);
      continue;
    }
    if (cpus_[t.dst].incarnation != t.dst_incarnation) {
      // The receiver died (and perhaps came back) since the packet went out: its silence says nothing
      // about the path, and the message was for a life that is over.
      if (t.mode == SendMode::both_buses) continue;
      OutMessage* gone = live(t.ref);
      if (!gone) continue;
      release(*gone);
      fail_message(now, t.src, t.dst, t.msg_id);
      continue;
    }
    if (paths_.at(t.src, t.dst, t.bus).unacknowledged(config_.path_down_after))
      trace_.emit(sim::TraceEvent(now, "path_down").with("cpu", t.src).with("dst", t.dst).with("bus", bus_name(t.bus)));
    if (t.mode == SendMode::both_buses) continue;
    OutMessage* m = live(t.ref);
    if (!m) continue;  // another packet of it failed first
    const auto next = resend_bus(t.bus, static_cast<int>(t.ref.attempts), paths_.at(t.src, t.dst, t.bus).up(),
                                 paths_.at(t.src, t.dst, other_bus(t.bus)).up());
    if (next) {
      trace_.emit(sim::TraceEvent(now, "bus_resend")
                      .with("cpu", t.src)
                      .with("dst", t.dst)
                      .with("bus", bus_name(*next))
                      .with("msg", t.msg_id));
      enqueue(t.src, *next, t.ref, true);
      continue;
    }
    if (cpus_[m->dst].alive && cpus_[m->dst].incarnation == m->dst_incarnation)
      reassemblers_[m->dst].abandon(m->src, m->seq, m->msg_id, deliveries_);
    release(*m);
    fail_message(now, t.src, t.dst, t.msg_id);
  }
  flush();
}

void Dynabus::fail_message(std::uint64_t now, int src, int dst, std::uint64_t msg_id) {
  trace_.emit(sim::TraceEvent(now, "send_failed").with("cpu", src).with("dst", dst).with("msg", msg_id));
  failures_.push_back({src, dst, msg_id});
}

void Dynabus::set_cpu_alive(int cpu, bool alive) {
  if (!valid_cpu(cpu) || cpus_[cpu].alive == alive) return;
  Interface& s = cpus_[cpu];
  s.alive = alive;
  ++s.incarnation;  // packets and timers of the previous life now find it gone
  if (!alive) {
    for (int b = 0; b < kBusCount; ++b) {
      s.queue[b].clear();
      lanes_[b].requests &= ~(1u << cpu);
    }
    for (auto& m : slots_)
      if (m.live && m.src == cpu) release(m);
    reassemblers_[cpu].clear();
    for (auto& r : reassemblers_) r.discard_from(cpu);
    return;
  }
  s.next_seq.fill(0);
  s.next_bus.fill(0);
  reassemblers_[cpu].clear();  // nothing of a former life may wait there for an order number
  paths_.reset_sender(cpu);
  for (auto& other : cpus_) other.next_seq[cpu] = 0;  // its receiver starts clean, expecting order number 0
}

void Dynabus::flush() {
  if (flushing_) return;  // a callback's own calls are handed over by the loop below
  flushing_ = true;
  while (!deliveries_.empty() || !failures_.empty()) {
    deliveries_spare_.swap(deliveries_);
    for (auto& d : deliveries_spare_)
      if (cpus_[d.dst].alive) client_.deliver(d.dst, d.src, d.msg_id, std::move(d.payload));
    deliveries_spare_.clear();
    failures_spare_.swap(failures_);
    for (const auto& f : failures_spare_)
      if (cpus_[f.src].alive) client_.send_failed(f.src, f.dst, f.msg_id);
    failures_spare_.clear();
  }
  flushing_ = false;
}

}  // namespace pairsim::bus
