#include "sim/run/scenario_driver.hpp"

#include <algorithm>
#include <utility>

namespace pairsim::sim {

namespace {

std::uint64_t now_ns() {
  return static_cast<std::uint64_t>(sc_core::sc_time_stamp().value() / sc_core::sc_time(1, sc_core::SC_NS).value());
}

}  // namespace

ScenarioDriver::ScenarioDriver(sc_core::sc_module_name name, const Scenario& s, std::vector<ResolvedAction> schedule,
                               Machine& m, const TraceBus& trace, RunRecord& record)
    : sc_core::sc_module(name),
      scenario_(s),
      log_(this->name()),
      machine_(m),
      trace_(trace),
      record_(record),
      actions_(std::move(schedule)) {
  // Every action time is known now, random ones included: no CPU runs past one before it is carried out.
  // Nor past the end of the run, which is never carried out: nothing stamped after it is shown.
  std::vector<std::uint64_t> times;
  times.reserve(actions_.size() + 1);
  for (const auto& a : actions_) times.push_back(a.t_ns);
  times.push_back(s.run.for_ns);
  machine_.horizon().schedule(std::move(times));
  SC_THREAD(run_thread);
}

void ScenarioDriver::add_sync_point(std::uint64_t t_ns) {
  sync_.insert(t_ns);
  machine_.horizon().add(t_ns);
}

void ScenarioDriver::replace_schedule(std::vector<ResolvedAction> schedule) {
  const std::uint64_t now = now_ns();
  actions_ = std::move(schedule);
  next_action_ = static_cast<std::size_t>(
      std::partition_point(actions_.begin(), actions_.end(), [&](const ResolvedAction& a) { return a.t_ns < now; }) -
      actions_.begin());
  for (std::size_t i = next_action_; i < actions_.size(); ++i) machine_.horizon().add(actions_[i].t_ns);
}

void ScenarioDriver::on_event(const TraceEvent& e) {
  if (e.kind == "start_failed" && e.get_str("process") != std::nullopt) {
    const std::string name = *e.get_str("process");
    problems_.push_back("start " + (name.empty() ? std::string("of an unnamed process") : name) + " on cpu " +
                        std::to_string(e.get_int("cpu").value_or(-1)) + " failed: " + e.get_str("reason").value_or(""));
  }
  if (!scenario_.run.until_process_stops || stopped_early_) return;
  if ((e.kind == "process_stop" || e.kind == "abend") && e.get_str("process") == *scenario_.run.until_process_stops) {
    // Every member gone: for a pair, the run goes on while the other half can take over.
    bool any_alive = false;
    for (const auto& p : record_.processes())
      if (p.name == *scenario_.run.until_process_stops && (p.state == "running" || p.state == "backup"))
        any_alive = true;
    if (!any_alive) {
      // The CPU that saw it may run a quantum ahead of the kernel's clock: end the run at the event's time.
      until_t_ns_ = e.t_ns;
      until_flag_ = true;
      until_met_.notify(sc_core::SC_ZERO_TIME);
    }
  }
}

void ScenarioDriver::start(const StartProcess& p, const std::string& where) {
  auto err = machine_.cpu(p.cpu).start_process(cpu::StartRequest{p.name, p.program, p.priority, p.args});
  if (err)
    trace_.emit(TraceEvent(now_ns(), "start_failed")
                    .with("cpu", p.cpu)
                    .with("process", p.name)
                    .with("reason", where + ": " + *err));
}

void ScenarioDriver::note_no_effect(const ResolvedAction& a, const std::string& why) {
  problems_.push_back("line " + std::to_string(a.line) + ": " + describe(a.action) + " has no effect: " + why);
}

void ScenarioDriver::apply(const ResolvedAction& a) {
  const std::string what = describe(a.action);
  log_.info(now_ns(), "line {}: {}", a.line, what);
  if (!std::holds_alternative<StartProcess>(a.action))
    trace_.emit(TraceEvent(now_ns(), "fault").with("what", what).with("line", a.line));
  // Outages are counted per CPU, bus, path, drive and controller: a repair that a `for D` scheduled ends its
  // own fault only, and the component works again when no fault of it lasts any more. An explicit repair,
  // reload or revive ends them all.
  // "bus X", "path Y cpu 1", "cpu 2", "drive $DATA 1", "controller 0"
  const std::string component = what.substr(what.find(' ') + 1);
  const bool is_fault = std::holds_alternative<FailCpu>(a.action) || std::holds_alternative<FailBus>(a.action) ||
                        std::holds_alternative<FailPath>(a.action) || std::holds_alternative<FailDrive>(a.action) ||
                        std::holds_alternative<FailController>(a.action);
  const bool is_command =
      std::holds_alternative<StartProcess>(a.action) || std::holds_alternative<SwitchController>(a.action);
  if (is_fault) {
    ++outages_[component];
  } else if (!is_command) {
    int& n = outages_[component];
    if (a.is_repair && n > 1) {
      --n;
      note_no_effect(a, "another fault of " + component + " still lasts");
      return;
    }
    n = 0;
  }
  struct V {
    ScenarioDriver& d;
    const ResolvedAction& a;
    void operator()(const FailCpu& x) {
      auto& cpu = d.machine_.cpu(x.cpu);
      if (cpu.state() == cpu::CpuState::down) d.note_no_effect(a, "the CPU is already down");
      cpu.fail();
    }
    void operator()(const ReloadCpu& x) {
      auto& cpu = d.machine_.cpu(x.cpu);
      if (cpu.state() != cpu::CpuState::down && cpu.state() != cpu::CpuState::halted)
        d.note_no_effect(a, std::string("the CPU is ") + cpu::to_string(cpu.state()) + ", not down or halted");
      cpu.reload();
    }
    void operator()(const FailBus& x) { d.machine_.bus().fail_bus(static_cast<bus::BusId>(x.bus)); }
    void operator()(const RepairBus& x) { d.machine_.bus().repair_bus(static_cast<bus::BusId>(x.bus)); }
    void operator()(const FailPath& x) { d.machine_.bus().fail_path(static_cast<bus::BusId>(x.bus), x.cpu); }
    void operator()(const RepairPath& x) { d.machine_.bus().repair_path(static_cast<bus::BusId>(x.bus), x.cpu); }
    void operator()(const StartProcess& x) { d.start(x, "line " + std::to_string(a.line)); }
    // The parser has checked every volume, drive and controller a scenario names: they exist.
    void operator()(const FailDrive& x) {
      io::VolumeUnit* unit = d.machine_.volume(x.volume);
      if (unit->volume().drive(x.drive).state() == io::DriveState::down)
        d.note_no_effect(a, "the drive is already down");
      unit->fail_drive(x.drive);
    }
    void operator()(const ReviveDrive& x) {
      io::VolumeUnit* unit = d.machine_.volume(x.volume);
      const io::Volume& v = unit->volume();
      const io::DriveState state = v.drive(x.drive).state();
      if (unit->revive_drive(x.drive)) return;
      if (state != io::DriveState::down)
        d.note_no_effect(a, std::string("the drive is ") + io::to_string(state) + ", not down");
      else if (v.drive_count() < 2 || v.drive(1 - x.drive).state() != io::DriveState::up)
        d.note_no_effect(a, "no other drive of " + x.volume + " is up to copy from");
      else
        d.note_no_effect(a, "the volume is already reviving its other drive");
    }
    void operator()(const FailController& x) {
      io::Controller* c = d.machine_.controller(x.controller);
      if (!c->is_up()) d.note_no_effect(a, "the controller is already down");
      c->fail();
    }
    void operator()(const RepairController& x) {
      io::Controller* c = d.machine_.controller(x.controller);
      if (c->is_up()) d.note_no_effect(a, "the controller is up");
      c->repair();
    }
    void operator()(const SwitchController& x) { d.machine_.controller(x.controller)->switch_owner(); }
  };
  std::visit(V{*this, a}, a.action);
}

void ScenarioDriver::run_thread() {
  // The timeline: actions, then the samples asked for at the same time (a sample sees that time's actions).
  struct Sample {
    std::uint64_t t_ns;
    std::size_t index;
    int cpu;
  };
  std::vector<Sample> samples;
  for (std::size_t i = 0; i < scenario_.expectations.size(); ++i)
    if (auto* c = std::get_if<ExpectCpuState>(&scenario_.expectations[i].form))
      if (c->at_ns) samples.push_back({*c->at_ns, i, c->cpu});
  std::stable_sort(samples.begin(), samples.end(), [](const Sample& a, const Sample& b) { return a.t_ns < b.t_ns; });

  for (const auto& s : scenario_.starts) start(s.process, s.loc.str());

  std::size_t si = 0;
  const std::uint64_t end = scenario_.run.for_ns;
  auto action_due = [&] { return next_action_ < actions_.size() && actions_[next_action_].t_ns <= now_ns(); };
  for (;;) {
    const std::uint64_t ta = next_action_ < actions_.size() ? actions_[next_action_].t_ns : ~0ull;
    const std::uint64_t ts = si < samples.size() ? samples[si].t_ns : ~0ull;
    const std::uint64_t tp = sync_.empty() ? ~0ull : *sync_.begin();
    const std::uint64_t next = std::min({ta, ts, tp, end});
    const std::uint64_t now = now_ns();
    if (next > now) {
      wait(sc_core::sc_time(static_cast<double>(next - now), sc_core::SC_NS), until_met_);
      // Let this instant's own events settle first: a reloaded CPU comes up, a message is delivered. (The
      // CPUs' own work at this instant waits for its actions: see ActionHorizon.)
      if (!until_flag_) wait(sc_core::SC_ZERO_TIME);
      if (until_flag_) {
        finish_at_until();
        return;
      }
    }
    if (!sync_.empty() && *sync_.begin() <= now_ns()) {
      // A sync point: its call first, then the instant's actions (it may have added one); without any, the
      // CPUs waiting at this time go on at once.
      sync_.erase(sync_.begin());
      if (on_sync_) on_sync_(now_ns());
      if (!action_due() && !end_instant()) return;
      continue;
    }
    if (action_due()) {
      apply(actions_[next_action_++]);
      if (!action_due() && !end_instant()) return;
      continue;
    }
    if (si < samples.size() && samples[si].t_ns <= now_ns()) {
      const auto& states = record_.cpu_states();
      samples_[samples[si].index] = states.at(static_cast<std::size_t>(samples[si].cpu));
      ++si;
      continue;
    }
    if (next == end) break;
  }
  // Run to the end; `run until` may still end it first.
  if (!until_flag_) wait(until_met_);
  finish_at_until();
}

// The instant's last action is done (or it had only a sync point): the CPUs waiting at this time go on, and
// what they do at it comes before a sample of it. False when the run ended there (`run until`).
bool ScenarioDriver::end_instant() {
  machine_.horizon().done_through(now_ns());
  wait(sc_core::SC_ZERO_TIME);
  if (!until_flag_) return true;
  finish_at_until();
  return false;
}

void ScenarioDriver::finish_at_until() {
  if (until_t_ns_ > now_ns() && until_t_ns_ < scenario_.run.for_ns)
    wait(sc_core::sc_time(static_cast<double>(until_t_ns_ - now_ns()), sc_core::SC_NS));
  stopped_early_ = true;
  sc_core::sc_stop();
}

}  // namespace pairsim::sim
