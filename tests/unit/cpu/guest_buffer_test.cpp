// Guest buffers are bytes packed four to a word, byte 0 the low byte; read_bytes and write_bytes copy them
// with memcpy on a little-endian host, and must keep the bytes of a partly written last word.
#include "cpu/kernel/guest_buffer.hpp"

#include <catch2/catch.hpp>
#include <vector>

using namespace pairsim::cpu;

TEST_CASE("guest buffers: byte order, partial last word, bounds", "[kernel]") {
  std::vector<std::uint32_t> words = {0x44332211u, 0x88776655u, 0xCCBBAA99u};
  ProcessState ps;
  ps.data = words.data();
  ps.data_words = static_cast<std::uint32_t>(words.size());

  std::vector<std::uint8_t> out;
  REQUIRE(read_bytes(ps, 1, 6, out));
  CHECK(out == std::vector<std::uint8_t>{0x55, 0x66, 0x77, 0x88, 0x99, 0xAA});
  REQUIRE(read_bytes(ps, 0, 0, out));
  CHECK(out.empty());
  CHECK_FALSE(read_bytes(ps, 2, 5, out));  // runs past the data space

  const std::uint8_t in[] = {0x01, 0x02, 0x03, 0x04, 0x05};
  REQUIRE(write_bytes(ps, 1, in, 5));
  CHECK(words[0] == 0x44332211u);
  CHECK(words[1] == 0x04030201u);
  CHECK(words[2] == 0xCCBBAA05u);  // the other bytes of the last word keep their values
  CHECK_FALSE(write_bytes(ps, 3, in, 1));
}
