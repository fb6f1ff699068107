#pragma once
// The trace bus fans every event out to its sinks (JSON-lines file, run summary, report, …).
// Adding a writer touches nothing else. Emitters that would build many events check wants_detail() first,
// so tracing that is off costs nothing on hot paths.
#include <memory>
#include <vector>

#include "sim/trace/trace_event.hpp"

namespace pairsim::sim {

class TraceSink {
 public:
  virtual ~TraceSink() = default;
  virtual void on_event(const TraceEvent& e) = 0;
};

class TraceBus {
 public:
  void add_sink(TraceSink* sink) { sinks_.push_back(sink); }
  void emit(const TraceEvent& e) const {
    for (auto* s : sinks_) s->on_event(e);
  }
  // Detail events (per message, per packet, per checkpoint byte count) go out only when a full trace is written.
  void set_detail(bool on) { detail_ = on; }
  bool wants_detail() const { return detail_; }

 private:
  std::vector<TraceSink*> sinks_;
  bool detail_ = false;
};

}  // namespace pairsim::sim
