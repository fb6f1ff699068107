#include "cpu/kernel/process_pairs.hpp"

#include <algorithm>

#include "cpu/kernel/backup_image.hpp"
#include "cpu/kernel/guest_buffer.hpp"
#include "guest/syscalls.hpp"

namespace pairsim::cpu {

namespace ck = guest::ckpt;
namespace fe = guest::fe;

const char* takeover_reason(std::uint32_t reason) {
  switch (reason) {
    case ck::reason_stopped:
      return "primary stopped";
    case ck::reason_abended:
      return "primary abended";
    case ck::reason_cpu_failed:
      return "processor failed";
    case ck::reason_checkswitch:
      return "checkswitch";
  }
  return "?";
}

ProcessPairs::ProcessPairs(KernelCore& core, MessageSystem& messages) : core_(core), messages_(messages) {}

namespace {
bool has_backup(const Process& p) {
  return p.role == PairRole::primary && p.partner != kNoPid;
}
constexpr std::uint32_t no_backup_status() {
  return ck::status(ck::kind_no_backup, fe::no_backup);
}
constexpr std::uint32_t bad_param(std::uint32_t n) {
  return ck::status(ck::kind_bad_param, n);
}
}  // namespace

// ---- primary side ----

FileSync ProcessPairs::sync_block(const Process& p, int file) const {
  FileSync f;
  f.file = file;
  auto it = p.files.find(file);
  if (it != p.files.end()) {
    f.open = it->second;
    if (f.open.receive) f.receive = p.receive_sync;
  }
  return f;
}

std::optional<std::uint32_t> ProcessPairs::send_op(Process& p, PairOpMsg m, WaitReason wait) {
  const int dst = pid_cpu(p.partner);
  if (!core_.is_up(dst)) return ck::status(ck::kind_no_backup, fe::path_down);
  m.op_id = core_.new_id();
  m.from = core_.pid(p);
  m.to = p.partner;
  m.pair = p.name;
  core_.block(p, wait);
  p.wait_token = m.op_id;
  PendingOp& op = pending_[m.op_id];
  op.pin = p.pin;
  op.dst_cpu = dst;
  op.kind = m.kind;
  op.msg_id = core_.send(dst, encode(m));
  return std::nullopt;
}

// Descriptor at `d` (words): flags (bit 0: the stack), n buffers (<= 13), n × (address, length in words),
// m files (<= 8), m × file number. Parameter numbers in the error status: 1 the descriptor, 2 a buffer,
// 3 a file, 7 the whole checkpoint is too large.
std::optional<std::uint32_t> ProcessPairs::checkpoint(Process& p, std::uint32_t d) {
  if (!has_backup(p)) return no_backup_status();
  const ProcessState& ps = p.ps;
  if (!ps.in_data(d, 2)) return bad_param(1);
  const std::uint32_t flags = ps.data[d];
  const std::uint32_t nbuf = ps.data[d + 1];
  if ((flags & ~ck::flag_stack) != 0 || nbuf > ck::max_buffers || !ps.in_data(d + 2, 2 * nbuf + 1)) return bad_param(1);
  std::uint64_t words = 0;
  for (std::uint32_t i = 0; i < nbuf; ++i) {
    const std::uint32_t addr = ps.data[d + 2 + 2 * i];
    const std::uint32_t len = ps.data[d + 3 + 2 * i];
    if (!ps.in_data(addr, len)) return bad_param(2);
    words += len;
  }
  const std::uint32_t files_at = d + 2 + 2 * nbuf;
  const std::uint32_t nfiles = ps.data[files_at];
  if (nfiles > ck::max_files || !ps.in_data(files_at + 1, nfiles)) return bad_param(1);
  for (std::uint32_t i = 0; i < nfiles; ++i) {
    const auto file = static_cast<int>(ps.data[files_at + 1 + i]);
    if (p.files.count(file) == 0) return bad_param(3);
    if (p.files.at(file).receive)
      for (const auto& [id, saved] : p.receive_sync) words += 4 + saved.data.size() / 4;
  }
  const bool stack = (flags & ck::flag_stack) != 0;
  // S + 1 - stack_base stack words; S = stack_base - 1 (which may wrap) is an empty stack.
  const std::uint32_t stack_words = stack ? ps.regs.s + 1 - ps.stack_base : 0;
  words += stack_words;
  if (words * 4 > guest::kMaxCheckpointBytes) return bad_param(7);

  PairOpMsg m;
  m.kind = PairOpKind::checkpoint;
  std::uint64_t bytes = 0;
  for (std::uint32_t i = 0; i < nbuf; ++i) {
    const std::uint32_t addr = ps.data[d + 2 + 2 * i];
    const std::uint32_t len = ps.data[d + 3 + 2 * i];
    m.buffers.emplace_back(addr, std::vector<std::uint32_t>(ps.data + addr, ps.data + addr + len));
    bytes += 4ull * len;
  }
  if (stack) {
    m.has_stack = true;
    m.regs = ps.regs;  // the arguments are popped and P is past the SYS: this is the restart point
    m.stack.assign(ps.data + ps.stack_base, ps.data + ps.stack_base + stack_words);
    bytes += 4ull * stack_words;
  }
  bool carries_receive = false;
  for (std::uint32_t i = 0; i < nfiles; ++i) {
    const auto file = static_cast<int>(ps.data[files_at + 1 + i]);
    carries_receive = carries_receive || p.files.at(file).receive;
    m.files.push_back(sync_block(p, file));
  }
  ++p.checkpoints_sent;
  note_unsaved_work(p, m.buffers, carries_receive);
  p.backup_has_state = true;
  for (const auto& [addr, words] : m.buffers)
    remember_buffer(p.backup_image, addr, words.data(), static_cast<std::uint32_t>(words.size()));
  core_.emit(sim::TraceEvent(0, "checkpoint")
                 .with("pair", p.name)
                 .with("cpu", core_.cfg.cpu)
                 .with("bytes", bytes)
                 .with("buffers", nbuf)
                 .with_bool("stack", stack)
                 .with("seq", p.checkpoints_sent));
  return send_op(p, std::move(m), WaitReason::checkpoint);
}

namespace {
// The backup is sent $RECEIVE's sync block: from now on it holds these saved replies.
void note_saved_replies_sent(Process& p) {
  p.backup_saved.clear();
  for (const auto& [open_id, saved] : p.receive_sync)
    if (saved.kept) p.backup_saved[open_id] = saved.sync_id;
}
}  // namespace

void ProcessPairs::note_unsaved_work(Process& p, const BackupImage& buffers, bool carries_receive) {
  if (carries_receive) note_saved_replies_sent(p);
  if (p.native != nullptr) return;
  // What changed since a request was read is that request's work only while it is the one request open.
  const ReceivedMessage* open = nullptr;
  for (const auto& [tag, r] : p.pending) {
    if (tag == 0) continue;
    if (open != nullptr) return;
    open = &r;
  }
  if (open == nullptr) return;
  if (const auto it = p.backup_saved.find(open->open_id); it != p.backup_saved.end() && it->second == open->sync_id)
    return;  // the backup holds the reply: a resend is answered from it
  if (!checkpoint_carries_work(p, *open, buffers)) return;
  core_.emit(sim::TraceEvent(0, "checkpoint_unsaved")
                 .with("pair", p.name)
                 .with("cpu", core_.cfg.cpu)
                 .with("pin", p.pin)
                 .with("backup_cpu", pid_cpu(p.partner))
                 .with("to", pid_string(open->sender))
                 .with("sync_id", open->sync_id)
                 .with("checkpoint", p.checkpoints_sent));
}

void ProcessPairs::on_reply(const Process& p, std::uint32_t tag, std::uint32_t addr, std::uint32_t bytes) {
  if (p.role != PairRole::primary || p.partner == kNoPid || tag == 0) return;
  const auto it = p.pending.find(tag);
  if (it == p.pending.end()) return;
  if (!reply_ahead_of_backup(p, it->second, addr, words_for_bytes(bytes))) return;
  core_.emit(sim::TraceEvent(0, "reply_ahead")
                 .with("pair", p.name)
                 .with("cpu", core_.cfg.cpu)
                 .with("pin", p.pin)
                 .with("backup_cpu", pid_cpu(p.partner))
                 .with("to", pid_string(it->second.sender))
                 .with("sync_id", it->second.sync_id)
                 .with("checkpoints", p.checkpoints_sent));
}

std::optional<std::uint32_t> ProcessPairs::checkopen(Process& p, int file) {
  if (!has_backup(p)) return no_backup_status();
  if (p.files.count(file) == 0) return bad_param(1);
  PairOpMsg m;
  m.kind = PairOpKind::checkopen;
  m.files.push_back(sync_block(p, file));
  sim::TraceEvent e(0, "checkopen");
  e.with("pair", p.name).with("cpu", core_.cfg.cpu).with("file", file);
  // A disk file's open: the backup gets the very open (the same open id and sync ID), so that the disk
  // process takes the backup's requests after a takeover for its primary's.
  const OpenFile& f = p.files.at(file);
  if (!f.disk_file.empty()) e.with("name", f.target + "." + f.disk_file);
  if (f.receive) note_saved_replies_sent(p);
  core_.emit(std::move(e));
  return send_op(p, std::move(m), WaitReason::checkpoint);
}

std::optional<std::uint32_t> ProcessPairs::checkclose(Process& p, int file) {
  if (!has_backup(p)) return no_backup_status();
  if (file < 0 || file >= guest::kMaxOpenFiles) return bad_param(1);
  PairOpMsg m;
  m.kind = PairOpKind::checkclose;
  FileSync f;
  f.file = file;
  m.files.push_back(f);
  core_.emit(sim::TraceEvent(0, "checkclose").with("pair", p.name).with("cpu", core_.cfg.cpu).with("file", file));
  return send_op(p, std::move(m), WaitReason::checkpoint);
}

std::optional<std::uint32_t> ProcessPairs::checkswitch(Process& p) {
  if (!has_backup(p)) return no_backup_status();
  core_.emit(sim::TraceEvent(0, "checkswitch")
                 .with("pair", p.name)
                 .with("from_cpu", core_.cfg.cpu)
                 .with("to_cpu", pid_cpu(p.partner)));
  PairOpMsg m;
  m.kind = PairOpKind::checkswitch;
  return send_op(p, std::move(m), WaitReason::checkswitch);
}

void ProcessPairs::stop_backup(Process& p, std::int32_t exit_code) {
  if (!has_backup(p) || !core_.is_up(pid_cpu(p.partner))) return;
  PairOpMsg m;
  m.op_id = core_.new_id();
  m.kind = PairOpKind::stop;
  m.from = core_.pid(p);
  m.to = p.partner;
  m.pair = p.name;
  m.exit_code = exit_code;
  core_.send(pid_cpu(p.partner), encode(m));
}

void ProcessPairs::on_pair_ack(int, const PairAckMsg& a) {
  auto it = pending_.find(a.op_id);
  if (it == pending_.end()) return;
  const PendingOp op = it->second;
  pending_.erase(it);
  Process* p = core_.processes.find(op.pin);
  if (p == nullptr || p->wait_token != a.op_id) return;
  if (op.kind == PairOpKind::checkswitch && a.status == 0) {
    // The roles have reversed: this process is the backup now and waits in CHECKMONITOR; the result of
    // its CHECKSWITCH is the status of the takeover that one day makes it primary again.
    p->role = PairRole::backup;
    p->restart.reset();
    p->takeover_status.reset();
    // It holds the data it checkpointed itself; what the new primary sends from now on is counted afresh.
    p->checkpoints_applied = 0;
    p->applied_regions.clear();
    for (const auto& [addr, words] : p->backup_image)
      remember_region(p->applied_regions, addr, static_cast<std::uint32_t>(words.size()));
    p->backup_image.clear();
    messages_.reject_received(*p);
    p->wait = WaitReason::checkmonitor;
    p->wait_token = 0;
    core_.emit(sim::TraceEvent(0, "checkmonitor").with("pair", p->name).with("cpu", core_.cfg.cpu).with("pin", p->pin));
    return;
  }
  core_.complete(*p, a.status);
}

void ProcessPairs::fail_op(std::uint64_t op_id, std::uint32_t status) {
  auto it = pending_.find(op_id);
  if (it == pending_.end()) return;
  const int pin = it->second.pin;
  pending_.erase(it);
  Process* p = core_.processes.find(pin);
  if (p != nullptr && p->wait_token == op_id) core_.complete(*p, status);
}

bool ProcessPairs::on_send_failed(std::uint64_t msg_id) {
  for (const auto& [id, op] : pending_) {
    if (op.msg_id == msg_id) {
      fail_op(id, ck::status(ck::kind_no_backup, fe::path_down));
      return true;
    }
  }
  return false;
}

void ProcessPairs::on_cpu_down(int cpu) {
  std::vector<std::uint64_t> failed;
  for (const auto& [id, op] : pending_)
    if (op.dst_cpu == cpu) failed.push_back(id);
  for (auto id : failed) {
    const PendingOp op = pending_.at(id);
    Process* p = core_.processes.find(op.pin);
    if (op.kind != PairOpKind::checkswitch || p == nullptr || p->wait_token != id) {
      fail_op(id, ck::status(ck::kind_no_backup, fe::path_down));
      continue;
    }
    // A process in CHECKSWITCH has handed the role over: whether or not the other side took it before its
    // CPU failed, nothing was acknowledged from there (a new primary's first checkpoint needs this process in
    // CHECKMONITOR, which the switch's acknowledgement would have put it in). So this process, holding the
    // state it switched with, takes over: every table names it (promoted, or never changed), and its
    // CHECKSWITCH returns the takeover's status, as it would have from CHECKMONITOR.
    pending_.erase(id);
    p->partner = kNoPid;
    p->pair_history = true;
    core_.emit(sim::TraceEvent(0, "takeover")
                   .with("pair", p->name)
                   .with("from_cpu", cpu)
                   .with("to_cpu", core_.cfg.cpu)
                   .with("reason", takeover_reason(ck::reason_cpu_failed))
                   .with("restart_p", p->ps.regs.p)
                   .with("checkpoints", 0));  // it was never the other's backup: nothing applied from there
    core_.complete(*p, ck::status(ck::kind_takeover, ck::reason_cpu_failed));
    if ((p->monitor_mask >> cpu & 1u) == 0) messages_.deliver_system_message(*p, {guest::sysmsg::cpu_down, cpu});
  }

  std::vector<int> pins;
  for (const auto& [pin, p] : core_.processes.all()) pins.push_back(pin);
  for (int pin : pins) {
    Process* p = core_.processes.find(pin);
    if (p == nullptr || p->partner == kNoPid || pid_cpu(p->partner) != cpu) continue;
    if (p->role == PairRole::backup)
      takeover(*p, ck::reason_cpu_failed, p->partner, false, 0);
    else if (p->role == PairRole::primary)
      p->partner = kNoPid;  // every table dropped the backup by the same rule; nothing to publish
  }
}

void ProcessPairs::on_process_gone(Process& p) {
  for (auto it = pending_.begin(); it != pending_.end();)
    it = it->second.pin == p.pin ? pending_.erase(it) : std::next(it);
}

void ProcessPairs::backup_lost(Process& p) {
  p.partner = kNoPid;
  if (p.name.empty()) return;
  core_.destinations.set(p.name, core_.pid(p), kNoPid);
  core_.publish(p.name);
}

// ---- backup side ----

std::optional<std::uint32_t> ProcessPairs::checkmonitor(Process& p) {
  if (p.takeover_status) {
    const std::uint32_t s = *p.takeover_status;
    p.takeover_status.reset();
    return s;
  }
  if (p.role != PairRole::backup) return ck::status(ck::kind_no_backup, fe::invalid_op);
  core_.emit(sim::TraceEvent(0, "checkmonitor").with("pair", p.name).with("cpu", core_.cfg.cpu).with("pin", p.pin));
  core_.block(p, WaitReason::checkmonitor);
  while (!p.held_ops.empty() && p.role == PairRole::backup && p.wait == WaitReason::checkmonitor) {
    auto [src, m] = std::move(p.held_ops.front());
    p.held_ops.pop_front();
    apply(p, src, m);
  }
  return std::nullopt;
}

void ProcessPairs::on_pair_op(int src_cpu, const PairOpMsg& m) {
  Process* b = core_.processes.find(pid_pin(m.to));
  if (b == nullptr || b->role != PairRole::backup || b->partner != m.from || b->name != m.pair) {
    core_.send(src_cpu, encode(PairAckMsg{m.op_id, no_backup_status()}));
    return;
  }
  if (b->wait == WaitReason::checkmonitor)
    apply(*b, src_cpu, m);
  else
    b->held_ops.emplace_back(src_cpu, m);  // applied once it reaches CHECKMONITOR (and acknowledged then)
}

void ProcessPairs::apply_data(Process& b, const PairOpMsg& m) {
  if (m.kind == PairOpKind::checkpoint) {
    b.needs_state = false;
    ++b.checkpoints_applied;
  }
  ProcessState& ps = b.ps;
  for (const auto& [addr, words] : m.buffers) {
    const auto n = static_cast<std::uint32_t>(words.size());
    if (!ps.in_data(addr, n)) continue;  // same program: cannot happen
    std::copy(words.begin(), words.end(), ps.data + addr);
    remember_region(b.applied_regions, addr, n);
  }
  if (m.has_stack) {
    const auto n = static_cast<std::uint32_t>(m.stack.size());
    if (ps.in_data(ps.stack_base, n) && m.regs.s + 1 == ps.stack_base + n) {
      std::copy(m.stack.begin(), m.stack.end(), ps.data + ps.stack_base);
      b.restart = m.regs;
    }
  }
  for (const auto& f : m.files) {
    if (m.kind == PairOpKind::checkclose) {
      b.files.erase(f.file);
      continue;
    }
    b.files[f.file] = f.open;
    if (f.open.receive) b.receive_sync = f.receive;
  }
}

void ProcessPairs::apply(Process& b, int src_cpu, const PairOpMsg& m) {
  if (m.kind == PairOpKind::checkswitch && b.needs_state) {
    // A backup that has no checkpoint yet cannot go on from where the primary is: no switch.
    core_.send(src_cpu, encode(PairAckMsg{m.op_id, ck::status(ck::kind_no_backup, fe::no_state)}));
    return;
  }
  if (m.kind == PairOpKind::checkswitch)
    takeover(b, ck::reason_checkswitch, m.from, false, 0);
  else
    apply_data(b, m);
  core_.send(src_cpu, encode(PairAckMsg{m.op_id, 0}));
}

void ProcessPairs::takeover(Process& b, std::uint32_t reason, Pid old_primary, bool abended, std::int32_t exit_code) {
  if (b.role != PairRole::backup) return;
  const std::uint32_t status = ck::status(ck::kind_takeover, reason);
  // Operations still held for CHECKMONITOR were the old primary's last word and are part of its state.
  auto held = std::move(b.held_ops);
  b.held_ops.clear();
  for (const auto& [src, m] : held)
    if (m.kind != PairOpKind::checkswitch && m.kind != PairOpKind::stop) apply_data(b, m);
  if (b.needs_state && lose_pair_) {
    // Created after the pair already had a past and promoted before any checkpoint reached it: going on
    // would restart the pair from its initial state, every earlier acknowledged piece of work forgotten.
    core_.emit(sim::TraceEvent(0, "pair_lost")
                   .with("pair", b.name)
                   .with("cpu", pid_cpu(old_primary))
                   .with("reason", "its backup had received no checkpoint"));
    lose_pair_(b, "pair lost: the backup had received no checkpoint when it had to take over");
    return;
  }

  b.role = PairRole::primary;
  b.partner = reason == ck::reason_checkswitch ? old_primary : kNoPid;
  b.pair_history = true;
  const std::uint32_t restart_p = b.restart ? b.restart->p : b.ps.regs.p;
  core_.emit(sim::TraceEvent(0, "takeover")
                 .with("pair", b.name)
                 .with("from_cpu", pid_cpu(old_primary))
                 .with("to_cpu", core_.cfg.cpu)
                 .with("reason", takeover_reason(reason))
                 .with("restart_p", restart_p)
                 .with("checkpoints", b.checkpoints_applied));
  // A new link: after a checkswitch the old primary, now the backup, holds what this process was given.
  b.checkpoints_sent = 0;
  b.backup_image.clear();
  b.backup_saved.clear();
  b.backup_has_state = reason == ck::reason_checkswitch;
  if (b.backup_has_state) {
    for (const auto& [addr, n] : b.applied_regions)
      if (b.ps.in_data(addr, n))
        b.backup_image.emplace_back(addr, std::vector<std::uint32_t>(b.ps.data + addr, b.ps.data + addr + n));
    note_saved_replies_sent(b);  // the old primary, now the backup, holds the sync block this one was given
  }
  b.checkpoints_applied = 0;
  b.applied_regions.clear();
  core_.destinations.set(b.name, core_.pid(b), b.partner);
  core_.publish(b.name);

  if (b.restart) {
    // Resume where the old primary last checkpointed its stack: its registers, its stack words (already in
    // place), and the CHECKPOINT call there returns the takeover status.
    messages_.cancel_request(b);
    core_.cancel_wait(b);
    b.ps.regs = *b.restart;
    b.restart.reset();
    b.pending_trap.reset();  // a trap it stopped at in its own code is not the primary's
    b.takeover_status.reset();
    core_.complete(b, status);
  } else if (b.wait == WaitReason::checkmonitor || b.wait == WaitReason::checkswitch) {
    core_.complete(b, status);
  } else {
    b.takeover_status = status;  // still initialising: its CHECKMONITOR returns at once
  }

  if (reason == ck::reason_cpu_failed) {
    const int cpu = pid_cpu(old_primary);
    if ((b.monitor_mask >> cpu & 1u) == 0)  // a monitoring process gets its -2 with everybody else's
      messages_.deliver_system_message(b, {guest::sysmsg::cpu_down, cpu});
  } else if (reason == ck::reason_stopped || reason == ck::reason_abended) {
    messages_.deliver_system_message(b, {guest::sysmsg::deletion, old_primary, abended ? 1 : 0, exit_code});
  }
}

}  // namespace pairsim::cpu
