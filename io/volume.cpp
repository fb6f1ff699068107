#include "io/volume.hpp"

#include <algorithm>
#include <stdexcept>

#include "guest/process_name.hpp"

namespace pairsim::io {

const char* to_string(IoStatus s) {
  switch (s) {
    case IoStatus::ok:
      return "ok";
    case IoStatus::bad_block:
      return "bad_block";
    case IoStatus::volume_down:
      return "volume_down";
  }
  return "?";
}

bool valid_volume_name(const std::string& name) {
  return guest::is_process_name(name);
}

Volume::Volume(std::string name, bool mirrored, DiskTiming timing) : name_(std::move(name)), timing_(timing) {
  if (!valid_volume_name(name_))
    throw std::invalid_argument("'" + name_ + "' is not a volume name: a $, a letter, then letters, digits or _");
  std::string error;
  if (!valid_timing(timing_, error)) throw std::invalid_argument(error);
  drives_.assign(mirrored ? 2 : 1, Drive(timing_.blocks));
}

Drive& Volume::drive(int i) {
  return drives_.at(static_cast<std::size_t>(i));
}
const Drive& Volume::drive(int i) const {
  return drives_.at(static_cast<std::size_t>(i));
}

IoResult Volume::read(std::uint32_t block, std::uint8_t* out, std::uint64_t start_ns) {
  if (block >= blocks()) return {IoStatus::bad_block, start_ns, -1};
  int best = -1;
  std::uint64_t best_done = 0;
  for (int i = 0; i < drive_count(); ++i) {
    const Drive& d = drives_[i];
    if (d.state() != DriveState::up) continue;
    const std::uint64_t begin = std::max(start_ns, d.busy_until_ns);
    const std::uint64_t done = begin + service_ns(timing_, d.head, block, begin);
    if (best < 0 || done < best_done) {  // strictly earlier: drive 0 wins a tie
      best = i;
      best_done = done;
    }
  }
  if (best < 0) return {IoStatus::volume_down, start_ns, -1};
  Drive& d = drives_[best];
  d.read(block, out);
  d.head = cylinder_of(timing_, block);
  d.busy_until_ns = best_done;
  return {IoStatus::ok, best_done, best};
}

IoResult Volume::write(std::uint32_t block, const std::uint8_t* bytes, std::uint64_t start_ns) {
  if (block >= blocks()) return {IoStatus::bad_block, start_ns, -1};
  bool any = false;
  std::uint64_t last = 0;
  for (Drive& d : drives_) {
    if (d.state() == DriveState::down) continue;
    const std::uint64_t begin = std::max(start_ns, d.busy_until_ns);
    const std::uint64_t done = begin + service_ns(timing_, d.head, block, begin);
    d.write(block, bytes);
    d.head = cylinder_of(timing_, block);
    d.busy_until_ns = done;
    last = std::max(last, done);
    // A reviving drive takes the write, but only an up drive makes it done: a reviving drive whose survivor
    // fails goes down with its copy unfinished.
    if (d.state() == DriveState::up) any = true;
  }
  if (!any) return {IoStatus::volume_down, start_ns, -1};
  return {IoStatus::ok, last, -1};
}

void Volume::fail_drive(int i) {
  drive(i).set_state(DriveState::down);
}

int Volume::survivor_of(int i) const {
  if (!mirrored()) return -1;
  const int other = 1 - i;
  return drives_[other].state() == DriveState::up ? other : -1;
}

std::optional<std::uint64_t> Volume::start_revive(int i, std::uint64_t now_ns) {
  if (drive(i).state() != DriveState::down) return std::nullopt;
  const int s = survivor_of(i);
  if (s < 0) return std::nullopt;
  const Drive& survivor = drives_[s];
  drives_[i].set_state(DriveState::reviving);
  const std::uint64_t begin = std::max(now_ns, survivor.busy_until_ns);
  return begin + sector_ns(timing_) * survivor.written().size();
}

void Volume::finish_revive(int i) {
  Drive& d = drive(i);
  if (d.state() != DriveState::reviving) return;
  const int s = survivor_of(i);
  if (s < 0) {
    d.set_state(DriveState::down);
    return;
  }
  // The writes made during the copy went to both drives; the survivor holds them too, so its contents are the
  // whole truth.
  d.copy_contents(drives_[s]);
  d.set_state(DriveState::up);
}

bool Volume::mirrors_equal() const {
  return !mirrored() || same_contents(drives_[0], drives_[1]);
}

}  // namespace pairsim::io
