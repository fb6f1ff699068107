#include "io/controller.hpp"

#include "io/sim_time.hpp"

#include <utility>

#include "guest/syscalls.hpp"

namespace pairsim::io {

namespace {
// The operation did not get through this controller (it failed, or the CPU does not own it): another path
// may do it.
cpu::DiskDone failed() {
  cpu::DiskDone d;
  d.error = guest::fe::path_down;
  return d;
}
}  // namespace

Controller::Controller(sc_core::sc_module_name name, int id, VolumeUnit& unit, int cpu_a, int cpu_b,
                       const sim::TraceBus& trace)
    : sc_core::sc_module(name), id_(id), unit_(unit), cpu_a_(cpu_a), cpu_b_(cpu_b), trace_(trace), owner_(cpu_a) {
  SC_THREAD(worker);
}

void Controller::state_event() {
  trace_.emit(sim::TraceEvent(now_ns(), "controller_state")
                  .with("controller", id_)
                  .with("volume", unit_.volume_name())
                  .with("state", up_ ? "up" : "down"));
  if (vcd_) vcd_->change(up_wave_, now_ns(), up_);
}

void Controller::set_owner(int cpu, const char* why) {
  if (cpu == owner_) return;
  const int from = owner_;
  owner_ = cpu;
  trace_.emit(sim::TraceEvent(now_ns(), "controller_owner")
                  .with("controller", id_)
                  .with("volume", unit_.volume_name())
                  .with("from_cpu", from)
                  .with("to_cpu", cpu)
                  .with("reason", why));
  if (vcd_) vcd_->change(owner_wave_, now_ns(), cpu);
}

bool Controller::claim(int cpu) {
  if (!up_ || (cpu != cpu_a_ && cpu != cpu_b_)) return false;
  set_owner(cpu, "claimed");
  return true;
}

void Controller::submit(int cpu, cpu::DiskOp op, std::uint64_t at_ns, std::function<void(cpu::DiskDone)> done) {
  queue_.push_back(Queued{cpu, std::move(op), at_ns, std::move(done)});
  work_.notify(sc_core::SC_ZERO_TIME);
}

void Controller::fail() {
  if (!up_) return;
  up_ = false;
  ++epoch_;
  state_event();
  work_.notify(sc_core::SC_ZERO_TIME);  // what waits is answered with an error
}

void Controller::repair() {
  if (up_) return;
  up_ = true;
  state_event();
}

void Controller::switch_owner() {
  set_owner(owner_ == cpu_a_ ? cpu_b_ : cpu_a_, "switch");
}

void Controller::worker() {
  std::uint64_t free_at = 0;  // the controller does one operation at a time
  for (;;) {
    if (queue_.empty()) {
      wait(work_);
      continue;
    }
    Queued q = std::move(queue_.front());
    queue_.pop_front();
    if (!up_ || q.cpu != owner_) {
      q.done(failed());
      continue;
    }
    const std::uint64_t start = std::max({q.at_ns, free_at, now_ns()});
    if (start > now_ns()) wait(ns(start - now_ns()));
    if (!up_ || q.cpu != owner_) {
      q.done(failed());
      continue;
    }
    const std::uint64_t epoch = epoch_;
    const std::uint64_t t = now_ns() + unit_.volume().timing().controller_ns;
    cpu::DiskDone d;
    IoResult r;
    if (q.op.op == guest::disk::read) {
      d.data.assign(kBlockBytes, 0);
      r = unit_.volume().read(q.op.block, d.data.data(), t);
    } else {
      q.op.data.resize(kBlockBytes, 0);
      r = unit_.volume().write(q.op.block, q.op.data.data(), t);
    }
    ++operations_;
    const std::uint64_t end = std::max(r.done_ns, t);
    if (trace_.wants_detail())
      trace_.emit(sim::TraceEvent(now_ns(), "disk_op")
                      .with("controller", id_)
                      .with("volume", unit_.volume_name())
                      .with("cpu", q.cpu)
                      .with("op", q.op.op == guest::disk::read ? "read" : "write")
                      .with("block", q.op.block)
                      .with("drive", r.drive)
                      .with("status", to_string(r.status))
                      .with("done_ns", end));
    free_at = end;
    wait(ns(end - now_ns()));
    if (epoch != epoch_) {
      d = failed();
    } else if (r.status != IoStatus::ok) {
      d = cpu::DiskDone{};
      d.error = r.status == IoStatus::bad_block ? guest::fe::bad_param : guest::fe::volume_down;
    }
    q.done(std::move(d));
  }
}

void Controller::trace(sim::VcdWriter& vcd) {
  vcd_ = &vcd;
  const std::string label = "controller" + std::to_string(id_) + " ";
  owner_wave_ =
      vcd.declare({std::string(name()) + ".owner", 4, sim::VcdShow::number, "", {}, "I/O", label + "owner", owner_});
  up_wave_ = vcd.declare({std::string(name()) + ".up", 1, sim::VcdShow::bit, "", {}, "I/O", label + "up", up_});
}

}  // namespace pairsim::io
