#include "cpu/cpu.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace pairsim::cpu {

namespace {

std::string mask_list(CpuMask m) {
  std::string out;
  for (int i = 0; i < 16; ++i)
    if (m & (1u << i)) {
      if (!out.empty()) out += ",";
      out += std::to_string(i);
    }
  return out;
}

}  // namespace

Cpu::Cpu(sc_core::sc_module_name name, const CpuConfig& cfg, bus::BusSystem& bus, const sim::TraceBus& trace,
         ProgramSource& programs, const ActionHorizon& horizon)
    : sc_core::sc_module(name),
      cfg_(cfg),
      log_(this->name()),
      bus_(bus),
      trace_(trace),
      programs_(programs),
      membership_(cfg.id, cfg.cpus, MembershipConfig{cfg.heartbeat_ns, 0}),
      horizon_(horizon),
      ns_per_instruction_(1000.0 / cfg.mips),
      ticks_per_ns_(sc_core::sc_time(1, sc_core::SC_NS).value()),
      ticks_per_instruction_(
          static_cast<std::uint64_t>(std::ceil(ns_per_instruction_ * static_cast<double>(ticks_per_ns_)))) {
  kernel_ = make_kernel();
  next_send_ns_ = 0;
  next_check_ns_ = cfg_.heartbeat_ns / 2;
  bus_.attach(cfg_.id, this);
  wake_or_timer_ |= wake_;
  wake_or_timer_ |= timer_;
  SC_THREAD(main_thread);
  thread_ = sc_core::sc_get_current_process_handle();
}

Cpu::~Cpu() = default;

std::unique_ptr<Kernel> Cpu::make_kernel() {
  KernelPlatform& platform = *this;
  return std::make_unique<Kernel>(
      KernelConfig{cfg_.id, cfg_.cpus, cfg_.memory_bytes, cfg_.mips, cfg_.slice_ns, cfg_.heartbeat_ns}, platform);
}

std::uint64_t Cpu::instructions() const {
  return retired_before_ + (kernel_ ? kernel_->instructions_retired() : 0);
}

std::vector<MessageSystem::OpenRequest> Cpu::open_requests() const {
  if (state_ != CpuState::up || !kernel_) return {};
  return kernel_->open_requests();
}

// The clock is read at every system call and bus operation: with the resolution's ticks per ns kept, a
// conversion is one division (building sc_time(1, SC_NS) each time is not cheap).
std::uint64_t Cpu::to_ns(const sc_core::sc_time& t) const {
  return t.value() / ticks_per_ns_;
}

sc_core::sc_time Cpu::from_ns(std::uint64_t v) const {
  return sc_core::sc_time::from_value(v * ticks_per_ns_);
}

std::uint64_t Cpu::local_now() const {
  return to_ns(sc_core::sc_time_stamp() + qk_.get_local_time());
}

void Cpu::emit_now(sim::TraceEvent e) const {
  e.t_ns = local_now();
  trace_.emit(e);
}

void Cpu::sync_clock() {
  // A CPU not ahead of the kernel has nothing to wait for; the quantum keeper would still yield for a
  // delta cycle.
  if (qk_.get_local_time() != sc_core::SC_ZERO_TIME) qk_.sync();
}

std::uint64_t Cpu::event_time() const {
  // Faults and reloads come from outside the CPU's thread, at the simulation kernel's time, which is the
  // action's time. The CPU's own clock runs ahead of the kernel's (temporal decoupling) but never past an
  // action not yet carried out: it has done nothing after the fault.
  return sc_core::sc_get_current_process_handle() == thread_ ? local_now() : to_ns(sc_core::sc_time_stamp());
}

void Cpu::trace(sim::VcdWriter& vcd) {
  vcd_ = &vcd;
  const std::string cpu = "cpu" + std::to_string(cfg_.id);
  std::vector<std::string> states;
  for (auto s : {CpuState::up, CpuState::down, CpuState::halted, CpuState::reloading})
    states.emplace_back(to_string(s));
  state_wave_ = vcd.declare({std::string(name()) + ".state", 2, sim::VcdShow::names, "cpu-state", states, "CPUs",
                             cpu + " state", static_cast<int>(state_)});
  imalive_wave_ = vcd.declare(
      {std::string(name()) + ".imalive", 1, sim::VcdShow::bit, "", {}, "CPUs", cpu + " imalive", imalive_level_});
}

void Cpu::set_state(CpuState s) {
  state_ = s;
  const std::uint64_t t = event_time();
  log_.info(t, "state {}", to_string(s));
  if (vcd_) vcd_->change(state_wave_, t, static_cast<int>(s));
  trace_.emit(sim::TraceEvent(t, "cpu_state").with("cpu", cfg_.id).with("state", to_string(s)));
}

void Cpu::fail() {
  if (state_ == CpuState::down) return;
  stop(CpuState::down, "fault injected");
}

void Cpu::stop(CpuState why, const std::string& reason) {
  if (sc_core::sc_get_current_process_handle() == thread_) {
    // The CPU stops itself (a regroup decision to halt) at its own clock, which may be ahead of the
    // kernel's: what it sent before that moment must still leave, so the bus learns of the halt then.
    sync_clock();
    if (state_ == CpuState::down || state_ == CpuState::halted) return;  // a fault came while it waited
  }
  bus_.set_cpu_alive(cfg_.id, false);
  inbox_.clear();
  for (const auto& req : starts_)
    trace_.emit(sim::TraceEvent(event_time(), "start_failed")
                    .with("cpu", cfg_.id)
                    .with("process", req.name)
                    .with("reason", "the CPU stopped before the process could start"));
  starts_.clear();
  if (why == CpuState::halted)
    trace_.emit(sim::TraceEvent(event_time(), "halt").with("cpu", cfg_.id).with("reason", reason));
  set_state(why);
  // The CPU thread drops the kernel at the top of its loop (now, or when it next resumes).
  wake_.notify(sc_core::SC_ZERO_TIME);
}

void Cpu::reload() {
  if (state_ != CpuState::down && state_ != CpuState::halted) return;
  up_at_ns_ = to_ns(sc_core::sc_time_stamp()) + cfg_.reload_ns;
  membership_.rejoin(to_ns(sc_core::sc_time_stamp()));
  bus_.set_cpu_alive(cfg_.id, true);  // it listens to I'm-alive while it reloads
  set_state(CpuState::reloading);
  wake_.notify(sc_core::SC_ZERO_TIME);
}

void Cpu::come_up() {
  qk_.reset();
  owed_ticks_ = 0;
  const std::uint64_t now = to_ns(sc_core::sc_time_stamp());
  // A CPU failed and reloaded while its thread was suspended still has its old kernel: count its work.
  if (kernel_) retired_before_ += kernel_->instructions_retired();
  kernel_ = make_kernel();
  membership_.rejoin(now);
  next_send_ns_ = now;
  next_check_ns_ = now + cfg_.heartbeat_ns / 2;
  set_state(CpuState::up);
}

std::optional<std::string> Cpu::start_process(const StartRequest& req) {
  if (state_ != CpuState::up || !kernel_) return std::string("CPU ") + std::to_string(cfg_.id) + " is not up";
  // Creating a process runs kernel code, which reads this CPU's clock and sends: only the CPU's own thread
  // may do that, so the request waits for it (a delta cycle when the CPU is idle).
  starts_.push_back(req);
  wake_.notify(sc_core::SC_ZERO_TIME);
  return std::nullopt;
}

void Cpu::take_starts() {
  while (!starts_.empty() && state_ == CpuState::up && kernel_) {
    const StartRequest req = std::move(starts_.front());
    starts_.pop_front();
    if (auto err = kernel_->start_process(req))
      emit_now(sim::TraceEvent(0, "start_failed").with("cpu", cfg_.id).with("process", req.name).with("reason", *err));
  }
}

void Cpu::on_message(int src_cpu, std::uint64_t, std::vector<std::uint8_t>&& payload) {
  if (payload.empty()) return;
  if (state_ != CpuState::up && state_ != CpuState::reloading) return;
  const auto kind = static_cast<Envelope>(payload[0]);
  if (kind == Envelope::im_alive) {
    // The hot path of an idle machine: no thread wake-up, just a note of who was heard.
    membership_.on_imalive(src_cpu, to_ns(sc_core::sc_time_stamp()));
    return;
  }
  if (state_ != CpuState::up) return;
  if (kind != Envelope::regroup && kind != Envelope::kernel) return;
  inbox_.push_back(Inbound{src_cpu, std::move(payload), 0, 0, {}});
  wake_.notify(sc_core::SC_ZERO_TIME);
}

void Cpu::on_send_failed(int dst_cpu, std::uint64_t msg_id) {
  if (state_ != CpuState::up) return;
  inbox_.push_back(Inbound{dst_cpu, {}, msg_id, 0, {}});
  wake_.notify(sc_core::SC_ZERO_TIME);
}

std::uint64_t Cpu::send(int dst_cpu, std::vector<std::uint8_t> payload, std::uint64_t at_ns) {
  payload.insert(payload.begin(), static_cast<std::uint8_t>(Envelope::kernel));
  if (dst_cpu == cfg_.id) {
    inbox_.push_back(Inbound{dst_cpu, std::move(payload), 0, 0, {}});
    wake_.notify(sc_core::SC_ZERO_TIME);
    return next_local_msg_id_++;
  }
  // Stamped with this CPU's clock, which may run ahead of the simulation kernel's: the bus takes the
  // message at that time, and drops it if this CPU fails before then. No thread switch per send.
  return bus_.send_at(std::max(at_ns, local_now()), cfg_.id, dst_cpu, std::move(payload), bus::SendMode::reliable);
}

const NativeProgram* Cpu::load_native(const std::string& name) {
  for (const auto& [n, program] : natives_)
    if (n == name) return program;
  return nullptr;
}

// The controllers of a volume attached to this CPU: one it owns, else one it can take over (its other CPU
// is down, or it is the only one up), lowest number first.
bool Cpu::disk_io(const std::string& volume, DiskOp op, std::uint64_t token, std::uint64_t at_ns) {
  IoPort* chosen = nullptr;
  for (IoPort* port : ports_)
    if (port->volume_name() == volume && port->is_up() && port->owner() == cfg_.id) {
      chosen = port;
      break;
    }
  if (chosen == nullptr)
    for (IoPort* port : ports_)
      if (port->volume_name() == volume && port->is_up() && port->claim(cfg_.id)) {
        chosen = port;
        break;
      }
  if (chosen == nullptr) return false;
  chosen->submit(cfg_.id, std::move(op), std::max(at_ns, local_now()), [this, token](DiskDone done) {
    if (state_ != CpuState::up) return;  // a failed CPU hears nothing; a reloaded one has a new kernel
    Inbound in{cfg_.id, {}, 0, token, std::move(done)};
    inbox_.push_back(std::move(in));
    wake_.notify(sc_core::SC_ZERO_TIME);
  });
  return true;
}

void Cpu::broadcast_regroup(const std::vector<std::uint8_t>& msg) {
  if (msg.empty()) return;
  for (int dst = 0; dst < cfg_.cpus; ++dst) {
    if (dst == cfg_.id) continue;
    std::vector<std::uint8_t> payload;
    payload.reserve(msg.size() + 1);
    payload.push_back(static_cast<std::uint8_t>(Envelope::regroup));
    payload.insert(payload.end(), msg.begin(), msg.end());
    bus_.send_at(local_now(), cfg_.id, dst, std::move(payload), bus::SendMode::both_buses);
  }
}

void Cpu::send_im_alive(std::uint64_t now) {
  if (vcd_) {
    imalive_level_ = !imalive_level_;
    vcd_->change(imalive_wave_, now, imalive_level_);
  }
  // Members, and CPUs heard lately that are not members yet (a reloaded CPU needs to hear us to join).
  // A joiner does not know the membership, so it tells everybody.
  const CpuMask heard = membership_.monitor().heard_within(now, 2 * cfg_.heartbeat_ns);
  const CpuMask targets =
      membership_.joiner() ? all_cpus(cfg_.cpus) : static_cast<CpuMask>(membership_.members() | heard);
  const auto kind = static_cast<std::uint8_t>(Envelope::im_alive);
  for (int dst = 0; dst < cfg_.cpus; ++dst) {
    if (dst == cfg_.id || !(targets & (1u << dst))) continue;
    bus_.send_at(now, cfg_.id, dst, &kind, 1, bus::SendMode::both_buses);
  }
}

void Cpu::carry_out(const Membership::Actions& a) {
  for (int j = 0; j < cfg_.cpus; ++j)
    if (a.missed_once & (1u << j)) emit_now(sim::TraceEvent(0, "imalive_missed").with("cpu", cfg_.id).with("from", j));
  for (int j = 0; j < cfg_.cpus; ++j)
    if (a.suspected & (1u << j)) emit_now(sim::TraceEvent(0, "suspect").with("cpu", cfg_.id).with("suspect", j));
  if (a.decision) apply_decision(*a.decision);
  if (state_ != CpuState::up) return;
  if (a.round_extended)
    emit_now(sim::TraceEvent(0, "regroup_wait")
                 .with("cpu", cfg_.id)
                 .with("round", a.round)
                 .with("waiting", mask_list(a.round_extended)));
  if (a.round_started) log_.debug(local_now(), "regroup round {} starts: {}", a.round, a.round_reason);
  if (a.round_started)
    emit_now(
        sim::TraceEvent(0, "regroup_start").with("cpu", cfg_.id).with("round", a.round).with("reason", a.round_reason));
  broadcast_regroup(a.broadcast);
  if (a.round_started) wake_.notify(sc_core::SC_ZERO_TIME);
}

void Cpu::apply_decision(const Regroup::Decision& d) {
  using Kind = Regroup::Decision::Kind;
  if (d.kind == Kind::halt) {
    log_.warn(local_now(), "regroup round {}: halting ({})", d.round, d.reason);
    stop(CpuState::halted, d.reason);
    return;
  }
  if (d.kind == Kind::not_admitted) {
    emit_now(sim::TraceEvent(0, "not_admitted").with("cpu", cfg_.id).with("round", d.round).with("reason", d.reason));
    return;
  }
  emit_now(sim::TraceEvent(0, "regroup_end")
               .with("cpu", cfg_.id)
               .with("round", d.round)
               .with("members", mask_list(d.members)));
  log_.info(local_now(), "regroup round {}: members {}", d.round, mask_list(d.members));
  for (int c = 0; c < cfg_.cpus; ++c) {
    if (d.declared_down & (1u << c)) {
      emit_now(sim::TraceEvent(0, "declared_down").with("cpu", c).with("declared_by", cfg_.id));
      if (kernel_) kernel_->on_cpu_down(c);
    }
  }
  for (int c = 0; c < cfg_.cpus; ++c) {
    if (d.declared_up & (1u << c)) {
      emit_now(sim::TraceEvent(0, "declared_up").with("cpu", c).with("declared_by", cfg_.id));
      if (kernel_) kernel_->on_cpu_up(c);
    }
  }
}

void Cpu::drain_inbox() {
  while (!inbox_.empty() && state_ == CpuState::up) {
    Inbound in = std::move(inbox_.front());
    inbox_.pop_front();
    if (in.disk_token != 0) {
      if (kernel_) kernel_->on_disk_done(in.disk_token, in.done);
      continue;
    }
    if (in.payload.empty()) {
      if (kernel_) kernel_->on_send_failed(in.src, in.failed_id);
      continue;
    }
    const auto kind = static_cast<Envelope>(in.payload[0]);
    if (kind == Envelope::kernel) {
      in.payload.erase(in.payload.begin());
      if (kernel_) kernel_->on_message(in.src, std::move(in.payload));
    } else if (kind == Envelope::regroup) {
      std::vector<std::uint8_t> body(in.payload.begin() + 1, in.payload.end());
      carry_out(membership_.on_regroup_message(local_now(), in.src, body));
    }
  }
}

void Cpu::run_timers(std::uint64_t now) {
  while (now >= next_send_ns_) {
    send_im_alive(now);
    next_send_ns_ += cfg_.heartbeat_ns;
  }
  while (now >= next_check_ns_ && state_ == CpuState::up) {
    carry_out(membership_.on_check(now));
    next_check_ns_ += cfg_.heartbeat_ns;
  }
  if (state_ == CpuState::up && membership_.regroup().in_round() && now >= membership_.regroup().deadline_ns())
    carry_out(membership_.on_deadline(now));
  if (state_ != CpuState::up) return;
  if (kernel_) kernel_->on_time(now);
}

std::uint64_t Cpu::next_wakeup_ns() const {
  std::uint64_t t = std::min(next_send_ns_, next_check_ns_);
  if (membership_.regroup().in_round()) t = std::min(t, membership_.regroup().deadline_ns());
  if (kernel_) {
    if (auto k = kernel_->next_timer_ns()) t = std::min(t, *k);
  }
  return t;
}

// The CPU's clock in ticks of SystemC's time resolution: the main loop compares it with the next action's
// time at every turn, without a division.
std::uint64_t Cpu::local_ticks() const {
  return sc_core::sc_time_stamp().value() + qk_.get_local_time().value();
}

// Waits until the actions of the instant the CPU's clock has come to are carried out. The CPU waits for the
// driver's word, not for the time: at that instant the action always comes first, whichever order SystemC
// runs the processes of the instant in.
void Cpu::await_actions() {
  const sc_core::sc_time local = sc_core::sc_time_stamp() + qk_.get_local_time();
  wait(horizon_.done_event());
  const sc_core::sc_time woke = sc_core::sc_time_stamp();
  qk_.reset();
  if (local > woke) qk_.set(local - woke);
}

// Moves the CPU's clock on from `local` (ticks), but not past the next action's time: what is left is owed
// until the action is done (only a system call's cost, charged after the call took effect, can straddle
// that time). True when the clock has come to that time.
bool Cpu::advance_clock(std::uint64_t local, const sc_core::sc_time& by) {
  const std::uint64_t room = horizon_.next_ticks() - local;  // the clock is never past the horizon
  if (by.value() < room) {
    qk_.inc(by);
    return false;
  }
  owed_ticks_ += by.value() - room;
  qk_.inc(sc_core::sc_time::from_value(room));
  return true;
}

void Cpu::main_thread() {
  for (;;) {
    if (state_ == CpuState::down || state_ == CpuState::halted) {
      if (kernel_) {
        retired_before_ += kernel_->instructions_retired();
        kernel_.reset();
      }
      qk_.reset();
      owed_ticks_ = 0;
      wait(wake_);
      continue;
    }
    if (state_ == CpuState::reloading) {
      const std::uint64_t now = to_ns(sc_core::sc_time_stamp());
      if (now < up_at_ns_) {
        wait(from_ns(up_at_ns_ - now), wake_);
        continue;
      }
      // Up before the actions of this instant, whatever SystemC's order: the scenario driver carries them
      // out a delta cycle after their time comes, so a start then finds the CPU up and a fault stops it.
      come_up();
      continue;
    }
    // Nothing the CPU does at an action's time comes before the action: not a guest instruction, not a
    // message, not a timer.
    const std::uint64_t local = local_ticks();  // unchanged until the kernel runs below
    if (local >= horizon_.next_ticks()) {
      await_actions();
      continue;
    }
    if (owed_ticks_ != 0) {
      // A system call straddled the action's time: a start the action asked for happens at that time, then
      // the clock goes on to the end of the call.
      take_starts();
      const std::uint64_t owed = owed_ticks_;
      owed_ticks_ = 0;
      advance_clock(local, sc_core::sc_time::from_value(owed));
      continue;
    }
    std::uint64_t now = local / ticks_per_ns_;
    drain_inbox();
    take_starts();
    if (state_ != CpuState::up) continue;
    run_timers(now);
    if (state_ != CpuState::up) continue;
    if (kernel_ && kernel_->has_ready()) {
      // Run up to the next timer, the end of the quantum or the next action's time, whichever comes first; a
      // run that ends short of them (nothing ready, a message to itself) leaves the rest for the next.
      const std::uint64_t room = horizon_.next_ticks() - local;  // above 0: checked at the top
      if (room < ticks_per_instruction_) {
        // No whole instruction ends by the action's time: the CPU's clock goes there (less than one
        // instruction's time) and the instruction runs after the action.
        advance_clock(local, sc_core::sc_time::from_value(room));
        continue;
      }
      const std::uint64_t quantum_end = std::max(to_ns(qk_.next_sync_point()), now + 1);
      const std::uint64_t until = std::min(std::min(next_wakeup_ns(), quantum_end), horizon_.next_ns());
      const std::uint64_t span = until > now ? until - now : 0;
      const auto budget = std::max<std::uint64_t>(1, static_cast<std::uint64_t>(span / ns_per_instruction_));
      const std::uint64_t n = kernel_->run(budget);
      if (advance_clock(local, sc_core::sc_time(static_cast<double>(n) * ns_per_instruction_, sc_core::SC_NS)))
        continue;  // at the next action's time: the top of the loop waits there for it
      if (qk_.need_sync() || !inbox_.empty()) sync_clock();
      continue;
    }
    // Idle. The CPU's clock may be ahead of the kernel's (it ran instructions up to there): rather than
    // wait for the kernel to catch up and then wait again for work, wait for work at once and keep the
    // clock where it is; work that comes earlier starts when the CPU's clock says, as after a sync.
    if (!inbox_.empty() || !starts_.empty()) continue;
    now = local_now();
    const std::uint64_t t = next_wakeup_ns();
    if (t <= now) continue;
    const std::uint64_t kernel_now = to_ns(sc_core::sc_time_stamp());
    // A timed wait that a message ends early would leave its timeout in SystemC's queue until it
    // expired (up to half a heartbeat later); thousands of those make every bus event dearer. One timer
    // event, moved only when the next wake-up time changes, keeps the queue short.
    if (timer_at_ns_ != t || timer_at_ns_ <= kernel_now) {
      timer_.cancel();
      timer_.notify(from_ns(t - kernel_now));
      timer_at_ns_ = t;
    }
    wait(wake_or_timer_);
    const std::uint64_t woke = to_ns(sc_core::sc_time_stamp());
    qk_.reset();
    if (now > woke) qk_.set(from_ns(now - woke));
  }
}

}  // namespace pairsim::cpu
