#pragma once
// Spare message buffers, kept for reuse. The messages of an idle machine are one byte (I'm-alive); without
// reuse each costs an allocation where it is sent, another where it is reassembled and two frees. Only small
// buffers are kept, and only a few: the pool saves allocations, it never holds much memory
// (at most kMaxKept buffers of up to kMaxCapacity bytes).
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <utility>
#include <vector>

namespace pairsim::bus {

class PayloadPool {
 public:
  // An idle 16-CPU machine has 240 I'm-alive messages under way at each heartbeat.
  static constexpr std::size_t kMaxKept = 1024;
  static constexpr std::size_t kMaxCapacity = 64;

  // A buffer holding a copy of bytes [data, data + n).
  std::vector<std::uint8_t> take(const std::uint8_t* data, std::size_t n) {
    if (spares_.empty() || n > kMaxCapacity) return std::vector<std::uint8_t>(data, data + n);
    std::vector<std::uint8_t> v = std::move(spares_.back());
    spares_.pop_back();
    v.resize(n);  // a buffer keeps its size in the pool: the same size again costs nothing here
    if (n != 0) std::memcpy(v.data(), data, n);
    return v;
  }
  // Takes the buffer of `v` (left empty) if it is small and the pool has room; else `v` keeps it. The bytes
  // in it are never read again.
  void give(std::vector<std::uint8_t>& v) {
    if (v.capacity() == 0 || v.capacity() > kMaxCapacity || spares_.size() >= kMaxKept) return;
    spares_.push_back(std::move(v));  // leaves v empty (`v = {}` would cost a call to assign)
  }

 private:
  std::vector<std::vector<std::uint8_t>> spares_;
};

}  // namespace pairsim::bus
