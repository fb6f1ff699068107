// Benchmark: campaign runs per minute. It measures and prints; it asserts nothing.
//
//   bench_campaign [RUNS] [ROUNDS] [JOBS] [OTHER_PAIRSIM]
//
// Each round runs scenarios/pair-bank.scn RUNS times (default 300) JOBS at a time (default 2) in two or three
// ways, one after the other, so that all see the same host:
//   campaign  `pairsim campaign scenarios/pair-bank.scn --seeds 1..RUNS --jobs JOBS`: the scenario read and
//             its programs assembled once, each run a fork of the campaign
//   exec      RUNS processes `pairsim run scenarios/pair-bank.scn --seed S --json`, JOBS at a time (what a
//             campaign costs when each run is a process of its own, as `seq 1 RUNS | xargs -P JOBS` does)
//   other     the same campaign by OTHER_PAIRSIM, when given: another build to compare with (an older one)
// and prints, for each, runs per minute of wall time and host CPU seconds a run (user + system, the
// campaign's own included), and the ratios of the ways within a round. On a host shared with other work
// the CPU seconds a run are the steadier figure; 60 × JOBS / (CPU seconds a run) is what JOBS cores of its
// own would give.
//
// Then, when valgrind is installed, the host instructions of one run by callgrind: a whole `pairsim run`
// process (of each build), and one forked campaign run (from its simulate step to its end: the fork itself
// runs no instructions of the program).
//
// The pairsim binary is the one of this build; docs/benchmarks.md has the figures.
#include <fcntl.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

extern char** environ;

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

const std::string pairsim = PAIRSIM_BINARY;
const std::string scenario = std::string(PAIRSIM_SOURCE_DIR) + "/scenarios/pair-bank.scn";

// Host CPU seconds of the children waited for so far (and theirs): user and system.
struct CpuTime {
  double user = 0;
  double sys = 0;
  double total() const { return user + sys; }
};

CpuTime children_cpu() {
  rusage r{};
  getrusage(RUSAGE_CHILDREN, &r);
  auto s = [](const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; };
  return {s(r.ru_utime), s(r.ru_stime)};
}

// Starts argv in `cwd` with standard output and error to `out` (or /dev/null); returns its pid.
pid_t start(const std::vector<std::string>& args, const std::string& cwd, const std::string& out = "/dev/null") {
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  posix_spawn_file_actions_addchdir_np(&actions, cwd.c_str());
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, args[0].c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    std::fprintf(stderr, "bench_campaign: cannot start %s: %s\n", args[0].c_str(), std::strerror(rc));
    std::exit(2);
  }
  return pid;
}

int wait_for(pid_t pid) {
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return status;
}

struct Measured {
  double wall = 0;
  CpuTime cpu;
  int failures = 0;  // runs that did not exit 0: a broken build, not a figure
};

Measured measure_campaign(const std::string& binary, int runs, int jobs, const std::string& dir) {
  const CpuTime cpu0 = children_cpu();
  const auto t0 = Clock::now();
  const int status = wait_for(start({binary, "campaign", scenario, "--seeds", "1.." + std::to_string(runs), "--jobs",
                                     std::to_string(jobs), "--out", dir + "/campaign"},
                                    dir));
  Measured m;
  m.wall = std::chrono::duration<double>(Clock::now() - t0).count();
  const CpuTime cpu1 = children_cpu();
  m.cpu = {cpu1.user - cpu0.user, cpu1.sys - cpu0.sys};
  m.failures = WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
  return m;
}

Measured measure_exec(int runs, int jobs, const std::string& dir) {
  const CpuTime cpu0 = children_cpu();
  const auto t0 = Clock::now();
  Measured m;
  std::vector<pid_t> running;
  int next = 1;
  while (next <= runs || !running.empty()) {
    while (next <= runs && static_cast<int>(running.size()) < jobs)
      running.push_back(start({pairsim, "run", scenario, "--seed", std::to_string(next++), "--json"}, dir));
    int status = 0;
    pid_t pid = -1;
    while ((pid = waitpid(-1, &status, 0)) < 0 && errno == EINTR) {
    }
    running.erase(std::remove(running.begin(), running.end(), pid), running.end());
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) ++m.failures;
  }
  m.wall = std::chrono::duration<double>(Clock::now() - t0).count();
  const CpuTime cpu1 = children_cpu();
  m.cpu = {cpu1.user - cpu0.user, cpu1.sys - cpu0.sys};
  return m;
}

void print(const char* way, int round, int runs, const Measured& m) {
  std::printf("round %d, %-8s %d runs in %6.2f s: %6.0f runs/min (wall); %.4f CPU s a run (user %.4f, sys %.4f)%s\n",
              round, way, runs, m.wall, runs / m.wall * 60, m.cpu.total() / runs, m.cpu.user / runs, m.cpu.sys / runs,
              m.failures ? "  (some runs failed: check the build)" : "");
}

// callgrind's total of the files it wrote under `prefix` (one per process), or nullopt.
std::optional<double> callgrind_total(const std::string& dir, const std::string& prefix) {
  double total = 0;
  bool any = false;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().filename().string().rfind(prefix, 0) != 0) continue;
    std::ifstream f(e.path());
    std::string line;
    while (std::getline(f, line))
      if (line.rfind("totals:", 0) == 0 || line.rfind("summary:", 0) == 0) {
        total += std::atof(line.c_str() + line.find(':') + 1);
        any = true;
        break;
      }
  }
  return any ? std::optional<double>(total) : std::nullopt;
}

void callgrind_figures(const std::string& dir, const std::string& other) {
  const char* valgrind = "/usr/bin/valgrind";
  if (access(valgrind, X_OK) != 0) {
    std::printf("callgrind: no %s, instruction counts skipped\n", valgrind);
    return;
  }
  wait_for(start(
      {valgrind, "--tool=callgrind", "--callgrind-out-file=" + dir + "/cg-run.%p", pairsim, "run", scenario, "--json"},
      dir));
  if (!other.empty())
    wait_for(start({valgrind, "--tool=callgrind", "--callgrind-out-file=" + dir + "/cg-other.%p", other, "run",
                    scenario, "--json"},
                   dir));
  // Counted from the child's simulate step on: the campaign itself is not counted (it never enters it).
  wait_for(start({valgrind, "--tool=callgrind", "--toggle-collect=pairsim::sim::simulate_prepared*",
                  "--callgrind-out-file=" + dir + "/cg-campaign.%p", pairsim, "campaign", scenario, "--seeds", "1",
                  "--jobs", "1", "--out", dir + "/cg-campaign"},
                 dir));
  const auto whole = callgrind_total(dir, "cg-run.");
  const auto forked = callgrind_total(dir, "cg-campaign.");
  if (!whole || !forked) {
    std::printf("callgrind: no counts (valgrind failed)\n");
    return;
  }
  std::printf("callgrind, host instructions of one pair-bank run:\n");
  if (const auto before = other.empty() ? std::nullopt : callgrind_total(dir, "cg-other."))
    std::printf("  the other build's pairsim run pair-bank.scn --json:  %.1f M\n", *before / 1e6);
  std::printf("  pairsim run pair-bank.scn --json, the whole process: %.1f M\n", *whole / 1e6);
  std::printf("  one forked campaign run:                             %.1f M (%.2f of the whole process)\n",
              *forked / 1e6, *forked / *whole);
}

}  // namespace

int main(int argc, char* argv[]) {
  const int runs = argc > 1 ? std::max(1, std::atoi(argv[1])) : 300;
  const int rounds = argc > 2 ? std::max(1, std::atoi(argv[2])) : 3;
  const int jobs = argc > 3 ? std::max(1, std::atoi(argv[3])) : 2;
  const std::string other = argc > 4 ? fs::absolute(argv[4]).string() : "";
  setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 1);

  char tmpl[] = "/tmp/bench_campaign.XXXXXX";
  const char* made = mkdtemp(tmpl);
  if (!made) {
    std::perror("bench_campaign: mkdtemp");
    return 2;
  }
  const std::string dir = made;
  std::ifstream loadavg("/proc/loadavg");
  std::string l1, l5, l15;
  loadavg >> l1 >> l5 >> l15;
  std::printf("host: %ld CPUs, load average %s %s %s\n", sysconf(_SC_NPROCESSORS_ONLN), l1.c_str(), l5.c_str(),
              l15.c_str());
  std::printf("pair-bank.scn: %d runs a round, %d at a time, %d rounds; %s%s%s\n", runs, jobs, rounds, pairsim.c_str(),
              other.empty() ? "" : ", other: ", other.c_str());

  std::vector<double> wall_ratio, cpu_ratio, other_wall_ratio, other_cpu_ratio, campaign_rate, campaign_cpu;
  for (int r = 1; r <= rounds; ++r) {
    const Measured c = measure_campaign(pairsim, runs, jobs, dir);
    print("campaign", r, runs, c);
    const Measured e = measure_exec(runs, jobs, dir);
    print("exec", r, runs, e);
    wall_ratio.push_back(e.wall / c.wall);
    cpu_ratio.push_back(e.cpu.total() / c.cpu.total());
    if (!other.empty()) {
      const Measured o = measure_campaign(other, runs, jobs, dir);
      print("other", r, runs, o);
      other_wall_ratio.push_back(o.wall / c.wall);
      other_cpu_ratio.push_back(o.cpu.total() / c.cpu.total());
    }
    campaign_rate.push_back(runs / c.wall * 60);
    campaign_cpu.push_back(c.cpu.total() / runs);
  }
  const auto median = [](std::vector<double> v) {
    std::sort(v.begin(), v.end());
    const std::size_t n = v.size();
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
  };
  const double best_rate = *std::max_element(campaign_rate.begin(), campaign_rate.end());
  const double best_cpu = *std::min_element(campaign_cpu.begin(), campaign_cpu.end());
  std::printf(
      "campaign: best %.0f runs/min (wall), median %.0f; best %.4f CPU s a run, so %.0f runs/min on %d cores "
      "of its own\n",
      best_rate, median(campaign_rate), best_cpu, 60.0 * jobs / best_cpu, jobs);
  std::printf(
      "campaign against exec in the same round (median of %d): %.2fx the runs per wall second, %.2fx fewer "
      "CPU seconds a run\n",
      rounds, median(wall_ratio), median(cpu_ratio));
  if (!other.empty())
    std::printf(
        "campaign against the other build's campaign in the same round (median of %d): %.2fx the runs per "
        "wall second, %.2fx fewer CPU seconds a run\n",
        rounds, median(other_wall_ratio), median(other_cpu_ratio));

  callgrind_figures(dir, other);
  std::error_code ec;
  fs::remove_all(dir, ec);
  return 0;
}
