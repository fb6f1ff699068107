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
  // False for a sink that has no use for detail events: the bus does not hand it those (one for every
  // message when a full trace is written).
  virtual bool takes_detail() const { return true; }
};

class TraceBus {
 public:
  void add_sink(TraceSink* sink) { sinks_.push_back({sink, sink->takes_detail()}); }
  void emit(const TraceEvent& e) const {
    for (const auto& s : sinks_)
      if (s.takes_detail || !e.detail) s.sink->on_event(e);
  }
  // Detail events (per message, per packet, per checkpoint byte count) go out only when a full trace is written.
  void set_detail(bool on) { detail_ = on; }
  bool wants_detail() const { return detail_; }

 private:
  struct Sink {
    TraceSink* sink;
    bool takes_detail;
  };
  std::vector<Sink> sinks_;
  bool detail_ = false;
};

}  // namespace pairsim::sim
