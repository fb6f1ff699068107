#pragma once
// A CPU's private memory, from which the kernel gives each process its data space (first fit) and takes
// it back when the process ends. Memory is not shared between CPUs: a checkpoint copies words between them.
#include <cstdint>
#include <map>
#include <optional>
#include <vector>

namespace pairsim::cpu {

class PrivateMemory {
 public:
  explicit PrivateMemory(std::uint64_t bytes);

  // The word offset of `words` free words (zeroed), or nullopt when no free extent is large enough.
  std::optional<std::uint32_t> allocate(std::uint32_t words);
  void release(std::uint32_t offset, std::uint32_t words);

  std::uint32_t* at(std::uint32_t offset) { return words_.data() + offset; }
  std::uint32_t size_words() const { return static_cast<std::uint32_t>(words_.size()); }
  std::uint32_t free_words() const;

 private:
  std::vector<std::uint32_t> words_;
  std::map<std::uint32_t, std::uint32_t> free_;  // offset -> length, coalesced
};

}  // namespace pairsim::cpu
