#include "sim/view/vcd_pairs.hpp"

#include <algorithm>
#include <string_view>

namespace pairsim::sim {

namespace {

// The values of top.pairs.NAME.state and top.processes.NAME.state.
enum class PairState { none = 0, ok, no_backup, taking_over, lost, stopped };
const std::vector<std::string> kPairStates{"none", "ok", "no backup", "taking over", "lost", "stopped"};
enum class ProcessState { none = 0, running, stopped, abended, lost };
const std::vector<std::string> kProcessStates{"none", "running", "stopped", "abended", "lost"};

// '$' starts every process name and is no part of a VCD scope's name: top.pairs.COUNT.
std::string scope_name(const std::string& name) {
  return name.substr(name.rfind('$') + 1);
}

}  // namespace

PairSignals::PairSignals(int cpus) : cpus_(cpus) {}

int PairSignals::name_index(const std::string& name) {
  auto [it, added] = index_.emplace(name, static_cast<int>(names_.size()));
  if (added) names_.push_back(name);
  return it->second;
}

void PairSignals::on_event(const TraceEvent& e) {
  const std::string& k = e.kind;
  // Most events are about something else (output, messages): the first letter turns them away.
  if (k.empty() || std::string_view("abcpt").find(k.front()) == std::string_view::npos) return;
  auto geti = [&](const char* key) { return static_cast<int>(e.get_int(key).value_or(-1)); };
  if (k == "cpu_state") {
    const std::string st = e.get_str("state").value_or("");
    const Kind kind = st == "up" ? Kind::cpu_up : st == "down" || st == "halted" ? Kind::cpu_down : Kind::cpu_reloading;
    steps_.push_back({e.t_ns, kind, -1, geti("cpu"), -1});
  } else if (k == "process_start" || k == "process_stop" || k == "abend") {
    const std::string name = e.get_str("process").value_or("");
    if (name.empty()) return;  // an unnamed process is nobody's half
    const Kind kind = k == "process_start" ? Kind::start : k == "process_stop" ? Kind::stop : Kind::abend;
    steps_.push_back({e.t_ns, kind, name_index(name), geti("cpu"), -1});
  } else if (k == "backup_created") {
    steps_.push_back(
        {e.t_ns, Kind::backup, name_index(e.get_str("pair").value_or("")), geti("cpu"), geti("primary_cpu")});
  } else if (k == "takeover") {
    const Kind kind = e.get_str("reason") == std::string("checkswitch") ? Kind::switch_takeover : Kind::takeover;
    steps_.push_back({e.t_ns, kind, name_index(e.get_str("pair").value_or("")), geti("to_cpu"), geti("from_cpu")});
  } else if (k == "pair_lost") {
    steps_.push_back({e.t_ns, Kind::lost, name_index(e.get_str("pair").value_or("")), -1, -1});
  } else if (k == "checkpoint") {
    steps_.push_back({e.t_ns, Kind::checkpoint, name_index(e.get_str("pair").value_or("")), -1, -1});
  }
}

void PairSignals::write(VcdWriter& vcd, std::uint64_t end_ns) const {
  // The takeover pulse lasts 1/200 of the run: a few pixels when the whole run is in view.
  const std::uint64_t pulse_ns = std::max<std::uint64_t>(1, end_ns / 200);
  std::vector<Step> steps = steps_;
  std::stable_sort(steps.begin(), steps.end(), [](const Step& a, const Step& b) { return a.t_ns < b.t_ns; });

  // Which names are pairs: a backup was created for them at some time.
  std::vector<bool> pair(names_.size(), false);
  for (const auto& s : steps)
    if (s.kind == Kind::backup && s.name >= 0) pair[static_cast<std::size_t>(s.name)] = true;

  struct Waves {
    VcdWriter::Signal primary = 0, backup = 0, state = 0, checkpoints = 0, takeover = 0;
  };
  std::vector<Waves> waves(names_.size());
  for (std::size_t i = 0; i < names_.size(); ++i) {
    if (!pair[i]) continue;
    const std::string base = "top.pairs." + scope_name(names_[i]) + ".";
    const std::string group = "pair " + names_[i];
    waves[i].primary =
        vcd.declare({base + "primary_cpu", 5, VcdShow::signed_number, "", {}, group, names_[i] + " primary_cpu", -1});
    waves[i].backup =
        vcd.declare({base + "backup_cpu", 5, VcdShow::signed_number, "", {}, group, names_[i] + " backup_cpu", -1});
    waves[i].state =
        vcd.declare({base + "state", 3, VcdShow::names, "pair-state", kPairStates, group, names_[i] + " state", 0});
    waves[i].checkpoints =
        vcd.declare({base + "checkpoints", 32, VcdShow::number, "", {}, group, names_[i] + " checkpoints", 0});
    waves[i].takeover = vcd.declare({base + "takeover", 1, VcdShow::bit, "", {}, group, names_[i] + " takeover", 0});
  }
  for (std::size_t i = 0; i < names_.size(); ++i) {
    if (pair[i]) continue;
    const std::string base = "top.processes." + scope_name(names_[i]) + ".";
    waves[i].primary =
        vcd.declare({base + "cpu", 5, VcdShow::signed_number, "", {}, "processes", names_[i] + " cpu", -1});
    waves[i].state = vcd.declare(
        {base + "state", 3, VcdShow::names, "process-state", kProcessStates, "processes", names_[i] + " state", 0});
  }

  // How a pair that has no primary lost it: its primary ended by itself, or its CPU went down (or the kernels
  // said the pair was lost).
  enum class Gone { no, stopped, failed };
  struct Halves {
    bool known = false;  // started, or named by a pair event
    int primary = -1, backup = -1;
    Gone gone = Gone::no;
    std::uint64_t checkpoints = 0;
    ProcessState process = ProcessState::none;  // a plain process's state
  };
  std::vector<Halves> h(names_.size());
  std::vector<bool> up(static_cast<std::size_t>(cpus_), true);
  // A half is held only by a CPU that is up at that moment.
  auto holder = [&](int cpu) { return cpu >= 0 && cpu < cpus_ && up[static_cast<std::size_t>(cpu)] ? cpu : -1; };

  auto show = [&](std::size_t i, std::uint64_t t) {
    const Halves& p = h[i];
    if (!pair[i]) {
      vcd.change(waves[i].primary, t, p.primary);
      vcd.change(waves[i].state, t, static_cast<int>(p.process));
      return;
    }
    PairState st = PairState::none;
    int backup = p.backup;
    if (!p.known) {
      st = PairState::none;
    } else if (p.primary >= 0) {
      st = p.backup >= 0 ? PairState::ok : PairState::no_backup;
    } else if (p.gone == Gone::failed && p.backup >= 0) {
      st = PairState::taking_over;  // the primary's CPU failed; the survivors have not agreed on it yet
    } else {
      backup = -1;  // no primary: the pair is not running as a pair, whatever became of the backup
      st = p.gone == Gone::stopped ? PairState::stopped : PairState::lost;
    }
    vcd.change(waves[i].primary, t, p.primary);
    vcd.change(waves[i].backup, t, backup);
    vcd.change(waves[i].state, t, static_cast<int>(st));
  };

  for (const auto& s : steps) {
    if (s.name < 0) {  // a CPU changed state
      if (s.cpu < 0 || s.cpu >= cpus_) continue;
      up[static_cast<std::size_t>(s.cpu)] = s.kind == Kind::cpu_up;
      if (s.kind != Kind::cpu_down) continue;
      for (std::size_t i = 0; i < h.size(); ++i) {
        Halves& p = h[i];
        bool moved = false;
        if (p.primary == s.cpu) {
          p.primary = -1;
          p.gone = Gone::failed;
          if (!pair[i]) p.process = ProcessState::lost;
          moved = true;
        }
        if (p.backup == s.cpu) {
          p.backup = -1;
          moved = true;
        }
        if (moved) show(i, s.t_ns);
      }
      continue;
    }
    const auto i = static_cast<std::size_t>(s.name);
    Halves& p = h[i];
    switch (s.kind) {
      case Kind::start:
        // The first start of a pair's name is its primary; a later one is a backup, which backup_created places.
        // A plain process started again is the name's new process.
        if (pair[i] && p.known) continue;
        p.known = true;
        p.primary = holder(s.cpu);
        p.gone = p.primary < 0 ? Gone::failed : Gone::no;
        p.process = p.primary < 0 ? ProcessState::lost : ProcessState::running;
        break;
      case Kind::stop:
      case Kind::abend:
        if (!p.known) continue;
        if (s.cpu == p.backup) {
          p.backup = -1;
        } else if (s.cpu == p.primary) {
          p.primary = -1;
          p.gone = Gone::stopped;
          p.process = s.kind == Kind::stop ? ProcessState::stopped : ProcessState::abended;
        } else {
          continue;
        }
        break;
      case Kind::backup:
        p.known = true;
        p.backup = holder(s.cpu);
        if (s.other >= 0) {
          p.primary = holder(s.other);
          p.gone = p.primary < 0 ? Gone::failed : Gone::no;
        }
        break;
      case Kind::takeover:
      case Kind::switch_takeover: {
        const int to = holder(s.cpu);
        if (to < 0) continue;  // taken over in a CPU already down: it never happened for the rest of the machine
        p.known = true;
        p.primary = to;
        p.gone = Gone::no;
        // Only a checkswitch keeps the old primary, as the backup.
        p.backup = s.kind == Kind::switch_takeover ? holder(s.other) : -1;
        vcd.change(waves[i].takeover, s.t_ns, 1);
        vcd.change(waves[i].takeover, std::max(s.t_ns, std::min(s.t_ns + pulse_ns, end_ns)), 0);
        break;
      }
      case Kind::lost:
        p.known = true;
        p.primary = -1;
        p.backup = -1;
        p.gone = Gone::failed;
        break;
      case Kind::checkpoint:
        // Counted on its own: a run can make millions, and nothing else changes with one.
        if (pair[i]) vcd.change(waves[i].checkpoints, s.t_ns, static_cast<std::int64_t>(++p.checkpoints));
        if (p.known) continue;
        p.known = true;
        break;
      default:
        continue;
    }
    show(i, s.t_ns);
  }
}

}  // namespace pairsim::sim
