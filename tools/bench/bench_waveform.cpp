// Benchmark: what a waveform (`--vcd`) costs a message-heavy run. It measures and prints; it asserts nothing.
//
//   bench_waveform [TRANSFERS [RUNS]]   the bank of scenarios/pair-bank.scn made longer: $BANK, a process pair
//                                       in CPUs 1 and 2, serves three clients that each make TRANSFERS
//                                       transfers (default 3000) without a pause, and CPU 1 fails at 300 ms;
//                                       the scenario is run RUNS times (default 5) without and with --vcd, in
//                                       turn, and the best of each is kept
//   bench_waveform TRANSFERS callgrind  the same two runs once each under `valgrind --tool=callgrind`: the
//                                       instructions each takes, a count that other work on the host does
//                                       not disturb
//
// Each run is the whole `pairsim run` process: elaboration, simulation, the report and, with --vcd, writing the
// VCD and its save file. Its CPU time (user + system, from getrusage of the child) is the figure; on a host
// shared with other work it is fairer than the wall-clock time, which is printed beside it.
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <string>

namespace {

const std::string pairsim = PAIRSIM_BINARY;

struct Cost {
  double cpu_s = 0;
  double wall_s = 0;
  int rc = 0;
  std::string output;
};

double cpu_seconds_of_children() {
  rusage u{};
  getrusage(RUSAGE_CHILDREN, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

Cost run(const std::string& cmd) {
  Cost c;
  const double cpu_before = cpu_seconds_of_children();
  const auto start = std::chrono::steady_clock::now();
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) {
    c.rc = -1;
    return c;
  }
  char buf[4096];
  while (const std::size_t n = fread(buf, 1, sizeof buf, p)) c.output.append(buf, n);
  c.rc = pclose(p);
  c.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  c.cpu_s = cpu_seconds_of_children() - cpu_before;
  return c;
}

}  // namespace

int main(int argc, char** argv) {
  const int transfers = argc > 1 ? std::atoi(argv[1]) : 3000;
  const std::string mode = argc > 2 ? argv[2] : "5";
  char tmpl[] = "/tmp/bench_waveform.XXXXXX";
  if (!mkdtemp(tmpl)) return 1;
  const std::filesystem::path dir = tmpl;
  const auto scn = dir / "bank.scn";
  std::ofstream(scn) << "machine cpus 4 heartbeat 50ms\n"
                     << "start $BANK program bank.pasm cpu 1 args 2\n"
                     << "at 1ms start $C1 program bank-client.pasm cpu 0 args 0 " << transfers << " 0\n"
                     << "at 1ms start $C2 program bank-client.pasm cpu 3 args 1 " << transfers << " 0\n"
                     << "at 1ms start $C3 program bank-client.pasm cpu 0 args 2 " << transfers << " 0\n"
                     << "at 300ms fail cpu 1\n"
                     << "run until $C2 stops or 10000s\n"
                     << "expect $C2 exit 0\n";
  const std::string vcd = (dir / "run.vcd").string();
  const std::string plain_cmd = pairsim + " run " + scn.string() + " 2>&1";
  const std::string vcd_cmd = pairsim + " run " + scn.string() + " --vcd " + vcd + " 2>&1";
  setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 1);
  int rc = 0;

  if (mode == "callgrind") {
    std::uint64_t ir[2] = {0, 0};
    for (int with = 0; with < 2; ++with) {
      const Cost c = run("valgrind --tool=callgrind --callgrind-out-file=/dev/null " + (with ? vcd_cmd : plain_cmd));
      std::smatch m;
      if (std::regex_search(c.output, m, std::regex("Collected : ([0-9]+)"))) ir[with] = std::stoull(m[1]);
      rc |= c.rc != 0;
    }
    std::printf("bank, 3 clients x %d transfers: %llu instructions without --vcd, %llu with: ratio %.2f%s\n", transfers,
                static_cast<unsigned long long>(ir[0]), static_cast<unsigned long long>(ir[1]),
                ir[0] ? static_cast<double>(ir[1]) / static_cast<double>(ir[0]) : 0.0, rc ? "  (a run failed)" : "");
  } else {
    const int runs = std::max(1, std::atoi(mode.c_str()));
    Cost best[2];
    for (auto& b : best) b.cpu_s = b.wall_s = 1e300;
    for (int r = 0; r < runs; ++r)
      for (int with = 0; with < 2; ++with) {
        const Cost c = run(with ? vcd_cmd : plain_cmd);
        rc |= c.rc != 0;
        if (c.cpu_s < best[with].cpu_s) best[with].cpu_s = c.cpu_s;
        if (c.wall_s < best[with].wall_s) best[with].wall_s = c.wall_s;
      }
    std::error_code ec;
    const auto bytes = std::filesystem::file_size(vcd, ec);
    std::printf(
        "bank, 3 clients x %d transfers, best of %d: %.3f CPU s (%.3f wall) without --vcd, "
        "%.3f CPU s (%.3f wall) with: ratio %.2f by CPU time, %.2f by wall time; VCD %.1f MB%s\n",
        transfers, runs, best[0].cpu_s, best[0].wall_s, best[1].cpu_s, best[1].wall_s, best[1].cpu_s / best[0].cpu_s,
        best[1].wall_s / best[0].wall_s, ec ? 0.0 : static_cast<double>(bytes) / 1e6, rc ? "  (a run failed)" : "");
  }
  std::filesystem::remove_all(dir);
  return rc;
}
