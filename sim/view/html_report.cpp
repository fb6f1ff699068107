#include "sim/view/html_report.hpp"

#include <stdexcept>

namespace pairsim::sim {

std::string html_report(const RunOutcome&, const std::vector<TraceEvent>&) {
  throw std::logic_error("the HTML report is not built yet");
}

}  // namespace pairsim::sim
