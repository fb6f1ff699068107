#include "cpu/kernel/destination_table.hpp"

#include "cpu/kernel/process.hpp"

namespace pairsim::cpu {

const Destination* DestinationTable::find(const std::string& name) const {
  auto it = entries_.find(name);
  return it == entries_.end() ? nullptr : &it->second;
}

bool DestinationTable::apply(const std::string& name, const Destination& d) {
  auto it = entries_.find(name);
  if (it != entries_.end() && it->second.version >= d.version) return false;
  entries_[name] = d;
  return true;
}

bool DestinationTable::remove(const std::string& name, std::uint32_t version) {
  auto it = entries_.find(name);
  if (it == entries_.end() || it->second.version > version) return false;
  entries_.erase(it);
  return true;
}

Destination& DestinationTable::set(const std::string& name, Pid primary, Pid backup) {
  auto& d = entries_[name];
  d.primary = primary;
  d.backup = backup;
  ++d.version;
  return d;
}

DestinationTable::CpuDownEffect DestinationTable::on_cpu_down(int cpu) {
  CpuDownEffect effect;
  for (auto it = entries_.begin(); it != entries_.end();) {
    Destination& d = it->second;
    const bool primary_down = pid_cpu(d.primary) == cpu;
    const bool backup_down = d.backup != kNoPid && pid_cpu(d.backup) == cpu;
    if (primary_down && d.backup != kNoPid && !backup_down) {
      d.primary = d.backup;
      d.backup = kNoPid;
      ++d.version;
      effect.promoted.push_back(it->first);
    } else if (primary_down) {
      effect.lost.push_back(it->first);
      it = entries_.erase(it);
      continue;
    } else if (backup_down) {
      d.backup = kNoPid;
      ++d.version;
      effect.backup_lost.push_back(it->first);
    }
    ++it;
  }
  return effect;
}

void DestinationTable::adopt(const std::vector<std::pair<std::string, Destination>>& entries) {
  std::map<std::string, Destination> next;
  for (const auto& [name, d] : entries) next[name] = d;
  for (const auto& [name, d] : entries_) {
    auto it = next.find(name);
    if (it == next.end() || it->second.version < d.version) next[name] = d;
  }
  // A name the snapshot lacks but this table holds came from an update that overtook the snapshot; keep it.
  entries_ = std::move(next);
}

std::vector<std::pair<std::string, Destination>> DestinationTable::snapshot() const {
  return {entries_.begin(), entries_.end()};
}

}  // namespace pairsim::cpu
