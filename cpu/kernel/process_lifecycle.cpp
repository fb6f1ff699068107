#include "cpu/kernel/process_lifecycle.hpp"

#include <algorithm>
#include <memory>

#include "guest/syscalls.hpp"

namespace pairsim::cpu {

namespace fe = guest::fe;

ProcessLifecycle::ProcessLifecycle(KernelCore& core, MessageSystem& messages, ProcessPairs& pairs)
    : core_(core), messages_(messages), pairs_(pairs) {
  pairs_.set_pair_lost_handler([this](Process& b, const std::string& why) { lose_pair(b, why); });
}

void ProcessLifecycle::lose_pair(Process& b, const std::string& why) {
  // The name goes from every table, so requesters get path errors (201) instead of answers from a pair that
  // forgot its past; the backup ends with the reason in the trace.
  core_.publish_removal(b.name);
  b.partner = kNoPid;
  b.creator = kNoPid;
  terminate(b, true, 0, why, false);
}

ProcessLifecycle::Created ProcessLifecycle::create(const CreateMsg& c) {
  Created r;
  auto fail = [&r](std::int32_t error, std::string sentence) {
    r.error = error;
    r.sentence = std::move(sentence);
    return r;
  };
  const std::string cpu = "CPU " + std::to_string(core_.cfg.cpu);
  if (c.priority < 1 || c.priority > 199)
    return fail(fe::bad_param, "priority " + std::to_string(c.priority) + " is outside 1..199");
  if (!c.name.empty()) {
    if (!MessageSystem::valid_process_name(c.name))
      return fail(fe::bad_name, "'" + c.name + "' is not a process name ($ and 1 to 15 letters, digits or _)");
    if (!c.backup && core_.destinations.find(c.name) != nullptr)
      return fail(fe::in_use, "a process named " + c.name + " exists already");
  }
  std::string error;
  const NativeProgram* native = core_.platform.load_native(c.program);
  const guest::Program* program = native != nullptr ? &native->image() : core_.platform.load_program(c.program, error);
  if (program == nullptr) return fail(fe::not_found, error.empty() ? "cannot load program " + c.program : error);
  if (program->stack_words > program->data_words || program->data.size() > program->data_words)
    return fail(fe::not_found, "program " + c.program + " has an inconsistent data space");
  const auto pin = core_.processes.free_pin();
  if (!pin) return fail(fe::no_pcb, "no free process slot on " + cpu);
  const auto offset = core_.memory.allocate(program->data_words);
  if (!offset)
    return fail(fe::no_memory, "not enough memory on " + cpu + " for " + c.program + "'s data space (" +
                                   std::to_string(program->data_words) + " words)");

  auto p = std::make_unique<Process>();
  p->pin = *pin;
  p->name = c.name;
  p->program_name = c.program;
  p->program = program;
  p->native = native;
  p->priority = c.priority;
  p->args = c.args;
  p->creator = c.creator;
  p->memory_offset = *offset;
  p->ps.program = program;
  p->ps.data = core_.memory.at(*offset);
  p->ps.data_words = program->data_words;
  p->ps.stack_base = program->data_words - program->stack_words;
  std::copy(program->data.begin(), program->data.end(), p->ps.data);
  reset_registers(p->ps);
  if (c.backup) {
    p->role = PairRole::backup;
    p->partner = c.creator;
    p->needs_state = c.needs_state;
  }
  Process& proc = core_.processes.insert(std::move(p));
  core_.make_ready(proc);
  core_.emit(core_.process_event("process_start", proc).with("program", c.program).with("priority", c.priority));
  if (!c.name.empty()) {
    // A backup is published from here too, not only by its creator's kernel when the reply arrives: if the
    // creator's CPU fails before that, this CPU (which survives it) has told every table of the backup, so
    // all of them promote it, as this kernel does, instead of dropping the name as a lost pair.
    core_.destinations.set(c.name, c.backup ? c.creator : core_.pid(proc), c.backup ? core_.pid(proc) : kNoPid).files =
        proc.native != nullptr && proc.native->serves_files();
    core_.publish(c.name);
  }
  r.pid = core_.pid(proc);
  return r;
}

std::optional<std::int32_t> ProcessLifecycle::request_create(Process& p, const CreateMsg& c, int cpu) {
  if (cpu == core_.cfg.cpu) {
    const Created r = create(c);
    if (r.error != 0) {
      core_.warn("process " + pid_string(core_.pid(p)) + ": cannot create process: " + r.sentence);
      return -r.error;
    }
    if (c.backup) backup_created(p, r.pid);
    return r.pid;
  }
  PendingCreate& pc = creates_[c.create_id];
  pc.pin = p.pin;
  pc.dst_cpu = cpu;
  pc.backup = c.backup;
  core_.block(p, WaitReason::newprocess);
  p.wait_token = c.create_id;
  pc.msg_id = core_.send(cpu, encode(c));
  return std::nullopt;
}

std::optional<std::int32_t> ProcessLifecycle::newprocess(Process& creator, const std::string& program,
                                                         const std::string& name, int cpu, int priority) {
  if (cpu == -1) cpu = core_.cfg.cpu;
  if (cpu < 0 || cpu >= core_.cfg.cpus) return -fe::bad_param;
  if (priority == 0) priority = creator.priority;
  if (priority < 1 || priority > 199) return -fe::bad_param;
  if (!name.empty()) {
    if (!MessageSystem::valid_process_name(name)) return -fe::bad_name;
    if (core_.destinations.find(name) != nullptr) return -fe::in_use;
  }
  if (!core_.is_up(cpu)) return -fe::path_down;
  CreateMsg c;
  c.create_id = core_.new_id();
  c.creator = core_.pid(creator);
  c.name = name;
  c.program = program;
  c.priority = priority;
  return request_create(creator, c, cpu);
}

std::optional<std::int32_t> ProcessLifecycle::newbackup(Process& p, int cpu) {
  if (p.name.empty() || p.role == PairRole::backup) return -fe::invalid_op;
  if (p.partner != kNoPid) return -fe::in_use;
  if (cpu == -1) cpu = core_.cfg.cpu;
  if (cpu < 0 || cpu >= core_.cfg.cpus) return -fe::bad_param;
  if (!core_.is_up(cpu)) return -fe::path_down;
  CreateMsg c;
  c.create_id = core_.new_id();
  c.creator = core_.pid(p);
  c.name = p.name;
  c.program = p.program_name;
  c.priority = p.priority;
  c.args = p.args;
  c.backup = true;
  c.needs_state = p.pair_history;
  return request_create(p, c, cpu);
}

void ProcessLifecycle::backup_created(Process& p, Pid backup) {
  p.role = PairRole::primary;
  p.partner = backup;
  p.pair_history = true;   // the next backup, if this one is lost, joins a pair with a past
  p.checkpoints_sent = 0;  // the new backup holds none of the state until the first checkpoint
  p.backup_image.clear();
  p.backup_saved.clear();
  p.backup_has_state = false;
  core_.destinations.set(p.name, core_.pid(p), backup);
  core_.publish(p.name);
  core_.emit(sim::TraceEvent(0, "backup_created")
                 .with("pair", p.name)
                 .with("cpu", pid_cpu(backup))
                 .with("pin", pid_pin(backup))
                 .with("primary_cpu", core_.cfg.cpu));
}

void ProcessLifecycle::on_create(int src_cpu, const CreateMsg& m) {
  const Created r = create(m);
  if (r.error != 0) core_.warn("cannot create process for " + pid_string(m.creator) + ": " + r.sentence);
  CreateReplyMsg reply;
  reply.create_id = m.create_id;
  reply.error = r.error;
  reply.pid = r.pid;
  reply.sentence = r.sentence;
  core_.send(src_cpu, encode(reply));
}

void ProcessLifecycle::on_create_reply(int src_cpu, const CreateReplyMsg& m) {
  auto it = creates_.find(m.create_id);
  if (it == creates_.end() || it->second.dst_cpu != src_cpu) return;
  const PendingCreate pc = it->second;
  creates_.erase(it);
  Process* p = core_.processes.find(pc.pin);
  if (p == nullptr || p->wait != WaitReason::newprocess || p->wait_token != m.create_id) {
    // The creator ended meanwhile: a backup created for it has no primary to follow; stop it.
    if (pc.backup && m.error == 0) {
      PairOpMsg stop;
      stop.op_id = core_.new_id();
      stop.kind = PairOpKind::stop;
      stop.from = make_pid(core_.cfg.cpu, pc.pin);
      stop.to = m.pid;
      core_.send(src_cpu, encode(stop));
    }
    return;
  }
  if (m.error != 0) {
    core_.complete(*p, static_cast<std::uint32_t>(-m.error));
    return;
  }
  if (pc.backup) backup_created(*p, m.pid);
  core_.complete(*p, static_cast<std::uint32_t>(m.pid));
}

bool ProcessLifecycle::on_send_failed(std::uint64_t msg_id) {
  for (auto it = creates_.begin(); it != creates_.end(); ++it) {
    if (it->second.msg_id != msg_id) continue;
    const std::uint64_t id = it->first;
    const int pin = it->second.pin;
    creates_.erase(it);
    Process* p = core_.processes.find(pin);
    if (p != nullptr && p->wait_token == id) core_.complete(*p, static_cast<std::uint32_t>(-fe::path_down));
    return true;
  }
  return false;
}

void ProcessLifecycle::on_cpu_down(int cpu) {
  for (auto it = creates_.begin(); it != creates_.end();) {
    if (it->second.dst_cpu != cpu) {
      ++it;
      continue;
    }
    const std::uint64_t id = it->first;
    const int pin = it->second.pin;
    it = creates_.erase(it);
    Process* p = core_.processes.find(pin);
    if (p != nullptr && p->wait_token == id) core_.complete(*p, static_cast<std::uint32_t>(-fe::path_down));
  }
}

void ProcessLifecycle::stop(Process& p, std::int32_t exit_code) {
  terminate(p, false, exit_code, "", true);
}

void ProcessLifecycle::abend(Process& p, const std::string& reason) {
  terminate(p, true, 0, reason, true);
}

void ProcessLifecycle::stoppair(Process& p, std::int32_t exit_code) {
  if (p.role != PairRole::primary || p.partner == kNoPid) {
    stop(p, exit_code);
    return;
  }
  pairs_.stop_backup(p, exit_code);
  terminate(p, false, exit_code, "", false);
}

void ProcessLifecycle::terminate(Process& p, bool abended, std::int32_t exit_code, const std::string& reason,
                                 bool tell_partner) {
  const Pid pid = core_.pid(p);
  if (abended)
    core_.emit(core_.process_event("abend", p).with("reason", reason).with("p", p.ps.regs.p));
  else
    core_.emit(core_.process_event("process_stop", p).with("exit", exit_code));
  messages_.on_process_gone(p);
  pairs_.on_process_gone(p);
  core_.cancel_wait(p);
  p.status = ProcessStatus::stopped;

  Pid notify = kNoPid;
  if (p.partner != kNoPid) {
    // With a partner the pair lives on: a primary's backup takes over (its kernel updates the table), a
    // backup's primary records the loss. Ending the pair as a whole removes the name here.
    if (tell_partner)
      notify = p.partner;
    else if (p.role == PairRole::primary && !p.name.empty())
      core_.publish_removal(p.name);
  } else {
    if (!p.name.empty() && p.role != PairRole::backup) {
      const Destination* d = core_.destinations.find(p.name);
      if (d != nullptr && d->primary == pid) core_.publish_removal(p.name);
    }
    notify = p.creator;
  }
  if (notify != kNoPid && core_.is_up(pid_cpu(notify))) {
    DeletionMsg m;
    m.deleted = pid;
    m.recipient = notify;
    m.name = p.name;
    m.abended = abended;
    m.exit_code = exit_code;
    core_.send(pid_cpu(notify), encode(m));
  }

  EndedProcess e;
  e.pin = p.pin;
  e.name = p.name;
  e.program = p.program_name;
  e.abended = abended;
  e.exit_code = exit_code;
  e.reason = reason;
  e.output = std::move(p.output);
  core_.processes.record_end(std::move(e));
  core_.memory.release(p.memory_offset, p.ps.data_words);
  core_.processes.remove(p.pin);  // `p` is gone from here on
}

void ProcessLifecycle::on_deletion(int, const DeletionMsg& m) {
  Process* r = core_.processes.find(pid_pin(m.recipient));
  if (r == nullptr) return;
  namespace ck = guest::ckpt;
  if (r->role == PairRole::backup && r->partner == m.deleted) {
    pairs_.takeover(*r, m.abended ? ck::reason_abended : ck::reason_stopped, m.deleted, m.abended, m.exit_code);
    return;
  }
  if (r->role == PairRole::primary && r->partner == m.deleted) pairs_.backup_lost(*r);
  messages_.deliver_system_message(*r, {guest::sysmsg::deletion, m.deleted, m.abended ? 1 : 0, m.exit_code});
}

void ProcessLifecycle::on_pair_stop(int, const PairOpMsg& m) {
  Process* b = core_.processes.find(pid_pin(m.to));
  if (b != nullptr && b->role == PairRole::backup && b->partner == m.from) terminate(*b, false, m.exit_code, "", false);
}

}  // namespace pairsim::cpu
