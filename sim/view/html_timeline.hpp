#pragma once
// The report page's timeline: one inline SVG of swimlanes, a lane per CPU and a lane per process, with the
// messages between them, the faults in the scenario's words, the detections and the takeovers. Built from
// the run's events alone; html_report.hpp puts it on the page.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "sim/trace/trace_event.hpp"

namespace pairsim::sim {

// A run can send thousands of messages, and thousands of lines on a page say nothing and load slowly. Where
// arrows (or output dots) between the same lanes fall within a few units of each other, one stands for
// them all; past these many, an even spread over the run of what is left is drawn.
inline constexpr std::size_t timeline_max_arrows = 400;
inline constexpr std::size_t timeline_max_checkpoints = 200;
inline constexpr std::size_t timeline_max_outputs = 300;

struct TimelineSvg {
  std::string svg;  // <svg …>…</svg>
  int process_lanes = 0;
  std::size_t messages = 0;         // sends matched with their receipt
  std::size_t messages_drawn = 0;   // of those, drawn as arrows
  std::size_t unmatched_sends = 0;  // sends whose receipt is not in the trace (lost with a CPU, or after the end)
  std::size_t checkpoints = 0;
  std::size_t checkpoints_drawn = 0;
};

// `events` in the order emitted (they are put in time order here); `cpus` the machine's; `end_ns` the run's
// end, the axis' length; `heartbeat_ns` the I'm-alive period, which tells one failure's verdicts from the next.
TimelineSvg timeline_svg(const std::vector<TraceEvent>& events, int cpus, std::uint64_t end_ns,
                         std::uint64_t heartbeat_ns);

// "0", "50 ms", "1.4 s": a time on the axis, in the largest unit of which the tick step is a tenth or more.
std::string axis_label(std::uint64_t t_ns, std::uint64_t step_ns);
// The axis' tick step for a run of that length: 1, 2 or 5 times a power of ten, about ten ticks.
std::uint64_t axis_step(std::uint64_t end_ns);

}  // namespace pairsim::sim
