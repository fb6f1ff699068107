#pragma once
// The one message of the regroup protocol: a sender's copy of the connectivity matrix for one round.
// Wire format (little-endian, 44 bytes = two 32-byte bus packets; see docs/membership.md):
//   [0]      tag 'R' (0x52)          [1]     version (1)
//   [2..5]   round number, u32; 0 = an admission request from a joiner (not a round)
//   [6..7]   sender's agreed membership (0 = the sender is a joiner and has none)
//   [8..9]   union of the agreed memberships the sender has seen this round (what the majority is taken of)
//   [10..11] the CPUs known to take part in this round as joiners (reloaded, no membership)
//   [12..43] 16 rows, u16 each: row i = the CPUs that CPU i heard I'm-alive from in the last two periods,
//            plus i itself; an all-zero row = "not heard from CPU i this round".
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "cpu/membership/cpu_mask.hpp"

namespace pairsim::cpu {

using ConnectivityMatrix = std::array<CpuMask, kMaxCpus>;

struct RegroupMessage {
  static constexpr std::uint8_t kTag = 0x52;
  static constexpr std::uint8_t kVersion = 1;
  static constexpr std::size_t kBytes = 44;

  std::uint32_t round = 0;
  CpuMask sender_membership = 0;
  CpuMask membership_union = 0;
  CpuMask joiners = 0;
  ConnectivityMatrix rows{};

  std::vector<std::uint8_t> encode() const;
  // nullopt for anything that is not a well-formed message: wrong size, tag or version, a row i that is
  // non-empty but lacks i (rows are authored by their own CPU, which always lists itself), or an admission
  // request (round 0) from a sender with a membership.
  static std::optional<RegroupMessage> parse(const std::vector<std::uint8_t>& bytes);
};

}  // namespace pairsim::cpu
