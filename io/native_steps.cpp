#include "io/native_steps.hpp"

#include "cpu/kernel/guest_buffer.hpp"

namespace pairsim::io {

namespace ck = guest::ckpt;
using guest::Syscall;

std::int32_t NativeSteps::pop() {
  std::uint32_t v = 0;
  ps_.pop(v);
  return static_cast<std::int32_t>(v);
}

cpu::RunResult NativeSteps::call(std::uint32_t next, Syscall s, std::initializer_list<std::uint32_t> args) {
  for (std::uint32_t a : args) ps_.push(a);
  ps_.regs.p = next;
  cpu::RunResult r;
  r.reason = cpu::StopReason::syscall;
  r.syscall = static_cast<std::uint32_t>(s);
  r.executed = executed_ + kStepCost;
  return r;
}

void NativeSteps::go(std::uint32_t next) {
  ps_.regs.p = next;
  executed_ += kStepCost;
}

std::vector<std::uint8_t> NativeSteps::bytes(std::uint32_t addr, std::uint32_t n) const {
  std::vector<std::uint8_t> out;
  cpu::read_bytes(ps_, addr, n, out);
  return out;
}

void NativeSteps::put(std::uint32_t addr, const std::uint8_t* b, std::uint32_t n) {
  cpu::write_bytes(ps_, addr, b, n);
}

cpu::RunResult NativeSteps::checkpoint(std::uint32_t next) {
  w(W_CKDESC) = ck::flag_stack;
  w(W_CKDESC + 1) = 1;
  w(W_CKDESC + 2) = state_;
  w(W_CKDESC + 3) = state_end_ - state_;
  w(W_CKDESC + 4) = 1;
  w(W_CKDESC + 5) = guest::kReceiveFile;
  return call(next, Syscall::checkpoint, {W_CKDESC});
}

cpu::RunResult NativeSteps::reply(std::uint32_t next, std::uint32_t addr, std::uint32_t bytes, std::int32_t error) {
  return call(next, Syscall::reply, {w(W_TAG), addr, bytes, static_cast<std::uint32_t>(error)});
}

cpu::RunResult NativeSteps::spent() const {
  cpu::RunResult r;
  r.executed = executed_;
  return r;
}

cpu::RunResult NativeSteps::illegal() const {
  cpu::RunResult r;
  r.reason = cpu::StopReason::trap;
  r.trap = cpu::Trap::illegal_instruction;
  r.executed = executed_;
  return r;
}

std::optional<cpu::RunResult> NativeSteps::pair_step() {
  switch (label()) {
    case P_START:
      return call(P_ISBACKUP, Syscall::isbackup, {});
    case P_ISBACKUP:
      if (pop() != 0) return call(P_MONITORED, Syscall::checkmonitor, {});
      go(P_PRIMARY);
      return spent();
    case P_MONITORED:
      // CHECKMONITOR returned: the primary died before its first checkpoint. Start afresh, as the primary.
      pop();
      go(P_PRIMARY);
      return spent();
    case P_PRIMARY:
      return call(P_OPENED, Syscall::open, {W_RECEIVE, 8, 0});
    case P_OPENED:
      pop();
      return call(P_NARGS, Syscall::nargs, {});
    case P_NARGS:
      w(W_BACKUP_CPU) = static_cast<std::uint32_t>(-1);
      if (pop() < 1) return checkpoint(kFirstOwnLabel);  // no backup wanted: a single process
      return call(P_ARG, Syscall::getarg, {0});
    case P_ARG:
      w(W_BACKUP_CPU) = static_cast<std::uint32_t>(pop());
      return call(P_MONITOR_SET, Syscall::monitorcpus, {1u << (w(W_BACKUP_CPU) & 31)});
    case P_MONITOR_SET:
      pop();
      return call(P_BACKUP_MADE, Syscall::newbackup, {w(W_BACKUP_CPU)});
    case P_BACKUP_MADE:
      pop();  // a backup, or none (its CPU is down): the pair goes on either way
      return checkpoint(kFirstOwnLabel);  // the restart point
    case P_SERVE:
      return call(P_READ, Syscall::readupdate, {guest::kReceiveFile, serving_.addr, serving_.max});
    case P_READ:
      w(serving_.length_word) = static_cast<std::uint32_t>(pop());
      return call(P_TAGGED, Syscall::lasttag, {});
    case P_TAGGED: {
      w(W_TAG) = static_cast<std::uint32_t>(pop());
      const auto length = static_cast<std::int32_t>(w(serving_.length_word));
      if (w(W_TAG) == 0) {
        // A system message: [-3, cpu] brings the backup's CPU back; make the backup again there.
        if (auto r = system_message(length, serving_.addr)) return r;
        go(P_SERVE);
        return spent();
      }
      if (length < 0) {
        go(P_SERVE);
        return spent();
      }
      ps_.regs.p = serving_.request_label;
      return std::nullopt;
    }
    default:
      return std::nullopt;
  }
}

std::optional<cpu::RunResult> NativeSteps::system_message(std::int32_t length, std::uint32_t message_addr) {
  if (length < 8) return std::nullopt;
  const auto kind = static_cast<std::int32_t>(w(message_addr));
  const std::uint32_t cpu = w(message_addr + 1);
  if (kind == guest::sysmsg::cpu_up && cpu == w(W_BACKUP_CPU))
    return call(P_BACKUP_MADE, Syscall::newbackup, {cpu});
  if (kind == guest::sysmsg::cpu_down && cpu != w(W_BACKUP_CPU) && cpu < 32) {
    // Monitoring it first; P_MONITOR_SET then tries a backup there at once (it fails while the CPU is
    // down: the pair goes on alone until the -3).
    w(W_BACKUP_CPU) = cpu;
    return call(P_MONITOR_SET, Syscall::monitorcpus, {1u << cpu});
  }
  return std::nullopt;
}

std::vector<std::uint32_t> initial_data(std::uint32_t globals) {
  std::vector<std::uint32_t> data(globals, 0);
  const char receive[] = "$RECEIVE";
  for (int i = 0; i < 8; ++i) data[W_RECEIVE + i / 4] |= static_cast<std::uint32_t>(receive[i]) << (8 * (i % 4));
  return data;
}

}  // namespace pairsim::io
