#pragma once
// A volume: one drive, or a mirrored pair that the system treats as one. Writes go to both drives, and reads
// use whichever drive would finish first (HP NonStop Systems Introduction 527825-001, p.7-8); when one drive
// fails the volume goes on with the other, and a revive copies the survivor onto the repaired drive while
// writes keep going to both. Time is explicit: each operation says when it starts and gets back when it
// ends, so the controller that owns the volume decides when things happen and this class stays kernel-free.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "io/disk_timing.hpp"
#include "io/drive.hpp"

namespace pairsim::io {

enum class IoStatus : std::uint8_t { ok, bad_block, volume_down };
const char* to_string(IoStatus s);  // "ok", "bad_block", "volume_down"

// bad_block (a block past the end) and volume_down (no drive can serve it) are refused at once: done_ns is
// the start time, and no drive's arm or queue moves.
struct IoResult {
  IoStatus status = IoStatus::ok;
  std::uint64_t done_ns = 0;
  int drive = -1;  // the drive a read came from
};

// A volume name is a process name ("$DATA"): the disk process pair that serves the volume goes by it.
bool valid_volume_name(const std::string& name);

class Volume {
 public:
  // Throws std::invalid_argument for a name that is not a volume name or a timing that is not a drive's.
  Volume(std::string name, bool mirrored, DiskTiming timing = {});
  const std::string& name() const { return name_; }
  bool mirrored() const { return drives_.size() == 2; }
  int drive_count() const { return static_cast<int>(drives_.size()); }
  const DiskTiming& timing() const { return timing_; }
  std::uint32_t blocks() const { return timing_.blocks; }
  Drive& drive(int i);  // throw std::out_of_range for a drive the volume does not have
  const Drive& drive(int i) const;

  // A read from the up drive that would finish first (drive 0 on a tie); never from a down or reviving drive.
  // Each drive queues: an operation starts at max(start_ns, busy_until_ns). Moves the arm, sets busy_until_ns.
  IoResult read(std::uint32_t block, std::uint8_t* out, std::uint64_t start_ns);
  // To every drive that is up or reviving; done when the last finishes. volume_down when none is.
  IoResult write(std::uint32_t block, const std::uint8_t* bytes, std::uint64_t start_ns);
  void fail_drive(int i);  // down at once; the volume goes on with the other
  // Starts copying the survivor onto drive i (down -> reviving) at now_ns: returns when the copy ends (one
  // sector time per block the survivor holds, after what the survivor is busy with), nullopt when drive i is not
  // down or no other drive is up. Writes meanwhile go to both; finish_revive(i) at that time makes i up with the
  // survivor's contents. The copy itself is background work: it delays no read or write.
  std::optional<std::uint64_t> start_revive(int i, std::uint64_t now_ns);
  // Drive i (reviving) becomes up with the survivor's contents. When the survivor failed during the copy, the
  // copy is lost: drive i goes back down. No effect on a drive that is not reviving.
  void finish_revive(int i);
  bool mirrors_equal() const;  // true for a single drive

 private:
  // The drive that is not i, when the volume is mirrored and that drive is up; else -1.
  int survivor_of(int i) const;

  std::string name_;
  DiskTiming timing_;
  std::vector<Drive> drives_;
};

}  // namespace pairsim::io
