#pragma once
// Runs as child processes, watched: what they write on standard output and error collected through pipes,
// each killed once it has taken longer than it may, each reaped when it ends. A run is either forked from this
// process — it goes on from where this process is, for a sweep's moment in the middle of a simulation — or
// started from a command line. StopSignals turns SIGINT and SIGTERM into a request to stop.
#include <signal.h>
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <list>
#include <string>
#include <utility>
#include <vector>

#include "sim/campaign/campaign.hpp"  // ChildEnd

namespace pairsim::sim {

// SIGINT and SIGTERM, for as long as the object lives (the handlers before it come back after): each sets
// requested() and writes a byte to fd(), so that a wait on it wakes. With `wake_on_child_end`, SIGCHLD writes
// the byte too, so that a run that has ended is reaped at once rather than when the wait's time is up. A signal
// handler reaches nothing but globals; these are the only ones, and one object at a time owns them.
class StopSignals {
 public:
  explicit StopSignals(bool wake_on_child_end = false);
  ~StopSignals();
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;

  bool requested() const;
  int fd() const;
  void drain() const;  // reads what the handler wrote

 private:
  struct sigaction old_int_ {};
  struct sigaction old_term_ {};
  struct sigaction old_child_ {};
  bool wake_on_child_end_;
};

// Where a child runs: in a process group of its own (Ctrl-C on the terminal reaches this process only, which
// decides what ends), or in this process's (for a parent that does not catch Ctrl-C: the child ends with it).
enum class ProcessGroup { own, shared };

// fork() for a child that goes on from where this process is: what waits in the stdio buffers is written first
// (or the child would write it again), and signals wait until each side is ready. Returns 0 in the child, which
// must call detach_child() next, with the same `group`; the child's pid here; -1 with errno on failure.
pid_t fork_child(ProcessGroup group = ProcessGroup::own);
// In a child from fork_child(): standard input /dev/null, output and error on `out_fd` and `err_fd`, `keep_fd`
// (when not -1) moved to descriptor 3, every other descriptor closed, every signal at its default and none
// blocked. It must end with _exit: what it shares with its parent is not its own to flush or destroy.
void detach_child(int out_fd, int err_fd, int keep_fd = -1, ProcessGroup group = ProcessGroup::own);

// The path of the binary this process runs (a sweep's or a campaign's replay commands run the same build).
std::string own_executable(const std::string& fallback);

class ChildRuns {
 public:
  explicit ChildRuns(double timeout_seconds) : timeout_seconds_(timeout_seconds) {}
  ~ChildRuns() { kill_all(); }
  ChildRuns(const ChildRuns&) = delete;
  ChildRuns& operator=(const ChildRuns&) = delete;

  // A run forked from this process. In the child it returns true: its input is /dev/null, its output and error
  // go to pipes to this process, every other descriptor is closed, it is in a process group of its own
  // (Ctrl-C on the terminal reaches this process only, which decides what ends) and its signals are at their
  // defaults; it must end with _exit, never return into what its parent was doing. Here it returns false.
  bool fork_run(std::uint64_t id);
  // A run of the program argv[0], its arguments the rest, started the same way (in `group`).
  void spawn_run(std::uint64_t id, const std::vector<std::string>& argv, ProcessGroup group = ProcessGroup::own);

  std::size_t size() const { return running_.size(); }
  // Waits up to `wait_ms` — less when a run's time is up sooner — for output, the end of a run or a byte on
  // `wake_fd` (-1: none); kills the runs that are out of time; returns those that have ended, with how.
  std::vector<std::pair<std::uint64_t, ChildEnd>> wait(int wait_ms, int wake_fd);
  // Kills every run still going, waits for it and forgets it; returns their ids.
  std::vector<std::uint64_t> kill_all();
  // Forgets the runs without touching them: in a process forked from their parent, they are not its own.
  void forget() { running_.clear(); }

 private:
  using Clock = std::chrono::steady_clock;
  struct Child {
    std::uint64_t id = 0;
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
  void add(std::uint64_t id, pid_t pid, int out_fd, int err_fd, Clock::time_point started);

  double timeout_seconds_;
  std::list<Child> running_;
};

}  // namespace pairsim::sim
