#pragma once
// A CPU's private memory, from which the kernel gives each process its data space (first fit) and takes
// it back when the process ends. Memory is not shared between CPUs: a checkpoint copies words between them.
//
// The words are anonymous pages of their own, which the host hands out zeroed when first touched: a CPU
// that never uses most of its memory costs nothing for it (a short run of a 4-CPU machine would otherwise
// spend a third of its host time zeroing 8 MiB). Only words handed out before are zeroed again.
#include <cstdint>
#include <map>
#include <optional>

namespace pairsim::cpu {

class PrivateMemory {
 public:
  explicit PrivateMemory(std::uint64_t bytes);
  ~PrivateMemory();
  PrivateMemory(const PrivateMemory&) = delete;
  PrivateMemory& operator=(const PrivateMemory&) = delete;

  // The word offset of `words` free words (zeroed), or nullopt when no free extent is large enough.
  std::optional<std::uint32_t> allocate(std::uint32_t words);
  void release(std::uint32_t offset, std::uint32_t words);

  std::uint32_t* at(std::uint32_t offset) { return words_ + offset; }
  std::uint32_t size_words() const { return size_; }
  std::uint32_t free_words() const;

 private:
  std::uint32_t* words_ = nullptr;
  std::uint32_t size_ = 0;
  std::uint32_t used_ = 0;                       // every word from here on has never been handed out: still zero
  std::map<std::uint32_t, std::uint32_t> free_;  // offset -> length, coalesced
};

}  // namespace pairsim::cpu
