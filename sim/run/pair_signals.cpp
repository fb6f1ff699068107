#include "sim/run/pair_signals.hpp"

namespace pairsim::sim {

namespace {
using Signal = sc_core::sc_signal<int, sc_core::SC_MANY_WRITERS>;
}

PairSignals::PairSignals(sc_core::sc_module_name name, const std::vector<std::string>& names)
    : sc_core::sc_module(name) {
  for (const auto& n : names) {
    const std::string base = n.substr(n.rfind('$') + 1);  // '$' is not a VCD identifier character
    Signals s;
    s.primary = std::make_unique<Signal>((base + "_primary_cpu").c_str(), -1);
    s.backup = std::make_unique<Signal>((base + "_backup_cpu").c_str(), -1);
    s.checkpoints = std::make_unique<Signal>((base + "_checkpoints").c_str(), 0);
    pairs_.emplace(n, std::move(s));
  }
}

void PairSignals::trace(sc_core::sc_trace_file* tf) {
  traced_ = true;
  for (auto& [n, s] : pairs_) {
    // Beside the machine in the waveform: top.pairs.BANK.primary_cpu.
    const std::string base = "top." + std::string(name()) + "." + n.substr(1) + ".";
    sc_core::sc_trace(tf, *s.primary, base + "primary_cpu");
    sc_core::sc_trace(tf, *s.backup, base + "backup_cpu");
    sc_core::sc_trace(tf, *s.checkpoints, base + "checkpoints");
  }
}

void PairSignals::on_event(const TraceEvent& e) {
  if (!traced_) return;
  const auto& k = e.kind;
  std::string name;
  if (k == "process_start") {
    name = e.get_str("process").value_or("");
  } else if (k == "backup_created" || k == "checkpoint" || k == "takeover" || k == "checkswitch" || k == "pair_lost") {
    name = e.get_str("pair").value_or("");
  } else {
    return;
  }
  auto it = pairs_.find(name);
  if (it == pairs_.end()) return;
  Signals& s = it->second;
  auto geti = [&](const char* key) { return static_cast<int>(e.get_int(key).value_or(-1)); };
  if (k == "process_start") {
    if (s.primary->read() < 0) s.primary->write(geti("cpu"));
  } else if (k == "backup_created") {
    s.backup->write(geti("cpu"));
  } else if (k == "checkpoint") {
    s.checkpoints->write(s.checkpoints->read() + 1);
  } else if (k == "checkswitch") {
    s.primary->write(geti("to_cpu"));
    s.backup->write(geti("from_cpu"));
  } else if (k == "takeover") {
    s.primary->write(geti("to_cpu"));
    s.backup->write(e.get_str("reason") == std::string("checkswitch") ? geti("from_cpu") : -1);
  } else if (k == "pair_lost") {
    s.primary->write(-1);
    s.backup->write(-1);
  }
}

}  // namespace pairsim::sim
