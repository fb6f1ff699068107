#include "cpu/kernel/private_memory.hpp"

#include <algorithm>
#include <iterator>

namespace pairsim::cpu {

PrivateMemory::PrivateMemory(std::uint64_t bytes)
    : words_(static_cast<std::size_t>(std::min<std::uint64_t>(bytes / 4, 0xFFFFFFFFu)), 0u) {
  if (!words_.empty()) free_[0] = static_cast<std::uint32_t>(words_.size());
}

std::optional<std::uint32_t> PrivateMemory::allocate(std::uint32_t words) {
  if (words == 0) words = 1;  // every process owns at least one word, so offsets stay distinct
  for (auto it = free_.begin(); it != free_.end(); ++it) {
    if (it->second < words) continue;
    const std::uint32_t offset = it->first;
    const std::uint32_t rest = it->second - words;
    free_.erase(it);
    if (rest > 0) free_[offset + words] = rest;
    std::fill_n(words_.begin() + offset, words, 0u);
    return offset;
  }
  return std::nullopt;
}

void PrivateMemory::release(std::uint32_t offset, std::uint32_t words) {
  if (words == 0) words = 1;
  auto [it, inserted] = free_.emplace(offset, words);
  if (!inserted) return;  // released twice: keep the table consistent rather than corrupt it
  auto next = std::next(it);
  if (next != free_.end() && it->first + it->second == next->first) {
    it->second += next->second;
    free_.erase(next);
  }
  if (it != free_.begin()) {
    auto prev = std::prev(it);
    if (prev->first + prev->second == it->first) {
      prev->second += it->second;
      free_.erase(it);
    }
  }
}

std::uint32_t PrivateMemory::free_words() const {
  std::uint32_t n = 0;
  for (const auto& [offset, len] : free_) n += len;
  return n;
}

}  // namespace pairsim::cpu
