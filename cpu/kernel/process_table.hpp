#pragma once
// The processes of one CPU, by pin, and what is left of those that ended (for the run's report).
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cpu/kernel/process.hpp"

namespace pairsim::cpu {

// A process that ended: what the report and the scenario's expectations need of it.
struct EndedProcess {
  int pin = 0;
  std::string name;
  std::string program;
  bool abended = false;
  std::int32_t exit_code = 0;
  std::string reason;  // abend reason
  std::vector<std::string> output;
};

class ProcessTable {
 public:
  // A free pin, or nullopt when all are taken. Pins are handed out round-robin so that a pin is not reused
  // at once: a late message for a process that just ended does not reach a new one.
  std::optional<int> free_pin();
  Process& insert(std::unique_ptr<Process> p);
  std::unique_ptr<Process> remove(int pin);

  Process* find(int pin);
  const Process* find(int pin) const;

  // In pin order (deterministic).
  std::map<int, std::unique_ptr<Process>>& all() { return live_; }
  const std::map<int, std::unique_ptr<Process>>& all() const { return live_; }

  void record_end(EndedProcess e) { ended_.push_back(std::move(e)); }
  const std::vector<EndedProcess>& ended() const { return ended_; }

 private:
  std::map<int, std::unique_ptr<Process>> live_;
  std::vector<EndedProcess> ended_;
  int next_pin_ = kFirstUserPin;
};

}  // namespace pairsim::cpu
