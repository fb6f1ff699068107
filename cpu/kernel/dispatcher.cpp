#include "cpu/kernel/dispatcher.hpp"

#include <algorithm>

namespace pairsim::cpu {

Dispatcher::Dispatcher(std::uint64_t slice_instructions) : slice_(std::max<std::uint64_t>(1, slice_instructions)) {}

void Dispatcher::make_ready(int pin, int priority) {
  if (pin == running_) return;
  auto& q = queues_[priority];
  if (std::find(q.begin(), q.end(), pin) != q.end()) return;
  q.push_back(pin);
  ++queued_;
}

void Dispatcher::enqueue_front(int pin, int priority) {
  queues_[priority].push_front(pin);
  ++queued_;
}

void Dispatcher::remove(int pin) {
  if (pin == running_) {
    running_ = -1;
    return;
  }
  for (auto& [priority, q] : queues_) {
    auto found = std::find(q.begin(), q.end(), pin);
    if (found == q.end()) continue;
    q.erase(found);
    --queued_;
    return;
  }
}

Dispatcher::Queues::iterator Dispatcher::top() {
  if (queued_ == 0) return queues_.end();
  auto it = queues_.begin();
  while (it->second.empty()) ++it;
  return it;
}

int Dispatcher::select() {
  if (running_ >= 0) {
    const auto waiting = top();
    const bool higher_waiting = waiting != queues_.end() && waiting->first > running_priority_;
    if (higher_waiting) {
      enqueue_front(running_, running_priority_);
      running_ = -1;
    } else if (slice_left_ == 0) {
      if (waiting == queues_.end() || waiting->first < running_priority_) {
        slice_left_ = slice_;  // nobody of its priority waits: it keeps the CPU
        return running_;
      }
      queues_[running_priority_].push_back(running_);
      ++queued_;
      running_ = -1;
    } else {
      return running_;
    }
  }
  const auto next = top();
  if (next == queues_.end()) return -1;
  running_ = next->second.front();
  running_priority_ = next->first;
  next->second.pop_front();
  --queued_;
  slice_left_ = slice_;
  return running_;
}

void Dispatcher::charge(std::uint64_t instructions) {
  slice_left_ -= std::min(slice_left_, instructions);
}

}  // namespace pairsim::cpu
