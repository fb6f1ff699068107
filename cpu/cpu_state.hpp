#pragma once
#include <cstdint>
#include <optional>
#include <string>

namespace pairsim::cpu {

// up: running; down: stopped by a fault; halted: stopped itself (fail-fast, regroup); reloading: being
// brought back, not yet a member.
enum class CpuState : std::uint8_t { up = 0, down = 1, halted = 2, reloading = 3 };

inline const char* to_string(CpuState s) {
  switch (s) {
    case CpuState::up:
      return "up";
    case CpuState::down:
      return "down";
    case CpuState::halted:
      return "halted";
    case CpuState::reloading:
      return "reloading";
  }
  return "?";
}

}  // namespace pairsim::cpu
