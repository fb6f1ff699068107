#include "sim/campaign/child_runs.hpp"

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <stdexcept>

extern char** environ;

namespace pairsim::sim {

namespace {

int wake_pipe[2] = {-1, -1};
volatile std::sig_atomic_t stop_flag = 0;

void wake() {
  const int saved = errno;
  const char byte = 1;
  [[maybe_unused]] const auto n = write(wake_pipe[1], &byte, 1);
  errno = saved;
}

extern "C" void child_runs_on_stop_signal(int) {
  stop_flag = 1;
  wake();
}

extern "C" void child_runs_on_child_end(int) {
  wake();
}

constexpr std::size_t max_kept_stderr = 1 << 20;  // a run that logs without end must not fill memory

// Reads what is there without blocking; closes the descriptor at end of file.
void drain(int& fd, std::string& into, std::size_t limit) {
  char buf[4096];  // one page: after a fork, each page this process writes costs it a copy of that page
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

void make_pipes(int out_pipe[2], int err_pipe[2]) {
  // O_CLOEXEC keeps them out of anything a run starts; a forked run closes every other descriptor itself.
  if (pipe2(out_pipe, O_CLOEXEC) != 0) throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
  if (pipe2(err_pipe, O_CLOEXEC) != 0) {
    close(out_pipe[0]);
    close(out_pipe[1]);
    throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
  }
}

}  // namespace

StopSignals::StopSignals(bool wake_on_child_end) : wake_on_child_end_(wake_on_child_end) {
  if (pipe2(wake_pipe, O_CLOEXEC | O_NONBLOCK) != 0)
    throw std::runtime_error(std::string("cannot make a pipe: ") + std::strerror(errno));
  stop_flag = 0;
  struct sigaction sa {};
  sa.sa_handler = child_runs_on_stop_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, &old_int_);
  sigaction(SIGTERM, &sa, &old_term_);
  if (wake_on_child_end_) {
    struct sigaction child {};
    child.sa_handler = child_runs_on_child_end;
    sigemptyset(&child.sa_mask);
    child.sa_flags = SA_RESTART | SA_NOCLDSTOP;
    sigaction(SIGCHLD, &child, &old_child_);
  }
}

StopSignals::~StopSignals() {
  sigaction(SIGINT, &old_int_, nullptr);
  sigaction(SIGTERM, &old_term_, nullptr);
  if (wake_on_child_end_) sigaction(SIGCHLD, &old_child_, nullptr);
  close(wake_pipe[0]);
  close(wake_pipe[1]);
  wake_pipe[0] = wake_pipe[1] = -1;
}

bool StopSignals::requested() const {
  return stop_flag != 0;
}

int StopSignals::fd() const {
  return wake_pipe[0];
}

void StopSignals::drain() const {
  char buf[64];
  while (read(wake_pipe[0], buf, sizeof buf) > 0) {
  }
}

void ChildRuns::add(std::uint64_t id, pid_t pid, int out_fd, int err_fd, Clock::time_point started) {
  Child c;
  c.id = id;
  c.pid = pid;
  c.out_fd = out_fd;
  c.err_fd = err_fd;
  c.started = started;
  fcntl(c.out_fd, F_SETFL, fcntl(c.out_fd, F_GETFL) | O_NONBLOCK);
  fcntl(c.err_fd, F_SETFL, fcntl(c.err_fd, F_GETFL) | O_NONBLOCK);
  running_.push_back(std::move(c));
}

pid_t fork_child(ProcessGroup group) {
  std::cout.flush();
  std::cerr.flush();
  std::fflush(nullptr);
  sigset_t all, old;
  sigfillset(&all);
  sigprocmask(SIG_SETMASK, &all, &old);
  const pid_t pid = fork();
  if (pid == 0) return 0;  // signals stay held until detach_child()
  const int fork_error = errno;
  if (pid > 0 && group == ProcessGroup::own) setpgid(pid, pid);  // as the child does: whichever comes first
  sigprocmask(SIG_SETMASK, &old, nullptr);
  errno = fork_error;
  return pid;
}

void detach_child(int out_fd, int err_fd, int keep_fd, ProcessGroup group) {
  if (group == ProcessGroup::own) setpgid(0, 0);
  const int null_fd = open("/dev/null", O_RDONLY);
  if (null_fd < 0 || dup2(null_fd, STDIN_FILENO) < 0 || dup2(out_fd, STDOUT_FILENO) < 0 ||
      dup2(err_fd, STDERR_FILENO) < 0 || (keep_fd >= 0 && dup2(keep_fd, 3) < 0))
    _exit(3);
  close_range(keep_fd >= 0 ? 4 : 3, ~0u, 0);  // the parent's files, the other runs' pipes, its wake pipe
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  sigemptyset(&dfl.sa_mask);
  for (int sig : {SIGINT, SIGTERM, SIGCHLD, SIGPIPE}) sigaction(sig, &dfl, nullptr);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
}

std::string own_executable(const std::string& fallback) {
  std::error_code ec;
  const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec && std::filesystem::exists(self, ec)) return self.string();
  return std::filesystem::absolute(fallback, ec).string();
}

bool ChildRuns::fork_run(std::uint64_t id) {
  int out_pipe[2], err_pipe[2];
  make_pipes(out_pipe, err_pipe);
  const auto started = Clock::now();
  const pid_t pid = fork_child();
  if (pid == 0) {
    detach_child(out_pipe[1], err_pipe[1]);
    forget();  // the parent's, not this process's to watch
    return true;
  }
  const int fork_error = errno;
  close(out_pipe[1]);
  close(err_pipe[1]);
  if (pid < 0) {
    close(out_pipe[0]);
    close(err_pipe[0]);
    throw std::runtime_error(std::string("cannot start a run: ") + std::strerror(fork_error));
  }
  add(id, pid, out_pipe[0], err_pipe[0], started);
  return false;
}

void ChildRuns::spawn_run(std::uint64_t id, const std::vector<std::string>& argv_in, ProcessGroup group) {
  std::vector<std::string> args = argv_in;
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  int out_pipe[2], err_pipe[2];
  make_pipes(out_pipe, err_pipe);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out_pipe[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, err_pipe[1], STDERR_FILENO);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t defaults, none;
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGINT);
  sigaddset(&defaults, SIGTERM);
  sigaddset(&defaults, SIGPIPE);
  sigemptyset(&none);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setpgroup(&attr, 0);
  posix_spawnattr_setflags(
      &attr, (group == ProcessGroup::own ? POSIX_SPAWN_SETPGROUP : 0) | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
  pid_t pid = -1;
  const auto started = Clock::now();
  const int rc = posix_spawn(&pid, argv[0], &actions, &attr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  close(out_pipe[1]);
  close(err_pipe[1]);
  if (rc != 0) {
    close(out_pipe[0]);
    close(err_pipe[0]);
    throw std::runtime_error("cannot start '" + args[0] + "': " + std::strerror(rc));
  }
  add(id, pid, out_pipe[0], err_pipe[0], started);
}

std::vector<std::pair<std::uint64_t, ChildEnd>> ChildRuns::wait(int wait_ms, int wake_fd) {
  std::vector<pollfd> fds;
  if (wake_fd >= 0) fds.push_back({wake_fd, POLLIN, 0});
  bool exiting = false;  // a run has closed both pipes but is not reaped yet
  auto deadline = Clock::time_point::max();
  const auto timeout = std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(timeout_seconds_));
  for (const auto& c : running_) {
    if (c.out_fd >= 0) fds.push_back({c.out_fd, POLLIN, 0});
    if (c.err_fd >= 0) fds.push_back({c.err_fd, POLLIN, 0});
    if (c.out_fd < 0 && c.err_fd < 0 && !c.exited) exiting = true;
    if (!c.timed_out) deadline = std::min(deadline, c.started + timeout);
  }
  if (exiting) wait_ms = std::min(wait_ms, 1);
  if (deadline != Clock::time_point::max()) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    wait_ms = static_cast<int>(std::max<long long>(0, std::min<long long>(wait_ms, left + 1)));
  }
  if (poll(fds.data(), fds.size(), wait_ms) < 0 && errno != EINTR)
    throw std::runtime_error(std::string("poll: ") + std::strerror(errno));

  std::vector<std::pair<std::uint64_t, ChildEnd>> ended;
  const auto now = Clock::now();
  for (auto it = running_.begin(); it != running_.end();) {
    Child& c = *it;
    if (c.out_fd >= 0) drain(c.out_fd, c.out, std::string::npos);
    if (c.err_fd >= 0) drain(c.err_fd, c.err, max_kept_stderr);
    if (!c.exited) {
      int status = 0;
      if (waitpid(c.pid, &status, WNOHANG) == c.pid) {
        c.exited = true;
        c.status = status;
      } else if (!c.timed_out && now - c.started > timeout) {
        kill(c.pid, SIGKILL);
        c.timed_out = true;
      }
    }
    // Ended once it has exited and its pipes are read to the end.
    if (c.exited && c.out_fd < 0 && c.err_fd < 0) {
      ChildEnd end;
      end.timed_out = c.timed_out;
      if (WIFSIGNALED(c.status) && !c.timed_out) end.signal = WTERMSIG(c.status);
      if (WIFEXITED(c.status)) end.exit_code = WEXITSTATUS(c.status);
      end.out = std::move(c.out);
      end.err = std::move(c.err);
      end.host_seconds = std::chrono::duration<double>(now - c.started).count();
      ended.emplace_back(c.id, std::move(end));
      it = running_.erase(it);
    } else {
      ++it;
    }
  }
  return ended;
}

std::vector<std::uint64_t> ChildRuns::kill_all() {
  std::vector<std::uint64_t> ids;
  for (auto& c : running_) {
    if (!c.exited) {
      kill(c.pid, SIGKILL);
      int status = 0;
      while (waitpid(c.pid, &status, 0) < 0 && errno == EINTR) {
      }
    }
    if (c.out_fd >= 0) close(c.out_fd);
    if (c.err_fd >= 0) close(c.err_fd);
    ids.push_back(c.id);
  }
  running_.clear();
  return ids;
}

}  // namespace pairsim::sim
