// Time, size and bandwidth literals: exact decimals, units, and the messages for bad ones.
#include <catch2/catch.hpp>
#include <cstdio>
#include <random>

#include "sim/scenario/duration.hpp"

using namespace pairsim::sim;

namespace {
std::uint64_t ns(std::string_view s) {
  Quantity q = parse_duration(s);
  INFO(s << ": " << q.error);
  REQUIRE(q.ok());
  return q.value;
}
std::string duration_error(std::string_view s) {
  Quantity q = parse_duration(s);
  REQUIRE_FALSE(q.ok());
  return q.error;
}
}  // namespace

TEST_CASE("scenario duration: every unit", "[scenario][duration]") {
  CHECK(ns("40ns") == 40);
  CHECK(ns("10us") == 10'000);
  CHECK(ns("10\xC2\xB5s") == 10'000);
  CHECK(ns("250ms") == 250'000'000);
  CHECK(ns("2s") == 2'000'000'000);
  CHECK(ns("0s") == 0);
  CHECK(ns("007ms") == 7'000'000);
}

TEST_CASE("scenario duration: decimals are exact to the nanosecond", "[scenario][duration]") {
  CHECK(ns("1.1s") == 1'100'000'000);
  CHECK(ns("1.5s") == 1'500'000'000);
  CHECK(ns("0.000000001s") == 1);
  CHECK(ns("2.5us") == 2'500);
  CHECK(ns("0.1ms") == 100'000);
  CHECK(ns("1.50000000000000000000000s") == 1'500'000'000);  // trailing zeros change nothing
  CHECK(ns("18446744073.709551615s") == 18'446'744'073'709'551'615ull);
  // Every decimal second with nine digits is exact (a double would miss many of these).
  std::mt19937_64 rng(7);
  for (int i = 0; i < 2000; ++i) {
    std::uint64_t whole = rng() % 100'000, frac = rng() % 1'000'000'000;
    char buf[64];
    std::snprintf(buf, sizeof buf, "%llu.%09llus", static_cast<unsigned long long>(whole),
                  static_cast<unsigned long long>(frac));
    REQUIRE(ns(buf) == whole * 1'000'000'000 + frac);
  }
}

TEST_CASE("scenario duration: bad literals say what is wrong", "[scenario][duration]") {
  CHECK(duration_error("1.5") == "missing unit in '1.5' (use ns, us, ms or s)");
  CHECK(duration_error("3sec") == "unknown unit 'sec' in '3sec' (use ns, us, ms or s)");
  CHECK(duration_error("1.5ns") == "'1.5ns' is not a whole number of nanoseconds");
  CHECK(duration_error("0.0000000001s") == "'0.0000000001s' is not a whole number of nanoseconds");
  CHECK(duration_error("1.s") == "bad number in '1.s': a decimal point needs digits after it");
  CHECK(duration_error(".5s") == "expected a time such as 1.5s or 250ms, found '.5s'");
  CHECK(duration_error("-1s") == "expected a time such as 1.5s or 250ms, found '-1s'");
  CHECK(duration_error("") == "expected a time such as 1.5s or 250ms, found ''");
  CHECK(duration_error("18446744074s") == "a time '18446744074s' is too large");
  CHECK(duration_error("99999999999999999999999ns") == "a time '99999999999999999999999ns' is too large");
  CHECK(duration_error("18446744073.709551616s") == "a time '18446744073.709551616s' is too large");
}

TEST_CASE("scenario duration: sizes and bandwidths", "[scenario][duration]") {
  CHECK(parse_size("2MiB").value == 2u << 20);
  CHECK(parse_size("64KiB").value == 65'536);
  CHECK(parse_size("1.5KiB").value == 1'536);
  CHECK(parse_size("512B").value == 512);
  CHECK(parse_size("1GiB").value == 1u << 30);
  CHECK(parse_size("1KB").value == 1'000);
  CHECK(parse_size("0.3KiB").error == "'0.3KiB' is not a whole number of bytes");
  CHECK(parse_size("2M").error == "unknown unit 'M' in '2M' (use B, KiB, MiB, GiB, KB, MB or GB)");
  CHECK(parse_bandwidth("13MB/s").value == 13'000'000);
  CHECK(parse_bandwidth("1.5KB/s").value == 1'500);
  CHECK(parse_bandwidth("100B/s").value == 100);
  CHECK(parse_bandwidth("1MiB/s").value == 1u << 20);
  CHECK(parse_bandwidth("13MB").error ==
        "unknown unit 'MB' in '13MB' (use B/s, KB/s, MB/s, GB/s, KiB/s, MiB/s or GiB/s)");
}

TEST_CASE("scenario duration: plain decimals", "[scenario][duration]") {
  CHECK(parse_decimal("0.8").value == Approx(0.8));
  CHECK(parse_decimal("12").value == 12.0);
  CHECK(parse_decimal("0.25").value == 0.25);
  CHECK(parse_decimal("1e3").error == "expected a number such as 0.8, found '1e3'");
  CHECK(parse_decimal("-1").error == "expected a number such as 0.8, found '-1'");
  CHECK(parse_decimal("1.").error == "expected a number such as 0.8, found '1.'");
}

TEST_CASE("scenario duration: formatting is short and round-trips", "[scenario][duration]") {
  CHECK(format_duration(0) == "0s");
  CHECK(format_duration(1'500'000'000) == "1.5s");
  CHECK(format_duration(250'000) == "250us");
  CHECK(format_duration(10'000'000) == "10ms");
  CHECK(format_duration(1'000'000'001) == "1.000000001s");
  CHECK(format_duration(7) == "7ns");
  std::mt19937_64 rng(11);
  for (int i = 0; i < 2000; ++i) {
    std::uint64_t t = rng() >> (rng() % 64);
    REQUIRE(parse_duration(format_duration(t)).value == t);
  }
  CHECK(format_size(2u << 20) == "2MiB");
  CHECK(format_size(1000) == "1000B");
  CHECK(format_size(65'536) == "64KiB");
}

TEST_CASE("scenario duration: whole numbers", "[scenario][duration]") {
  CHECK(parse_integer("42").value == 42);
  CHECK(parse_integer("-7").value == -7);
  CHECK(parse_integer("0x1F").value == 31);
  CHECK(parse_integer("0XfF").value == 255);
  CHECK(parse_integer("9223372036854775807").value == INT64_MAX);
  CHECK(parse_integer("-9223372036854775808").value == INT64_MIN);
  CHECK(parse_integer("9223372036854775808").overflow);
  CHECK(parse_integer("99999999999999999999999").overflow);
  CHECK(parse_integer("99999999999999999999999").valid);
  for (const char* bad : {"", "-", "0x", "1.5", "12a", "--1", "0x-1", " 1"}) {
    INFO(bad);
    CHECK_FALSE(parse_integer(bad).valid);
  }
}
