#include "bus/reassembler.hpp"

#include <algorithm>
#include <cstring>

namespace pairsim::bus {

Reassembler::Reassembler(int self, int cpus, PayloadPool* pool)
    : self_(self), pool_(pool), expected_(static_cast<std::size_t>(cpus), 0) {}

Reassembler::Partial* Reassembler::find(int src, std::uint64_t msg_id) {
  for (auto& e : partial_)
    if (e.in_use && e.msg_id == msg_id && e.src == src) return &e;
  return nullptr;
}

Reassembler::Partial& Reassembler::claim() {
  for (auto& f : partial_)
    if (!f.in_use) return f;
  return partial_.emplace_back();
}

std::vector<std::uint8_t> Reassembler::copy(const std::uint8_t* bytes, std::size_t n) {
  return pool_ ? pool_->take(bytes, n) : std::vector<std::uint8_t>(bytes, bytes + n);
}

Reassembler::Partial& Reassembler::open(const Packet& p) {
  Partial* e = &claim();
  e->in_use = true;
  e->delivered = false;
  e->src = p.src;
  e->msg_id = p.msg_id;
  e->seq = p.seq;
  e->mode = p.mode;
  e->count = p.count;
  e->received = 0;
  e->have.assign((p.count + 63) / 64, 0);
  e->data.resize(p.length);
  return *e;
}

void Reassembler::accept(const Packet& p, const std::uint8_t* bytes, std::vector<Message>& out) {
  if (p.count == 1) {  // nothing to collect: the common short request, and I'm-alive
    if (p.mode == SendMode::reliable) {
      in_order(p.src, p.seq, p.msg_id, copy(bytes, p.size), out);
      return;
    }
    // A both_buses copy whole in one packet: the first is delivered at once; an entry, marked delivered,
    // drops the other copy until forget().
    if (find(p.src, p.msg_id)) return;
    Partial& e = claim();
    e.in_use = true;
    e.delivered = true;
    e.src = p.src;
    e.msg_id = p.msg_id;
    e.seq = p.seq;
    e.mode = p.mode;
    e.count = 1;
    e.received = 1;
    out.push_back({p.src, self_, p.msg_id, copy(bytes, p.size)});
    return;
  }
  Partial* e = find(p.src, p.msg_id);
  if (!e) e = &open(p);
  if (e->delivered) return;
  std::uint64_t& word = e->have[p.index / 64];
  const std::uint64_t bit = std::uint64_t{1} << (p.index % 64);
  if (word & bit) return;  // the other bus's copy of a packet already here
  word |= bit;
  if (p.size) std::memcpy(e->data.data() + static_cast<std::size_t>(p.index) * kPacketPayloadBytes, bytes, p.size);
  if (++e->received < e->count) return;
  if (e->mode == SendMode::both_buses) {
    e->delivered = true;
    out.push_back({e->src, self_, e->msg_id, std::move(e->data)});
    e->data.clear();  // moved from; `= {}` would cost a call to assign
    return;
  }
  e->in_use = false;
  in_order(e->src, e->seq, e->msg_id, std::move(e->data), out);
  e->data.clear();
}

void Reassembler::in_order(int src, std::uint32_t seq, std::uint64_t msg_id, std::vector<std::uint8_t>&& data,
                           std::vector<Message>& out) {
  if (seq != expected_[src]) {
    waiting_.push_back({src, seq, msg_id, std::move(data)});
    return;
  }
  out.push_back({src, self_, msg_id, std::move(data)});
  ++expected_[src];
  release_waiting(src, out);
}

void Reassembler::release_waiting(int src, std::vector<Message>& out) {
  for (bool found = true; found && !waiting_.empty();) {
    found = false;
    for (std::size_t i = 0; i < waiting_.size(); ++i) {
      Waiting& w = waiting_[i];
      if (w.src != src || w.seq != expected_[src]) continue;
      out.push_back({src, self_, w.msg_id, std::move(w.data)});
      ++expected_[src];
      w = std::move(waiting_.back());
      waiting_.pop_back();
      found = true;
      break;
    }
  }
}

void Reassembler::forget(int src, std::uint64_t msg_id) {
  if (Partial* e = find(src, msg_id)) e->in_use = false;
}

void Reassembler::discard_from(int src) {
  for (auto& e : partial_)
    if (e.src == src) e.in_use = false;
  for (std::size_t i = 0; i < waiting_.size();) {
    if (waiting_[i].src == src) {
      waiting_[i] = std::move(waiting_.back());
      waiting_.pop_back();
    } else {
      ++i;
    }
  }
  expected_[src] = 0;
}

void Reassembler::clear() {
  for (auto& e : partial_) e.in_use = false;
  waiting_.clear();
  std::fill(expected_.begin(), expected_.end(), 0);
}

std::size_t Reassembler::pending() const {
  std::size_t n = waiting_.size();
  for (const auto& e : partial_) n += e.in_use;
  return n;
}

}  // namespace pairsim::bus
