#include "cpu/kernel/message_system.hpp"

#include <algorithm>
#include <cctype>

#include "cpu/kernel/backup_image.hpp"
#include "cpu/kernel/guest_buffer.hpp"
#include "guest/process_name.hpp"
#include "guest/syscalls.hpp"

namespace pairsim::cpu {

namespace {
// A server that does not read its $RECEIVE must not grow the kernel without bound: beyond this many queued
// system messages the oldest is dropped (Guardian lets -2 expire after 3 minutes for the same reason).
constexpr std::size_t kMaxQueuedSystemMessages = 64;
}  // namespace

MessageSystem::MessageSystem(KernelCore& core) : core_(core) {}

bool MessageSystem::valid_process_name(const std::string& name) {
  return guest::is_process_name(name);
}

std::int32_t MessageSystem::open(Process& p, const std::string& name, std::uint32_t sync_depth) {
  if (name == "$RECEIVE") {
    auto& f = p.files[guest::kReceiveFile];
    if (!f.receive) {
      f = OpenFile{};
      f.receive = true;
      f.open_id = core_.new_open_id();
    }
    return guest::kReceiveFile;
  }
  if (!valid_process_name(name)) return -guest::fe::bad_name;
  const Destination* d = core_.destinations.find(name);
  if (d == nullptr) return -guest::fe::no_such_name;
  if (d->files) return -guest::fe::invalid_op;  // a volume: its files are opened with fopen
  for (int file = guest::kReceiveFile + 1; file < guest::kMaxOpenFiles; ++file) {
    if (p.files.count(file) != 0) continue;
    OpenFile f;
    f.target = name;
    f.sync_depth = sync_depth;
    f.open_id = core_.new_open_id();
    p.files[file] = f;
    return file;
  }
  return -guest::fe::no_files;
}

std::int32_t MessageSystem::close(Process& p, int file) {
  if (p.files.erase(file) == 0) return -guest::fe::not_open;
  return 0;
}

std::optional<std::int32_t> MessageSystem::writeread(Process& p, int file, std::vector<std::uint8_t> request,
                                                     std::uint32_t reply_addr, std::uint32_t reply_max) {
  auto it = p.files.find(file);
  if (it == p.files.end()) return -guest::fe::not_open;
  if (it->second.receive || !it->second.disk_file.empty()) return -guest::fe::invalid_op;
  if (request.size() > guest::kMaxMessageBytes || reply_max > guest::kMaxMessageBytes) return -guest::fe::bad_count;
  return start_request(p, file, std::move(request), reply_addr, reply_max, ReplyUse::bytes);
}

std::int32_t MessageSystem::open_disk_file(Process& p, const std::string& volume, const std::string& file) {
  if (!valid_process_name(volume)) return -guest::fe::bad_name;
  const Destination* d = core_.destinations.find(volume);
  if (d == nullptr) return -guest::fe::no_such_name;
  if (!d->files) return -guest::fe::invalid_op;  // a process, not a volume
  for (int n = guest::kReceiveFile + 1; n < guest::kMaxOpenFiles; ++n) {
    if (p.files.count(n) != 0) continue;
    OpenFile f;
    f.target = volume;
    f.disk_file = file;
    f.sync_depth = 1;  // the file system always resends to the volume's new primary
    f.open_id = core_.new_open_id();
    p.files[n] = f;
    return n;
  }
  return -guest::fe::no_files;
}

std::optional<std::int32_t> MessageSystem::file_request(Process& p, int file, std::vector<std::uint8_t> request,
                                                        std::uint32_t reply_addr, std::uint32_t reply_max,
                                                        ReplyUse use) {
  auto it = p.files.find(file);
  if (it == p.files.end()) return -guest::fe::not_open;
  if (it->second.disk_file.empty()) return -guest::fe::invalid_op;
  if (request.size() > guest::kMaxRequestBytes || reply_max > guest::kMaxMessageBytes) return -guest::fe::bad_count;
  return start_request(p, file, std::move(request), reply_addr, reply_max, use);
}

std::optional<std::int32_t> MessageSystem::start_request(Process& p, int file, std::vector<std::uint8_t> request,
                                                         std::uint32_t reply_addr, std::uint32_t reply_max,
                                                         ReplyUse use) {
  OpenFile& f = p.files.at(file);
  const Destination* d = core_.destinations.find(f.target);
  if (d == nullptr) {
    core_.emit(core_.process_event("path_error", p).with("file", file).with("target", f.target));
    return -guest::fe::path_down;
  }
  ++f.sync_id;
  const std::uint64_t id = core_.new_id();
  Outstanding& o = outstanding_[id];
  o.pin = p.pin;
  o.file = file;
  o.target = f.target;
  o.open_id = f.open_id;
  o.sync_id = f.sync_id;
  o.sync_depth = f.sync_depth;
  o.data = std::move(request);
  o.reply_addr = reply_addr;
  o.reply_max = reply_max;
  o.use = use;
  o.since_ns = core_.now();
  core_.block(p, WaitReason::writeread);
  p.wait_token = id;
  detail_event("send", p, f.target, o.data.size(), o.sync_id);
  if (!core_.is_up(pid_cpu(d->primary))) {
    o.sent_to = d->primary;
    path_error(id);
  } else {
    send_request(id, o, d->primary);
  }
  return std::nullopt;
}

void MessageSystem::send_request(std::uint64_t id, Outstanding& o, Pid target) {
  RequestMsg m;
  m.req_id = id;
  m.src_pin = static_cast<std::uint16_t>(o.pin);
  m.dst_pin = static_cast<std::uint16_t>(pid_pin(target));
  m.target = o.target;
  m.open_id = o.open_id;
  m.sync_id = o.sync_id;
  m.reply_max = o.reply_max;
  // The request's bytes are lent to the message for encoding: the requester keeps them for a resend.
  m.data = std::move(o.data);
  std::vector<std::uint8_t> payload = encode(m);
  o.data = std::move(m.data);
  o.sent_to = target;
  o.waiting_retry = false;
  o.msg_id = core_.send(pid_cpu(target), std::move(payload));
}

void MessageSystem::path_error(std::uint64_t id) {
  auto it = outstanding_.find(id);
  if (it == outstanding_.end()) return;
  Outstanding& o = it->second;
  // A new episode: the first path error, or one from a later primary than the one that failed before (the
  // pair took over, answered resends, then lost that primary too). Errors from the same failed primary
  // while its takeover settles stay in the first episode's bounded wait.
  const bool new_episode = !o.resending || o.sent_to != o.failed_primary;
  if (new_episode) {
    if (const Process* p = core_.processes.find(o.pin))
      core_.emit(core_.process_event("path_error", *p).with("file", o.file).with("target", o.target));
  }
  if (o.sync_depth == 0) {
    finish(id, static_cast<std::uint32_t>(guest::fe::path_down), {});
    return;
  }
  if (new_episode) {
    o.resending = true;
    o.failed_primary = o.sent_to;
    o.give_up_ns = core_.now() + 3 * core_.cfg.heartbeat_ns;
  }
  o.waiting_retry = true;
  try_resend(id, false);
}

void MessageSystem::try_resend(std::uint64_t id, bool retry_due) {
  auto it = outstanding_.find(id);
  if (it == outstanding_.end()) return;
  Outstanding& o = it->second;
  const Destination* d = core_.destinations.find(o.target);
  if (d == nullptr || core_.now() >= o.give_up_ns) {
    finish(id, static_cast<std::uint32_t>(guest::fe::path_down), {});
    return;
  }
  const Pid target = d->primary;
  if (!core_.is_up(pid_cpu(target)) || (target == o.sent_to && !retry_due)) {
    schedule_retry(id, o);
    return;
  }
  if (const Process* p = core_.processes.find(o.pin))
    core_.emit(core_.process_event("fs_resend", *p).with("target", o.target).with("sync_id", o.sync_id));
  send_request(id, o, target);
}

void MessageSystem::schedule_retry(std::uint64_t id, Outstanding& o) {
  if (o.retry_ns != 0) retries_.erase({o.retry_ns, id});
  // Short against the heartbeat: the takeover that the resend waits for follows the same agreed failure.
  o.retry_ns = core_.now() + std::max<std::uint64_t>(core_.cfg.heartbeat_ns / 20, 100'000);
  retries_.emplace(o.retry_ns, id);
}

void MessageSystem::finish(std::uint64_t id, std::uint32_t error, const std::vector<std::uint8_t>& data) {
  auto it = outstanding_.find(id);
  if (it == outstanding_.end()) return;
  const Outstanding o = std::move(it->second);
  outstanding_.erase(it);
  if (o.retry_ns != 0) retries_.erase({o.retry_ns, id});
  Process* p = core_.processes.find(o.pin);
  if (p == nullptr || p->wait != WaitReason::writeread || p->wait_token != id) return;
  const auto n = static_cast<std::uint32_t>(std::min<std::size_t>(data.size(), o.reply_max));
  detail_event("receive", *p, o.target, n, o.sync_id);
  const auto failed = static_cast<std::uint32_t>(-static_cast<std::int32_t>(error));
  switch (o.use) {
    case ReplyUse::bytes:
      if (!write_bytes(p->ps, o.reply_addr, data.data(), n)) p->pending_trap = Trap::bad_argument;
      core_.complete(*p, error != 0 ? failed : n);
      return;
    case ReplyUse::value: {
      std::uint32_t v = 0;
      for (std::size_t i = 0; i < 4 && i < data.size(); ++i) v |= static_cast<std::uint32_t>(data[i]) << (8 * i);
      core_.complete(*p, error != 0 ? failed : v);
      return;
    }
    case ReplyUse::open:
      if (error != 0) p->files.erase(o.file);
      core_.complete(*p, error != 0 ? failed : static_cast<std::uint32_t>(o.file));
      return;
    case ReplyUse::transient:
      p->files.erase(o.file);
      core_.complete(*p, error != 0 ? failed : 0u);
      return;
  }
}

void MessageSystem::on_reply(int src_cpu, const ReplyMsg& m) {
  auto it = outstanding_.find(m.req_id);
  if (it == outstanding_.end()) return;
  const Outstanding& o = it->second;
  // A late answer from a server this request has since given up on.
  if (o.waiting_retry || src_cpu != pid_cpu(o.sent_to)) return;
  if (m.rejected && m.error == static_cast<std::uint32_t>(guest::fe::path_down)) {
    path_error(m.req_id);
    return;
  }
  finish(m.req_id, m.error, m.data);
}

bool MessageSystem::on_send_failed(std::uint64_t msg_id) {
  for (auto& [id, o] : outstanding_) {
    if (o.msg_id == msg_id && !o.waiting_retry) {
      path_error(id);
      return true;
    }
  }
  return false;
}

void MessageSystem::on_cpu_down(int cpu) {
  std::vector<std::uint64_t> failed;
  for (const auto& [id, o] : outstanding_)
    if (!o.waiting_retry && pid_cpu(o.sent_to) == cpu) failed.push_back(id);
  for (auto id : failed) path_error(id);
}

void MessageSystem::on_destination_changed(const std::string& name) {
  std::vector<std::uint64_t> waiting;
  for (const auto& [id, o] : outstanding_)
    if (o.waiting_retry && o.target == name) waiting.push_back(id);
  for (auto id : waiting) try_resend(id, false);
}

std::optional<std::uint64_t> MessageSystem::next_timer_ns() const {
  if (retries_.empty()) return std::nullopt;
  return retries_.begin()->first;
}

void MessageSystem::on_time(std::uint64_t now) {
  while (!retries_.empty() && retries_.begin()->first <= now) {
    const std::uint64_t id = retries_.begin()->second;
    retries_.erase(retries_.begin());
    auto it = outstanding_.find(id);
    if (it == outstanding_.end() || !it->second.waiting_retry) continue;
    it->second.retry_ns = 0;
    try_resend(id, true);
  }
}

std::vector<MessageSystem::OpenRequest> MessageSystem::open_requests() const {
  std::vector<OpenRequest> out;
  for (const auto& [id, o] : outstanding_) {
    const Process* p = core_.processes.find(o.pin);
    if (p == nullptr || p->wait != WaitReason::writeread || p->wait_token != id) continue;
    out.push_back({o.pin, p->name, o.target, o.sync_id, o.since_ns});
  }
  return out;
}

// ---- server side ----

void MessageSystem::reject(int cpu, std::uint64_t req_id, std::uint32_t error) {
  ReplyMsg r;
  r.req_id = req_id;
  r.error = error;
  r.rejected = true;
  core_.send(cpu, encode(r));
}

void MessageSystem::send_reply(const ReceivedMessage& to, std::uint32_t error, std::vector<std::uint8_t> data) {
  ReplyMsg r;
  r.req_id = to.req_id;
  r.error = error;
  r.data = std::move(data);
  core_.send(to.src_cpu, encode(r));
}

void MessageSystem::on_request(int src_cpu, RequestMsg&& m) {
  Process* p = core_.processes.find(m.dst_pin);
  if (p == nullptr || p->name != m.target || p->role == PairRole::backup) {
    reject(src_cpu, m.req_id, static_cast<std::uint32_t>(guest::fe::path_down));
    return;
  }
  auto saved = p->receive_sync.find(m.open_id);
  // A resend of a retryable request whose reply was not kept is done again (below), as a new request.
  const bool redo = saved != p->receive_sync.end() && !saved->second.kept && m.sync_id == saved->second.sync_id;
  if (saved != p->receive_sync.end() && m.sync_id <= saved->second.sync_id && !redo) {
    if (m.sync_id < saved->second.sync_id) {
      reject(src_cpu, m.req_id, static_cast<std::uint32_t>(guest::fe::sync_too_old));
      return;
    }
    core_.emit(
        sim::TraceEvent(0, "duplicate").with("pair", p->name).with("cpu", core_.cfg.cpu).with("sync_id", m.sync_id));
    ReceivedMessage to;
    to.src_cpu = src_cpu;
    to.req_id = m.req_id;
    auto data = saved->second.data;
    if (data.size() > m.reply_max) data.resize(m.reply_max);
    send_reply(to, saved->second.error, std::move(data));
    return;
  }
  // The same request again while the server still works on it (the requester resent after a path error
  // that did not reach this process): the eventual reply goes to the newest copy.
  auto same = [&](ReceivedMessage& r) {
    if (r.tag == 0 || r.open_id != m.open_id || r.sync_id != m.sync_id) return false;
    r.src_cpu = src_cpu;
    r.req_id = m.req_id;
    r.reply_max = m.reply_max;
    return true;
  };
  for (auto& r : p->receive_queue)
    if (same(r)) return;
  for (auto& [tag, r] : p->pending)
    if (same(r)) return;

  ReceivedMessage r;
  r.tag = p->next_tag++;
  if (p->next_tag == 0) p->next_tag = 1;
  r.sender = make_pid(src_cpu, m.src_pin);
  r.data = std::move(m.data);
  r.src_cpu = src_cpu;
  r.req_id = m.req_id;
  r.open_id = m.open_id;
  r.sync_id = m.sync_id;
  r.reply_max = m.reply_max;
  deliver(*p, std::move(r));
}

void MessageSystem::deliver_system_message(Process& p, const std::vector<std::int32_t>& words) {
  core_.emit(core_.process_event("system_message", p).with("code", words.empty() ? 0 : words[0]));
  std::size_t queued = 0;
  for (const auto& r : p.receive_queue)
    if (r.tag == 0) ++queued;
  if (queued >= kMaxQueuedSystemMessages) {
    auto oldest = std::find_if(p.receive_queue.begin(), p.receive_queue.end(),
                               [](const ReceivedMessage& r) { return r.tag == 0; });
    p.receive_queue.erase(oldest);
    core_.warn("process " + pid_string(core_.pid(p)) + " does not read $RECEIVE: oldest system message dropped");
  }
  ReceivedMessage r;
  r.data = words_to_bytes(words);
  deliver(p, std::move(r));
}

void MessageSystem::deliver(Process& p, ReceivedMessage m) {
  if (p.wait == WaitReason::readupdate) {
    const std::int32_t n = hand_over(p, std::move(m), p.wait_addr, p.wait_max);
    core_.complete(p, static_cast<std::uint32_t>(n));
    return;
  }
  p.receive_queue.push_back(std::move(m));
}

std::int32_t MessageSystem::hand_over(Process& p, ReceivedMessage m, std::uint32_t buf, std::uint32_t max) {
  const auto n = static_cast<std::uint32_t>(std::min<std::size_t>(m.data.size(), max));
  if (!write_bytes(p.ps, buf, m.data.data(), n)) p.pending_trap = Trap::bad_argument;
  p.last_tag = m.tag;
  p.last_sender = m.sender;
  if (core_.detail())  // the sender's name is built only for a trace that shows it
    detail_event("receive", p, m.tag == 0 ? std::string("system") : pid_string(m.sender), n, m.tag);
  if (m.tag != 0) {
    // What the backup lacks already: a reply to this request is ahead of it only for what the request changes.
    if (p.role == PairRole::primary && p.partner != kNoPid) m.unsaved_at_read = image_differences(p);
    m.data.clear();
    m.data.shrink_to_fit();
    const std::uint32_t tag = m.tag;
    p.pending[tag] = std::move(m);
  }
  return static_cast<std::int32_t>(n);
}

std::optional<std::int32_t> MessageSystem::readupdate(Process& p, int file, std::uint32_t buf, std::uint32_t max) {
  auto it = p.files.find(file);
  if (it == p.files.end()) return -guest::fe::not_open;
  if (!it->second.receive) return -guest::fe::invalid_op;
  if (!p.receive_queue.empty()) {
    ReceivedMessage m = std::move(p.receive_queue.front());
    p.receive_queue.pop_front();
    return hand_over(p, std::move(m), buf, max);
  }
  core_.block(p, WaitReason::readupdate);
  p.wait_addr = buf;
  p.wait_max = max;
  return std::nullopt;
}

std::int32_t MessageSystem::reply(Process& p, std::uint32_t tag, std::vector<std::uint8_t> data, std::uint32_t error,
                                  bool send) {
  if (tag == 0) return 0;  // system messages need no reply
  auto it = p.pending.find(tag);
  if (it == p.pending.end()) return -guest::fe::bad_tag;
  if (data.size() > guest::kMaxMessageBytes) return -guest::fe::bad_count;
  if (data.size() > it->second.reply_max) data.resize(it->second.reply_max);
  p.pair_history = true;  // a backup made from now on must not take over as if nothing had been answered
  auto saved_it = p.receive_sync.find(it->second.open_id);
  const bool saved_before = saved_it != p.receive_sync.end() && saved_it->second.sync_id == it->second.sync_id;
  if (send && !saved_before && p.native != nullptr && p.native->replies_retryable()) {
    // A retryable request's reply is not kept (native_program.hpp), only its sync ID: a resend of it is done
    // again, an older request refused. The opener's older saved reply goes: its requester has moved past it.
    SavedReply& saved = p.receive_sync[it->second.open_id];
    saved.sync_id = it->second.sync_id;
    saved.error = 0;
    saved.data.clear();
    saved.kept = false;
  } else {
    SavedReply& saved = p.receive_sync[it->second.open_id];
    saved.sync_id = it->second.sync_id;
    saved.error = error;
    saved.data = data;
    saved.kept = true;
  }
  if (!send) return 0;
  if (core_.detail()) detail_event("send", p, pid_string(it->second.sender), data.size(), tag);
  send_reply(it->second, error, std::move(data));
  p.pending.erase(it);
  return 0;
}

// ---- process changes ----

void MessageSystem::cancel_request(Process& p) {
  for (auto it = outstanding_.begin(); it != outstanding_.end();) {
    if (it->second.pin == p.pin) {
      if (it->second.retry_ns != 0) retries_.erase({it->second.retry_ns, it->first});
      it = outstanding_.erase(it);
    } else {
      ++it;
    }
  }
}

void MessageSystem::reject_received(Process& p) {
  const auto path_down = static_cast<std::uint32_t>(guest::fe::path_down);
  std::deque<ReceivedMessage> kept;
  for (auto& r : p.receive_queue) {
    if (r.tag == 0)
      kept.push_back(std::move(r));
    else
      reject(r.src_cpu, r.req_id, path_down);
  }
  p.receive_queue = std::move(kept);
  for (const auto& [tag, r] : p.pending) reject(r.src_cpu, r.req_id, path_down);
  p.pending.clear();
}

void MessageSystem::on_process_gone(Process& p) {
  cancel_request(p);
  reject_received(p);
}

void MessageSystem::detail_event(const char* kind, const Process& p, const std::string& other, std::size_t bytes,
                                 std::uint32_t tag) {
  if (!core_.detail()) return;
  core_.emit(core_.process_event(kind, p)
                 .with("target", other)
                 .with("bytes", static_cast<std::uint64_t>(bytes))
                 .with("tag", tag)
                 .as_detail());
}

}  // namespace pairsim::cpu
