// End-to-end membership over an ideal network: N Membership objects driven by a tiny discrete-event loop
// that does what the Cpu module will do (send I'm-alive at k·P, check at k·P + P/2, flood regroup bytes,
// fire round deadlines). Checks the detection bound over many failure phases, split brain, and reload.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <map>
#include <optional>
#include <queue>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "cpu/membership/membership.hpp"

using namespace pairsim::cpu;

namespace {

constexpr std::uint64_t P = 1'000'000'000;

class Network {
 public:
  Network(int n, MembershipConfig config = {}) : n_(n), period_(config.period_ns) {
    for (int i = 0; i < n; ++i) cpus_.emplace_back(i, n, config);
    up_.assign(n, true);
    link_.assign(n, std::vector<bool>(n, true));
    halt_reason_.assign(n, "");
    down_at_.assign(n, std::map<int, std::uint64_t>{});
    up_at_.assign(n, std::map<int, std::uint64_t>{});
    rounds_.assign(n, 0);
    round_reasons_.assign(n, {});
    check_skew_.assign(n, 0);
    at(0, [this] { tick(0); });
  }

  // Scheduled faults, in the order a scenario would give them. A fault at the same time as a send
  // happens first (it was scheduled first): a CPU failing at k·P sends nothing at k·P.
  void fail_at(std::uint64_t t, int cpu) {
    at(t, [this, cpu] { up_[cpu] = false; });
  }
  void reload_at(std::uint64_t t, int cpu) {
    at(t, [this, cpu] {
      cpus_[cpu].rejoin(now_);
      up_[cpu] = true;
      halt_reason_[cpu].clear();
    });
  }
  // Messages from `from` stop reaching `to` (both buses' paths).
  void cut_at(std::uint64_t t, int from, int to) {
    at(t, [this, from, to] { link_[from][to] = false; });
  }
  void cut_both_at(std::uint64_t t, int a, int b) {
    cut_at(t, a, b);
    cut_at(t, b, a);
  }
  void restore_at(std::uint64_t t, int from, int to) {
    at(t, [this, from, to] { link_[from][to] = true; });
  }
  // Every path to and from `cpu` is out from t to `until` (both buses of one CPU cut, then repaired).
  void isolate(std::uint64_t t, std::uint64_t until, int cpu) {
    for (int j = 0; j < n_; ++j) {
      if (j == cpu) continue;
      cut_both_at(t, cpu, j);
      restore_at(until, cpu, j);
      restore_at(until, j, cpu);
    }
  }
  // Lose the one I'm-alive that `from` sends to `to` at time t (the bus dropped both copies).
  void drop_imalive(std::uint64_t t, int from, int to) { drops_.push_back({t, from, to}); }
  // The host checks this CPU's I'm-alives a little late (host clocks a quantum apart).
  void skew_checks(int cpu, std::uint64_t ns) { check_skew_[cpu] = ns; }

  void run_until(std::uint64_t end) {
    while (!queue_.empty() && queue_.top().t <= end) {
      auto e = queue_.top();
      queue_.pop();
      now_ = e.t;
      e.fn();
    }
    now_ = end;
  }

  const Membership& cpu(int i) const { return cpus_[i]; }
  bool running(int i) const { return up_[i]; }
  const std::string& halt_reason(int i) const { return halt_reason_[i]; }
  // When CPU `by` last declared `cpu` down / up (absent: never).
  std::optional<std::uint64_t> down_at(int by, int cpu) const {
    auto it = down_at_[by].find(cpu);
    return it == down_at_[by].end() ? std::nullopt : std::optional<std::uint64_t>(it->second);
  }
  std::optional<std::uint64_t> up_at(int by, int cpu) const {
    auto it = up_at_[by].find(cpu);
    return it == up_at_[by].end() ? std::nullopt : std::optional<std::uint64_t>(it->second);
  }
  int rounds(int i) const { return rounds_[i]; }
  int extensions(int i) const { return extensions_[i]; }
  const std::vector<std::string>& round_reasons(int i) const { return round_reasons_[i]; }
  int missed_observations() const { return missed_observations_; }

 private:
  struct Event {
    std::uint64_t t;
    std::uint64_t seq;
    std::function<void()> fn;
    bool operator<(const Event& o) const { return t != o.t ? t > o.t : seq > o.seq; }
  };
  struct Drop {
    std::uint64_t t;
    int from, to;
  };

  void at(std::uint64_t t, std::function<void()> fn) { queue_.push({t, seq_++, std::move(fn)}); }

  // A few µs, different per pair so that arrivals are not all simultaneous.
  std::uint64_t delay(int from, int to) const { return 3'000 + static_cast<std::uint64_t>(from * 16 + to) * 7; }

  bool dropped(std::uint64_t t, int from, int to) const {
    for (const auto& d : drops_)
      if (d.t == t && d.from == from && d.to == to) return true;
    return false;
  }

  void tick(std::uint64_t k) {
    const std::uint64_t t = k * period_;
    for (int i = 0; i < n_; ++i) {
      if (!up_[i]) continue;
      for (int j = 0; j < n_; ++j) {
        if (j == i || !link_[i][j] || dropped(t, i, j)) continue;
        at(t + delay(i, j), [this, i, j] {
          if (up_[j]) cpus_[j].on_imalive(i, now_);
        });
      }
    }
    for (int i = 0; i < n_; ++i)
      at(t + period_ / 2 + check_skew_[i], [this, i] {
        if (up_[i]) apply(i, cpus_[i].on_check(now_));
      });
    at(t + period_, [this, k] { tick(k + 1); });
  }

  void broadcast(int from, const std::vector<std::uint8_t>& bytes) {
    for (int j = 0; j < n_; ++j) {
      if (j == from || !link_[from][j]) continue;
      at(now_ + delay(from, j), [this, from, j, bytes] {
        if (up_[j]) apply(j, cpus_[j].on_regroup_message(now_, from, bytes));
      });
    }
  }

  void apply(int i, const Membership::Actions& a) {
    if (std::getenv("MEMBERSHIP_DEBUG")) {
      if (a.suspected || a.round_started || a.decision)
        std::fprintf(stderr, "%.6f cpu%d members=%s suspected=%s round=%u started=%d%s\n", now_ / 1e9, i,
                     describe_cpus(cpus_[i].members()).c_str(), describe_cpus(a.suspected).c_str(),
                     cpus_[i].regroup().round(), a.round_started,
                     a.decision ? (" decision kind=" + std::to_string(int(a.decision->kind)) +
                                   " S=" + describe_cpus(a.decision->survivors) + " " + a.decision->reason +
                                   (a.decision->rerun ? " rerun" : ""))
                                      .c_str()
                                : "");
    }
    if (a.missed_once) ++missed_observations_;
    if (a.decision) {
      const auto& d = *a.decision;
      for (int j = 0; j < n_; ++j) {
        if (has_cpu(d.declared_down, j)) down_at_[i][j] = now_;
        if (has_cpu(d.declared_up, j)) up_at_[i][j] = now_;
      }
      if (d.kind == Regroup::Decision::Kind::halt) {
        up_[i] = false;
        halt_reason_[i] = d.reason;
      }
    }
    if (a.round_started) {
      ++rounds_[i];
      round_reasons_[i].push_back(a.round_reason);
    }
    if (a.round_extended) ++extensions_[i];
    if (a.round_started || a.round_extended)
      at(a.deadline_ns, [this, i] {
        if (up_[i]) apply(i, cpus_[i].on_deadline(now_));
      });
    if (!a.broadcast.empty() && up_[i]) broadcast(i, a.broadcast);
  }

  int n_;
  std::uint64_t period_;
  std::uint64_t now_ = 0;
  std::uint64_t seq_ = 0;
  std::priority_queue<Event> queue_;
  std::vector<Membership> cpus_;
  std::vector<bool> up_;
  std::vector<std::vector<bool>> link_;
  std::vector<Drop> drops_;
  std::vector<std::string> halt_reason_;
  std::vector<std::map<int, std::uint64_t>> down_at_;
  std::vector<std::map<int, std::uint64_t>> up_at_;
  std::vector<int> rounds_;
  std::vector<int> extensions_ = std::vector<int>(kMaxCpus, 0);
  std::vector<std::vector<std::string>> round_reasons_;
  std::vector<std::uint64_t> check_skew_;
  int missed_observations_ = 0;
};

CpuMask set(std::initializer_list<int> cpus) {
  CpuMask m = 0;
  for (int c : cpus) m |= cpu_bit(c);
  return m;
}

}  // namespace

TEST_CASE("membership: a healthy machine never regroups") {
  Network net(16);
  net.run_until(50 * P);
  for (int i = 0; i < 16; ++i) {
    CHECK(net.cpu(i).members() == all_cpus(16));
    CHECK(net.rounds(i) == 0);
  }
  CHECK(net.missed_observations() == 0);
}

TEST_CASE("membership: a failed CPU is declared down by every survivor 1P..3P later, at any phase") {
  struct Setup {
    std::uint64_t period, window;
  };
  // The default (P = 1 s, W = P/4), and a teaching scale with a shorter window (P = 10 ms, W = 1 ms).
  for (auto setup : {Setup{P, 0}, Setup{10'000'000, 1'000'000}}) {
    const std::uint64_t p = setup.period;
    const std::uint64_t w = setup.window != 0 ? setup.window : p / 4;
    // Phases across one period, the edges of the send and check instants included.
    std::vector<std::uint64_t> phases = {0, 1, p / 2 - 1, p / 2, p / 2 + 1, p - 1};
    for (std::uint64_t k = 0; k < 64; ++k) phases.push_back(k * (p / 64) + 12'345);
    std::uint64_t earliest = ~0ull, latest = 0;
    for (int n : {2, 3, 4, 16}) {
      const int victim = n - 1 - (n > 2 ? 1 : 0);
      for (auto phase : phases) {
        const std::uint64_t f = 10 * p + phase;
        INFO("P " << p << ", " << n << " CPUs, CPU " << victim << " fails at " << f);
        Network net(n, MembershipConfig{p, setup.window});
        net.fail_at(f, victim);
        net.run_until(f + 4 * p);
        const CpuMask expected = static_cast<CpuMask>(all_cpus(n) & ~cpu_bit(victim));
        for (int s = 0; s < n; ++s) {
          if (s == victim) continue;
          INFO("survivor " << s);
          REQUIRE(net.running(s));
          auto t = net.down_at(s, victim);
          REQUIRE(t);
          CHECK(*t - f >= 1 * p);
          CHECK(*t - f <= 3 * p);
          earliest = std::min(earliest, *t - f);
          latest = std::max(latest, *t - f);
          CHECK(net.cpu(s).members() == expected);
          CHECK(net.rounds(s) == 1);
        }
      }
    }
    // The bound docs/membership.md proves: [1.5P + W, 2.5P + W), plus bus delays of a few µs.
    CHECK(earliest >= p + p / 2 + w);
    CHECK(latest < 2 * p + p / 2 + w + 100'000);
  }
}

TEST_CASE("membership: the round window must be shorter than half a period") {
  CHECK(MembershipConfig{}.effective_window_ns() == P / 4);
  CHECK(MembershipConfig{P, 1000}.effective_window_ns() == 1000);
  CHECK_THROWS_AS((MembershipConfig{P, P / 2}.effective_window_ns()), std::invalid_argument);
  CHECK_THROWS_AS((MembershipConfig{0, 0}.effective_window_ns()), std::invalid_argument);
  CHECK_THROWS_AS((Membership(0, 4, MembershipConfig{P, P})), std::invalid_argument);
}

TEST_CASE("membership: a single lost I'm-alive is only an observation") {
  Network net(4);
  net.drop_imalive(5 * P, 2, 0);
  net.run_until(10 * P);
  CHECK(net.missed_observations() == 1);
  for (int i = 0; i < 4; ++i) {
    CHECK(net.rounds(i) == 0);
    CHECK(net.cpu(i).members() == all_cpus(4));
  }
}

TEST_CASE("membership: two CPUs failing at once") {
  SECTION("two of five: three survivors continue") {
    Network net(5);
    net.fail_at(7 * P + 300, 1);
    net.fail_at(7 * P + 300, 3);
    net.run_until(12 * P);
    for (int s : {0, 2, 4}) {
      CHECK(net.running(s));
      CHECK(net.cpu(s).members() == set({0, 2, 4}));
      CHECK(net.down_at(s, 1));
      CHECK(net.down_at(s, 3));
      CHECK(net.rounds(s) == 1);
    }
  }
  SECTION("two of four with CPU 0 among the survivors: they continue on the tie-break") {
    Network net(4);
    net.fail_at(7 * P + 300, 1);
    net.fail_at(7 * P + 300, 3);
    net.run_until(12 * P);
    for (int s : {0, 2}) {
      CHECK(net.running(s));
      CHECK(net.cpu(s).members() == set({0, 2}));
    }
  }
  SECTION("two of four without CPU 0: the survivors halt (the tie-break cannot tell a crash from a split)") {
    Network net(4);
    net.fail_at(7 * P + 300, 0);
    net.fail_at(7 * P + 300, 1);
    net.run_until(12 * P);
    for (int s : {2, 3}) {
      CHECK_FALSE(net.running(s));
      CHECK(net.halt_reason(s) == "regroup: half without CPU 0, 2 of 4");
    }
  }
  SECTION("the second fails during the round: it is found one period later") {
    Network net(4);
    const std::uint64_t f = 7 * P + 300;
    net.fail_at(f, 1);
    // Suspected at 9.5P; the round runs 9.5P..9.75P. 3 fails inside it, after sending its view.
    net.fail_at(9 * P + P / 2 + P / 8, 3);
    net.run_until(14 * P);
    for (int s : {0, 2}) {
      CHECK(net.running(s));
      CHECK(net.cpu(s).members() == set({0, 2}));
      REQUIRE(net.down_at(s, 1));
      REQUIRE(net.down_at(s, 3));
      CHECK(*net.down_at(s, 3) > *net.down_at(s, 1));
      CHECK(*net.down_at(s, 3) - (9 * P + P / 2 + P / 8) <= 3 * P);
      CHECK(net.rounds(s) == 2);
    }
  }
}

TEST_CASE("membership: a CPU cut off from both buses halts and the majority declares it down") {
  Network net(4);
  const std::uint64_t t = 6 * P + 777;
  for (int j : {0, 1, 2}) net.cut_both_at(t, 3, j);
  net.run_until(t + 4 * P);
  CHECK_FALSE(net.running(3));
  CHECK(net.halt_reason(3) == "regroup: minority, 1 of 4");
  for (int s : {0, 1, 2}) {
    CHECK(net.running(s));
    CHECK(net.cpu(s).members() == set({0, 1, 2}));
    REQUIRE(net.down_at(s, 3));
    CHECK(*net.down_at(s, 3) - t <= 3 * P);
  }
}

TEST_CASE("membership: a one-way path failure halts one end, and everybody agrees") {
  Network net(4);
  net.cut_at(6 * P + 10, 3, 0);  // 0 no longer hears 3; 3 still hears 0
  net.run_until(12 * P);
  CHECK_FALSE(net.running(3));
  CHECK(net.halt_reason(3) == "regroup: cut off");
  for (int s : {0, 1, 2}) {
    CHECK(net.running(s));
    CHECK(net.cpu(s).members() == set({0, 1, 2}));
  }
}

TEST_CASE("membership: a 2/2 split of four: CPU 0's side continues, the other halts") {
  Network net(4);
  const std::uint64_t t = 5 * P + P / 3;
  for (int a : {0, 1})
    for (int b : {2, 3}) net.cut_both_at(t, a, b);
  net.run_until(t + 5 * P);
  for (int s : {0, 1}) {
    CHECK(net.running(s));
    CHECK(net.cpu(s).members() == set({0, 1}));
    CHECK(net.down_at(s, 2));
    CHECK(net.down_at(s, 3));
  }
  for (int s : {2, 3}) {
    CHECK_FALSE(net.running(s));
    CHECK(net.halt_reason(s) == "regroup: half without CPU 0, 2 of 4");
  }
}

TEST_CASE("membership: a reloaded CPU is admitted and declared up on all") {
  Network net(4);
  net.fail_at(5 * P + 100, 2);
  const std::uint64_t reload = 12 * P + P / 3;
  net.reload_at(reload, 2);
  net.run_until(20 * P);
  for (int s = 0; s < 4; ++s) {
    INFO("cpu " << s);
    CHECK(net.running(s));
    CHECK(net.cpu(s).members() == all_cpus(4));
    CHECK_FALSE(net.cpu(s).joiner());
    if (s == 2) continue;
    REQUIRE(net.up_at(s, 2));
    CHECK(*net.up_at(s, 2) > reload);
    CHECK(*net.up_at(s, 2) - reload <= 2 * P);
    CHECK(net.rounds(s) == 2);  // one to declare it down, one to admit it
  }
}

TEST_CASE("membership: a CPU reloaded before its failure was noticed is declared down and up again") {
  Network net(4);
  const std::uint64_t f = 5 * P + 100;
  net.fail_at(f, 2);
  // Back before anyone missed two I'm-alives: at any point up to the instant of the last missed send.
  const std::uint64_t reload = GENERATE(P / 2, P + P / 3, 2 * P - 200, 2 * P - 100);
  net.reload_at(f + reload, 2);
  net.run_until(12 * P);
  for (int s = 0; s < 4; ++s) {
    INFO("cpu " << s);
    CHECK(net.running(s));
    CHECK(net.cpu(s).members() == all_cpus(4));
    if (s == 2) continue;
    REQUIRE(net.down_at(s, 2));
    REQUIRE(net.up_at(s, 2));
    CHECK(*net.down_at(s, 2) == *net.up_at(s, 2));
    CHECK(*net.up_at(s, 2) - f <= 3 * P);
    CHECK(net.round_reasons(s) == std::vector<std::string>{"admission request from CPU 2"});
  }
}

TEST_CASE("membership: a crash and a reload settled in the same round") {
  Network net(4);
  net.fail_at(3 * P + 100, 2);
  net.reload_at(9 * P + 100, 2);  // admitted at 10.5P
  net.fail_at(8 * P + 100, 1);    // suspected at 10.5P too
  net.run_until(15 * P);
  for (int s : {0, 2, 3}) {
    CHECK(net.running(s));
    CHECK(net.cpu(s).members() == set({0, 2, 3}));
  }
  for (int s : {0, 3}) {
    REQUIRE(net.up_at(s, 2));
    REQUIRE(net.down_at(s, 1));
    CHECK(*net.up_at(s, 2) == *net.down_at(s, 1));
    CHECK(net.rounds(s) == 2);  // 2 down, then {1 down, 2 up} together
    CHECK(net.round_reasons(s) == std::vector<std::string>{"suspect 2", "suspect 1; admit 2"});
  }
  CHECK(net.round_reasons(2) == std::vector<std::string>{"message from CPU 0"});
}

TEST_CASE("membership: a second suspicion arriving during a round (skewed checks)") {
  Network net(5);
  net.skew_checks(0, 20'000);  // CPU 0 checks 20 µs after the others: it is in their round by then
  net.fail_at(6 * P + 100, 4);
  net.cut_at(6 * P + 100, 3, 0);  // and 0 stops hearing 3 at the same time
  net.run_until(12 * P);
  // 3 is mutually disconnected from 0: one of them goes; 3 (fewer links, higher id) halts.
  CHECK_FALSE(net.running(3));
  for (int s : {0, 1, 2}) {
    CHECK(net.running(s));
    CHECK(net.cpu(s).members() == set({0, 1, 2}));
  }
}

TEST_CASE("membership: random faults never leave two running groups") {
  std::mt19937 rng(20240611);
  for (int run = 0; run < 1000; ++run) {
    const int n = 3 + static_cast<int>(rng() % 6);
    if (std::getenv("MEMBERSHIP_DEBUG")) std::fprintf(stderr, "=== run %d\n", run);
    Network net(n);
    const int faults = 1 + static_cast<int>(rng() % 3);
    std::string what;
    for (int f = 0; f < faults; ++f) {
      const std::uint64_t t = 3 * P + rng() % (6 * P);
      const int a = static_cast<int>(rng() % n);
      int b = static_cast<int>(rng() % n);
      if (b == a) b = (a + 1) % n;
      switch (rng() % 4) {
        case 0:
          net.fail_at(t, a);
          what += " fail" + std::to_string(a);
          break;
        case 1:
          net.cut_both_at(t, a, b);
          what += " cut" + std::to_string(a) + "-" + std::to_string(b);
          break;
        case 2:
          net.cut_at(t, a, b);
          what += " cut" + std::to_string(a) + ">" + std::to_string(b);
          break;
        default:
          net.fail_at(t, a);
          net.reload_at(t + P + rng() % (3 * P), a);
          what += " reload" + std::to_string(a);
      }
    }
    net.run_until(20 * P);
    INFO("run " << run << ", " << n << " CPUs:" << what);
    // Every running member agrees on one membership, and it holds exactly the running members.
    CpuMask running_members = 0;
    for (int i = 0; i < n; ++i)
      if (net.running(i) && !net.cpu(i).joiner()) running_members |= cpu_bit(i);
    for (int i = 0; i < n; ++i)
      if (net.running(i) && !net.cpu(i).joiner()) CHECK(net.cpu(i).members() == running_members);
  }
}

TEST_CASE("membership: a member cut off for a moment during a round is waited for, not voted out") {
  // CPU 1 fails; while the survivors regroup over it, CPU 2 is cut off from everyone for one period (an
  // outage of both its paths, shorter than failure detection). The round waits for CPU 2's row instead of
  // declaring it down with CPU 1.
  Network net(4);
  net.fail_at(3 * P + P / 5, 1);
  net.isolate(5 * P + 3 * P / 10, 6 * P + 3 * P / 10, 2);
  net.run_until(12 * P);
  for (int i : {0, 2, 3}) {
    INFO("CPU " << i);
    CHECK(net.running(i));
    CHECK(net.cpu(i).members() == set({0, 2, 3}));
    CHECK(net.down_at(i, 1).has_value());
    CHECK_FALSE(net.down_at(i, 2).has_value());
  }
  CHECK(net.extensions(0) > 0);
  // The wait costs time, bounded by the round's limit (2·P): CPU 1 is still declared down within 5·P.
  CHECK(*net.down_at(0, 1) - (3 * P + P / 5) < 5 * P);
}

TEST_CASE("membership: a member cut off for longer than a round may wait is voted out, and everyone agrees") {
  Network net(4);
  net.fail_at(3 * P + P / 5, 1);
  net.isolate(5 * P + 3 * P / 10, 9 * P, 2);
  net.run_until(14 * P);
  for (int i : {0, 3}) {
    INFO("CPU " << i);
    CHECK(net.running(i));
    CHECK(net.cpu(i).members() == set({0, 3}));
    CHECK(net.down_at(i, 2).has_value());
  }
  CHECK_FALSE(net.running(2));  // it learns it was voted out, and halts
}
