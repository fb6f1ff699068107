#pragma once
// The destination table (Guardian's DCT process-pair list), replicated on every CPU: process name -> the
// pair's primary cpu,pin and backup cpu,pin. Look-ups are local. Changes travel as broadcasts from the
// kernel that made them (creation, deletion, backup creation, takeover); a CPU failure is applied by every
// kernel on its own with the same rule, so all tables agree without waiting for a message. Each entry
// carries a version; an update older than what a table holds is ignored.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "cpu/kernel/wire.hpp"

namespace pairsim::cpu {

class DestinationTable {
 public:
  const Destination* find(const std::string& name) const;
  // Inserts or replaces when `d` is newer than the entry held (or there is none). True if it changed.
  bool apply(const std::string& name, const Destination& d);
  // Removes the entry unless the table holds a newer one. True if it removed it.
  bool remove(const std::string& name, std::uint32_t version);
  // Sets the entry unconditionally, one version above what is held: used by the kernel that owns the change.
  Destination& set(const std::string& name, Pid primary, Pid backup);

  struct CpuDownEffect {
    std::vector<std::string> promoted;     // its backup is now the primary
    std::vector<std::string> lost;         // no backup (or none alive): entry removed
    std::vector<std::string> backup_lost;  // the backup was on that CPU
  };
  // The rule every kernel applies when CPU `cpu` is declared down.
  CpuDownEffect on_cpu_down(int cpu);

  // A joining CPU's copy: the snapshot's entries, except where this table already holds a newer version or
  // a name the snapshot lacks (both come from updates that overtook the snapshot).
  void adopt(const std::vector<std::pair<std::string, Destination>>& entries);
  std::vector<std::pair<std::string, Destination>> snapshot() const;

  const std::map<std::string, Destination>& entries() const { return entries_; }

 private:
  std::map<std::string, Destination> entries_;
};

}  // namespace pairsim::cpu
