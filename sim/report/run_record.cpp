#include "sim/report/run_record.hpp"

#include <algorithm>
#include <iterator>

namespace pairsim::sim {

namespace {
int as_int(const TraceEvent& e, const char* key, int fallback = -1) {
  auto v = e.get_int(key);
  return v ? static_cast<int>(*v) : fallback;
}
std::string as_str(const TraceEvent& e, const char* key) {
  return e.get_str(key).value_or("");
}

// Puts `item` after everything at or before its time. Almost every event is the latest so far, so this is
// an append; one that comes late (from a CPU that was behind) slides back past the few that overtook it, and
// events of one instant keep the order they came in.
template <typename T, typename TimeOf>
void insert_in_time_order(std::vector<T>& v, T item, TimeOf time_of) {
  const std::uint64_t t = time_of(item);
  auto at = v.end();
  while (at != v.begin() && time_of(*std::prev(at)) > t) --at;
  v.insert(at, std::move(item));
}

std::uint64_t event_time(const TraceEvent& e) {
  return e.t_ns;
}

bool is_named_process_event(const std::string& k) {
  return k == "process_start" || k == "process_stop" || k == "abend";
}
}  // namespace

RunRecord::RunRecord(int cpus) : cpu_state_(cpus, "up"), failed_at_(cpus) {}

ProcessRecord* RunRecord::find(int cpu, int pin) {
  for (auto it = processes_.rbegin(); it != processes_.rend(); ++it)
    if (it->cpu == cpu && it->pin == pin) return &*it;
  return nullptr;
}

const std::vector<PairRecord>& RunRecord::pairs() const {
  settle_pairs();
  return pairs_;
}

const PairRecord* RunRecord::pair(const std::string& name) const {
  for (const auto& p : pairs())
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
  invariants_.on_event(e);
  note_for_pairs(e);
  if (k == "fault") {
    insert_in_time_order(faults_, FaultRecord{e.t_ns, as_str(e, "what")}, [](const FaultRecord& f) { return f.t_ns; });
    insert_in_time_order(notable_, e, event_time);
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
    insert_in_time_order(detections_, DetectionRecord{cpu, as_int(e, "declared_by"), failure_time(cpu), e.t_ns},
                         [](const DetectionRecord& d) { return d.declared_ns; });
    insert_in_time_order(notable_, e, event_time);
  } else if (k == "declared_up") {
    insert_in_time_order(notable_, e, event_time);
  } else if (k == "halt") {
    insert_in_time_order(halts_, HaltRecord{as_int(e, "cpu"), e.t_ns, as_str(e, "reason")},
                         [](const HaltRecord& h) { return h.t_ns; });
    insert_in_time_order(notable_, e, event_time);
  } else if (k == "process_start") {
    ProcessRecord p;
    p.name = as_str(e, "process");
    p.cpu = as_int(e, "cpu");
    p.pin = as_int(e, "pin");
    p.program = as_str(e, "program");
    p.start_ns = e.t_ns;
    insert_in_time_order(processes_, std::move(p), [](const ProcessRecord& r) { return r.start_ns; });
    insert_in_time_order(notable_, e, event_time);
  } else if (k == "output") {
    if (auto* p = find(as_int(e, "cpu"), as_int(e, "pin"))) p->output.push_back(as_str(e, "text"));
    insert_in_time_order(notable_, e, event_time);
  } else if (k == "process_stop") {
    if (auto* p = find(as_int(e, "cpu"), as_int(e, "pin"))) {
      p->state = "stopped";
      p->exit = e.get_int("exit");
      p->end_ns = e.t_ns;
    }
    insert_in_time_order(notable_, e, event_time);
  } else if (k == "abend") {
    if (auto* p = find(as_int(e, "cpu"), as_int(e, "pin"))) {
      p->state = "abended";
      p->abend = as_str(e, "reason");
      p->end_ns = e.t_ns;
    }
    insert_in_time_order(notable_, e, event_time);
  } else if (k == "takeover") {
    const int from = as_int(e, "from_cpu");
    const int to = as_int(e, "to_cpu");
    const std::string reason = as_str(e, "reason");
    TakeoverRecord t{as_str(e, "pair"), from, to, std::nullopt, std::nullopt, e.t_ns, reason};
    if (reason == "processor failed") {
      t.failure_ns = failure_time(from);
      // The verdict that caused it: the new primary's CPU declaring the old one down, at the latest by now
      // (a CPU that failed twice has a verdict for each failure).
      for (const auto& d : detections_)
        if (d.cpu == from && d.declared_by == to && d.declared_ns <= e.t_ns) t.detected_ns = d.declared_ns;
    } else {
      t.failure_ns = e.t_ns;
      t.detected_ns = e.t_ns;
    }
    insert_in_time_order(takeovers_, std::move(t), [](const TakeoverRecord& r) { return r.takeover_ns; });
    insert_in_time_order(notable_, e, event_time);
  } else if (k == "backup_created" || k == "checkswitch" || k == "pair_lost" || k == "regroup_end" ||
             k == "path_down" || k == "path_up" || k == "send_failed" || k == "path_error" || k == "duplicate" ||
             k == "fs_resend" || k == "checkopen" || k == "checkclose" || k == "checkmonitor" || k == "reply_ahead") {
    insert_in_time_order(notable_, e, event_time);
  }
}

// Keeps the events that move a pair's halves. A checkswitch is not one of them: the roles reverse with the
// takeover it causes, which never comes if the new primary's CPU fails first.
void RunRecord::note_for_pairs(const TraceEvent& e) {
  const std::string& k = e.kind;
  if (k == "checkpoint") {
    // Counted, not kept (a run can make millions); the first one still places a pair that no other event
    // named.
    if (checkpoints_[as_str(e, "pair")]++ > 0) {
      pairs_settled_ = false;
      return;
    }
  } else if (is_named_process_event(k)) {
    if (as_str(e, "process").empty()) return;
  } else if (k != "cpu_state" && k != "backup_created" && k != "takeover" && k != "pair_lost") {
    return;
  }
  insert_in_time_order(pair_events_, e, event_time);
  pairs_settled_ = false;
}

void RunRecord::settle_pairs() const {
  if (pairs_settled_) return;
  pairs_.clear();
  // How a pair that has no primary lost it: the primary ended by itself, or its CPU went down (or the
  // kernels said the pair was lost).
  enum class Gone { no, stopped, failed };
  std::vector<Gone> gone;
  auto entry = [&](const std::string& name) -> std::size_t {
    for (std::size_t i = 0; i < pairs_.size(); ++i)
      if (pairs_[i].name == name) return i;
    pairs_.push_back(PairRecord{name});
    gone.push_back(Gone::no);
    return pairs_.size() - 1;
  };
  auto known = [&](const std::string& name) {
    return std::any_of(pairs_.begin(), pairs_.end(), [&](const PairRecord& p) { return p.name == name; });
  };
  std::vector<bool> up(cpu_state_.size(), true);
  // A half is held only by a CPU that is up at that moment: an event stamped after its CPU failed is work
  // the CPU did past its failure, which nothing else ever saw.
  auto holder = [&](int cpu) { return cpu >= 0 && cpu < static_cast<int>(up.size()) && up[cpu] ? cpu : -1; };

  for (const auto& e : pair_events_) {
    const std::string& k = e.kind;
    if (k == "cpu_state") {
      const int cpu = as_int(e, "cpu");
      if (cpu < 0 || cpu >= static_cast<int>(up.size())) continue;
      const std::string st = as_str(e, "state");
      up[cpu] = st == "up";
      if (st != "down" && st != "halted") continue;
      for (std::size_t i = 0; i < pairs_.size(); ++i) {
        if (pairs_[i].primary_cpu == cpu) {
          pairs_[i].primary_cpu = -1;
          gone[i] = Gone::failed;
        }
        if (pairs_[i].backup_cpu == cpu) pairs_[i].backup_cpu = -1;
      }
    } else if (k == "process_start") {
      // A named process is a pair of one from its start, so `expect $X primary cpu` works for a pair that
      // never got its backup. A later start of the name is a backup, which backup_created places.
      const std::string name = as_str(e, "process");
      if (known(name)) continue;
      const std::size_t i = entry(name);
      pairs_[i].primary_cpu = holder(as_int(e, "cpu"));
      if (pairs_[i].primary_cpu < 0) gone[i] = Gone::failed;
    } else if (k == "process_stop" || k == "abend") {
      const std::string name = as_str(e, "process");
      if (!known(name)) continue;
      const std::size_t i = entry(name);
      const int cpu = as_int(e, "cpu");
      if (cpu == pairs_[i].backup_cpu) {
        pairs_[i].backup_cpu = -1;
      } else if (cpu == pairs_[i].primary_cpu) {
        // With a backup, a takeover ("primary stopped", "primary abended") follows and names the new primary.
        pairs_[i].primary_cpu = -1;
        gone[i] = Gone::stopped;
      }
    } else if (k == "backup_created") {
      const std::size_t i = entry(as_str(e, "pair"));
      pairs_[i].had_backup = true;
      pairs_[i].backup_cpu = holder(as_int(e, "cpu"));
      if (auto pc = e.get_int("primary_cpu")) {
        pairs_[i].primary_cpu = holder(static_cast<int>(*pc));
        gone[i] = pairs_[i].primary_cpu < 0 ? Gone::failed : Gone::no;
      }
    } else if (k == "takeover") {
      const std::size_t i = entry(as_str(e, "pair"));
      const int to = holder(as_int(e, "to_cpu"));
      if (to < 0) continue;  // taken over in a CPU already down: it never happened for the rest of the machine
      pairs_[i].primary_cpu = to;
      gone[i] = Gone::no;
      // Only a checkswitch keeps the old primary, as the backup; any other takeover leaves the pair alone.
      pairs_[i].backup_cpu = as_str(e, "reason") == "checkswitch" ? holder(as_int(e, "from_cpu")) : -1;
    } else if (k == "pair_lost") {
      const std::size_t i = entry(as_str(e, "pair"));
      pairs_[i].primary_cpu = -1;
      pairs_[i].backup_cpu = -1;
      gone[i] = Gone::failed;
    } else if (k == "checkpoint") {
      entry(as_str(e, "pair"));
    }
  }

  for (std::size_t i = 0; i < pairs_.size(); ++i) {
    PairRecord& p = pairs_[i];
    if (auto it = checkpoints_.find(p.name); it != checkpoints_.end()) p.checkpoints = it->second;
    if (p.primary_cpu >= 0) {
      p.state = p.backup_cpu >= 0 ? "ok" : "no backup";
    } else if (gone[i] == Gone::failed && p.backup_cpu >= 0) {
      // The primary's CPU failed and the run ended before the survivors agreed on it: the backup, up, has
      // not taken over yet. Neither "ok" nor "lost" would be true.
      p.state = "taking over";
    } else {
      // No primary: whatever became of the backup, the pair is not running as a pair.
      p.backup_cpu = -1;
      p.state = gone[i] == Gone::stopped ? "stopped" : "lost";
    }
  }
  pairs_settled_ = true;
}

}  // namespace pairsim::sim
