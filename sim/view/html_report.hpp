#pragma once
// A run as one self-contained HTML page (no network, no other files): the machine, a timeline, the
// expectations, Table 8-1 for each pair and the summary. docs/inspect.md describes it.
#include <string>
#include <vector>

#include "sim/report/report.hpp"
#include "sim/trace/trace_event.hpp"

namespace pairsim::sim {

// `events` are all of the run's events (as a full trace holds them), in the order emitted. The page is a
// function of them and of `outcome` but for its host time, which it leaves out: the same run gives the same
// bytes.
std::string html_report(const RunOutcome& outcome, const std::vector<TraceEvent>& events);

// Text made safe for HTML content and attribute values (&, <, >, ", '). Control characters other than tab
// and newline, which HTML refuses as characters and as references, and bytes that are not UTF-8 (guest
// output can hold any) become U+FFFD.
std::string html_escape(const std::string& text);

}  // namespace pairsim::sim
