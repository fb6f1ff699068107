#include "io/drive.hpp"

#include <catch2/catch.hpp>
#include <stdexcept>
#include <vector>

using namespace pairsim::io;

namespace {
std::vector<std::uint8_t> filled(std::uint8_t v) {
  return std::vector<std::uint8_t>(kBlockBytes, v);
}
}  // namespace

TEST_CASE("drive: holds only what was written, and the rest reads as zeros", "[io][drive]") {
  Drive d(1000);
  CHECK(d.blocks() == 1000);
  CHECK(d.state() == DriveState::up);
  std::vector<std::uint8_t> out(kBlockBytes, 0xEE);
  d.read(500, out.data());
  CHECK(out == filled(0));
  d.write(500, filled(7).data());
  d.write(3, filled(9).data());
  d.read(500, out.data());
  CHECK(out == filled(7));
  REQUIRE(d.written().size() == 2);
  CHECK(d.written().begin()->first == 3);  // in block order
  d.write(500, filled(8).data());
  CHECK(d.written().size() == 2);
  d.read(500, out.data());
  CHECK(out == filled(8));
}

TEST_CASE("drive: a block past the end is a programming error", "[io][drive]") {
  Drive d(10);
  std::vector<std::uint8_t> b(kBlockBytes);
  CHECK_THROWS_AS(d.read(10, b.data()), std::out_of_range);
  CHECK_THROWS_AS(d.write(10, b.data()), std::out_of_range);
}

TEST_CASE("drive: contents compare by what they read, not by what was written", "[io][drive]") {
  Drive a(100), b(100);
  CHECK(same_contents(a, b));
  a.write(5, filled(0).data());  // written zeros read as never-written ones
  CHECK(same_contents(a, b));
  CHECK(same_contents(b, a));
  b.write(9, filled(1).data());
  CHECK(first_difference(a, b) == 9u);
  a.write(9, filled(1).data());
  CHECK(same_contents(a, b));
  a.write(2, filled(3).data());
  b.write(2, filled(4).data());
  CHECK(first_difference(a, b) == 2u);
  b.copy_contents(a);
  CHECK(same_contents(a, b));
}

TEST_CASE("drive: states have names", "[io][drive]") {
  CHECK(std::string(to_string(DriveState::up)) == "up");
  CHECK(std::string(to_string(DriveState::down)) == "down");
  CHECK(std::string(to_string(DriveState::reviving)) == "reviving");
}
