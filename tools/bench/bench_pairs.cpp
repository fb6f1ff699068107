// Benchmark: process pairs on the whole platform. It measures and prints; it asserts nothing.
//
//   bench_pairs checkpoint [SIM_MS]   a pair in CPUs 0 and 1 that checkpoints 256 words (1 KiB) in a loop:
//                                     checkpoints and KiB per host second, and per simulated second
//   bench_pairs takeover [SIM_MS]     $BANK (guest/bank.pasm) in CPUs 1 and 2 serving two clients, CPU 1
//                                     failing at 1 s (heartbeat 1 s): host time of the run, and host time from
//                                     the fault to the takeover
//   bench_pairs steady [SIM_MS]       the same run without the failure, to compare with
//
// SystemC elaborates once per process, so each mode is one process. docs/process-pairs.md ("Speed") has
// the figures. Tracing is off, as in a plain `pairsim run`.
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <systemc>
#include <vector>

#include "sim/run/machine.hpp"
#include "sim/run/program_library.hpp"
#include "sim/report/run_record.hpp"

namespace {

using namespace pairsim;
using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

// The checkpointing pair: the primary creates its backup in CPU 1 and checkpoints 256 words for ever.
constexpr const char* kCheckpointer = R"(
        include "sys.pasm"
        .data
buf:    .space 256
desc:   .word 0, 1, buf, 256, 0          ; no stack, 1 buffer of 256 words, no files: exactly 1 KiB
        .code
main:   sys SYS_ISBACKUP
        jz primary
        sys SYS_CHECKMONITOR
        drop
idle:   push 1000000
        sys SYS_DELAY
        drop
        jmp idle
primary:
        push 1
        sys SYS_NEWBACKUP
        drop
loop:   load buf
        addi 1
        store buf
        push desc
        sys SYS_CHECKPOINT
        drop
        jmp loop
)";

// Notes the host time at which the first takeover goes by on the trace bus.
class TakeoverClock : public sim::TraceSink {
 public:
  void on_event(const sim::TraceEvent& e) override {
    if (e.kind == "takeover" && !seen) {
      seen = true;
      at = Clock::now();
      sim_ns = e.t_ns;
    }
  }
  bool seen = false;
  Clock::time_point at;
  std::uint64_t sim_ns = 0;
};

// Starts processes at time 0 (from inside the simulation, as the scenario driver does: a named process
// tells the other CPUs its name over the bus) and fails one CPU at a given time, noting the host time.
class Driver : public sc_core::sc_module {
 public:
  struct Start {
    int cpu;
    cpu::StartRequest request;
  };
  SC_HAS_PROCESS(Driver);
  Driver(sc_core::sc_module_name n, sim::Machine& m, std::vector<Start> starts, int fail_cpu, double fail_s)
      : sc_core::sc_module(n), machine_(m), starts_(std::move(starts)), fail_cpu_(fail_cpu), fail_s_(fail_s) {
    SC_THREAD(act);
  }
  Clock::time_point failed_at;
  bool failed = false;

 private:
  void act() {
    wait(sc_core::SC_ZERO_TIME);  // every CPU thread waits for its wake-up event by now
    for (const auto& s : starts_)
      if (auto err = machine_.cpu(s.cpu).start_process(s.request)) {
        std::fprintf(stderr, "cannot start %s: %s\n", s.request.program.c_str(), err->c_str());
        std::exit(3);
      }
    if (fail_cpu_ < 0) return;
    wait(sc_core::sc_time(fail_s_, sc_core::SC_SEC));
    failed_at = Clock::now();
    failed = true;
    machine_.cpu(fail_cpu_).fail();
  }
  sim::Machine& machine_;
  std::vector<Start> starts_;
  int fail_cpu_;
  double fail_s_;
};

int checkpoint(std::uint64_t sim_ms) {
  // The program goes into a scratch folder, found "beside the scenario" there; sys.pasm from guest/lib.
  const auto dir = std::filesystem::temp_directory_path() / ("bench_pairs_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "checkpointer.pasm") << kCheckpointer;
  sim::MachineConfig cfg;
  cfg.cpus = 2;
  cfg.mips = 1000.0;  // instructions cost (almost) nothing: the checkpoint path is what is measured
  sim::TraceBus trace;
  sim::RunRecord record(cfg.cpus);
  trace.add_sink(&record);
  sim::ProgramLibrary programs((dir / "bench.scn").string(), PAIRSIM_SOURCE_DIR);
  sim::Machine machine("top", cfg, trace, programs);
  Driver driver("driver", machine, {{0, cpu::StartRequest{"$CK", "checkpointer.pasm", 150, {}}}}, -1, 0);

  const auto t0 = Clock::now();
  const std::clock_t c0 = std::clock();
  sc_core::sc_start(sc_core::sc_time(static_cast<double>(sim_ms), sc_core::SC_MS));
  const double host = seconds_since(t0);
  const double cpu = static_cast<double>(std::clock() - c0) / CLOCKS_PER_SEC;
  std::filesystem::remove_all(dir);

  std::uint64_t n = 0;
  for (const auto& p : record.pairs())
    if (p.name == "$CK") n = p.checkpoints;
  const double sim_s = static_cast<double>(sim_ms) / 1000.0;
  std::printf(
      "checkpoint: a pair in CPUs 0 and 1 checkpointing 256 words (1 KiB) in a loop, %.0f MIPS, "
      "bus %.0f MB/s x 2\n",
      cfg.mips, cfg.bus_bytes_per_second / 1e6);
  std::printf("  %llu checkpoints in %llu simulated ms, %.3f host s (%.3f CPU s)\n", static_cast<unsigned long long>(n),
              static_cast<unsigned long long>(sim_ms), host, cpu);
  std::printf("  %.0f checkpoints per host s (wall; %.0f per CPU-second) = %.1f MiB of checkpoint data per host s\n",
              static_cast<double>(n) / host, static_cast<double>(n) / cpu, static_cast<double>(n) / 1024.0 / host);
  std::printf("  %.0f checkpoints per simulated s: %.1f simulated us per 1 KiB checkpoint, acknowledged\n",
              static_cast<double>(n) / sim_s, n ? sim_s * 1e6 / static_cast<double>(n) : 0.0);
  return n > 0 ? 0 : 3;
}

int bank(std::uint64_t sim_ms, bool with_failure) {
  sim::MachineConfig cfg;  // the defaults: 0.8 MIPS, 13 MB/s, heartbeat 1 s
  cfg.cpus = 4;
  sim::TraceBus trace;
  sim::RunRecord record(cfg.cpus);
  trace.add_sink(&record);
  TakeoverClock takeover;
  trace.add_sink(&takeover);
  sim::ProgramLibrary programs(".", PAIRSIM_SOURCE_DIR);
  sim::Machine machine("top", cfg, trace, programs);
  // Two clients, a transfer every 2 ms each, far more than the run needs.
  std::vector<Driver::Start> starts = {
      {1, cpu::StartRequest{"$BANK", "bank.pasm", 150, {2}}},
      {0, cpu::StartRequest{"$C1", "bank-client.pasm", 150, {0, 1000000, 2000}}},
      {3, cpu::StartRequest{"$C2", "bank-client.pasm", 150, {1, 1000000, 2000}}},
  };
  Driver driver("driver", machine, starts, with_failure ? 1 : -1, 1.0);

  const auto t0 = Clock::now();
  sc_core::sc_start(sc_core::sc_time(static_cast<double>(sim_ms), sc_core::SC_MS));
  const double host = seconds_since(t0);

  std::uint64_t checkpoints = 0;
  for (const auto& p : record.pairs())
    if (p.name == "$BANK") checkpoints = p.checkpoints;
  std::printf(
      "%s: $BANK in CPUs 1 and 2, two clients sending a transfer every 2 ms, %llu simulated ms, "
      "heartbeat 1 s, 0.8 MIPS%s\n",
      with_failure ? "takeover" : "steady", static_cast<unsigned long long>(sim_ms),
      with_failure ? ", CPU 1 fails at 1 s" : "");
  std::printf("  %.3f host s for the run, %llu checkpoints%s, %llu guest instructions\n", host,
              static_cast<unsigned long long>(checkpoints), with_failure ? " (none after the takeover: no backup)" : "",
              static_cast<unsigned long long>(machine.guest_instructions()));
  if (with_failure) {
    if (!takeover.seen || !driver.failed) {
      std::printf("  no takeover happened\n");
      return 3;
    }
    std::printf("  fault -> takeover: %.3f simulated s, %.2f host ms\n",
                static_cast<double>(takeover.sim_ns) / 1e9 - 1.0,
                std::chrono::duration<double>(takeover.at - driver.failed_at).count() * 1e3);
  }
  return 0;
}

std::uint64_t arg_u64(int argc, char** argv, int i, std::uint64_t dflt) {
  return argc > i ? std::strtoull(argv[i], nullptr, 10) : dflt;
}

int usage() {
  std::fprintf(stderr, "usage: bench_pairs checkpoint [SIM_MS] | takeover [SIM_MS] | steady [SIM_MS]\n");
  return 2;
}

}  // namespace

int sc_main(int argc, char* argv[]) {
  if (argc < 2) return usage();
  spdlog::set_level(spdlog::level::warn);  // the CPUs' info lines (regroup rounds) are not the benchmark's
  const std::string mode = argv[1];
  if (mode == "checkpoint") return checkpoint(arg_u64(argc, argv, 2, 1000));
  if (mode == "takeover") return bank(arg_u64(argc, argv, 2, 5000), true);
  if (mode == "steady") return bank(arg_u64(argc, argv, 2, 5000), false);
  return usage();
}
