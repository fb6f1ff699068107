#include "cpu/kernel/process_table.hpp"

namespace pairsim::cpu {

std::string pid_string(Pid p) {
  return std::to_string(pid_cpu(p)) + "," + std::to_string(pid_pin(p));
}

const char* to_string(WaitReason w) {
  switch (w) {
    case WaitReason::none:
      return "none";
    case WaitReason::delay:
      return "delay";
    case WaitReason::writeread:
      return "writeread";
    case WaitReason::readupdate:
      return "readupdate";
    case WaitReason::newprocess:
      return "newprocess";
    case WaitReason::checkpoint:
      return "checkpoint";
    case WaitReason::checkmonitor:
      return "checkmonitor";
    case WaitReason::checkswitch:
      return "checkswitch";
    case WaitReason::diskio:
      return "diskio";
  }
  return "?";
}

std::optional<int> ProcessTable::free_pin() {
  for (int i = 0; i < kMaxPins - kFirstUserPin; ++i) {
    const int pin = kFirstUserPin + (next_pin_ - kFirstUserPin + i) % (kMaxPins - kFirstUserPin);
    if (live_.count(pin) == 0) {
      next_pin_ = pin + 1 < kMaxPins ? pin + 1 : kFirstUserPin;
      return pin;
    }
  }
  return std::nullopt;
}

Process& ProcessTable::insert(std::unique_ptr<Process> p) {
  const int pin = p->pin;
  auto& slot = live_[pin];
  slot = std::move(p);
  return *slot;
}

std::unique_ptr<Process> ProcessTable::remove(int pin) {
  auto it = live_.find(pin);
  if (it == live_.end()) return nullptr;
  auto p = std::move(it->second);
  live_.erase(it);
  return p;
}

Process* ProcessTable::find(int pin) {
  auto it = live_.find(pin);
  return it == live_.end() ? nullptr : it->second.get();
}

const Process* ProcessTable::find(int pin) const {
  auto it = live_.find(pin);
  return it == live_.end() ? nullptr : it->second.get();
}

}  // namespace pairsim::cpu
