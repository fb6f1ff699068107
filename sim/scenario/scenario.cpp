#include "sim/scenario/scenario.hpp"

namespace pairsim::sim {

std::string SourceLoc::str() const {
  if (line <= 0) return file;
  return file + ":" + std::to_string(line) + ":" + std::to_string(col);
}

char to_char(BusName bus) {
  return bus == BusName::x ? 'X' : 'Y';
}

std::optional<CpuState> parse_cpu_state(std::string_view word) {
  for (CpuState s : {CpuState::up, CpuState::down, CpuState::halted, CpuState::reloading})
    if (std::string_view(to_string(s)) == word) return s;
  return std::nullopt;
}

const char* to_string(DriveStateName s) {
  switch (s) {
    case DriveStateName::up:
      return "up";
    case DriveStateName::down:
      return "down";
    case DriveStateName::reviving:
      return "reviving";
  }
  return "?";
}

std::optional<DriveStateName> parse_drive_state(std::string_view word) {
  for (DriveStateName s : {DriveStateName::up, DriveStateName::down, DriveStateName::reviving})
    if (std::string_view(to_string(s)) == word) return s;
  return std::nullopt;
}

std::string ScenarioError::str() const {
  return loc.str() + ": error: " + message;
}

}  // namespace pairsim::sim
