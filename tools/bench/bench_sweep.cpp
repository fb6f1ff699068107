// Benchmark: a sweep whose runs are forked from one simulation of the beginning they share, against the same
// moments run each as a process of its own. It measures and prints; it asserts nothing.
//
//   bench_sweep [MOMENTS [JOBS [SCENARIO]]]   `pairsim sweep SCENARIO --moments MOMENTS --jobs JOBS`, then the
//                                             same with --separate (each moment's replay command, a process that
//                                             simulates from the start); wall and CPU seconds of each, the
//                                             ratio, and whether their results.jsonl are the same
//   bench_sweep explore [JOBS [SCENARIO]]     `pairsim explore SCENARIO --jobs JOBS`: moments, seconds, runs/s
//
// Defaults: 1000 moments, 2 jobs, scenarios/pair-bank-sweep.scn (the bank pair's primary CPU failing in
// 2 ms … 20 ms of a 500 ms run). It runs the pairsim binary of this build, in a scratch folder it removes.
// On a host shared with other work the CPU seconds are the steadier figure. docs/benchmarks.md ("Sweeps") has
// the figures.
#include <fcntl.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

extern char** environ;

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

struct Measured {
  int exit_code = -1;
  double wall = 0;
  double cpu = 0;  // user + system seconds of the command and everything it started
};

double seconds(const timeval& t) {
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
}

// Runs the command with its output to `log`, and measures it.
Measured measure(const std::vector<std::string>& command, const fs::path& log) {
  std::vector<std::string> args = command;
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  Measured m;
  const auto t0 = Clock::now();
  pid_t pid = -1;
  if (posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ) != 0) {
    std::fprintf(stderr, "cannot start %s\n", argv[0]);
    std::exit(3);
  }
  posix_spawn_file_actions_destroy(&actions);
  int status = 0;
  rusage usage{};
  wait4(pid, &status, 0, &usage);
  m.wall = std::chrono::duration<double>(Clock::now() - t0).count();
  // The command's own time and that of its children it waited for: every moment's run.
  rusage children{};
  getrusage(RUSAGE_CHILDREN, &children);
  static double before = 0;
  const double total = seconds(children.ru_utime) + seconds(children.ru_stime);
  m.cpu = total - before;
  before = total;
  m.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return m;
}

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string load() {
  double l[3] = {0, 0, 0};
  if (getloadavg(l, 3) != 3) return "?";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.2f %.2f %.2f", l[0], l[1], l[2]);
  return buf;
}

}  // namespace

int main(int argc, char* argv[]) {
  setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 1);
  const std::string pairsim = PAIRSIM_BINARY;
  const bool explore = argc > 1 && std::string(argv[1]) == "explore";
  const int first = explore ? 2 : 1;
  const std::string moments = !explore && argc > first ? argv[first] : "1000";
  const std::string jobs = argc > first + (explore ? 0 : 1) ? argv[first + (explore ? 0 : 1)] : "2";
  const int scn_arg = first + (explore ? 1 : 2);
  const std::string scenario = argc > scn_arg ? fs::absolute(argv[scn_arg]).string()
                                              : std::string(PAIRSIM_SOURCE_DIR) + "/scenarios/pair-bank-sweep.scn";
  const fs::path dir = fs::temp_directory_path() / ("bench_sweep_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::printf("host: %u CPUs, load %s; %s, %s jobs\n",
              std::max(1u, static_cast<unsigned>(sysconf(_SC_NPROCESSORS_ONLN))), load().c_str(), scenario.c_str(),
              jobs.c_str());

  if (explore) {
    const Measured m = measure({pairsim, "explore", scenario, "--jobs", jobs, "--out", (dir / "explore").string()},
                               dir / "explore.log");
    const std::string summary = read_file(dir / "explore" / "summary.json");
    const auto at = summary.find("\"moments\": ");
    const long n = at == std::string::npos ? 0 : std::strtol(summary.c_str() + at + 11, nullptr, 10);
    std::printf("explore: %ld moments in %.2f s wall, %.2f s CPU: %.1f runs/s (exit %d)\n", n, m.wall, m.cpu,
                m.wall > 0 ? static_cast<double>(n) / m.wall : 0.0, m.exit_code);
    fs::remove_all(dir);
    return 0;
  }

  const Measured forked =
      measure({pairsim, "sweep", scenario, "--moments", moments, "--jobs", jobs, "--out", (dir / "forked").string()},
              dir / "forked.log");
  std::printf("forked:   %s moments in %6.2f s wall, %6.2f s CPU (exit %d)\n", moments.c_str(), forked.wall, forked.cpu,
              forked.exit_code);
  const Measured separate = measure({pairsim, "sweep", scenario, "--moments", moments, "--jobs", jobs, "--separate",
                                     "--out", (dir / "separate").string()},
                                    dir / "separate.log");
  std::printf("separate: %s moments in %6.2f s wall, %6.2f s CPU (exit %d)\n", moments.c_str(), separate.wall,
              separate.cpu, separate.exit_code);
  const bool same = read_file(dir / "forked" / "results.jsonl") == read_file(dir / "separate" / "results.jsonl");
  std::printf("forked is %.1fx faster by wall time, %.1fx by CPU time; results.jsonl %s; load now %s\n",
              forked.wall > 0 ? separate.wall / forked.wall : 0.0, forked.cpu > 0 ? separate.cpu / forked.cpu : 0.0,
              same ? "byte-identical" : "DIFFERENT", load().c_str());
  fs::remove_all(dir);
  return 0;
}
