#pragma once
// pairsim's VCD writer (the value change dump of IEEE 1364), plain C++ without a simulation kernel. Models and
// trace sinks declare their signals, then report each change with the simulated time it happened at; nothing
// is sampled, so a run pays only for the changes it makes. Changes may come out of time order (a CPU runs up
// to a quantum ahead of the rest of the machine, the bus catches up with transfers lazily): they are kept and
// written in time order when the file is written. At one instant the last change of a signal wins, and a
// change to the value a signal already has is left out. The header is fixed (no wall-clock date), so the same
// run gives the same bytes. docs/trace-format.md, "The VCD waveform", lists the signals.
#include <cstdint>
#include <deque>
#include <ostream>
#include <string>
#include <vector>

namespace pairsim::sim {

// How a viewer should show a signal's value. The VCD holds only bits; a GTKWave save file (sim/view/gtkw_writer)
// carries this to the viewer.
enum class VcdShow {
  bit,            // one bit
  number,         // unsigned decimal
  signed_number,  // signed decimal (two's complement in `width` bits): -1 for "none"
  names,          // a small enumeration: value k is names[k]
  cpu_set,        // bit k is CPU k, declared [0:width-1] so that CPU 0 is leftmost
};

struct VcdSignal {
  std::string path;  // hierarchical and dotted, "top.cpu2.state"; the last part is the signal's name
  int width = 1;     // bits, 1..32
  VcdShow show = VcdShow::bit;
  std::string enumeration;         // names: what the values are ("cpu-state"); signals of one kind share it
  std::vector<std::string> names;  // names: the name of value 0, 1, …
  std::string group;               // the group a viewer shows it in ("CPUs", "pair $COUNT", …)
  std::string label;               // the short name shown in that group ("cpu2 state"); "" for the path
  std::int64_t initial = 0;        // its value from time 0 until its first change
};

class VcdWriter {
 public:
  using Signal = std::uint32_t;

  // `comment` goes into the header's $comment (which run this is); `version` into $version.
  VcdWriter(std::string version, std::string comment);

  // Declares a signal; may be called until write(). Throws std::invalid_argument for a width outside 1..32 or
  // a path without a scope.
  Signal declare(VcdSignal s);
  // The signal took `value` at t_ns (simulated nanoseconds). Values are cut to the signal's width.
  void change(Signal s, std::uint64_t t_ns, std::int64_t value) {
    const Change c{t_ns, s, static_cast<std::uint32_t>(static_cast<std::uint64_t>(value) & masks_[s])};
    // Nearly every change comes in time order; the few that come late (behind a CPU that ran ahead, or from a
    // sink that writes at the end) are kept apart and merged in when the file is written.
    if (changes_.empty() || changes_.back().t_ns <= t_ns)
      changes_.push_back(c);
    else
      late_.push_back(c);
  }

  const std::vector<VcdSignal>& signals() const { return signals_; }
  // The identifier code of a signal in the file ("!", "\"", …, then two characters).
  static std::string code(Signal s);
  // The name a viewer gives the signal: its path, with the bit range of a vector ("top.cpu2.state[1:0]").
  std::string reference(Signal s) const;
  std::size_t change_count() const { return changes_.size() + late_.size(); }

  // Writes the file: header, every signal's value at time 0, the changes in time order up to end_ns (those
  // after it are left out), and a last time stamp at end_ns (the run's length, so a viewer shows all of it).
  void write(std::ostream& out, std::uint64_t end_ns) const;

 private:
  struct Change {
    std::uint64_t t_ns;
    Signal signal;
    std::uint32_t bits;
  };

  std::string version_;
  std::string comment_;
  std::vector<VcdSignal> signals_;
  std::vector<std::uint32_t> masks_;
  std::vector<std::string> codes_;
  // In time order; of one instant, in the order they were made. A deque grows without copying what it holds:
  // a long run keeps millions.
  std::deque<Change> changes_;
  std::vector<Change> late_;     // those that came after a later one, in the order they were made
};

}  // namespace pairsim::sim
