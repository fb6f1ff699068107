#include "cpu/kernel/backup_image.hpp"

#include <algorithm>

namespace pairsim::cpu {

namespace {
bool overlap(std::uint32_t a, std::uint32_t a_words, std::uint32_t b, std::uint32_t b_words) {
  return a < b + b_words && b < a + a_words;
}
// A word that differs from the backup's image now was changed by the request `m` unless it already differed
// so, with this value, when readupdate returned it.
bool changed_by(const ReceivedMessage& m, std::uint32_t addr, std::uint32_t value) {
  return std::find(m.unsaved_at_read.begin(), m.unsaved_at_read.end(), std::make_pair(addr, value)) ==
         m.unsaved_at_read.end();
}
}  // namespace

void remember_buffer(BackupImage& image, std::uint32_t addr, const std::uint32_t* words, std::uint32_t n) {
  for (auto& [a, w] : image) {
    if (a == addr && w.size() == n) {
      w.assign(words, words + n);
      return;
    }
  }
  image.erase(std::remove_if(image.begin(), image.end(),
                             [&](const auto& b) {
                               return overlap(b.first, static_cast<std::uint32_t>(b.second.size()), addr, n);
                             }),
              image.end());
  image.emplace_back(addr, std::vector<std::uint32_t>(words, words + n));
}

void remember_region(std::vector<std::pair<std::uint32_t, std::uint32_t>>& regions, std::uint32_t addr,
                     std::uint32_t n) {
  for (const auto& [a, len] : regions)
    if (a == addr && len == n) return;
  regions.erase(std::remove_if(regions.begin(), regions.end(),
                               [&](const auto& r) { return overlap(r.first, r.second, addr, n); }),
                regions.end());
  regions.emplace_back(addr, n);
}

WordValues image_differences(const Process& p) {
  WordValues out;
  const ProcessState& ps = p.ps;
  for (const auto& [addr, words] : p.backup_image) {
    const auto n = static_cast<std::uint32_t>(words.size());
    if (!ps.in_data(addr, n)) continue;
    for (std::uint32_t i = 0; i < n; ++i)
      if (ps.data[addr + i] != words[i]) out.emplace_back(addr + i, ps.data[addr + i]);
  }
  return out;
}

bool reply_ahead_of_backup(const Process& p, const ReceivedMessage& m, std::uint32_t reply_addr,
                           std::uint32_t reply_words) {
  if (!p.backup_has_state) return true;  // the backup has none of the state yet
  for (const auto& [addr, value] : image_differences(p)) {
    if (addr >= reply_addr && addr - reply_addr < reply_words) continue;
    if (changed_by(m, addr, value)) return true;
  }
  return false;
}

bool checkpoint_carries_work(const Process& p, const ReceivedMessage& m, const BackupImage& buffers) {
  if (!p.backup_has_state) return false;
  for (const auto& [addr, value] : image_differences(p)) {
    if (!changed_by(m, addr, value)) continue;
    for (const auto& [b, words] : buffers)
      if (addr >= b && addr - b < words.size()) return true;
  }
  return false;
}

}  // namespace pairsim::cpu
