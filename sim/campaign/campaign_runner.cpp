#include "sim/campaign/campaign_runner.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <deque>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <list>
#include <stdexcept>
#include <thread>

#include "sim/campaign/campaign_manifest.hpp"
#include "sim/campaign/campaign_progress.hpp"
#include "sim/run/run_command.hpp"

namespace pairsim::sim {

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// A signal handler can reach nothing but globals: these two are the campaign's only ones. SIGINT and
// SIGTERM set the flag and wake the loop's poll() through the pipe (the self-pipe trick); the loop then
// stops starting runs, kills the running ones and writes what finished. SIGCHLD wakes it too, so that a
// run that has ended is reaped at once rather than at the next poll() timeout.
int wake_pipe[2] = {-1, -1};
volatile std::sig_atomic_t stop_requested = 0;

void wake_loop() {
  const int saved = errno;
  const char byte = 1;
  [[maybe_unused]] const auto n = write(wake_pipe[1], &byte, 1);
  errno = saved;
}

extern "C" void on_stop_signal(int) {
  stop_requested = 1;
  wake_loop();
}

extern "C" void on_child_signal(int) {
  wake_loop();
}

// The handlers are the campaign's for its lifetime; the old ones come back after.
class CampaignSignals {
 public:
  CampaignSignals() {
    if (pipe2(wake_pipe, O_CLOEXEC | O_NONBLOCK) != 0)
      throw std::runtime_error(std::string("cannot make a pipe: ") + std::strerror(errno));
    stop_requested = 0;
    struct sigaction sa {};
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &old_int_);
    sigaction(SIGTERM, &sa, &old_term_);
    struct sigaction child {};
    child.sa_handler = on_child_signal;
    sigemptyset(&child.sa_mask);
    child.sa_flags = SA_RESTART | SA_NOCLDSTOP;
    sigaction(SIGCHLD, &child, &old_child_);
  }
  ~CampaignSignals() {
    sigaction(SIGINT, &old_int_, nullptr);
    sigaction(SIGTERM, &old_term_, nullptr);
    sigaction(SIGCHLD, &old_child_, nullptr);
    close(wake_pipe[0]);
    close(wake_pipe[1]);
    wake_pipe[0] = wake_pipe[1] = -1;
  }
  CampaignSignals(const CampaignSignals&) = delete;
  CampaignSignals& operator=(const CampaignSignals&) = delete;

  int fd() const { return wake_pipe[0]; }
  void drain() const {
    char buf[64];
    while (read(wake_pipe[0], buf, sizeof buf) > 0) {
    }
  }

 private:
  struct sigaction old_int_ {};
  struct sigaction old_term_ {};
  struct sigaction old_child_ {};
};

// One run to start: a seed of the plan, or the second run of a failing seed, with --trace into its folder.
struct Job {
  std::uint64_t index = 0;  // the run's place in the plan
  std::uint64_t seed = 0;
  bool trace = false;
  RunResult first;  // for a trace run: what the first run came to, which the trace run must repeat
};

// A running child, its two pipes and what came through them so far.
struct Child {
  Job job;
  pid_t pid = -1;
  int out_fd = -1;
  int err_fd = -1;
  std::string out;
  std::string err;
  Clock::time_point started;
  bool exited = false;
  int status = 0;
  bool timed_out = false;
};

constexpr std::size_t max_kept_stderr = 1 << 20;  // a child that logs without end must not fill memory

// The child's side of a run: from here on it is `pairsim run SCENARIO --seed S --json` (with --trace for
// a trace run) started with its standard output and error on the pipes, its input /dev/null, in a process
// group of its own and with the default handling of every signal, except that the scenario is read and
// its programs assembled already. It writes to the pipes what that command would print and exits as it
// would; it never returns into the campaign.
[[noreturn]] void run_child(PreparedScenario& prepared, const RunOptions& run, int out_fd, int err_fd) {
  setpgid(0, 0);
  const int null_fd = open("/dev/null", O_RDONLY);
  if (null_fd < 0 || dup2(null_fd, STDIN_FILENO) < 0 || dup2(out_fd, STDOUT_FILENO) < 0 ||
      dup2(err_fd, STDERR_FILENO) < 0)
    _exit(exit_internal);
  // Nothing else of the campaign's stays open in the child: its files, the other runs' pipes, the wake pipe.
  close_range(3, ~0u, 0);
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  sigemptyset(&dfl.sa_mask);
  for (int sig : {SIGINT, SIGTERM, SIGCHLD, SIGPIPE}) sigaction(sig, &dfl, nullptr);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);

  int code = exit_internal;
  try {
    code = simulate_prepared(prepared, run);
  } catch (const std::exception& e) {
    std::cerr << "pairsim: internal error: " << e.what() << "\n";
  } catch (...) {
    std::cerr << "pairsim: internal error\n";
  }
  std::cout.flush();
  std::fflush(nullptr);
  // _exit: the campaign's objects, copied into this process, are not this process's to destroy or flush.
  _exit(code);
}

// Reads what is there without blocking; closes the descriptor at end of file.
void drain(int& fd, std::string& into, std::size_t limit) {
  char buf[4096];  // one page: after a fork, each page the campaign writes costs it a copy of that page
  for (;;) {
    const ssize_t n = read(fd, buf, sizeof buf);
    if (n > 0) {
      const std::size_t room = into.size() < limit ? limit - into.size() : 0;
      into.append(buf, std::min(room, static_cast<std::size_t>(n)));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
    close(fd);  // end of file, or an error that leaves nothing more to read
    fd = -1;
    return;
  }
}

bool write_file(const fs::path& path, const std::string& text) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f << text;
  return static_cast<bool>(f);
}

bool is_seed_folder(const std::string& name) {
  return name.size() > 5 && name.compare(0, 5, "seed-") == 0 &&
         name.find_first_not_of("0123456789", 5) == std::string::npos;
}

std::string default_out_dir(const std::string& scenario) {
  return "campaign-" + fs::path(scenario).stem().string();
}

class Campaign {
 public:
  Campaign(const CampaignOptions& opts, PreparedScenario& prepared, SeedPlan plan, fs::path out, std::string exe,
           unsigned jobs)
      : opts_(opts),
        prepared_(prepared),
        plan_(plan),
        out_(std::move(out)),
        exe_(std::move(exe)),
        jobs_(jobs),
        summary_(opts.scenario, plan),
        progress_(std::cout, isatty(STDOUT_FILENO) == 1, plan.size()) {}

  int run();

 private:
  bool open_outputs();
  void start_runs();
  void spawn(Job job);
  void poll_children();
  void reap_and_time_out();
  void finish(Child& c);
  void finished_run(const Job& job, const ChildEnd& end);
  void finished_trace(const Job& job, const ChildEnd& end);
  void write_results(std::vector<RunResult> ready);
  void kill_all();
  double elapsed() const { return std::chrono::duration<double>(Clock::now() - start_).count(); }
  fs::path seed_dir(std::uint64_t seed) const { return out_ / ("seed-" + std::to_string(seed)); }

  const CampaignOptions& opts_;
  PreparedScenario& prepared_;  // read and assembled once; each run is forked from it
  SeedPlan plan_;
  fs::path out_;
  std::string exe_;  // this binary, for the replay scripts
  unsigned jobs_;
  std::string cwd_ = fs::current_path().string();
  CampaignSummary summary_;
  CampaignProgress progress_;
  CampaignSignals signals_;
  std::ofstream results_;
  std::ofstream timing_;
  ResultSequence sequence_;
  std::deque<Job> trace_jobs_;  // started before new seeds, so that a failing seed's folder fills soon
  std::uint64_t next_index_ = 0;
  std::list<Child> running_;
  std::uint64_t done_ = 0;     // first runs finished, in any order
  std::uint64_t failing_ = 0;  // ... of which did not hold
  std::vector<std::string> warnings_;
  Clock::time_point start_ = Clock::now();
};

bool Campaign::open_outputs() {
  results_.open(out_ / "results.jsonl", std::ios::binary | std::ios::trunc);
  timing_.open(out_ / "timing.jsonl", std::ios::binary | std::ios::trunc);
  return results_ && timing_;
}

void Campaign::spawn(Job job) {
  Child c;
  c.job = std::move(job);
  RunOptions run;
  run.scenario = opts_.scenario;
  run.seed = c.job.seed;
  run.json = true;
  if (c.job.trace) run.trace = (seed_dir(c.job.seed) / "trace.jsonl").string();

  // O_CLOEXEC keeps them out of anything a run might start; the child closes every other descriptor itself.
  int out_pipe[2], err_pipe[2];
  if (pipe2(out_pipe, O_CLOEXEC) != 0) throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
  if (pipe2(err_pipe, O_CLOEXEC) != 0) {
    close(out_pipe[0]);
    close(out_pipe[1]);
    throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
  }
  // Written now what waits in a buffer, or the child would write it a second time.
  std::cout.flush();
  std::fflush(nullptr);
  // No run repeats the work of reading the scenario and assembling its programs, nor pays for starting a
  // process: it is a fork of this one, which has not elaborated anything. Signals wait until the child has
  // left the campaign's process group (Ctrl-C on the terminal reaches the campaign only, which then decides
  // what ends; a child interrupted by it would otherwise look like a crash) and has its own handlers.
  sigset_t all, old;
  sigfillset(&all);
  sigprocmask(SIG_SETMASK, &all, &old);
  c.started = Clock::now();
  c.pid = fork();
  if (c.pid == 0) run_child(prepared_, run, out_pipe[1], err_pipe[1]);
  const int fork_error = errno;
  if (c.pid > 0) setpgid(c.pid, c.pid);  // as the child does: whichever comes first
  sigprocmask(SIG_SETMASK, &old, nullptr);
  close(out_pipe[1]);
  close(err_pipe[1]);
  if (c.pid < 0) {
    close(out_pipe[0]);
    close(err_pipe[0]);
    throw std::runtime_error(std::string("cannot start a run: ") + std::strerror(fork_error));
  }
  c.out_fd = out_pipe[0];
  c.err_fd = err_pipe[0];
  fcntl(c.out_fd, F_SETFL, fcntl(c.out_fd, F_GETFL) | O_NONBLOCK);
  fcntl(c.err_fd, F_SETFL, fcntl(c.err_fd, F_GETFL) | O_NONBLOCK);
  running_.push_back(std::move(c));
}

void Campaign::start_runs() {
  while (!stop_requested && running_.size() < jobs_) {
    if (!trace_jobs_.empty()) {
      Job job = std::move(trace_jobs_.front());
      trace_jobs_.pop_front();
      spawn(std::move(job));
    } else if (next_index_ < plan_.size()) {
      Job job;
      job.index = next_index_;
      job.seed = plan_.seed(next_index_);
      ++next_index_;
      spawn(std::move(job));
    } else {
      return;
    }
  }
}

void Campaign::poll_children() {
  std::vector<pollfd> fds{{signals_.fd(), POLLIN, 0}};
  bool exiting = false;  // a child has closed both pipes but is not reaped yet
  auto deadline = Clock::time_point::max();
  const auto timeout =
      std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(opts_.timeout_seconds));
  for (const auto& c : running_) {
    if (c.out_fd >= 0) fds.push_back({c.out_fd, POLLIN, 0});
    if (c.err_fd >= 0) fds.push_back({c.err_fd, POLLIN, 0});
    if (c.out_fd < 0 && c.err_fd < 0 && !c.exited) exiting = true;
    if (!c.timed_out) deadline = std::min(deadline, c.started + timeout);
  }
  int wait_ms = exiting ? 5 : 100;
  if (deadline != Clock::time_point::max()) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    wait_ms = static_cast<int>(std::max<long long>(0, std::min<long long>(wait_ms, left + 1)));
  }
  if (poll(fds.data(), fds.size(), wait_ms) < 0 && errno != EINTR)
    throw std::runtime_error(std::string("poll: ") + std::strerror(errno));
  signals_.drain();
  for (auto& c : running_) {
    if (c.out_fd >= 0) drain(c.out_fd, c.out, std::string::npos);
    if (c.err_fd >= 0) drain(c.err_fd, c.err, max_kept_stderr);
  }
}

void Campaign::reap_and_time_out() {
  const auto now = Clock::now();
  for (auto it = running_.begin(); it != running_.end();) {
    Child& c = *it;
    if (!c.exited) {
      int status = 0;
      if (waitpid(c.pid, &status, WNOHANG) == c.pid) {
        c.exited = true;
        c.status = status;
      } else if (!c.timed_out && std::chrono::duration<double>(now - c.started).count() > opts_.timeout_seconds) {
        kill(c.pid, SIGKILL);
        c.timed_out = true;
      }
    }
    // Done once it has exited and its pipes are read to the end.
    if (c.exited && c.out_fd < 0 && c.err_fd < 0) {
      finish(c);
      it = running_.erase(it);
    } else {
      ++it;
    }
  }
}

void Campaign::finish(Child& c) {
  ChildEnd end;
  end.timed_out = c.timed_out;
  if (WIFSIGNALED(c.status)) end.signal = WTERMSIG(c.status);
  if (WIFEXITED(c.status)) end.exit_code = WEXITSTATUS(c.status);
  end.out = std::move(c.out);
  end.err = std::move(c.err);
  end.host_seconds = std::chrono::duration<double>(Clock::now() - c.started).count();
  if (c.job.trace)
    finished_trace(c.job, end);
  else
    finished_run(c.job, end);
}

void Campaign::finished_run(const Job& job, const ChildEnd& end) {
  RunResult r = judge_run(job.seed, end);
  ++done_;
  if (r.verdict != Verdict::held) {
    ++failing_;
    const fs::path dir = seed_dir(job.seed);
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (!end.out.empty()) write_file(dir / "run.json", end.out);
    if (!end.err.empty()) write_file(dir / "stderr.txt", end.err);
    const fs::path script = dir / "replay.sh";
    write_file(script, replay_script(exe_, cwd_, opts_.scenario, r));
    fs::permissions(script, fs::perms::owner_exec | fs::perms::group_exec | fs::perms::others_exec,
                    fs::perm_options::add, ec);
    std::string note = "seed " + std::to_string(job.seed) + " " + verdict_name(r.verdict);
    if (!r.failed.empty())
      note += ": line " + std::to_string(r.failed.front().line) + ": " + r.failed.front().text +
              (r.failed.size() > 1 ? " (and " + std::to_string(r.failed.size() - 1) + " more)" : "");
    else if (!r.detail.empty())
      note += ": " + r.detail;
    progress_.note(note);
    // A timeout is not run again for its trace: it would only run out of time again.
    if (r.verdict != Verdict::timeout) {
      Job again;
      again.index = job.index;
      again.seed = job.seed;
      again.trace = true;
      again.first = r;
      trace_jobs_.push_back(std::move(again));
    }
  }
  sequence_.add(job.index, std::move(r));
  write_results(sequence_.take_ready());
  progress_.update(done_, failing_, elapsed());
}

void Campaign::finished_trace(const Job& job, const ChildEnd& end) {
  RunResult r = judge_run(job.seed, end);
  const std::string seed = "seed " + std::to_string(job.seed);
  if (r.verdict == Verdict::timeout) {
    warnings_.push_back(seed + ": the run again with --trace ran out of time; its trace.jsonl is cut short");
    return;
  }
  // Everything in a result line is a function of (scenario, seed, build): the second run must repeat it.
  if (result_line(r) != result_line(job.first))
    warnings_.push_back(seed + ": run again with --trace, it ended " + verdict_name(r.verdict) + ", not " +
                        verdict_name(job.first.verdict) +
                        " as the first time: pairsim is meant to repeat a run exactly; please report it with " +
                        seed_dir(job.seed).string() + "/");
}

void Campaign::write_results(std::vector<RunResult> ready) {
  for (const auto& r : ready) {
    results_ << result_line(r) << "\n";
    timing_ << timing_line(r) << "\n";
    summary_.add(r);
  }
  if (!ready.empty()) {
    // A campaign killed outright still leaves whole lines.
    results_.flush();
    timing_.flush();
  }
}

void Campaign::kill_all() {
  for (auto& c : running_) {
    if (!c.exited) {
      kill(c.pid, SIGKILL);
      int status = 0;
      while (waitpid(c.pid, &status, 0) < 0 && errno == EINTR) {
      }
    }
    if (c.out_fd >= 0) close(c.out_fd);
    if (c.err_fd >= 0) close(c.err_fd);
    if (c.job.trace) {
      std::error_code ec;
      fs::remove(seed_dir(c.job.seed) / "trace.jsonl", ec);  // cut short: it would mislead
    }
  }
  running_.clear();
}

int Campaign::run() {
  if (!open_outputs()) {
    std::cerr << "pairsim: error: cannot write the campaign's files in '" << out_.string() << "'\n";
    return exit_bad_input;
  }
  std::cout << "campaign: " << opts_.scenario << ", seeds " << plan_.range().first << ".." << plan_.range().last;
  if (plan_.shard().count > 1) std::cout << " shard " << plan_.shard().index << "/" << plan_.shard().count;
  std::cout << ": " << plan_.size() << " runs, " << jobs_ << " at a time, into " << out_.string() << "/\n"
            << std::flush;

  try {
    for (;;) {
      start_runs();
      if (running_.empty()) break;
      poll_children();
      if (stop_requested) break;
      reap_and_time_out();
    }
  } catch (...) {
    kill_all();  // no child outlives a campaign that gives up
    throw;
  }
  const bool interrupted = stop_requested != 0;
  if (interrupted) {
    kill_all();
    summary_.set_interrupted();
    write_results(sequence_.take_all());
  }
  const double seconds = elapsed();
  progress_.finish();
  if (!write_file(out_ / "summary.json", summary_.json()))
    std::cerr << "pairsim: error: cannot write '" << (out_ / "summary.json").string() << "'\n";
  std::cout << summary_.text(opts_.program, out_.string(), seconds) << std::flush;
  for (const auto& w : warnings_) std::cerr << "pairsim: warning: " << w << "\n";
  if (interrupted) return exit_interrupted;
  return summary_.bad() == 0 ? exit_ok : exit_expectation_failed;
}

// The binary the replay scripts run: this one, so that a campaign and its replays use the same build.
std::string own_executable(const std::string& fallback) {
  std::error_code ec;
  const fs::path self = fs::read_symlink("/proc/self/exe", ec);
  if (!ec && fs::exists(self, ec)) return self.string();
  return fs::absolute(fallback, ec).string();
}

}  // namespace

int run_campaign(const CampaignOptions& opts) {
  // The scenario is read and its programs assembled once, here: bad input stops the campaign before any
  // run starts, and every run is forked from what this made.
  auto prepared = prepare_scenario(opts.scenario, std::cerr);
  if (!prepared) return exit_bad_input;

  const fs::path out = opts.out_dir.empty() ? fs::path(default_out_dir(opts.scenario)) : fs::path(opts.out_dir);
  std::error_code ec;
  fs::create_directories(out, ec);
  if (!fs::is_directory(out, ec)) {
    std::cerr << "pairsim: error: cannot make the output folder '" << out.string() << "'\n";
    return exit_bad_input;
  }
  // The folder is the campaign's: what an earlier campaign left there would mix with this one's results.
  // Collected first, removed after: a folder is not changed while it is being read.
  std::vector<fs::path> stale;
  for (const auto& entry : fs::directory_iterator(out, ec)) {
    const std::string name = entry.path().filename().string();
    if (name == "results.jsonl" || name == "summary.json" || name == "timing.jsonl" ||
        (is_seed_folder(name) && entry.is_directory(ec)))
      stale.push_back(entry.path());
  }
  for (const auto& path : stale) fs::remove_all(path, ec);
  // What the folder is a campaign of, for `pairsim campaign merge` (sim/campaign/campaign_manifest.hpp).
  const auto manifest = describe_campaign(opts.scenario, opts.seeds, opts.shard);
  if (!manifest || !write_file(out / "campaign.json", manifest_json(*manifest))) {
    std::cerr << "pairsim: error: cannot write '" << (out / "campaign.json").string() << "'\n";
    return exit_bad_input;
  }

  unsigned jobs = opts.jobs;
  if (jobs == 0) jobs = std::max(1u, std::thread::hardware_concurrency());
  const SeedPlan plan(opts.seeds, opts.shard);
  if (!draws_at_random(prepared->scenario))
    std::cout << "note: " << opts.scenario
              << " draws nothing at random (no `at random`, no `cpu random`): every seed gives the same run\n";
  Campaign campaign(opts, *prepared, plan, out, own_executable(opts.program), jobs);
  return campaign.run();
}

}  // namespace pairsim::sim
