#include "io/volume_unit.hpp"

#include "io/sim_time.hpp"

namespace pairsim::io {

VolumeUnit::VolumeUnit(sc_core::sc_module_name name, Volume volume, const sim::TraceBus& trace)
    : sc_core::sc_module(name), volume_(std::move(volume)), trace_(trace) {
  SC_THREAD(revive_thread);
}

void VolumeUnit::drive_event(int drive) {
  const DriveState s = volume_.drive(drive).state();
  if (vcd_) vcd_->change(drive_wave_[drive], now_ns(), static_cast<int>(s));
  trace_.emit(sim::TraceEvent(now_ns(), "drive_state")
                  .with("volume", volume_.name())
                  .with("drive", drive)
                  .with("state", to_string(s)));
}

bool VolumeUnit::fail_drive(int drive) {
  if (drive < 0 || drive >= volume_.drive_count()) return false;
  if (volume_.drive(drive).state() == DriveState::down) return true;
  if (reviving_ == drive) {
    reviving_ = -1;
    revive_end_ns_.reset();
  }
  volume_.fail_drive(drive);
  drive_event(drive);
  if (reviving_ >= 0 && reviving_ != drive) {
    // The survivor of a revive failed: the copy cannot be finished, the reviving drive is down again.
    const int other = reviving_;
    reviving_ = -1;
    revive_end_ns_.reset();
    volume_.drive(other).set_state(DriveState::down);
    drive_event(other);
  }
  return true;
}

bool VolumeUnit::revive_drive(int drive) {
  if (drive < 0 || drive >= volume_.drive_count() || reviving_ >= 0) return false;
  const auto end = volume_.start_revive(drive, now_ns());
  if (!end) return false;
  reviving_ = drive;
  revive_end_ns_ = *end;
  revive_begin_ns_ = now_ns();
  revive_blocks_ = volume_.drive(1 - drive).written().size();
  revive_reported_ = 0;
  drive_event(drive);
  revive_started_.notify(sc_core::SC_ZERO_TIME);
  return true;
}

void VolumeUnit::revive_thread() {
  for (;;) {
    if (!revive_end_ns_) {
      wait(revive_started_);
      continue;
    }
    const std::uint64_t end = *revive_end_ns_;
    const std::uint64_t now = now_ns();
    if (now < end) {
      // A full trace shows the copy at each quarter (revive_progress); otherwise the thread wakes at its end.
      std::uint64_t next = end;
      if (trace_.wants_detail() && revive_reported_ < 3 && end > revive_begin_ns_) {
        const std::uint64_t span = end - revive_begin_ns_;
        const std::uint64_t quarter = revive_begin_ns_ + span * (revive_reported_ + 1) / 4;
        if (now >= quarter) {
          ++revive_reported_;
          trace_.emit(sim::TraceEvent(now, "revive_progress")
                          .with("volume", volume_.name())
                          .with("drive", reviving_)
                          .with("percent", 25 * revive_reported_)
                          .with("blocks", revive_blocks_ * static_cast<std::uint64_t>(revive_reported_) / 4)
                          .with("of", revive_blocks_));
          continue;
        }
        next = quarter;
      }
      wait(sc_core::sc_time(static_cast<double>(next - now), sc_core::SC_NS), revive_started_);
      continue;
    }
    const int drive = reviving_;
    reviving_ = -1;
    revive_end_ns_.reset();
    if (drive >= 0 && volume_.drive(drive).state() == DriveState::reviving) {
      volume_.finish_revive(drive);
      drive_event(drive);
    }
  }
}

void VolumeUnit::trace(sim::VcdWriter& vcd) {
  vcd_ = &vcd;
  const std::vector<std::string> states{to_string(DriveState::up), to_string(DriveState::down),
                                        to_string(DriveState::reviving)};
  for (int d = 0; d < volume_.drive_count(); ++d)
    drive_wave_[d] =
        vcd.declare({std::string(name()) + ".drive" + std::to_string(d), 2, sim::VcdShow::names, "drive-state", states,
                     "I/O", volume_.name() + " drive" + std::to_string(d), static_cast<int>(volume_.drive(d).state())});
}

}  // namespace pairsim::io
