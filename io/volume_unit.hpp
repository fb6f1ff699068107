#pragma once
// A volume as the machine holds it: the plain model (volume.hpp) in a thin SystemC shell that carries out
// the scenario's drive faults at their instant, ends a revive at its time, and traces what happens to the
// drives. Both of the volume's controllers reach its drives through this unit (each drive is dual-ported
// to both controllers).
#include <cstdint>
#include <optional>
#include <string>

#include <systemc>

#include "io/volume.hpp"
#include "sim/trace/trace_bus.hpp"
#include "sim/trace/vcd_writer.hpp"

namespace pairsim::io {

class VolumeUnit : public sc_core::sc_module {
 public:
  SC_HAS_PROCESS(VolumeUnit);
  VolumeUnit(sc_core::sc_module_name name, Volume volume, const sim::TraceBus& trace);

  Volume& volume() { return volume_; }
  const Volume& volume() const { return volume_; }
  const std::string& volume_name() const { return volume_.name(); }

  // Scenario faults, at the current simulated time. fail_drive: false when there is no such drive. revive:
  // false when the drive is not down or no other drive is up to copy from.
  bool fail_drive(int drive);
  bool revive_drive(int drive);

  // Adds top.volume_NAME.driveN signals (up, down, reviving) to a VCD.
  void trace(sim::VcdWriter& vcd);

 private:
  void revive_thread();
  void drive_event(int drive);

  Volume volume_;
  const sim::TraceBus& trace_;
  std::optional<std::uint64_t> revive_end_ns_;
  std::uint64_t revive_begin_ns_ = 0;  // when the copy started, for its progress events
  std::uint64_t revive_blocks_ = 0;    // the blocks it copies
  int revive_reported_ = 0;            // quarters of the copy reported so far
  int reviving_ = -1;
  sc_core::sc_event revive_started_;
  sim::VcdWriter* vcd_ = nullptr;  // the waveform, when one is written
  sim::VcdWriter::Signal drive_wave_[2] = {};
};

}  // namespace pairsim::io
