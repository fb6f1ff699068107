#include "bus/dynabus.hpp"

#include <algorithm>
#include <stdexcept>

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
      paths_(config.cpus),
      lost_pending_(static_cast<std::size_t>(config.cpus) * config.cpus, 0) {
  for (int b = 0; b < kBusCount; ++b) {
    Lane& l = lanes_.emplace_back(config.cpus);
    for (int c = 0; c < config.cpus; ++c) l.view.attached[c] = true;
  }
  for (int c = 0; c < config.cpus; ++c) reassemblers_.emplace_back(c, config.cpus, &pool_);
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

const Dynabus::OutMessage* Dynabus::live(const PacketRef& r) const {
  const OutMessage& m = slots_[r.slot];
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
  pool_.give(m.payload);
  if (m.payload.capacity() != 0) std::vector<std::uint8_t>().swap(m.payload);
  free_slots_.push_back(static_cast<std::uint32_t>(&m - slots_.data()));
}

void Dynabus::enqueue(int src, BusId b, const PacketRef& r, bool front) {
  if (OutMessage* m = live(r)) ++m->queued[static_cast<int>(b)];
  auto& q = cpus_[src].queue[static_cast<int>(b)];
  if (front)
    q.push_front(r);
  else
    q.push_back(r);
  lane(b).requests |= 1u << src;
}

std::uint64_t Dynabus::send(std::uint64_t /*now*/, int src, int dst, std::vector<std::uint8_t> payload, SendMode mode) {
  if (!sendable(src, dst)) return 0;
  const std::uint64_t id = cpus_[src].next_msg_id++;
  queue_message(src, dst, id, std::move(payload), mode);
  return id;
}

void Dynabus::queue_message(int src, int dst, std::uint64_t id, std::vector<std::uint8_t> payload, SendMode mode) {
  Interface& s = cpus_[src];
  // With neither path up the packets go out all the same: each is a probe of its path, and one that is
  // lost is sent again (a message to a live CPU is never given up).
  const bool up_x = paths_.at(src, dst, BusId::x).up();
  const bool up_y = paths_.at(src, dst, BusId::y).up();
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
  m.lost_packet = false;
  m.queued = {};
  m.payload = std::move(payload);
  if (mode == SendMode::reliable) {
    m.seq = s.next_seq[dst]++;
    m.outstanding = count;
    // Packets alternate over the buses that are up; each bus's share is told how much of it follows.
    std::array<std::uint32_t, kBusCount> left{};
    std::uint8_t next = s.next_bus[dst];
    std::array<BusId, 2> order{};
    for (std::uint32_t i = 0; i < count; ++i) {
      auto b = static_cast<BusId>(next);
      if (!(b == BusId::x ? up_x : up_y) && (b == BusId::x ? up_y : up_x)) b = other_bus(b);
      next = static_cast<std::uint8_t>(other_bus(b));
      if (i < 2) order[i] = b;
      ++left[static_cast<int>(b)];
    }
    for (std::uint32_t i = 0; i < count; ++i) {
      // The choice repeats with period 2 (or is always the same bus): the first two choices say it all.
      const BusId b = count == 1 ? order[0] : order[i % 2];
      s.next_bus[dst] = static_cast<std::uint8_t>(other_bus(b));
      enqueue(src, b, {slot, m.generation, i, --left[static_cast<int>(b)]}, false);
    }
  } else {
    m.seq = 0;
    m.outstanding = count * kBusCount;
    for (int b = 0; b < kBusCount; ++b)
      for (std::uint32_t i = 0; i < count; ++i)
        enqueue(src, static_cast<BusId>(b), {slot, m.generation, i, count - 1 - i}, false);
  }
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
    --m->queued[static_cast<int>(b)];
    if (m->mode == SendMode::reliable && !paths_.at(cpu, m->dst, b).up() && paths_.at(cpu, m->dst, other_bus(b)).up()) {
      PacketRef moved = r;  // the path went down while it waited: use the other bus
      moved.group_left = 0;
      enqueue(cpu, other_bus(b), moved, false);
      continue;
    }
    Packet& p = l.packet;
    p.msg_id = m->msg_id;
    p.seq = m->seq;
    p.src = static_cast<std::uint8_t>(cpu);
    p.dst = static_cast<std::uint8_t>(m->dst);
    p.mode = m->mode;
    fill_header(p, m->payload.size(), r.index);  // the bytes are taken from m->payload when it ends
    l.current = r;
    l.view.busy = true;
    l.view.sender = cpu;
    l.end = now + transfer_ns_;
    if (lane_observer_) lane_observer_->transfer(b, now, l.end, cpu);
    return l.end;
  }
  return kNever;
}

void Dynabus::finish_transfer(BusId b, std::uint64_t now) {
  end_transfer(b, now);
  flush();
}

bool Dynabus::takes(const Lane& l, const OutMessage& m) const {
  return l.view.up && l.view.attached[m.src] && l.view.attached[m.dst] && cpus_[m.dst].alive &&
         cpus_[m.dst].incarnation == m.dst_incarnation;
}

void Dynabus::end_transfer(BusId b, std::uint64_t now) {
  Lane& l = lane(b);
  if (!l.view.busy) return;
  l.view.busy = false;
  l.view.sender = -1;
  OutMessage* m = live(l.current);
  if (!m) return;
  const int src = m->src;
  const int dst = m->dst;
  const bool taken = takes(l, *m);
  if (taken) {
    ++l.delivered;
    if (paths_.at(src, dst, b).acknowledged())
      emit(sim::TraceEvent(now, "path_up").with("cpu", src).with("dst", dst).with("bus", bus_name(b)));
    const std::uint8_t* bytes =
        l.packet.size ? m->payload.data() + static_cast<std::size_t>(l.packet.index) * kPacketPayloadBytes : nullptr;
    reassemblers_[dst].accept(l.packet, bytes, deliveries_);
  } else {
    m->lost_packet = true;
    if (m->mode == SendMode::reliable) ++lost_pending(src, dst);
    arm({now + config_.ack_timeout_ns, 0, m->msg_id, PacketRef{l.current.slot, l.current.generation, l.current.index},
         m->src_incarnation, m->dst_incarnation, static_cast<std::uint8_t>(src), static_cast<std::uint8_t>(dst), b,
         m->mode});
  }
  // A reliable packet stays the sender's until acknowledged; a both_buses copy is done once sent.
  if ((taken || m->mode == SendMode::both_buses) && --m->outstanding == 0) {
    if (m->mode == SendMode::both_buses) reassemblers_[dst].forget(src, m->msg_id);
    release(*m);
  }
  // An acknowledgement on `b` proves that every packet to dst still waiting for its timer was lost: send
  // them again now, on `b`, instead of one timeout each (the sender's fast path back to full speed).
  if (taken && lost_pending(src, dst) != 0) {
    // Each goes to the front of its queue: the newest first, so that the oldest, which the receiver's
    // in-order delivery waits for, goes out first.
    const std::vector<Timer> lost = take_lost(src, dst, std::nullopt);
    for (auto it = lost.rbegin(); it != lost.rend(); ++it) handle_lost(now, *it, b);
  }
}

void Dynabus::arm(const Timer& t) {
  timers_.push_back(t);
  timers_.back().order = timer_order_++;
  std::push_heap(timers_.begin(), timers_.end(), TimerAfter{});
}

void Dynabus::run_timers(std::uint64_t now) {
  expire_timers(now);
  flush();
}

void Dynabus::expire_timers(std::uint64_t now) {
  while (!timers_.empty() && timers_.front().deadline <= now) {
    std::pop_heap(timers_.begin(), timers_.end(), TimerAfter{});
    const Timer t = timers_.back();
    timers_.pop_back();
    if (t.mode == SendMode::reliable) {
      --lost_pending(t.src, t.dst);
      // The path goes down with this loss: every packet lost on it goes again at once, not one timeout
      // each. Each goes to the front of its queue, the newest first, so the oldest goes out first.
      std::vector<Timer> lost{t};
      if (cpus_[t.src].incarnation == t.src_incarnation) {
        const std::vector<Timer> more = take_lost(t.src, t.dst, t.bus);
        lost.insert(lost.end(), more.begin(), more.end());
      }
      for (auto it = lost.rbegin(); it != lost.rend(); ++it) handle_lost(now, *it, std::nullopt);
      continue;
    }
    if (cpus_[t.src].incarnation != t.src_incarnation) continue;  // the sender died since
    // A receiver that died (and perhaps came back) since the copy went out says nothing about the path.
    if (cpus_[t.dst].incarnation != t.dst_incarnation) continue;
    if (paths_.at(t.src, t.dst, t.bus).unacknowledged(config_.path_down_after))
      emit(sim::TraceEvent(now, "path_down").with("cpu", t.src).with("dst", t.dst).with("bus", bus_name(t.bus)));
  }
}

std::vector<Dynabus::Timer> Dynabus::take_lost(int src, int dst, std::optional<BusId> on) {
  std::vector<Timer> out;
  const auto keep = std::partition(timers_.begin(), timers_.end(), [&](const Timer& t) {
    return !(t.mode == SendMode::reliable && t.src == src && t.dst == dst && (!on || t.bus == *on));
  });
  if (keep == timers_.end()) return out;
  out.assign(keep, timers_.end());
  timers_.erase(keep, timers_.end());
  std::make_heap(timers_.begin(), timers_.end(), TimerAfter{});
  std::sort(out.begin(), out.end(), [](const Timer& a, const Timer& b) { return a.order < b.order; });
  lost_pending(src, dst) -= static_cast<std::uint32_t>(out.size());
  return out;
}

void Dynabus::handle_lost(std::uint64_t now, const Timer& t, std::optional<BusId> via) {
  if (cpus_[t.src].incarnation != t.src_incarnation) return;  // the sender died since
  OutMessage* m = live(t.ref);
  if (!m) return;  // gone with its sender, or another of its packets found the receiver dead
  if (!cpus_[t.dst].alive || cpus_[t.dst].incarnation != t.dst_incarnation) {
    // The receiver died (and perhaps came back) since the packet went out: the message was for a life that
    // is over, and its silence says nothing about the path. The receiver's reassembly died with it.
    release(*m);
    fail_message(now, t.src, t.dst, t.msg_id);
    return;
  }
  // Lost on a path the sender thought up, while (with `via`) another path works: the path is down.
  if ((!via || *via != t.bus) && paths_.at(t.src, t.dst, t.bus).lost())
    emit(sim::TraceEvent(now, "path_down").with("cpu", t.src).with("dst", t.dst).with("bus", bus_name(t.bus)));
  // Lost with no other news: the other bus, whose path is up or, with neither up, is the next to probe.
  const BusId next = via ? *via : other_bus(t.bus);
  emit(sim::TraceEvent(now, "bus_resend")
           .with("cpu", t.src)
           .with("dst", t.dst)
           .with("bus", bus_name(next))
           .with("msg", t.msg_id));
  PacketRef again = t.ref;
  again.group_left = 0;
  enqueue(t.src, next, again, true);
}

void Dynabus::fail_message(std::uint64_t now, int src, int dst, std::uint64_t msg_id) {
  emit(sim::TraceEvent(now, "send_failed").with("cpu", src).with("dst", dst).with("msg", msg_id));
  failures_.push_back({src, dst, msg_id, deliveries_.size()});
}

void Dynabus::set_cpu_alive(int cpu, bool alive) {
  if (!valid_cpu(cpu) || cpus_[cpu].alive == alive) return;
  Interface& s = cpus_[cpu];
  s.alive = alive;
  ++s.incarnation;  // packets and timers of the previous life now find it gone
  if (!alive) {
    // What it posted for later than now was never sent: the CPU died first.
    const auto from_it = [cpu](const Post& p) { return p.src == cpu; };
    posts_.erase(std::remove_if(posts_.begin(), posts_.end(), from_it), posts_.end());
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
    failures_spare_.swap(failures_);
    std::size_t f = 0;
    for (std::size_t i = 0; i <= deliveries_spare_.size(); ++i) {
      for (; f < failures_spare_.size() && failures_spare_[f].after <= i; ++f)
        if (cpus_[failures_spare_[f].src].alive)
          client_.send_failed(failures_spare_[f].src, failures_spare_[f].dst, failures_spare_[f].msg_id);
      if (i == deliveries_spare_.size()) break;
      auto& d = deliveries_spare_[i];
      if (cpus_[d.dst].alive) client_.deliver(d.dst, d.src, d.msg_id, std::move(d.payload));
      pool_.give(d.payload);  // the client kept what it needs
    }
    deliveries_spare_.clear();
    failures_spare_.clear();
  }
  flushing_ = false;
}

void Dynabus::emit(const sim::TraceEvent& e) {
  ++emitted_;
  trace_.emit(e);
}

std::uint64_t Dynabus::post(std::uint64_t at, int src, int dst, const std::uint8_t* bytes, std::size_t n,
                            SendMode mode) {
  if (!sendable(src, dst)) return 0;
  return post(at, src, dst, pool_.take(bytes, n), mode);
}

std::uint64_t Dynabus::post(std::uint64_t at, int src, int dst, std::vector<std::uint8_t> payload, SendMode mode) {
  if (!sendable(src, dst)) return 0;
  const std::uint64_t id = cpus_[src].next_msg_id++;
  Post p{std::max(at, advanced_to_), src, dst, id, mode, std::move(payload)};
  last_post_activation_ = post_activation(p);
  // Almost always the latest: CPUs' clocks are at most a quantum apart. Ties keep posting order.
  if (posts_.empty() || posts_.back().at <= p.at) {
    posts_.push_back(std::move(p));
  } else {
    const auto later =
        std::upper_bound(posts_.begin(), posts_.end(), p.at, [](std::uint64_t t, const Post& q) { return t < q.at; });
    posts_.insert(later, std::move(p));
  }
  return id;
}

void Dynabus::start_idle_lanes(std::uint64_t now) {
  // start_transfer may move packets to the other bus (their path went down) and find nothing else to send:
  // the other bus, idle or not, may then hold packets. A packet never moves back, so two rounds suffice.
  for (int round = 0; round < 2; ++round)
    for (int i = 0; i < kBusCount; ++i) {
      const auto b = static_cast<BusId>(i);
      if (!busy(b) && has_requests(b)) start_transfer(b, now);
    }
}

void Dynabus::advance(std::uint64_t now) {
  for (;;) {
    const std::uint64_t t = std::min({transfer_end(BusId::x), transfer_end(BusId::y), next_deadline(), next_post()});
    if (t > now) break;
    const std::size_t results_before = deliveries_.size() + failures_.size() + emitted_;
    for (int i = 0; i < kBusCount; ++i)
      if (transfer_end(static_cast<BusId>(i)) == t) end_transfer(static_cast<BusId>(i), t);
    if (next_deadline() <= t) expire_timers(t);
    while (next_post() <= t) {
      Post p = std::move(posts_.front());
      posts_.pop_front();
      if (cpus_[p.src].alive) queue_message(p.src, p.dst, p.msg_id, std::move(p.payload), p.mode);
    }
    start_idle_lanes(t);
    if (t < now && deliveries_.size() + failures_.size() + emitted_ != results_before) ++late_results_;
  }
  start_idle_lanes(now);  // nothing should wait on an idle bus here; if it did, next_activation() would spin
  if (now > advanced_to_) advanced_to_ = now;
}

bool Dynabus::visible_end(const PacketRef& r, BusId b, std::uint64_t ends_at) const {
  const OutMessage* m = live(r);
  if (!m) return true;  // gone: let the next activation skip it
  if (m->lost_packet) return true;
  if (lost_pending(m->src, m->dst) != 0) return true;  // an acknowledgement here resends lost packets
  if (r.group_left == 0) {
    // The last of its message on this bus may complete the message; a reliable message is complete only
    // when every packet is in, so not while one still queued on the other bus is sure to end later.
    const BusId o = other_bus(b);
    const Lane& ol = lane(o);
    const bool later_there = m->mode == SendMode::reliable && m->queued[static_cast<int>(o)] > 0 && ends_at != kNever &&
                             (ol.view.busy ? ol.end : advanced_to_) + transfer_ns_ > ends_at;
    if (!later_there) return true;
  }
  if (!takes(lane(b), *m)) return true;       // arms an acknowledgement timer
  return !paths_.at(m->src, m->dst, b).up();  // brings a path back up, which is traced
}

std::uint64_t Dynabus::lane_activation(BusId b) const {
  const Lane& l = lane(b);
  if (!l.view.busy) return l.requests ? advanced_to_ : kNever;
  if (visible_end(l.current, b, l.end)) return l.end;
  // The k-th packet in a sender's queue ends no earlier than k transfers from now, whatever the arbiter does.
  // A live head is at least 1 away: once one is, only a gone head (0) can come earlier, and telling that
  // needs no visible_end(). With many senders this scan is most of an activation's cost.
  std::uint64_t k = kNever;
  for (std::uint32_t left = l.requests; left != 0; left &= left - 1) {
    const int cpu = __builtin_ctz(left);
    const PacketRef& head = cpus_[cpu].queue[static_cast<int>(b)].front();
    if (!live(head)) return l.end;
    if (k > 1) k = std::min(k, visible_end(head, b) ? std::uint64_t{1} : std::uint64_t{head.group_left} + 1);
  }
  return k == kNever ? kNever : l.end + k * transfer_ns_;
}

std::uint64_t Dynabus::post_activation(const Post& p) const {
  if (!cpus_[p.dst].alive || lost_pending(p.src, p.dst) != 0) return p.at;
  for (int i = 0; i < kBusCount; ++i) {
    const auto b = static_cast<BusId>(i);
    const Lane& l = lane(b);
    if (!paths_.at(p.src, p.dst, b).up() || !l.view.up || !l.view.attached[p.src] || !l.view.attached[p.dst])
      return p.at;
  }
  // Both buses work. A both_buses copy is whole when its last packet is in: `count` transfers after the
  // send at the earliest. A reliable message's packets alternate, so the busier bus has ceil(count / 2) and
  // the message is whole no earlier than that many transfers after the send.
  const std::uint64_t count = packet_count(p.payload.size());
  const std::uint64_t transfers = p.mode == SendMode::reliable ? (count + kBusCount - 1) / kBusCount : count;
  return p.at + transfers * transfer_ns_;
}

std::uint64_t Dynabus::next_activation() const {
  if (!deliveries_.empty() || !failures_.empty()) return advanced_to_;
  std::uint64_t t = std::min({next_deadline(), lane_activation(BusId::x), lane_activation(BusId::y)});
  for (const Post& p : posts_) t = std::min(t, post_activation(p));
  return t;
}

}  // namespace pairsim::bus
