#include "cpu/kernel/dispatcher.hpp"

#include <algorithm>

namespace pairsim::cpu {

Dispatcher::Dispatcher(std::uint64_t slice_instructions) : slice_(std::max<std::uint64_t>(1, slice_instructions)) {}

void Dispatcher::make_ready(int pin, int priority) {
  if (pin == running_) return;
  auto& q = queues_[priority];
  if (std::find(q.begin(), q.end(), pin) == q.end()) q.push_back(pin);
}

void Dispatcher::enqueue_front(int pin, int priority) { queues_[priority].push_front(pin); }

void Dispatcher::remove(int pin) {
  if (pin == running_) {
    running_ = -1;
    return;
  }
  for (auto it = queues_.begin(); it != queues_.end(); ++it) {
    auto& q = it->second;
    auto found = std::find(q.begin(), q.end(), pin);
    if (found == q.end()) continue;
    q.erase(found);
    if (q.empty()) queues_.erase(it);
    return;
  }
}

int Dispatcher::select() {
  if (running_ >= 0) {
    const bool higher_waiting = !queues_.empty() && queues_.begin()->first > running_priority_;
    if (higher_waiting) {
      enqueue_front(running_, running_priority_);
      running_ = -1;
    } else if (slice_left_ == 0) {
      if (queues_.empty() || queues_.begin()->first < running_priority_) {
        slice_left_ = slice_;  // nobody of its priority waits: it keeps the CPU
        return running_;
      }
      queues_[running_priority_].push_back(running_);
      running_ = -1;
    } else {
      return running_;
    }
  }
  if (queues_.empty()) return -1;
  auto top = queues_.begin();
  running_ = top->second.front();
  running_priority_ = top->first;
  top->second.pop_front();
  if (top->second.empty()) queues_.erase(top);
  slice_left_ = slice_;
  return running_;
}

void Dispatcher::charge(std::uint64_t instructions) { slice_left_ -= std::min(slice_left_, instructions); }

}  // namespace pairsim::cpu
