#pragma once
// Number literals of the scenario language: times, sizes, bandwidths ("1.5s", "2MiB", "13MB/s"),
// plain decimals and whole numbers.
// Decimals are parsed exactly, in integers: "1.1s" is 1'100'000'000 ns, never 1'099'999'999.
// Depends on the standard library only, so the parser and its tests build without SystemC.
#include <cstdint>
#include <string>
#include <string_view>

namespace pairsim::sim {

// The value of a literal, or a sentence saying what is wrong with it (error non-empty).
struct Quantity {
  std::uint64_t value = 0;
  std::string error;
  bool ok() const { return error.empty(); }
};

// "1.5s", "250ms", "10us", "40ns" (also "µs") -> nanoseconds.
Quantity parse_duration(std::string_view literal);
// "2MiB", "64KiB", "512B", "1GiB"; decimal "KB", "MB", "GB" (10^3, 10^6, 10^9) -> bytes.
Quantity parse_size(std::string_view literal);
// "13MB/s", "500KB/s", "100B/s", "1GB/s", also "KiB/s", "MiB/s" -> bytes per second.
Quantity parse_bandwidth(std::string_view literal);
// "0.8", "2", "12.25" (no unit, no sign, no exponent) -> a double. error set on bad syntax.
struct Decimal {
  double value = 0;
  std::string error;
  bool ok() const { return error.empty(); }
};
Decimal parse_decimal(std::string_view literal);

// A whole number: optional '-', then decimal digits, or 0x and hex digits ("-7", "0x1F").
struct Integer {
  bool valid = false;     // the syntax is right
  bool overflow = false;  // valid, but outside std::int64_t
  std::int64_t value = 0;
};
Integer parse_integer(std::string_view literal);

// Shortest exact spelling in the largest unit that keeps it exact: 1'500'000'000 -> "1.5s",
// 250'000 -> "250us", 0 -> "0s". parse_duration(format_duration(t)).value == t for every t.
std::string format_duration(std::uint64_t ns);
// 2'097'152 -> "2MiB", 1000 -> "1000B" (binary units only, exact).
std::string format_size(std::uint64_t bytes);

}  // namespace pairsim::sim
