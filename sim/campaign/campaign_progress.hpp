#pragma once
// What a campaign shows while it runs. On a terminal: one line redrawn in place (runs done, failing seeds,
// runs per second, time left). Otherwise (a CI log, a pipe): plain lines, one at every tenth of the runs,
// so that the log stays short and readable. Lines that must stay (a failing seed) go above either.
// Host time is used here only to report speed (DESIGN.md: simulated time is the only clock of a run).
#include <cstdint>
#include <ostream>
#include <string>

namespace pairsim::sim {

class CampaignProgress {
 public:
  // `total` 0: not known in advance (an exploration finds its moments as it goes); a log then gets a line
  // every hundred runs.
  CampaignProgress(std::ostream& out, bool tty, std::uint64_t total) : out_(out), tty_(tty), total_(total) {}

  // A line that stays, printed above the progress line (which the next update draws again).
  void note(const std::string& line);
  // The state after a run finished (or a moment passed): a terminal redraws at most ten times a second, a
  // log gets a line when another tenth of the runs is done.
  void update(std::uint64_t done, std::uint64_t failing, double elapsed_seconds);
  // Clears the line on a terminal, before the closing summary.
  void finish();

  // "runs 120/1000 (12%), 2 failing, 41.3 runs/s, 21 s left"; with no total, "runs 120, 2 failing, 41.3 runs/s"
  static std::string line(std::uint64_t done, std::uint64_t total, std::uint64_t failing, double elapsed_seconds);
  // "0 s", "21 s", "3 min 05 s", "2 h 07 min"
  static std::string duration(double seconds);

 private:
  void draw();

  std::ostream& out_;
  bool tty_;
  std::uint64_t total_;
  std::uint64_t done_ = 0;
  std::uint64_t failing_ = 0;
  double elapsed_ = 0;
  double last_draw_ = 0;
  std::uint64_t tenths_shown_ = 0;
  bool drawn_ = false;  // the progress line is on the terminal now
};

}  // namespace pairsim::sim
