#include "sim/view/event_log.hpp"

#include <filesystem>
#include <fstream>

namespace pairsim::sim {

bool read_trace_file(const std::string& path, std::vector<TraceEvent>& events, std::string& error) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    error = path + ": error: " + (std::filesystem::exists(path, ec) ? "not a trace file" : "no such file");
    return false;
  }
  std::ifstream in(path);
  if (!in) {
    error = path + ": error: cannot read the trace";
    return false;
  }
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (line.empty()) continue;
    auto e = parse_trace_line(line);
    if (!e) {
      error = path + ":" + std::to_string(n) + ":1: error: not a trace event";
      return false;
    }
    events.push_back(std::move(*e));
  }
  if (in.bad()) {
    error = path + ": error: cannot read the trace";
    return false;
  }
  return true;
}

}  // namespace pairsim::sim
