#pragma once
// The dispatcher: which ready process runs next. Highest priority first (1..199, higher wins); processes
// of equal priority take turns, each for a time slice of instructions. A process that a higher-priority
// one preempts goes back to the front of its queue, so it keeps its turn.
#include <cstdint>
#include <deque>
#include <functional>
#include <map>

namespace pairsim::cpu {

class Dispatcher {
 public:
  explicit Dispatcher(std::uint64_t slice_instructions);

  void make_ready(int pin, int priority);  // to the back of its priority's queue
  void remove(int pin);                    // it blocked or ended (running or queued)

  // The process to run now, or -1 when none is ready. Rotates on an expired slice and preempts.
  int select();
  int running() const { return running_; }
  std::uint64_t slice_left() const { return slice_left_; }
  void charge(std::uint64_t instructions);
  bool has_ready() const { return running_ >= 0 || !queues_.empty(); }

 private:
  void enqueue_front(int pin, int priority);

  std::uint64_t slice_;
  std::map<int, std::deque<int>, std::greater<int>> queues_;  // priority -> pins; no empty queues kept
  int running_ = -1;
  int running_priority_ = 0;
  std::uint64_t slice_left_ = 0;
};

}  // namespace pairsim::cpu
