#pragma once
// A GTKWave save file for a run's VCD, so that `gtkwave run.gtkw` opens the waveform arranged: the signals in
// groups (CPUs, membership, each pair, processes, buses, I/O) under short names, enumerations shown by name
// through translate filter files written beside it, signed numbers in signed decimal, a named marker at each
// fault and takeover, and the whole run in view. Every path in it is relative (GTKWave resolves them from the
// save file's folder), so the files can be moved together. docs/inspect.md, "The waveform", shows it in use.
#include <cstdint>
#include <string>
#include <vector>

#include "sim/trace/trace_bus.hpp"
#include "sim/trace/vcd_writer.hpp"

namespace pairsim::sim {

struct WaveMarker {
  std::uint64_t t_ns;
  std::string label;
};

// The markers of a run: one at each fault (a scenario action other than `start`) and each takeover.
class WaveMarkers : public TraceSink {
 public:
  void on_event(const TraceEvent& e) override;
  bool takes_detail() const override { return false; }  // it reads no detail event
  // In time order (events of one instant in the order they came).
  const std::vector<WaveMarker>& markers() const { return markers_; }

 private:
  std::vector<WaveMarker> markers_;
};

struct GtkwFile {
  std::string name;  // a file name, in the save file's folder
  std::string text;
};

struct GtkwLayout {
  std::string vcd_name;   // the VCD's file name, beside the save file ("run.vcd")
  std::string gtkw_name;  // the save file's own name ("run.gtkw"): the filter files are named after it
  std::string title;      // a comment line: which run this is
  std::uint64_t end_ns = 0;
};

// GTKWave has 26 named markers (A to Z): later ones are left out.
constexpr std::size_t kGtkwMarkers = 26;
// The window the save file asks for, and the width of its signal list: the zoom is chosen so that the run's
// length fills the wave area that is left.
constexpr int kGtkwWidth = 1400, kGtkwHeight = 860, kGtkwSignalsWidth = 300;

// The save file (first) and the translate filter files it names.
std::vector<GtkwFile> gtkw_files(const VcdWriter& vcd, const GtkwLayout& layout,
                                 const std::vector<WaveMarker>& markers);

// GTKWave's zoom value that shows `span_ns` across `pixels` of wave area.
double gtkw_zoom(std::uint64_t span_ns, int pixels);

}  // namespace pairsim::sim
