#include "sim/run_record.hpp"

namespace pairsim::sim {

namespace {
int as_int(const TraceEvent& e, const char* key, int fallback = -1) {
  auto v = e.get_int(key);
  return v ? static_cast<int>(*v) : fallback;
}
std::string as_str(const TraceEvent& e, const char* key) {
  return e.get_str(key).value_or("");
}
}  // namespace

RunRecord::RunRecord(int cpus) : cpu_state_(cpus, "up"), failed_at_(cpus) {}

ProcessRecord* RunRecord::find(int cpu, int pin) {
  for (auto it = processes_.rbegin(); it != processes_.rend(); ++it)
    if (it->cpu == cpu && it->pin == pin) return &*it;
  return nullptr;
}

PairRecord& RunRecord::pair_entry(const std::string& name) {
  for (auto& p : pairs_)
    if (p.name == name) return p;
  pairs_.push_back(PairRecord{name});
  return pairs_.back();
}

const PairRecord* RunRecord::pair(const std::string& name) const {
  for (const auto& p : pairs_)
    if (p.name == name) return &p;
  return nullptr;
}

const ProcessRecord* RunRecord::latest(const std::string& name) const {
  for (auto it = processes_.rbegin(); it != processes_.rend(); ++it)
    if (it->name == name) return &*it;
  return nullptr;
}

std::vector<std::string> RunRecord::output_of(const std::string& name) const {
  std::vector<std::string> out;
  for (const auto& e : notable_)
    if (e.kind == "output" && e.get_str("process") == name) out.push_back(as_str(e, "text"));
  return out;
}

std::optional<std::uint64_t> RunRecord::failure_time(int cpu) const {
  if (cpu < 0 || cpu >= static_cast<int>(failed_at_.size())) return std::nullopt;
  return failed_at_[cpu];
}

void RunRecord::on_event(const TraceEvent& e) {
  const std::string& k = e.kind;
  if (k == "fault") {
    faults_.push_back({e.t_ns, as_str(e, "what")});
    notable_.push_back(e);
  } else if (k == "cpu_state") {
    const int cpu = as_int(e, "cpu");
    if (cpu < 0 || cpu >= static_cast<int>(cpu_state_.size())) return;
    const std::string st = as_str(e, "state");
    cpu_state_[cpu] = st;
    if (st == "down" || st == "halted") {
      failed_at_[cpu] = e.t_ns;
      for (auto& p : processes_)
        if (p.cpu == cpu && (p.state == "running" || p.state == "backup")) {
          p.state = "lost";
          p.end_ns = e.t_ns;
        }
    }
  } else if (k == "declared_down") {
    const int cpu = as_int(e, "cpu");
    detections_.push_back({cpu, as_int(e, "declared_by"), failure_time(cpu), e.t_ns});
    notable_.push_back(e);
  } else if (k == "declared_up") {
    notable_.push_back(e);
  } else if (k == "halt") {
    halts_.push_back({as_int(e, "cpu"), e.t_ns, as_str(e, "reason")});
    notable_.push_back(e);
  } else if (k == "process_start") {
    ProcessRecord p;
    p.name = as_str(e, "process");
    p.cpu = as_int(e, "cpu");
    p.pin = as_int(e, "pin");
    p.program = as_str(e, "program");
    p.start_ns = e.t_ns;
    processes_.push_back(std::move(p));
    notable_.push_back(e);
  } else if (k == "output") {
    if (auto* p = find(as_int(e, "cpu"), as_int(e, "pin"))) p->output.push_back(as_str(e, "text"));
    notable_.push_back(e);
  } else if (k == "process_stop") {
    if (auto* p = find(as_int(e, "cpu"), as_int(e, "pin"))) {
      p->state = "stopped";
      p->exit = e.get_int("exit");
      p->end_ns = e.t_ns;
    }
    notable_.push_back(e);
  } else if (k == "abend") {
    if (auto* p = find(as_int(e, "cpu"), as_int(e, "pin"))) {
      p->state = "abended";
      p->abend = as_str(e, "reason");
      p->end_ns = e.t_ns;
    }
    notable_.push_back(e);
  } else if (k == "backup_created") {
    auto& pr = pair_entry(as_str(e, "pair"));
    pr.backup_cpu = as_int(e, "cpu");
    if (auto pc = e.get_int("primary_cpu")) pr.primary_cpu = static_cast<int>(*pc);
    pr.state = "ok";
    notable_.push_back(e);
  } else if (k == "checkpoint") {
    pair_entry(as_str(e, "pair")).checkpoints++;
  } else if (k == "checkswitch") {
    auto& pr = pair_entry(as_str(e, "pair"));
    pr.primary_cpu = as_int(e, "to_cpu");
    pr.backup_cpu = as_int(e, "from_cpu");
    notable_.push_back(e);
  } else if (k == "takeover") {
    const std::string name = as_str(e, "pair");
    const int from = as_int(e, "from_cpu");
    const int to = as_int(e, "to_cpu");
    const std::string reason = as_str(e, "reason");
    auto& pr = pair_entry(name);
    pr.primary_cpu = to;
    if (reason != "checkswitch") {
      pr.backup_cpu = -1;
      pr.state = "no backup";
    } else {
      pr.backup_cpu = from;
    }
    TakeoverRecord t{name, from, to, std::nullopt, std::nullopt, e.t_ns, reason};
    if (reason == "processor failed") {
      t.failure_ns = failure_time(from);
      for (const auto& d : detections_)
        if (d.cpu == from && d.declared_by == to) t.detected_ns = d.declared_ns;
    } else {
      t.failure_ns = e.t_ns;
      t.detected_ns = e.t_ns;
    }
    takeovers_.push_back(t);
    notable_.push_back(e);
  } else if (k == "pair_lost") {
    auto& pr = pair_entry(as_str(e, "pair"));
    pr.state = "lost";
    pr.primary_cpu = -1;
    pr.backup_cpu = -1;
    notable_.push_back(e);
  } else if (k == "regroup_end" || k == "path_down" || k == "path_up" || k == "send_failed" || k == "path_error" ||
             k == "duplicate" || k == "fs_resend" || k == "checkopen" || k == "checkclose" || k == "checkmonitor") {
    notable_.push_back(e);
  }
  // Named processes: a pair record appears with the first named process so `expect $X primary cpu` works
  // for a pair that never got its backup.
  if (k == "process_start") {
    const std::string name = as_str(e, "process");
    if (!name.empty()) {
      bool exists = false;
      for (const auto& p : pairs_) exists = exists || p.name == name;
      if (!exists) {
        PairRecord pr{name};
        pr.primary_cpu = as_int(e, "cpu");
        pairs_.push_back(pr);
      }
    }
  }
  if ((k == "process_stop" || k == "abend") && !as_str(e, "process").empty()) {
    // A pair whose every member has stopped is "stopped"; a stopped backup leaves "no backup".
    const std::string name = as_str(e, "process");
    for (auto& pr : pairs_) {
      if (pr.name != name || pr.state == "lost") continue;
      const int cpu = as_int(e, "cpu");
      if (cpu == pr.backup_cpu) {
        pr.backup_cpu = -1;
        pr.state = "no backup";
      } else if (cpu == pr.primary_cpu && pr.backup_cpu < 0) {
        pr.state = "stopped";
      }
    }
  }
}

}  // namespace pairsim::sim
