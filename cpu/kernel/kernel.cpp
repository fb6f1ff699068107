#include "cpu/kernel/kernel.hpp"

#include <algorithm>
#include <utility>

#include "cpu/kernel/guest_buffer.hpp"
#include "guest/syscalls.hpp"

namespace pairsim::cpu {

Kernel::Kernel(const KernelConfig& cfg, KernelPlatform& platform)
    : core_(cfg, platform),
      messages_(core_),
      pairs_(core_, messages_),
      lifecycle_(core_, messages_, pairs_),
      syscalls_(core_, messages_, pairs_, lifecycle_) {}

std::optional<std::string> Kernel::start_process(const StartRequest& req) {
  CreateMsg c;
  c.name = req.name;
  c.program = req.program;
  c.priority = req.priority;
  c.args = req.args;
  const auto r = lifecycle_.create(c);
  if (r.error != 0) return r.sentence;
  return std::nullopt;
}

void Kernel::charge(std::uint64_t instructions) {
  core_.run_charged += instructions;
  core_.dispatcher.charge(instructions);
}

// A system call is carried out where the guest makes it, inside run(), at the kernel's clock (the host's
// time plus the instructions charged so far in this run()), and the run goes on. It returns to the host
// early when the host has work the call made: a message to this CPU, or a timer due before the budget ends.
// A trap ends the run() call it happens in; the process abends at the start of the next one.
std::uint64_t Kernel::run(std::uint64_t budget) {
  core_.run_charged = 0;
  core_.host_wanted = false;
  const std::uint64_t budget_end_ns =
      core_.platform.now_ns() + static_cast<std::uint64_t>(static_cast<double>(budget) * core_.ns_per_instruction);
  while (core_.run_charged < budget) {
    const int pin = core_.dispatcher.select();
    if (pin < 0) break;
    Process* p = core_.processes.find(pin);
    if (p == nullptr) {  // cannot happen: ending a process removes it from the dispatcher
      core_.dispatcher.remove(pin);
      continue;
    }
    p->status = ProcessStatus::running;
    if (p->pending_trap) {
      lifecycle_.abend(*p, trap_reason(*p->pending_trap));
      if (core_.host_wanted) break;
      continue;
    }
    const std::uint64_t n = std::min(budget - core_.run_charged, core_.dispatcher.slice_left());
    const RunResult r = p->native != nullptr ? p->native->run(p->ps, n) : Interpreter::run(p->ps, n);
    retired_ += r.executed;
    charge(r.executed);
    if (r.reason == StopReason::syscall) {
      syscalls_.execute(*p, r.syscall);
      charge(kSyscallInstructions);
      if (host_wanted_after_call(budget_end_ns)) break;  // (the call may have ended the process: no `p` here)
      continue;
    }
    p->status = ProcessStatus::ready;  // until the dispatcher picks it again
    if (r.reason == StopReason::trap) {
      p->pending_trap = r.trap;
      break;
    }
    if (r.executed == 0) break;  // no progress possible within this budget
  }
  const std::uint64_t charged = core_.run_charged;
  core_.run_charged = 0;
  return charged;
}

bool Kernel::host_wanted_after_call(std::uint64_t budget_end_ns) const {
  if (core_.host_wanted) return true;
  const auto t = next_timer_ns();
  return t && *t < budget_end_ns;
}

std::optional<std::uint64_t> Kernel::next_timer_ns() const {
  auto a = core_.next_delay_ns();
  auto b = messages_.next_timer_ns();
  if (a && b) return std::min(*a, *b);
  return a ? a : b;
}

void Kernel::on_time(std::uint64_t now_ns) {
  core_.fire_delays(now_ns);
  messages_.on_time(now_ns);
}

void Kernel::drop(int src_cpu, const char* what) {
  ++core_.dropped_messages;
  core_.warn(std::string("malformed ") + what + " message from CPU " + std::to_string(src_cpu) + " dropped");
}

void Kernel::on_message(int src_cpu, std::vector<std::uint8_t> payload) {
  MessageType type{};
  if (src_cpu < 0 || src_cpu >= core_.cfg.cpus || !message_type(payload, type)) return drop(src_cpu, "empty");
  switch (type) {
    case MessageType::request: {
      RequestMsg m;
      if (!decode(std::move(payload), m)) return drop(src_cpu, "request");
      return messages_.on_request(src_cpu, std::move(m));
    }
    case MessageType::reply: {
      ReplyMsg m;
      if (!decode(std::move(payload), m)) return drop(src_cpu, "reply");
      return messages_.on_reply(src_cpu, m);
    }
    case MessageType::dest_update: {
      DestUpdateMsg m;
      if (!decode(payload, m)) return drop(src_cpu, "destination update");
      const bool changed =
          m.removed ? core_.destinations.remove(m.name, m.dest.version) : core_.destinations.apply(m.name, m.dest);
      if (changed) messages_.on_destination_changed(m.name);
      return;
    }
    case MessageType::dest_snapshot: {
      DestSnapshotMsg m;
      if (!decode(payload, m)) return drop(src_cpu, "destination snapshot");
      const std::uint32_t was_up = core_.up_mask;
      core_.up_mask = m.up_mask | (1u << core_.cfg.cpu);
      core_.destinations.adopt(m.entries);
      // A reloaded kernel counted every CPU up until now; a CPU the members had declared down before it
      // joined is never declared down here. What this kernel sent there since (a creation, a request) fails
      // now, as it would have at a declaration: a failed send is acted on only for a CPU counted down.
      for (int c = 0; c < core_.cfg.cpus; ++c)
        if ((was_up >> c & 1u) != 0 && !core_.is_up(c)) fail_outstanding(c);
      return;
    }
    case MessageType::create: {
      CreateMsg m;
      if (!decode(payload, m)) return drop(src_cpu, "create");
      return lifecycle_.on_create(src_cpu, m);
    }
    case MessageType::create_reply: {
      CreateReplyMsg m;
      if (!decode(payload, m)) return drop(src_cpu, "create reply");
      return lifecycle_.on_create_reply(src_cpu, m);
    }
    case MessageType::deletion: {
      DeletionMsg m;
      if (!decode(payload, m)) return drop(src_cpu, "deletion");
      return lifecycle_.on_deletion(src_cpu, m);
    }
    case MessageType::pair_op: {
      PairOpMsg m;
      if (!decode(payload, m)) return drop(src_cpu, "pair operation");
      if (m.kind == PairOpKind::stop) return lifecycle_.on_pair_stop(src_cpu, m);
      return pairs_.on_pair_op(src_cpu, m);
    }
    case MessageType::pair_ack: {
      PairAckMsg m;
      if (!decode(payload, m)) return drop(src_cpu, "pair acknowledgement");
      return pairs_.on_pair_ack(src_cpu, m);
    }
  }
  drop(src_cpu, "unknown");
}

void Kernel::on_send_failed(int dst_cpu, std::uint64_t msg_id) {
  // The bus gives a message up only when its receiver died. While this kernel still counts that CPU up,
  // nothing may act on it: the survivors have not agreed that it is down, and a backup there may not yet be
  // known to be gone. The failure is acted on when the CPU is declared down (on_cpu_down fails everything
  // sent there), so that every consequence follows the agreed membership and nothing else.
  if (core_.is_up(dst_cpu)) return;
  if (messages_.on_send_failed(msg_id)) return;
  if (pairs_.on_send_failed(msg_id)) return;
  lifecycle_.on_send_failed(msg_id);
  // Anything else (a broadcast, a reply, an acknowledgement) is lost with its CPU; the membership change
  // that follows repairs what it would have told.
}

void Kernel::on_cpu_down(int cpu) {
  if (cpu == core_.cfg.cpu || !core_.is_up(cpu)) return;
  core_.up_mask &= ~(1u << cpu);
  const auto effect = core_.destinations.on_cpu_down(cpu);
  if (core_.lowest_up_cpu() == core_.cfg.cpu)  // one CPU reports it for the whole machine
    for (const auto& name : effect.lost)
      core_.emit(sim::TraceEvent(0, "pair_lost").with("pair", name).with("cpu", cpu));
  fail_outstanding(cpu);
  for (auto& [pin, p] : core_.processes.all())
    if ((p->monitor_mask >> cpu & 1u) != 0) messages_.deliver_system_message(*p, {guest::sysmsg::cpu_down, cpu});
}

void Kernel::fail_outstanding(int cpu) {
  // Takeovers first, so that the requests failed next are resent to primaries that already serve.
  pairs_.on_cpu_down(cpu);
  messages_.on_cpu_down(cpu);
  lifecycle_.on_cpu_down(cpu);
}

void Kernel::on_disk_done(std::uint64_t token, const DiskDone& done) {
  for (auto& [pin, p] : core_.processes.all()) {
    if (p->wait != WaitReason::diskio || p->wait_token != token) continue;
    if (done.error == 0 && !done.data.empty()) {
      const auto n = static_cast<std::uint32_t>(std::min<std::size_t>(done.data.size(), p->wait_max));
      write_bytes(p->ps, p->wait_addr, done.data.data(), n);
    }
    core_.complete(*p, done.error != 0 ? static_cast<std::uint32_t>(-done.error) : 0u);
    return;
  }
  // The process is gone, or was restarted by a takeover: the operation's end concerns nobody now.
}

void Kernel::on_cpu_up(int cpu) {
  if (cpu == core_.cfg.cpu || cpu < 0 || cpu >= core_.cfg.cpus) return;
  // A joiner's own kernel starts out counting every CPU up, so the members it is told of were "up" already:
  // only the members, which counted the joiner down, act on its arrival.
  if (core_.is_up(cpu)) return;
  core_.up_mask |= 1u << cpu;
  // The lowest-numbered member other than the joiner brings it the table and the membership.
  int sender = -1;
  for (int c = 0; c < core_.cfg.cpus && sender < 0; ++c)
    if (c != cpu && core_.is_up(c)) sender = c;
  if (sender == core_.cfg.cpu) {
    DestSnapshotMsg m;
    m.up_mask = static_cast<std::uint16_t>(core_.up_mask);
    m.entries = core_.destinations.snapshot();
    core_.send(cpu, encode(m));
  }
  for (auto& [pin, p] : core_.processes.all())
    if ((p->monitor_mask >> cpu & 1u) != 0) messages_.deliver_system_message(*p, {guest::sysmsg::cpu_up, cpu});
}

}  // namespace pairsim::cpu
