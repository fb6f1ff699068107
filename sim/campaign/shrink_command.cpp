#include "sim/campaign/shrink_command.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>
#include <sstream>

#include "sim/campaign/campaign.hpp"
#include "sim/campaign/shrink.hpp"
#include "sim/run/program_library.hpp"
#include "sim/run/run_command.hpp"
#include "sim/scenario/duration.hpp"
#include "sim/scenario/scenario_parser.hpp"
#include "sim/scenario/schedule.hpp"

extern char** environ;

namespace pairsim::sim {

namespace {

namespace fs = std::filesystem;

constexpr std::uint64_t default_seed = 1;

std::optional<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

bool write_out(const std::string& path, const std::string& text) {
  if (path.empty()) {
    std::cout << text << std::flush;
    return true;
  }
  std::ofstream out(path, std::ios::binary);
  out << text;
  return static_cast<bool>(out);
}

// This binary, so that the candidates run on the same build.
std::string own_executable() {
  std::error_code ec;
  const fs::path self = fs::read_symlink("/proc/self/exe", ec);
  return ec ? std::string("pairsim") : self.string();
}

// Runs `exe run FILE --json` to its end (or kills it at the timeout) and says how it ended.
ChildEnd run_child(const std::string& exe, const std::string& file, double timeout_seconds) {
  ChildEnd end;
  std::vector<std::string> args{exe, "run", file, "--json"};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  int out_pipe[2], err_pipe[2];
  if (pipe2(out_pipe, O_CLOEXEC) != 0) throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
  if (pipe2(err_pipe, O_CLOEXEC) != 0) {
    close(out_pipe[0]);
    close(out_pipe[1]);
    throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out_pipe[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, err_pipe[1], STDERR_FILENO);
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, exe.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(out_pipe[1]);
  close(err_pipe[1]);
  if (rc != 0) {
    close(out_pipe[0]);
    close(err_pipe[0]);
    throw std::runtime_error("cannot start '" + exe + "': " + std::strerror(rc));
  }
  const auto started = std::chrono::steady_clock::now();
  const auto deadline = started + std::chrono::duration<double>(timeout_seconds);
  int fds[2] = {out_pipe[0], err_pipe[0]};
  std::string* into[2] = {&end.out, &end.err};
  while (fds[0] >= 0 || fds[1] >= 0) {
    std::vector<pollfd> p;
    for (int fd : fds)
      if (fd >= 0) p.push_back({fd, POLLIN, 0});
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      kill(pid, SIGKILL);
      end.timed_out = true;
      break;
    }
    if (poll(p.data(), p.size(), static_cast<int>(std::min<long long>(left.count(), 1000))) < 0 && errno != EINTR) {
      kill(pid, SIGKILL);  // never wait for a child that can no longer be heard
      break;
    }
    for (int i = 0; i < 2; ++i) {
      if (fds[i] < 0) continue;
      char buf[65536];
      const ssize_t n = read(fds[i], buf, sizeof buf);
      if (n > 0) into[i]->append(buf, static_cast<std::size_t>(n));
      if (n == 0) {
        close(fds[i]);
        fds[i] = -1;
      }
    }
  }
  for (int fd : fds)
    if (fd >= 0) close(fd);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  end.host_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  if (!end.timed_out) {
    if (WIFSIGNALED(status)) end.signal = WTERMSIG(status);
    if (WIFEXITED(status)) end.exit_code = WEXITSTATUS(status);
  }
  return end;
}

struct Loaded {
  Scenario scenario;
  std::string text;
  std::uint64_t seed;
};

std::optional<Loaded> load(const std::string& path, std::optional<std::uint64_t> seed) {
  auto parsed = parse_scenario_file(path);
  if (!parsed.ok()) {
    for (const auto& e : parsed.errors) std::cerr << e.str() << "\n";
    return std::nullopt;
  }
  auto text = read_file(path);
  if (!text) {
    std::cerr << path << ": error: cannot read the file\n";
    return std::nullopt;
  }
  const std::uint64_t s = seed ? *seed : parsed.scenario->seed.value_or(default_seed);
  return Loaded{std::move(*parsed.scenario), std::move(*text), s};
}

std::string failed_list(const RunResult& r) {
  std::string out;
  for (const auto& f : r.failed) out += "  " + f.text + "\n";
  return out;
}

}  // namespace

int run_pin(const PinOptions& opts) {
  auto loaded = load(opts.scenario, opts.seed);
  if (!loaded) return exit_bad_input;
  const auto schedule = resolve_schedule(loaded->scenario, loaded->seed);
  const std::string text =
      pin_scenario(loaded->text, loaded->scenario, schedule,
                   {"pinned: " + opts.scenario + " with seed " + std::to_string(loaded->seed) +
                    ", every random draw made (pairsim pin)"},
                   PAIRSIM_SOURCE_DIR);
  if (!write_out(opts.out, text)) {
    std::cerr << "pairsim: error: cannot write '" << opts.out << "'\n";
    return exit_bad_input;
  }
  return exit_ok;
}

int run_shrink(const ShrinkOptions& opts) {
  auto loaded = load(opts.scenario, opts.seed);
  if (!loaded) return exit_bad_input;
  const Scenario& s = loaded->scenario;
  {
    ProgramLibrary programs(s.path, PAIRSIM_SOURCE_DIR);
    if (auto diags = preload_programs(s, programs); !diags.empty()) {
      for (const auto& d : diags) std::cerr << d << "\n";
      return exit_bad_input;
    }
  }
  if (!opts.out.empty()) {
    // Checked before anything runs, and left as it was found.
    std::error_code e;
    const bool existed = fs::exists(opts.out, e);
    const bool writable = static_cast<bool>(std::ofstream(opts.out, std::ios::app));
    if (!existed) fs::remove(opts.out, e);
    if (!writable) {
      std::cerr << "pairsim: error: cannot write '" << opts.out << "'\n";
      return exit_bad_input;
    }
  }

  // Candidates are scenario files in a folder of their own, removed at the end.
  std::error_code ec;
  std::string pattern = (fs::temp_directory_path(ec) / "pairsim-shrink-XXXXXX").string();
  if (!mkdtemp(pattern.data())) {
    std::cerr << "pairsim: error: cannot make a scratch folder '" << pattern << "': " << std::strerror(errno) << "\n";
    return exit_bad_input;
  }
  const fs::path dir = pattern;
  struct Cleanup {
    fs::path dir;
    ~Cleanup() {
      std::error_code e;
      fs::remove_all(dir, e);
    }
  } cleanup{dir};

  const std::string exe = own_executable();
  const std::string source = fs::path(opts.scenario).filename().string();
  auto pinned = [&](const std::vector<ResolvedAction>& schedule, const std::vector<std::string>& header) {
    return pin_scenario(loaded->text, s, schedule, header, PAIRSIM_SOURCE_DIR);
  };
  int trial = 0;
  const double timeout = opts.timeout_seconds;  // host timing must not decide the result: --timeout only
  auto run = [&](const std::vector<ResolvedAction>& schedule) {
    const fs::path file = dir / source;
    std::ofstream(file, std::ios::binary) << pinned(schedule, {});
    return judge_run(loaded->seed, run_child(exe, file.string(), timeout));
  };

  const auto original = resolve_schedule(s, loaded->seed);
  const RunResult first = run(original);
  if (first.verdict == Verdict::held) {
    std::cerr << "pairsim: error: " << opts.scenario << " with seed " << loaded->seed
              << " holds: there is nothing to shrink\n";
    return exit_bad_input;
  }
  std::set<std::string> failed_first;
  for (const auto& f : first.failed) failed_first.insert(f.text);
  if (!opts.quiet)
    std::cerr << "seed " << loaded->seed << ": " << verdict_name(first.verdict) << " with "
              << count_faults(original) << " fault(s)" << (first.failed.empty() ? "\n" : "; failed:\n")
              << failed_list(first);

  // The same way: the same verdict, and for `failed` at least one of the same expectations.
  auto still_fails = [&](const std::vector<ResolvedAction>& candidate) {
    const RunResult r = run(candidate);
    bool same = r.verdict == first.verdict;
    if (same && r.verdict == Verdict::failed)
      same = std::any_of(r.failed.begin(), r.failed.end(), [&](const auto& f) { return failed_first.count(f.text); });
    ++trial;
    if (!opts.quiet)
      std::cerr << "  run " << trial << ": " << count_faults(candidate) << " fault(s): "
                << (same ? "fails the same way" : std::string(verdict_name(r.verdict)) + ", not the same") << "\n";
    return same;
  };
  const ShrinkResult shrunk = shrink_schedule(original, s.run.for_ns, still_fails);

  const RunResult last = run(shrunk.schedule);
  std::vector<std::string> header{
      "shrunk from " + opts.scenario + " with seed " + std::to_string(loaded->seed) + " (pairsim shrink): " +
          std::to_string(shrunk.faults_after) + " of its " + std::to_string(shrunk.faults_before) +
          " fault(s), each at the latest moment found at which it still fails,",
      "in " + std::to_string(shrunk.trials + 2) + " runs. It ends: " + verdict_name(last.verdict) +
          (last.failed.empty() ? "" : ", failing:")};
  for (const auto& f : last.failed) header.push_back("  " + f.text);
  if (!write_out(opts.out, pinned(shrunk.schedule, header))) {
    std::cerr << "pairsim: error: cannot write '" << opts.out << "'\n";
    return exit_bad_input;
  }
  if (!opts.quiet) {
    std::cerr << "shrunk " << shrunk.faults_before << " fault(s) to " << shrunk.faults_after << " in "
              << shrunk.trials + 2 << " runs";
    if (!opts.out.empty()) std::cerr << "; replay: " << shell_quote(opts.program) << " run " << shell_quote(opts.out);
    std::cerr << "\n";
  }
  return exit_ok;
}

}  // namespace pairsim::sim
