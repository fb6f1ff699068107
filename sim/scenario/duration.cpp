#include "sim/scenario/duration.hpp"

#include <array>
#include <limits>
#include <numeric>

namespace pairsim::sim {
namespace {

struct Unit {
  std::string_view name;
  std::uint64_t scale;  // base units (ns, bytes, bytes/s) per unit
};

constexpr std::array<Unit, 5> time_units{
    {{"ns", 1}, {"us", 1'000}, {"\xC2\xB5s", 1'000}, {"ms", 1'000'000}, {"s", 1'000'000'000}}};
constexpr std::array<Unit, 7> size_units{{{"B", 1},
                                          {"KiB", 1ull << 10},
                                          {"MiB", 1ull << 20},
                                          {"GiB", 1ull << 30},
                                          {"KB", 1'000},
                                          {"MB", 1'000'000},
                                          {"GB", 1'000'000'000}}};
constexpr std::array<Unit, 7> bandwidth_units{{{"B/s", 1},
                                               {"KB/s", 1'000},
                                               {"MB/s", 1'000'000},
                                               {"GB/s", 1'000'000'000},
                                               {"KiB/s", 1ull << 10},
                                               {"MiB/s", 1ull << 20},
                                               {"GiB/s", 1ull << 30}}};

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// A literal split into its digits and its unit: "12.50ms" -> "12", "50", "ms".
struct Split {
  std::string_view whole, fraction, unit;
  bool has_point = false;
};

Split split_number(std::string_view s) {
  Split out;
  std::size_t i = 0;
  while (i < s.size() && is_digit(s[i])) ++i;
  out.whole = s.substr(0, i);
  if (i < s.size() && s[i] == '.') {
    out.has_point = true;
    std::size_t start = ++i;
    while (i < s.size() && is_digit(s[i])) ++i;
    out.fraction = s.substr(start, i - start);
  }
  out.unit = s.substr(i);
  return out;
}

// Control bytes would garble a terminal; the parser's messages point at the column anyway.
std::string quoted(std::string_view s) {
  std::string out = "'";
  for (char c : s) out += (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) ? '?' : c;
  return out + "'";
}

// Multiplies in integers so that a decimal literal is exact or rejected, never rounded.
template <std::size_t N>
Quantity parse_scaled(std::string_view literal, const std::array<Unit, N>& units, std::string_view what,
                      std::string_view base_unit, std::string_view unit_list, std::string_view example) {
  Quantity q;
  Split sp = split_number(literal);
  if (sp.whole.empty()) {
    q.error = "expected " + std::string(what) + " such as " + std::string(example) + ", found " + quoted(literal);
    return q;
  }
  if (sp.has_point && sp.fraction.empty()) {
    q.error = "bad number in " + quoted(literal) + ": a decimal point needs digits after it";
    return q;
  }
  if (sp.unit.empty()) {
    q.error = "missing unit in " + quoted(literal) + " (use " + std::string(unit_list) + ")";
    return q;
  }
  const Unit* unit = nullptr;
  for (const Unit& u : units)
    if (u.name == sp.unit) unit = &u;
  if (!unit) {
    q.error = "unknown unit " + quoted(sp.unit) + " in " + quoted(literal) + " (use " + std::string(unit_list) + ")";
    return q;
  }
  const std::string too_large = std::string(what) + " " + quoted(literal) + " is too large";
  constexpr std::uint64_t max = std::numeric_limits<std::uint64_t>::max();
  std::uint64_t whole = 0;
  for (char c : sp.whole) {
    std::uint64_t d = static_cast<std::uint64_t>(c - '0');
    if (whole > (max - d) / 10) {
      q.error = too_large;
      return q;
    }
    whole = whole * 10 + d;
  }
  if (unit->scale != 0 && whole > max / unit->scale) {
    q.error = too_large;
    return q;
  }
  std::uint64_t value = whole * unit->scale;
  // Trailing zeros of the fraction change nothing; what remains must divide exactly.
  std::string_view frac = sp.fraction;
  while (!frac.empty() && frac.back() == '0') frac.remove_suffix(1);
  if (!frac.empty()) {
    // scale <= 2^30 < 10^10, so a fraction with more than 19 significant digits cannot be exact.
    if (frac.size() > 19) {
      q.error = quoted(literal) + " is not a whole number of " + std::string(base_unit);
      return q;
    }
    std::uint64_t numerator = 0, denominator = 1;
    for (char c : frac) {
      numerator = numerator * 10 + static_cast<std::uint64_t>(c - '0');
      denominator *= 10;
    }
    // numerator / denominator * scale is exact iff what is left of the denominator after
    // cancelling with the scale divides the numerator; the result is below scale, so no overflow.
    std::uint64_t common = std::gcd(denominator, unit->scale);
    if (numerator % (denominator / common) != 0) {
      q.error = quoted(literal) + " is not a whole number of " + std::string(base_unit);
      return q;
    }
    std::uint64_t part = numerator / (denominator / common) * (unit->scale / common);
    if (part > max - value) {
      q.error = too_large;
      return q;
    }
    value += part;
  }
  q.value = value;
  return q;
}

}  // namespace

Quantity parse_duration(std::string_view literal) {
  return parse_scaled(literal, time_units, "a time", "nanoseconds", "ns, us, ms or s", "1.5s or 250ms");
}

Quantity parse_size(std::string_view literal) {
  return parse_scaled(literal, size_units, "a size", "bytes", "B, KiB, MiB, GiB, KB, MB or GB", "2MiB or 64KiB");
}

Quantity parse_bandwidth(std::string_view literal) {
  return parse_scaled(literal, bandwidth_units, "a bandwidth", "bytes per second",
                      "B/s, KB/s, MB/s, GB/s, KiB/s, MiB/s or GiB/s", "13MB/s");
}

Decimal parse_decimal(std::string_view literal) {
  Decimal d;
  Split sp = split_number(literal);
  if (sp.whole.empty() || (sp.has_point && sp.fraction.empty()) || !sp.unit.empty()) {
    d.error = "expected a number such as 0.8, found " + quoted(literal);
    return d;
  }
  // Digits beyond 18 cannot change a double's value in any way that matters here.
  double value = 0;
  for (char c : sp.whole) value = value * 10 + (c - '0');
  double scale = 1;
  std::uint64_t numerator = 0;
  std::size_t used = 0;
  for (char c : sp.fraction) {
    if (used == 18) break;
    numerator = numerator * 10 + static_cast<std::uint64_t>(c - '0');
    scale *= 10;
    ++used;
  }
  d.value = value + static_cast<double>(numerator) / scale;
  return d;
}

Integer parse_integer(std::string_view s) {
  Integer out;
  bool negative = !s.empty() && s[0] == '-';
  if (negative) s.remove_prefix(1);
  int base = 10;
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    base = 16;
    s.remove_prefix(2);
  }
  if (s.empty()) return out;
  std::uint64_t value = 0;
  constexpr std::uint64_t limit = std::uint64_t{1} << 63;  // |INT64_MIN|
  for (char c : s) {
    int d = c >= '0' && c <= '9'                 ? c - '0'
            : base == 16 && c >= 'a' && c <= 'f' ? c - 'a' + 10
            : base == 16 && c >= 'A' && c <= 'F' ? c - 'A' + 10
                                                 : -1;
    if (d < 0) return out;
    if (value > (limit - static_cast<std::uint64_t>(d)) / static_cast<std::uint64_t>(base))
      out.overflow = true;
    else
      value = value * static_cast<std::uint64_t>(base) + static_cast<std::uint64_t>(d);
  }
  out.valid = true;
  if (!out.overflow && !negative && value == limit) out.overflow = true;
  if (!out.overflow) out.value = negative ? static_cast<std::int64_t>(0 - value) : static_cast<std::int64_t>(value);
  return out;
}

std::string format_duration(std::uint64_t ns) {
  static constexpr std::array<Unit, 4> units{{{"s", 1'000'000'000}, {"ms", 1'000'000}, {"us", 1'000}, {"ns", 1}}};
  if (ns == 0) return "0s";
  std::string best;
  for (const Unit& u : units) {
    std::string s = std::to_string(ns / u.scale);
    std::uint64_t rest = ns % u.scale;
    if (rest != 0) {
      std::string frac = std::to_string(rest);
      std::string digits = std::to_string(u.scale).substr(1);  // as many digits as zeros in scale
      frac = std::string(digits.size() - frac.size(), '0') + frac;
      while (frac.back() == '0') frac.pop_back();
      s += "." + frac;
    }
    s += u.name;
    if (best.empty() || s.size() < best.size()) best = s;
  }
  return best;
}

std::string format_size(std::uint64_t bytes) {
  static constexpr std::array<Unit, 4> units{{{"GiB", 1ull << 30}, {"MiB", 1ull << 20}, {"KiB", 1ull << 10}, {"B", 1}}};
  for (const Unit& u : units)
    if (bytes != 0 && bytes % u.scale == 0) return std::to_string(bytes / u.scale) + std::string(u.name);
  return std::to_string(bytes) + "B";
}

}  // namespace pairsim::sim
