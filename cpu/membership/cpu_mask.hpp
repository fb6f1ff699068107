#pragma once
// A set of CPUs as a 16-bit mask (bit i = CPU i): the T/16 had at most 16 processors, and a mask makes a
// membership, a connectivity row and a trace field the same cheap value.
#include <cstdint>
#include <string>

namespace pairsim::cpu {

using CpuMask = std::uint16_t;
constexpr int kMaxCpus = 16;

constexpr CpuMask cpu_bit(int cpu) {
  return static_cast<CpuMask>(1u << cpu);
}
constexpr bool has_cpu(CpuMask m, int cpu) {
  return ((m >> cpu) & 1u) != 0;
}
constexpr CpuMask all_cpus(int cpus) {
  return cpus >= kMaxCpus ? CpuMask{0xFFFF} : static_cast<CpuMask>((1u << cpus) - 1);
}

constexpr int cpu_count(CpuMask m) {
  int n = 0;
  for (unsigned v = m; v != 0; v &= v - 1) ++n;
  return n;
}

// -1 for the empty set.
constexpr int lowest_cpu(CpuMask m) {
  for (int i = 0; i < kMaxCpus; ++i)
    if (has_cpu(m, i)) return i;
  return -1;
}

// "0,2,3" — the form trace fields use (docs/trace-format.md); "" for the empty set.
inline std::string describe_cpus(CpuMask m) {
  std::string s;
  for (int i = 0; i < kMaxCpus; ++i) {
    if (!has_cpu(m, i)) continue;
    if (!s.empty()) s += ',';
    s += std::to_string(i);
  }
  return s;
}

}  // namespace pairsim::cpu
