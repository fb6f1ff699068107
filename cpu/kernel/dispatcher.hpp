#pragma once
// The dispatcher: which ready process runs next. Highest priority first (1..199, higher wins); processes
// of equal priority take turns, each for a time slice of instructions. A process that a higher-priority
// one preempts goes back to the front of its queue, so it keeps its turn.
#include <cstddef>
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
  bool has_ready() const { return running_ >= 0 || queued_ != 0; }

 private:
  using Queues = std::map<int, std::deque<int>, std::greater<int>>;
  void enqueue_front(int pin, int priority);
  // The highest priority that has a process queued, or queues_.end().
  Queues::iterator top();

  std::uint64_t slice_;
  // Priority -> pins. A queue that empties is kept: a process that blocks and wakes at every message would
  // otherwise cost a map node and a deque allocation each time. Only the priorities in use have one.
  Queues queues_;
  std::size_t queued_ = 0;  // pins in all queues
  int running_ = -1;
  int running_priority_ = 0;
  std::uint64_t slice_left_ = 0;
};

}  // namespace pairsim::cpu
