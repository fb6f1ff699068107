#include "io/drive.hpp"

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <string>

namespace pairsim::io {

namespace {

void check_block(const Drive& d, std::uint32_t block) {
  if (block >= d.blocks())
    throw std::out_of_range("block " + std::to_string(block) + " is past the end of a drive of " +
                            std::to_string(d.blocks()) + " blocks");
}

}  // namespace

const char* to_string(DriveState s) {
  switch (s) {
    case DriveState::up:
      return "up";
    case DriveState::down:
      return "down";
    case DriveState::reviving:
      return "reviving";
  }
  return "?";
}

Drive::Drive(std::uint32_t blocks) : blocks_(blocks) {}

void Drive::read(std::uint32_t block, std::uint8_t* out) const {
  check_block(*this, block);
  auto it = written_.find(block);
  if (it == written_.end())
    std::memset(out, 0, kBlockBytes);
  else
    std::memcpy(out, it->second.data(), kBlockBytes);
}

void Drive::write(std::uint32_t block, const std::uint8_t* bytes) {
  check_block(*this, block);
  written_[block].assign(bytes, bytes + kBlockBytes);
}

bool all_zero(const std::uint8_t* bytes, std::size_t n) {
  return std::all_of(bytes, bytes + n, [](std::uint8_t b) { return b == 0; });
}

std::optional<std::uint32_t> first_difference(const Drive& a, const Drive& b) {
  // Walk both sparse maps in block order at once; a block only one side holds must be all zeros.
  auto ia = a.written().begin(), ib = b.written().begin();
  const auto ea = a.written().end(), eb = b.written().end();
  while (ia != ea || ib != eb) {
    if (ib == eb || (ia != ea && ia->first < ib->first)) {
      if (!all_zero(ia->second.data(), kBlockBytes)) return ia->first;
      ++ia;
    } else if (ia == ea || ib->first < ia->first) {
      if (!all_zero(ib->second.data(), kBlockBytes)) return ib->first;
      ++ib;
    } else {
      if (ia->second != ib->second) return ia->first;
      ++ia;
      ++ib;
    }
  }
  if (a.blocks() != b.blocks()) return std::min(a.blocks(), b.blocks());
  return std::nullopt;
}

bool same_contents(const Drive& a, const Drive& b) {
  return !first_difference(a, b);
}

}  // namespace pairsim::io
