#pragma once
// The event trace file: one JSON object per line (docs/trace-format.md).
#include <fstream>
#include <string>

#include "sim/trace/trace_bus.hpp"

namespace pairsim::sim {

class JsonlWriter : public TraceSink {
 public:
  explicit JsonlWriter(const std::string& path) : out_(path, std::ios::binary | std::ios::trunc) {}
  bool ok() const { return static_cast<bool>(out_); }
  void on_event(const TraceEvent& e) override { out_ << e.to_json() << '\n'; }
  void flush() { out_.flush(); }

 private:
  std::ofstream out_;
};

}  // namespace pairsim::sim
