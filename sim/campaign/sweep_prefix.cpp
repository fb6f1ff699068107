// sc_spawn: an exploration's look-ahead run starts a process of its own that watches for the next state change.
#define SC_INCLUDE_DYNAMIC_PROCESSES
#include "sim/campaign/sweep_prefix.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <systemc>

#include "sim/campaign/child_runs.hpp"
#include "sim/run/scenario_driver.hpp"
#include "sim/scenario/duration.hpp"

namespace pairsim::sim {

namespace {

using Clock = std::chrono::steady_clock;

std::uint64_t now_ns() {
  return static_cast<std::uint64_t>(sc_core::sc_time_stamp().value() / sc_core::sc_time(1, sc_core::SC_NS).value());
}

}  // namespace

std::string ExplorePlan::str() const {
  std::ostringstream o;
  for (const auto& m : moments) o << "moment " << m.t_ns << " " << static_cast<int>(m.kind) << "\n";
  for (auto c : changes) o << "change " << c << "\n";
  if (complete) o << "complete\n";
  o << "checked " << checked_to << "\n";
  if (limit_at) o << "limit " << *limit_at << "\n";
  if (ended_at) o << "ended " << *ended_at << "\n";
  return o.str();
}

ExplorePlan ExplorePlan::parse(const std::string& text) {
  ExplorePlan p;
  std::istringstream in(text);
  std::string word;
  std::uint64_t t = 0;
  while (in >> word) {
    if (word == "complete") {
      p.complete = true;
      continue;
    }
    in >> t;
    if (word == "moment") {
      int kind = 0;
      in >> kind;
      p.moments.push_back(Moment{t, static_cast<MomentKind>(kind)});
    } else if (word == "change") {
      p.changes.push_back(t);
    } else if (word == "checked") {
      p.checked_to = t;
    } else if (word == "limit") {
      p.limit_at = t;
    } else if (word == "ended") {
      p.ended_at = t;
    }
  }
  return p;
}

void MomentRun::attach(ScenarioDriver& driver, TraceBus&) {
  for (std::size_t j = 0; j + 1 < moments_.size(); ++j) driver.add_sync_point(moments_[j].t_ns);
}

void SweepPrefix::attach(ScenarioDriver& driver, TraceBus& trace) {
  driver_ = &driver;
  trace_ = &trace;
  driver.add_sync_point(moments_.front().t_ns);
  driver.on_sync_point([this](std::uint64_t t) { at_moment(t); });
  if (setup_.spec.explore) {
    trace.set_detail(true);  // messages sent and received are state changes
    trace.add_sink(&changes_);
  }
}

void SweepPrefix::end_look_ahead(std::optional<std::uint64_t> change) const {
  unsigned char msg[9] = {static_cast<unsigned char>(change ? 1 : 0)};
  const std::uint64_t t = change.value_or(0);
  std::memcpy(msg + 1, &t, sizeof t);
  [[maybe_unused]] const auto n = write(look_ahead_fd_, msg, sizeof msg);
  _exit(0);
}

void SweepPrefix::at_moment(std::uint64_t t) {
  if (role_ != Role::prefix) return;  // a moment's run or a look-ahead: it has no more sync points of its own
  const std::uint64_t k = reached_++;
  if (sweep_) {
    if (!sweep_->make_room()) {
      stopped_ = true;
      sc_core::sc_stop();
      return;
    }
    if (sweep_->fork_moment(k, moments_[k])) {
      role_ = Role::moment;
      trace_->set_detail(false);  // a moment's run writes no trace: its detail would only cost time
      driver_->replace_schedule(setup_.at(t));
      return;
    }
  }
  std::optional<Moment> next;
  if (k >= last_) {
    // planned as far as asked
  } else if (!setup_.spec.explore) {
    if (k + 1 < moments_.size()) next = moments_[k + 1];
  } else if (moments_.size() >= max_moments_) {
    limit_reached_ = true;
  } else {
    const auto change = look_ahead(t);
    if (role_ != Role::prefix || stopped_) return;
    next = next_explore_moment(moments_.back(), change, setup_.spec.fault.window);
    if (next) moments_.push_back(*next);
  }
  if (next) {
    driver_->add_sync_point(next->t_ns);
  } else {
    plan_done_ = true;
    sc_core::sc_stop();  // the rest of this run is no moment's beginning
  }
}

std::optional<std::uint64_t> SweepPrefix::look_ahead(std::uint64_t after) {
  int answer[2];
  if (pipe2(answer, O_CLOEXEC) != 0) throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
  const pid_t pid = fork_child();
  if (pid == 0) {
    // The look-ahead: this run as it would go on, with no more sync points, watched by a process of its own.
    const int null_fd = open("/dev/null", O_WRONLY);
    detach_child(null_fd, null_fd, answer[1]);
    if (sweep_) sweep_->forget_runs();
    role_ = Role::look_ahead;
    look_ahead_fd_ = 3;
    look_ahead_after_ = after;
    sc_core::sc_spawn([this] { watch(); });
    return std::nullopt;
  }
  const int fork_error = errno;
  close(answer[1]);
  if (pid < 0) {
    close(answer[0]);
    throw std::runtime_error(std::string("cannot start a look-ahead run: ") + std::strerror(fork_error));
  }
  unsigned char msg[9];
  std::size_t got = 0;
  const auto deadline = Clock::now() + std::chrono::duration<double>(sweep_ ? sweep_->timeout_seconds() : 300.0);
  while (got < sizeof msg) {
    pollfd fds[2] = {{answer[0], POLLIN, 0}, {sweep_ ? sweep_->stop_fd() : -1, POLLIN, 0}};
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0 || (sweep_ && sweep_->stop_requested())) break;
    if (poll(fds, sweep_ ? 2 : 1, static_cast<int>(std::min<long long>(left, 1000))) < 0 && errno != EINTR) break;
    if (!(fds[0].revents & (POLLIN | POLLHUP))) continue;
    const ssize_t n = read(answer[0], msg + got, sizeof msg - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got += static_cast<std::size_t>(n);
  }
  close(answer[0]);
  kill(pid, SIGKILL);  // gone already, unless it is out of time or asked to stop
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (sweep_ && sweep_->stop_requested()) {
    stopped_ = true;
    sc_core::sc_stop();
    return std::nullopt;
  }
  if (got != sizeof msg)
    throw std::runtime_error("the look-ahead run from " + format_duration(after) +
                             " ended without saying when the next state change comes");
  if (msg[0] == 0) return std::nullopt;
  std::uint64_t t = 0;
  std::memcpy(&t, msg + 1, sizeof t);
  return t;
}

// In a look-ahead run: every later event is stamped at or after the kernel's time (a CPU runs ahead of it,
// never behind), so once that time has come to the first change seen, no earlier one can follow. Nor can one
// inside the window once the time is past it.
void SweepPrefix::watch() {
  const std::uint64_t end = setup_.spec.fault.window.to_ns;
  const std::uint64_t step = std::max<std::uint64_t>(setup_.quantum_ns, 1);
  for (;;) {
    const std::uint64_t first = changes_.first_after;
    const std::uint64_t limit = std::min(first, end + 1);
    const std::uint64_t now = now_ns();
    if (now >= limit) end_look_ahead(first <= end ? std::optional<std::uint64_t>(first) : std::nullopt);
    sc_core::wait(sc_core::sc_time(static_cast<double>(std::min(limit - now, step)), sc_core::SC_NS));
  }
}

ExplorePlan SweepPrefix::plan(int code) const {
  ExplorePlan p;
  p.moments.assign(moments_.begin(), moments_.begin() + static_cast<std::ptrdiff_t>(reached_));
  p.complete = plan_done_ && !stopped_;
  if (limit_reached_) p.limit_at = moments_.back().t_ns;
  if (!plan_done_ && !stopped_) {
    // The run ended (`run until`) before the window did.
    ChildEnd own;
    own.exit_code = code;
    own.out = own_report();
    p.ended_at = judge_run(setup_.spec.seed, own).sim_time_ns.value_or(0);
  }
  if (p.complete && !p.moments.empty()) {
    // What the run saw up to its last edge: the window's end, unless --max-moments came first.
    auto last_edge = p.moments.rbegin();
    while (last_edge + 1 != p.moments.rend() && last_edge->kind == MomentKind::between) ++last_edge;
    p.checked_to = last_edge->t_ns;
    for (std::uint64_t t : changes_.in_window)
      if (t <= p.checked_to) p.changes.push_back(t);
    std::sort(p.changes.begin(), p.changes.end());
    p.changes.erase(std::unique(p.changes.begin(), p.changes.end()), p.changes.end());
  }
  return p;
}

std::optional<ExplorePlan> plan_exploration(PreparedScenario& prepared, const RunOptions& run, const SweepSetup& setup,
                                            std::uint64_t last, std::uint64_t max_moments) {
  int answer[2];
  if (pipe2(answer, O_CLOEXEC) != 0) throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
  // In this process group: whoever plans does not catch Ctrl-C, and the planning run ends with it.
  const pid_t pid = fork_child(ProcessGroup::shared);
  if (pid == 0) {
    detach_child(STDOUT_FILENO, STDERR_FILENO, answer[1], ProcessGroup::shared);
    SweepPrefix prefix(setup, {Moment{setup.spec.fault.window.from_ns, MomentKind::window}}, nullptr, last,
                       max_moments);
    RunOptions quiet = run;
    quiet.json = true;
    quiet.trace.clear();
    quiet.vcd.clear();
    quiet.table = false;
    quiet.pair.clear();
    // A child never returns into the parent's copy of the program: whatever happens, it ends here.
    std::string out;
    try {
      const int code = simulate_prepared(prepared, quiet, &prefix);
      if (prefix.role() == SweepPrefix::Role::look_ahead) prefix.end_look_ahead(std::nullopt);
      out = prefix.plan(code).str();
    } catch (...) {
      _exit(3);
    }
    for (std::size_t done = 0; done < out.size();) {
      const ssize_t n = write(3, out.data() + done, out.size() - done);
      if (n <= 0) _exit(3);
      done += static_cast<std::size_t>(n);
    }
    _exit(0);
  }
  const int fork_error = errno;
  close(answer[1]);
  if (pid < 0) {
    close(answer[0]);
    throw std::runtime_error(std::string("cannot start the planning run: ") + std::strerror(fork_error));
  }
  std::string text;
  char buf[65536];
  for (;;) {
    const ssize_t n = read(answer[0], buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    text.append(buf, static_cast<std::size_t>(n));
  }
  close(answer[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) return std::nullopt;
  return ExplorePlan::parse(text);
}

}  // namespace pairsim::sim
