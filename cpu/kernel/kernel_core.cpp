#include "cpu/kernel/kernel_core.hpp"

#include "sim/trace/module_log.hpp"

namespace pairsim::cpu {

namespace {
std::uint64_t slice_instructions(const KernelConfig& cfg) {
  return static_cast<std::uint64_t>(static_cast<double>(cfg.slice_ns) * cfg.mips / 1000.0);
}
std::uint32_t all_up(int cpus) {
  return cpus >= 32 ? 0xFFFFFFFFu : (1u << cpus) - 1u;
}
}  // namespace

KernelCore::KernelCore(const KernelConfig& c, KernelPlatform& p)
    : cfg(c),
      platform(p),
      memory(c.memory_bytes),
      dispatcher(slice_instructions(c)),
      up_mask(all_up(c.cpus)),
      ns_per_instruction(1000.0 / (c.mips > 0 ? c.mips : 0.8)) {
  // Open ids must differ across the whole machine and across reloads of this CPU: the CPU number in the
  // top byte, and below it a counter that starts at the (ever-growing) simulated time of this kernel's boot.
  next_open_id_ = (static_cast<std::uint64_t>(c.cpu) << 56) | (p.now_ns() & ((1ull << 56) - 1));
}

std::uint64_t KernelCore::now() const {
  return platform.now_ns() + static_cast<std::uint64_t>(static_cast<double>(run_charged) * ns_per_instruction);
}

int KernelCore::lowest_up_cpu() const {
  for (int c = 0; c < cfg.cpus; ++c)
    if (is_up(c)) return c;
  return -1;
}

std::uint64_t KernelCore::new_open_id() {
  const std::uint64_t id = next_open_id_;
  next_open_id_ = (next_open_id_ & (0xFFull << 56)) | ((next_open_id_ + 1) & ((1ull << 56) - 1));
  return id;
}

sim::TraceEvent KernelCore::process_event(const char* kind, const Process& p) const {
  sim::TraceEvent e(0, kind);
  e.with("cpu", cfg.cpu).with("pin", p.pin).with("process", p.name);
  return e;
}

void KernelCore::emit(sim::TraceEvent e) {
  e.t_ns = now();
  platform.emit(e);
}

void KernelCore::warn(const std::string& what) const {
  // Rare (corrupt or stray messages): a logger looked up by name costs nothing on the hot paths.
  sim::ModuleLog("top.cpu" + std::to_string(cfg.cpu) + ".kernel").warn(now(), "{}", what);
}

void KernelCore::make_ready(Process& p) {
  p.status = ProcessStatus::ready;
  p.wait = WaitReason::none;
  dispatcher.make_ready(p.pin, p.priority);
}

void KernelCore::block(Process& p, WaitReason why) {
  p.status = ProcessStatus::waiting;
  p.wait = why;
  dispatcher.remove(p.pin);
}

void KernelCore::complete(Process& p, std::uint32_t result) {
  cancel_wait(p);
  if (!p.ps.push(result)) p.pending_trap = Trap::stack_overflow;
  make_ready(p);
}

void KernelCore::delay(Process& p, std::uint64_t until_ns) {
  block(p, WaitReason::delay);
  p.wake_ns = until_ns;
  delays_.emplace(until_ns, p.pin);
}

void KernelCore::cancel_wait(Process& p) {
  if (p.wait == WaitReason::delay) delays_.erase({p.wake_ns, p.pin});
  p.wait = WaitReason::none;
  p.wait_token = 0;
  dispatcher.remove(p.pin);
}

std::optional<std::uint64_t> KernelCore::next_delay_ns() const {
  if (delays_.empty()) return std::nullopt;
  return delays_.begin()->first;
}

void KernelCore::fire_delays(std::uint64_t now_ns) {
  while (!delays_.empty() && delays_.begin()->first <= now_ns) {
    const int pin = delays_.begin()->second;
    delays_.erase(delays_.begin());
    Process* p = processes.find(pin);
    if (p != nullptr && p->wait == WaitReason::delay) {
      p->wait = WaitReason::none;  // its timer entry is gone already
      if (!p->ps.push(0)) p->pending_trap = Trap::stack_overflow;
      make_ready(*p);
    }
  }
}

void KernelCore::publish(const std::string& name) {
  const Destination* d = destinations.find(name);
  if (d == nullptr) return;
  const auto payload = encode(DestUpdateMsg{name, *d, false});
  for (int c = 0; c < cfg.cpus; ++c)
    if (c != cfg.cpu && is_up(c)) send(c, payload);
}

void KernelCore::publish_removal(const std::string& name) {
  const Destination* d = destinations.find(name);
  if (d == nullptr) return;
  const std::uint32_t version = d->version + 1;
  destinations.remove(name, version);
  const auto payload = encode(DestUpdateMsg{name, Destination{0, 0, version}, true});
  for (int c = 0; c < cfg.cpus; ++c)
    if (c != cfg.cpu && is_up(c)) send(c, payload);
}

}  // namespace pairsim::cpu
