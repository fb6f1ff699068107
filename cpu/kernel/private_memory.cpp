#include "cpu/kernel/private_memory.hpp"

#include <sys/mman.h>

#include <algorithm>
#include <iterator>
#include <new>

namespace pairsim::cpu {

PrivateMemory::PrivateMemory(std::uint64_t bytes)
    : size_(static_cast<std::uint32_t>(std::min<std::uint64_t>(bytes / 4, 0xFFFFFFFFu))) {
  if (size_ == 0) return;
  // Private anonymous pages read as zero and take host memory only once written.
  void* p = mmap(nullptr, std::size_t{size_} * 4, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) throw std::bad_alloc();
  words_ = static_cast<std::uint32_t*>(p);
  free_[0] = size_;
}

PrivateMemory::~PrivateMemory() {
  if (words_) munmap(words_, std::size_t{size_} * 4);
}

std::optional<std::uint32_t> PrivateMemory::allocate(std::uint32_t words) {
  if (words == 0) words = 1;  // every process owns at least one word, so offsets stay distinct
  for (auto it = free_.begin(); it != free_.end(); ++it) {
    if (it->second < words) continue;
    const std::uint32_t offset = it->first;
    const std::uint32_t rest = it->second - words;
    free_.erase(it);
    if (rest > 0) free_[offset + words] = rest;
    // What an earlier process left is zeroed; what no process had yet is zero already.
    const std::uint32_t end = offset + words;
    if (offset < used_) std::fill(words_ + offset, words_ + std::min(end, used_), 0u);
    used_ = std::max(used_, end);
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
