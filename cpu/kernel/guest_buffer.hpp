#pragma once
// Guest buffers as system calls name them: a word address and a byte length, bytes packed four to a word,
// little-endian (byte 0 is the low byte of the first word).
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "cpu/interpreter.hpp"

namespace pairsim::cpu {

constexpr std::uint32_t words_for_bytes(std::uint32_t bytes) {
  return bytes / 4 + (bytes % 4 != 0 ? 1 : 0);
}

inline bool buffer_in_data(const ProcessState& ps, std::uint32_t addr, std::uint32_t bytes) {
  return ps.in_data(addr, words_for_bytes(bytes));
}

// On a little-endian host the guest's byte order (byte 0 is a word's low byte) is the host's, so a buffer is
// one memcpy: messages are copied in and out of guest memory on every request and reply.
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
constexpr bool kHostIsGuestByteOrder = true;
#else
constexpr bool kHostIsGuestByteOrder = false;
#endif

// False when the buffer is not inside the data space.
inline bool read_bytes(const ProcessState& ps, std::uint32_t addr, std::uint32_t bytes,
                       std::vector<std::uint8_t>& out) {
  if (!buffer_in_data(ps, addr, bytes)) return false;
  if (kHostIsGuestByteOrder) {
    const auto* first = reinterpret_cast<const std::uint8_t*>(ps.data + addr);
    out.assign(first, first + bytes);
    return true;
  }
  out.resize(bytes);
  for (std::uint32_t i = 0; i < bytes; ++i) out[i] = static_cast<std::uint8_t>(ps.data[addr + i / 4] >> (8 * (i % 4)));
  return true;
}

inline bool read_text(const ProcessState& ps, std::uint32_t addr, std::uint32_t bytes, std::string& out) {
  std::vector<std::uint8_t> b;
  if (!read_bytes(ps, addr, bytes, b)) return false;
  out.assign(b.begin(), b.end());
  return true;
}

// Writes `bytes` bytes; the other bytes of a partly written last word keep their values.
inline bool write_bytes(ProcessState& ps, std::uint32_t addr, const std::uint8_t* src, std::uint32_t bytes) {
  if (!buffer_in_data(ps, addr, bytes)) return false;
  if (kHostIsGuestByteOrder) {
    if (bytes != 0) std::memcpy(ps.data + addr, src, bytes);
    return true;
  }
  for (std::uint32_t i = 0; i < bytes; ++i) {
    std::uint32_t& w = ps.data[addr + i / 4];
    const unsigned shift = 8 * (i % 4);
    w = (w & ~(0xFFu << shift)) | (static_cast<std::uint32_t>(src[i]) << shift);
  }
  return true;
}

inline std::vector<std::uint8_t> words_to_bytes(const std::vector<std::int32_t>& words) {
  std::vector<std::uint8_t> out;
  out.reserve(words.size() * 4);
  for (auto w : words)
    for (int i = 0; i < 4; ++i) out.push_back(static_cast<std::uint8_t>(static_cast<std::uint32_t>(w) >> (8 * i)));
  return out;
}

}  // namespace pairsim::cpu
