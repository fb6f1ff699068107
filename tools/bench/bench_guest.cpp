// Benchmark: guest software on the whole platform. It measures and prints; it asserts nothing.
//
//   bench_guest compute CPUS [SIM_MS]   guest instructions per host second, guest/compute.pasm in every one of
//                                       CPUS CPUs (CPUS = 1: a 2-CPU machine with one busy CPU)
//   bench_guest bare [INSTRUCTIONS]     the same program run by cpu::Interpreter::run alone: no SystemC, no
//                                       kernel (its few system calls are answered by a stub)
//   bench_guest roundtrip [TRIPS] [PAIRS]  64-byte request/reply round trips between two CPUs per host second
//                                       (guest/roundtrip.pasm against a quiet guest/echo.pasm); with PAIRS
//                                       (1..8) client/server pairs at once, each in two CPUs of its own
//   bench_guest memory [SIM_MS]         peak resident memory (VmHWM) of a 16-CPU machine, default memory,
//                                       one compute process per CPU
//
// SystemC elaborates once per process, so each mode is one process; tools/bench/run-all.sh runs them all.
// The compute and round-trip modes use a fast CPU (kMips) so that simulated time limits nothing.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <systemc>
#include <vector>

#include <unistd.h>

#include "cpu/interpreter.hpp"
#include "guest/assembler.hpp"
#include "guest/syscalls.hpp"
#include "sim/run/machine.hpp"
#include "sim/run/program_library.hpp"
#include "sim/report/run_record.hpp"

namespace {

using namespace pairsim;

constexpr double kMips = 1000.0;
// compute.pasm's limit: a round (counting the primes up to it) is ~35 M instructions, so output is rare.
constexpr std::int32_t kPrimeLimit = 100000;

// Host time of a measurement: wall-clock seconds, and this process's CPU seconds (the fairer figure on a
// host shared with other work; on an idle host the two agree).
class HostTimer {
 public:
  HostTimer() : wall0_(std::chrono::steady_clock::now()), cpu0_(std::clock()) {}
  void stop() {
    wall_ = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0_).count();
    cpu_ = static_cast<double>(std::clock() - cpu0_) / CLOCKS_PER_SEC;
  }
  double wall() const { return wall_; }
  double cpu() const { return cpu_; }
  // "12.3 M/s wall, 14.0 M/s CPU" for `count` things and a `scale` (1e6 for M, 1e3 for k).
  std::string rates(double count, double scale, const char* unit) const {
    char buf[160];
    std::snprintf(buf, sizeof buf, "%.1f %s per host s (wall; %.1f per CPU-second of this process)",
                  count / wall_ / scale, unit, count / cpu_ / scale);
    return buf;
  }

 private:
  std::chrono::steady_clock::time_point wall0_;
  std::clock_t cpu0_;
  double wall_ = 0, cpu_ = 0;
};

// A line "VmHWM:  12345 kB" of /proc/self/status, in KiB; 0 when it cannot be read.
long status_kib(const char* key) {
  std::ifstream in("/proc/self/status");
  std::string line;
  const std::size_t n = std::strlen(key);
  while (std::getline(in, line))
    if (line.compare(0, n, key) == 0) return std::atol(line.c_str() + n + 1);
  return 0;
}

struct Platform {
  sim::TraceBus trace;
  std::unique_ptr<sim::RunRecord> record;  // the summary listens in a real run, so it does here too
  sim::ProgramLibrary programs{".", PAIRSIM_SOURCE_DIR};
  std::unique_ptr<sim::Machine> machine;

  explicit Platform(const sim::MachineConfig& cfg) {
    record = std::make_unique<sim::RunRecord>(cfg.cpus);
    trace.add_sink(record.get());
    machine = std::make_unique<sim::Machine>("top", cfg, trace, programs);
  }
  // Processes start at time 0 from a thread, as the scenario driver starts them: starting a named process
  // tells the other CPUs its name over the bus, which a CPU can only do from inside the simulation.
  void start(int cpu, const char* name, const char* program, std::vector<std::int32_t> args) {
    starts.push_back({cpu, cpu::StartRequest{name, program, 150, std::move(args)}});
  }
  void start_named(int cpu, const std::string& name, const std::string& program, std::vector<std::int32_t> args) {
    starts.push_back({cpu, cpu::StartRequest{name, program, 150, std::move(args)}});
  }
  void run(double ms) {
    if (!starter) starter = std::make_unique<Starter>("starter", *this);
    sc_core::sc_start(sc_core::sc_time(ms, sc_core::SC_MS));
  }

 private:
  struct Start {
    int cpu;
    cpu::StartRequest request;
  };
  struct Starter : sc_core::sc_module {
    SC_HAS_PROCESS(Starter);
    Starter(sc_core::sc_module_name n, Platform& pf) : sc_core::sc_module(n), pf_(pf) { SC_THREAD(start_all); }
    void start_all() {
      // One delta first, so that every CPU thread already waits for its wake-up event: a start in the
      // very first delta is missed by an idle CPU until its next timer (reported; see docs/benchmarks.md).
      wait(sc_core::SC_ZERO_TIME);
      for (const auto& s : pf_.starts) {
        if (auto err = pf_.machine->cpu(s.cpu).start_process(s.request)) {
          std::fprintf(stderr, "cannot start %s in cpu %d: %s\n", s.request.program.c_str(), s.cpu, err->c_str());
          std::exit(3);
        }
      }
    }
    Platform& pf_;
  };
  std::vector<Start> starts;
  std::unique_ptr<Starter> starter;
};

std::uint64_t arg_u64(int argc, char** argv, int i, std::uint64_t dflt) {
  return argc > i ? std::strtoull(argv[i], nullptr, 10) : dflt;
}

int compute(int busy_cpus, std::uint64_t sim_ms) {
  sim::MachineConfig cfg;
  cfg.cpus = busy_cpus < 2 ? 2 : busy_cpus;
  cfg.mips = kMips;
  Platform pf(cfg);
  for (int c = 0; c < busy_cpus; ++c) pf.start(c, "", "compute.pasm", {kPrimeLimit, 0});
  HostTimer timer;
  pf.run(static_cast<double>(sim_ms));
  timer.stop();
  const auto n = pf.machine->guest_instructions();
  std::printf("compute: %d CPUs, %d running guest/compute.pasm %d 0, %.0f MIPS, quantum %.0f us, tracing off\n",
              cfg.cpus, busy_cpus, kPrimeLimit, cfg.mips, cfg.quantum_ns / 1000.0);
  std::printf("  %llu guest instructions in %llu simulated ms, %.3f host s (%.3f CPU s)\n",
              static_cast<unsigned long long>(n), static_cast<unsigned long long>(sim_ms), timer.wall(), timer.cpu());
  std::printf("  %s in total\n", timer.rates(static_cast<double>(n), 1e6, "M guest instructions").c_str());
  return 0;
}

// The same program in the bare interpreter, run in slices of one quantum's instructions as the CPU runs it.
int bare(std::uint64_t total) {
  sim::MachineConfig cfg;
  const std::uint64_t slice = static_cast<std::uint64_t>(kMips * cfg.quantum_ns / 1000.0);
  const std::string path = std::string(PAIRSIM_SOURCE_DIR) + "/guest/compute.pasm";
  auto result = guest::assemble_file(path, {std::string(PAIRSIM_SOURCE_DIR) + "/guest/lib"});
  if (!result.program) {
    for (const auto& e : result.errors) std::fprintf(stderr, "%s\n", e.str().c_str());
    return 3;
  }
  const guest::Program& program = *result.program;
  std::vector<std::uint32_t> memory(program.data_words, 0);
  std::copy(program.data.begin(), program.data.end(), memory.begin());
  cpu::ProcessState ps;
  ps.program = &program;
  ps.data = memory.data();
  ps.data_words = program.data_words;
  ps.stack_base = program.data_words - program.stack_words;
  cpu::reset_registers(ps);
  const std::vector<std::uint32_t> args = {static_cast<std::uint32_t>(kPrimeLimit), 0};

  std::uint64_t executed = 0, syscalls = 0;
  HostTimer timer;
  while (executed < total) {
    const auto r = cpu::Interpreter::run(ps, slice);
    executed += r.executed;
    if (r.reason == cpu::StopReason::trap) {
      std::fprintf(stderr, "unexpected trap: %s\n", cpu::trap_reason(r.trap));
      return 3;
    }
    if (r.reason != cpu::StopReason::syscall) continue;
    // A stub kernel: pop the arguments, push a result (nargs and getarg answer; the rest return 0).
    ++syscalls;
    const guest::SyscallInfo* info = guest::find_syscall(r.syscall);
    std::uint32_t a[8] = {};
    for (int i = info ? info->args - 1 : -1; i >= 0; --i) ps.pop(a[i]);
    std::uint32_t value = 0;
    if (r.syscall == static_cast<std::uint32_t>(guest::Syscall::nargs)) value = static_cast<std::uint32_t>(args.size());
    if (r.syscall == static_cast<std::uint32_t>(guest::Syscall::getarg)) value = a[0] < args.size() ? args[a[0]] : 0;
    ps.push(value);
  }
  timer.stop();
  std::printf("bare: guest/compute.pasm %d 0 in cpu::Interpreter::run, slices of %llu instructions, no SystemC\n",
              kPrimeLimit, static_cast<unsigned long long>(slice));
  std::printf("  %llu guest instructions (%llu system calls) in %.3f host s (%.3f CPU s)\n",
              static_cast<unsigned long long>(executed), static_cast<unsigned long long>(syscalls), timer.wall(),
              timer.cpu());
  std::printf("  %s\n", timer.rates(static_cast<double>(executed), 1e6, "M guest instructions").c_str());
  return 0;
}

std::string roundtrip_program_path(int pair) {
  return (std::filesystem::temp_directory_path() /
          ("pairsim-bench-roundtrip-" + std::to_string(getpid()) + "-" + std::to_string(pair) + ".pasm"))
      .string();
}

// roundtrip.pasm with its server's name changed: pair i > 0 talks to $SERVi (written to a scratch folder).
std::string roundtrip_program(int pair) {
  if (pair == 0) return "roundtrip.pasm";
  std::ifstream in(std::string(PAIRSIM_SOURCE_DIR) + "/guest/roundtrip.pasm");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::string from = "\"$SERV\"";
  text.replace(text.find(from), from.size(), "\"$SERV" + std::to_string(pair) + "\"");
  const std::string path = roundtrip_program_path(pair);
  std::ofstream(path) << text;
  return path;
}

int roundtrip(std::uint64_t trips, int pairs) {
  sim::MachineConfig cfg;
  cfg.cpus = 2 * pairs;
  cfg.mips = kMips;
  Platform pf(cfg);
  for (int i = 0; i < pairs; ++i) {
    const std::string server = i == 0 ? "$SERV" : "$SERV" + std::to_string(i);
    pf.start(2 * i + 1, server.c_str(), "echo.pasm", {1});  // quiet: no output line per request
    pf.start_named(2 * i, i == 0 ? "$RT" : "$RT" + std::to_string(i), roundtrip_program(i),
                   {static_cast<std::int32_t>(trips), 64});
  }
  auto finished = [&] {
    int done = 0;
    for (const auto& p : pf.record->processes())
      if (p.name.compare(0, 3, "$RT") == 0 && p.state != "running") ++done;
    return done == pairs;
  };
  // Run in steps of 1 simulated ms until the client has done all its round trips (an idle step is cheap).
  HostTimer timer;
  std::uint64_t sim_ms = 0;
  while (!finished() && sim_ms < 1'000'000) {
    pf.run(1.0);
    ++sim_ms;
  }
  timer.stop();
  std::printf(
      "roundtrip: %d CPUs, %.0f MIPS, bus %.0f MB/s, %d x guest/roundtrip.pasm %llu 64 -> guest/echo.pasm 1 (quiet)\n",
      cfg.cpus, cfg.mips, cfg.bus_bytes_per_second / 1e6, pairs, static_cast<unsigned long long>(trips));
  trips *= static_cast<std::uint64_t>(pairs);
  for (const auto& line : pf.record->output_of("$RT")) std::printf("  guest says: %s\n", line.c_str());
  const auto packets =
      pf.machine->bus().packets_delivered(bus::BusId::x) + pf.machine->bus().packets_delivered(bus::BusId::y);
  std::printf("  %llu round trips in %.3f host s (%.3f CPU s), ~%llu simulated ms, %llu bus packets\n",
              static_cast<unsigned long long>(trips), timer.wall(), timer.cpu(),
              static_cast<unsigned long long>(sim_ms), static_cast<unsigned long long>(packets));
  std::printf("  %s\n", timer.rates(static_cast<double>(trips), 1e3, "k round trips").c_str());
  for (int i = 1; i < pairs; ++i) std::filesystem::remove(roundtrip_program_path(i));
  return finished() ? 0 : 3;
}

int memory(std::uint64_t sim_ms) {
  const long before = status_kib("VmHWM:");
  sim::MachineConfig cfg;
  cfg.cpus = 16;
  Platform pf(cfg);
  const long elaborated = status_kib("VmHWM:");
  for (int c = 0; c < cfg.cpus; ++c) pf.start(c, "", "compute.pasm", {kPrimeLimit, 0});
  pf.run(static_cast<double>(sim_ms));
  const long after = status_kib("VmHWM:");
  std::printf("memory: 16 CPUs, %llu KiB each (default), one guest/compute.pasm per CPU, %llu simulated ms\n",
              static_cast<unsigned long long>(cfg.memory_bytes / 1024), static_cast<unsigned long long>(sim_ms));
  std::printf("  VmHWM before the machine %ld KiB, after elaboration %ld KiB, after the run %ld KiB (%.1f MiB)\n",
              before, elaborated, after, after / 1024.0);
  return 0;
}

int usage() {
  std::fprintf(
      stderr, "usage: bench_guest compute CPUS [SIM_MS] | bare [INSTRUCTIONS] | roundtrip [TRIPS [PAIRS]] | memory [SIM_MS]\n");
  return 2;
}

}  // namespace

int sc_main(int argc, char* argv[]) {
  if (argc < 2) return usage();
  const std::string mode = argv[1];
  if (mode == "compute") {
    if (argc < 3) return usage();
    const int cpus = std::atoi(argv[2]);
    if (cpus < 1 || cpus > 16) return usage();
    return compute(cpus, arg_u64(argc, argv, 3, cpus == 1 ? 3000 : 500));
  }
  if (mode == "bare") return bare(arg_u64(argc, argv, 2, 3'000'000'000ull));
  if (mode == "roundtrip") {
    const auto pairs = arg_u64(argc, argv, 3, 1);
    if (pairs < 1 || pairs > 8) return usage();
    return roundtrip(arg_u64(argc, argv, 2, 200000), static_cast<int>(pairs));
  }
  if (mode == "memory") return memory(arg_u64(argc, argv, 2, 1000));
  return usage();
}
