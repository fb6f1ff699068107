#include "io/terminal.hpp"

#include "io/sim_time.hpp"

#include <algorithm>
#include <utility>

#include "guest/syscalls.hpp"

namespace pairsim::io {

Terminal::Terminal(sc_core::sc_module_name module, std::string name, int id, int cpu_a, int cpu_b,
                   const sim::TraceBus& trace, TerminalTiming timing)
    : sc_core::sc_module(module),
      name_(std::move(name)),
      id_(id),
      cpu_a_(cpu_a),
      cpu_b_(cpu_b),
      trace_(trace),
      timing_(timing),
      owner_(cpu_a) {
  SC_THREAD(worker);
}

void Terminal::set_owner(int cpu, const char* why) {
  if (cpu == owner_) return;
  const int from = owner_;
  owner_ = cpu;
  trace_.emit(sim::TraceEvent(now_ns(), "controller_owner")
                  .with("controller", id_)
                  .with("volume", name_)
                  .with("from_cpu", from)
                  .with("to_cpu", cpu)
                  .with("reason", why));
}

bool Terminal::claim(int cpu) {
  if (cpu != cpu_a_ && cpu != cpu_b_) return false;
  set_owner(cpu, "claimed");
  return true;
}

void Terminal::switch_owner() {
  set_owner(owner_ == cpu_a_ ? cpu_b_ : cpu_a_, "switch");
}

void Terminal::submit(int cpu, cpu::DiskOp op, std::uint64_t at_ns, std::function<void(cpu::DiskDone)> done) {
  queue_.push_back(Queued{cpu, std::move(op), at_ns, std::move(done)});
  work_.notify(sc_core::SC_ZERO_TIME);
}

void Terminal::worker() {
  for (;;) {
    if (queue_.empty()) {
      wait(work_);
      continue;
    }
    Queued q = std::move(queue_.front());
    queue_.pop_front();
    cpu::DiskDone d;
    if (q.cpu != owner_ || q.op.op != guest::disk::print) {
      d.error = q.cpu != owner_ ? guest::fe::path_down : guest::fe::invalid_op;
      q.done(std::move(d));
      continue;
    }
    if (q.at_ns > now_ns()) wait(ns(q.at_ns - now_ns()));
    if (q.op.block > last_line_) {
      // The line is printed at the end of its last character.
      wait(ns(timing_.ns_per_byte * std::max<std::size_t>(1, q.op.data.size())));
      last_line_ = q.op.block;
      ++printed_;
      const std::string text(q.op.data.begin(), q.op.data.end());
      trace_.emit(sim::TraceEvent(now_ns(), "output").with("process", name_).with("cpu", q.cpu).with("pin", 0).with("text", text));
      trace_.emit(sim::TraceEvent(now_ns(), "terminal").with("terminal", name_).with("line", q.op.block).with("cpu", q.cpu));
    } else if (trace_.wants_detail()) {
      trace_.emit(sim::TraceEvent(now_ns(), "terminal_repeat").with("terminal", name_).with("line", q.op.block).with("cpu", q.cpu));
    }
    q.done(std::move(d));
  }
}

}  // namespace pairsim::io
