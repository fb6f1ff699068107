#pragma once
// A machine of several Kernels joined by a plain C++ message loop, for the kernel's unit tests: no SystemC,
// no bus. Every CPU shares one clock; step() runs each up kernel for one quantum, delivers the messages
// sent meanwhile (in send order) and fires timers. A message to a CPU that is down comes back to its
// sender as on_send_failed, as the bus would report it.
#include <catch2/catch.hpp>
#include <deque>
#include <functional>
#include <optional>
#include <tuple>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "cpu/kernel/kernel.hpp"
#include "guest/assembler.hpp"

namespace pairsim::cpu::test {

class TestMachine;

class FakePlatform : public KernelPlatform {
 public:
  FakePlatform(TestMachine& m, int cpu) : m_(m), cpu_(cpu) {}
  std::uint64_t now_ns() const override;
  std::uint64_t send(int dst_cpu, std::vector<std::uint8_t> payload, std::uint64_t at_ns) override;
  void emit(const sim::TraceEvent& e) override;
  const guest::Program* load_program(const std::string& name, std::string& error) override;
  bool wants_detail() const override;
  const NativeProgram* load_native(const std::string& name) override;
  bool disk_io(const std::string& volume, DiskOp op, std::uint64_t token, std::uint64_t at_ns) override;

 private:
  TestMachine& m_;
  int cpu_;
};

struct Sent {
  int src = 0;
  int dst = 0;
  std::vector<std::uint8_t> payload;
  std::uint64_t id = 0;
};

class TestMachine {
 public:
  explicit TestMachine(int cpus, KernelConfig base = {}) : cfg_(base) {
    cfg_.cpus = cpus;
    for (int c = 0; c < cpus; ++c) {
      platforms_.push_back(std::make_unique<FakePlatform>(*this, c));
      kernels_.push_back(nullptr);
      boot(c);
    }
  }

  // Assembles `source` (sys.pasm is found in guest/lib) and makes it loadable as `name`.
  void add_program(const std::string& name, const std::string& source) {
    auto r = guest::assemble_string(source, name + ".pasm", {std::string(PAIRSIM_SOURCE_DIR) + "/guest/lib"});
    for (const auto& e : r.errors) FAIL_CHECK(e.str());
    REQUIRE(r.program);
    programs_[name] = std::make_unique<guest::Program>(*r.program);
  }

  // A system program written in C++, loadable as `name` on every CPU.
  void add_native(const std::string& name, const NativeProgram& program) { natives_[name] = &program; }
  // Disk operations: `io(cpu, volume, op)` carries one out at once and answers it (nullopt: no controller of
  // that volume is attached to that CPU); the answer reaches the kernel with the next delivery.
  std::function<std::optional<DiskDone>(int cpu, const std::string& volume, const DiskOp& op)> io;

  Kernel& kernel(int cpu) {
    REQUIRE(kernels_.at(cpu) != nullptr);
    return *kernels_[cpu];
  }
  bool up(int cpu) const { return kernels_.at(cpu) != nullptr; }

  void start(int cpu, const std::string& program, const std::string& name = "", std::vector<std::int32_t> args = {},
             int priority = 150) {
    StartRequest req;
    req.name = name;
    req.program = program;
    req.args = std::move(args);
    req.priority = priority;
    auto err = kernel(cpu).start_process(req);
    if (err) FAIL(*err);
  }

  // One quantum: run every up kernel, deliver messages, advance the clock, fire timers.
  void step() {
    const auto budget = static_cast<std::uint64_t>(static_cast<double>(quantum_ns) * cfg_.mips / 1000.0);
    for (auto& k : kernels_)
      if (k && k->has_ready()) k->run(budget);
    deliver();
    now += quantum_ns;
    for (auto& k : kernels_)
      if (k) k->on_time(now);
    deliver();
  }
  void run_for(std::uint64_t ns) {
    const std::uint64_t end = now + ns;
    while (now < end) step();
  }
  // Runs until `done` holds or `ns` pass; true if it held.
  template <class F>
  bool run_until(F done, std::uint64_t ns) {
    const std::uint64_t end = now + ns;
    while (now < end) {
      if (done()) return true;
      step();
    }
    return done();
  }

  void deliver() {
    while (!disk_done_.empty()) {
      auto [cpu, token, done] = std::move(disk_done_.front());
      disk_done_.pop_front();
      if (kernels_.at(cpu)) kernels_[cpu]->on_disk_done(token, done);
    }
    while (!queue_.empty()) {
      Sent s = std::move(queue_.front());
      queue_.pop_front();
      if (kernels_.at(s.dst)) {
        kernels_[s.dst]->on_message(s.src, s.payload);
      } else if (kernels_.at(s.src)) {
        kernels_[s.src]->on_send_failed(s.dst, s.id);
      }
    }
  }

  // The CPU stops at once; the others learn it only from declare_down (regroup's agreement).
  void fail(int cpu) { kernels_.at(cpu).reset(); }
  void declare_down(int cpu) {
    for (auto& k : kernels_)
      if (k) k->on_cpu_down(cpu);
  }
  void fail_and_declare(int cpu) {
    fail(cpu);
    declare_down(cpu);
  }
  // A new kernel (memory lost), then every member learns it joined.
  void reload(int cpu) {
    boot(cpu);
    for (int c = 0; c < static_cast<int>(kernels_.size()); ++c)
      if (c != cpu && kernels_[c]) kernels_[c]->on_cpu_up(cpu);
  }

  std::vector<sim::TraceEvent> events_of(const std::string& kind) const {
    std::vector<sim::TraceEvent> out;
    for (const auto& e : events)
      if (e.kind == kind) out.push_back(e);
    return out;
  }
  // Every `output` line of processes named `process` ("" = unnamed), in order, from any CPU.
  std::vector<std::string> output_of(const std::string& process) const {
    std::vector<std::string> out;
    for (const auto& e : events)
      if (e.kind == "output" && e.get_str("process") == process) out.push_back(*e.get_str("text"));
    return out;
  }
  std::vector<std::string> all_output() const {
    std::vector<std::string> out;
    for (const auto& e : events)
      if (e.kind == "output") out.push_back(*e.get_str("text"));
    return out;
  }
  std::size_t count(const std::string& kind) const { return events_of(kind).size(); }

  std::uint64_t now = 0;
  std::uint64_t quantum_ns = 100'000;
  bool detail = false;
  std::vector<sim::TraceEvent> events;
  std::vector<Sent> sent_log;  // every message ever sent, for tests that look at the wire

 private:
  friend class FakePlatform;
  void boot(int cpu) {
    KernelConfig c = cfg_;
    c.cpu = cpu;
    kernels_[cpu] = std::make_unique<Kernel>(c, *platforms_[cpu]);
  }

  KernelConfig cfg_;
  std::vector<std::unique_ptr<FakePlatform>> platforms_;
  std::vector<std::unique_ptr<Kernel>> kernels_;
  std::deque<Sent> queue_;
  std::map<std::string, std::unique_ptr<guest::Program>> programs_;
  std::map<std::string, const NativeProgram*> natives_;
  std::deque<std::tuple<int, std::uint64_t, DiskDone>> disk_done_;
  std::uint64_t next_msg_id_ = 1;
};

inline std::uint64_t FakePlatform::now_ns() const {
  return m_.now;
}
inline std::uint64_t FakePlatform::send(int dst_cpu, std::vector<std::uint8_t> payload, std::uint64_t at_ns) {
  CHECK(at_ns >= m_.now);
  const std::uint64_t id = m_.next_msg_id_++;
  m_.sent_log.push_back(Sent{cpu_, dst_cpu, payload, id});
  m_.queue_.push_back(Sent{cpu_, dst_cpu, std::move(payload), id});
  return id;
}
inline void FakePlatform::emit(const sim::TraceEvent& e) {
  m_.events.push_back(e);
}
inline const guest::Program* FakePlatform::load_program(const std::string& name, std::string& error) {
  auto it = m_.programs_.find(name);
  if (it == m_.programs_.end()) {
    error = "no program named " + name;
    return nullptr;
  }
  return it->second.get();
}
inline bool FakePlatform::wants_detail() const {
  return m_.detail;
}
inline const NativeProgram* FakePlatform::load_native(const std::string& name) {
  auto it = m_.natives_.find(name);
  return it == m_.natives_.end() ? nullptr : it->second;
}
inline bool FakePlatform::disk_io(const std::string& volume, DiskOp op, std::uint64_t token, std::uint64_t at_ns) {
  CHECK(at_ns >= m_.now);
  if (!m_.io) return false;
  auto done = m_.io(cpu_, volume, op);
  if (!done) return false;
  m_.disk_done_.emplace_back(cpu_, token, std::move(*done));
  return true;
}

}  // namespace pairsim::cpu::test
