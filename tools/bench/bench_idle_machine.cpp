// Benchmark: a 16-CPU machine doing nothing but I'm-alive at a 1 s period.
// Prints simulated seconds per host second (target ≥ 10,000). Usage: bench_idle_machine [SIM_SECONDS] [CPUS]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <systemc>

#include "sim/run/machine.hpp"
#include "sim/run/program_library.hpp"
#include "sim/report/run_record.hpp"

int sc_main(int argc, char* argv[]) {
  const double sim_seconds = argc > 1 ? std::atof(argv[1]) : 2000.0;
  const int cpus = argc > 2 ? std::atoi(argv[2]) : 16;
  pairsim::sim::MachineConfig cfg;
  cfg.cpus = cpus;
  pairsim::sim::TraceBus trace;
  pairsim::sim::RunRecord record(cpus);  // the summary listens in a real run, so it does here too
  trace.add_sink(&record);
  pairsim::sim::ProgramLibrary programs(".", PAIRSIM_SOURCE_DIR);
  pairsim::sim::Machine machine("top", cfg, trace, programs);

  const auto t0 = std::chrono::steady_clock::now();
  sc_core::sc_start(sc_core::sc_time(sim_seconds, sc_core::SC_SEC));
  const double host = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const auto packets =
      machine.bus().packets_delivered(pairsim::bus::BusId::x) + machine.bus().packets_delivered(pairsim::bus::BusId::y);
  std::printf("idle machine: %d CPUs, heartbeat 1 s, %.0f simulated s in %.3f host s\n", cpus, sim_seconds, host);
  std::printf("  %.0f simulated s per host s (target >= 10000)\n", sim_seconds / host);
  std::printf("  %llu packets delivered, %.2f M packets per host s\n", static_cast<unsigned long long>(packets),
              static_cast<double>(packets) / host / 1e6);
  std::printf("  detections: %zu (expected 0)\n", record.detections().size());
  return 0;
}
