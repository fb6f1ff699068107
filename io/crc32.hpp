#pragma once
// CRC-32 as zlib, PNG and Ethernet compute it (polynomial 0x04C11DB7, reflected, initial value and final xor
// 0xFFFFFFFF; crc32("123456789") == 0xCBF43926), so an image's checksum can be checked with any common tool:
// Python's zlib.crc32 gives the same number.
#include <cstddef>
#include <cstdint>

namespace pairsim::io {

class Crc32 {
 public:
  void update(const std::uint8_t* bytes, std::size_t n);
  std::uint32_t value() const { return ~state_; }

 private:
  std::uint32_t state_ = 0xFFFFFFFFu;
};

std::uint32_t crc32(const std::uint8_t* bytes, std::size_t n);

}  // namespace pairsim::io
