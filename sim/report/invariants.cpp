#include "sim/report/invariants.hpp"

#include <algorithm>
#include <iterator>
#include <map>
#include <set>

#include "sim/report/expectations.hpp"  // format_seconds

namespace pairsim::sim {

const char* invariant_name(Invariant rule) {
  switch (rule) {
    case Invariant::one_primary:
      return "one primary";
    case Invariant::no_stale_takeover:
      return "no stale takeover";
    case Invariant::no_hung_request:
      return "no hung request";
    case Invariant::membership_agreement:
      return "membership agreement";
  }
  return "?";
}

namespace {

int as_int(const TraceEvent& e, const char* key, int fallback = -1) {
  auto v = e.get_int(key);
  return v ? static_cast<int>(*v) : fallback;
}
std::uint64_t as_u64(const TraceEvent& e, const char* key) {
  auto v = e.get_int(key);
  return v && *v > 0 ? static_cast<std::uint64_t>(*v) : 0;
}
std::string as_str(const TraceEvent& e, const char* key) {
  return e.get_str(key).value_or("");
}

bool is_read(const TraceEvent& e) {
  const std::string& k = e.kind;
  if (k == "process_start" || k == "process_stop" || k == "abend") return !as_str(e, "process").empty();
  return k == "run_start" || k == "cpu_state" || k == "backup_created" || k == "takeover" || k == "pair_lost" ||
         k == "reply_ahead" || k == "regroup_end" || k == "request_open" || k == "controller_state";
}

std::string cpu_list(const std::vector<int>& cpus) {
  std::string out;
  for (std::size_t i = 0; i < cpus.size(); ++i)
    out += (i == 0 ? "" : i + 1 == cpus.size() ? " and " : ", ") + std::to_string(cpus[i]);
  return out;
}

// A reply a primary sent before its backup held the state behind it (trace `reply_ahead`): the backup must
// have applied checkpoint `needed` (counted on that primary-backup link) before it may take over.
struct AheadReply {
  std::uint32_t needed = 0;
  std::uint64_t t_ns = 0;
  std::string to;
  std::int64_t sync_id = 0;
};

// What one pair name is made of at a moment: the CPUs that hold one of its processes (each up), whether
// that one is the primary, and the replies its primaries sent ahead of their checkpoints.
struct PairState {
  std::map<int, bool> halves;       // cpu → holds the primary (else the backup)
  std::map<int, AheadReply> ahead;  // by the CPU of the primary that replied
  bool reported_two = false;        // in a stretch of time with more than one primary, already reported
  int primaries() const {
    int n = 0;
    for (const auto& [cpu, primary] : halves) n += primary ? 1 : 0;
    return n;
  }
};

struct RoundReport {
  int cpu;
  std::string members;
  std::uint64_t t_ns;
};

class Replay {
 public:
  explicit Replay(std::vector<InvariantViolation>& out) : out_(out) {}

  void event(const TraceEvent& e) {
    const std::string& k = e.kind;
    if (k == "run_start") {
      up_.assign(static_cast<std::size_t>(std::max(as_int(e, "cpus", 0), 0)), true);
    } else if (k == "cpu_state") {
      cpu_state(as_int(e, "cpu"), as_str(e, "state"));
    } else if (k == "process_start") {
      process_start(as_str(e, "process"), as_int(e, "cpu"));
    } else if (k == "process_stop" || k == "abend") {
      const std::string name = as_str(e, "process");
      if (find(name) != nullptr) pair(name).halves.erase(as_int(e, "cpu"));
    } else if (k == "backup_created") {
      PairState& p = pair(as_str(e, "pair"));
      p.ahead.erase(as_int(e, "primary_cpu"));  // a new link: the new backup's checkpoints are counted afresh
      if (up(as_int(e, "cpu"))) p.halves[as_int(e, "cpu")] = false;
    } else if (k == "takeover") {
      takeover(e);
    } else if (k == "pair_lost") {
      PairState& p = pair(as_str(e, "pair"));
      p.halves.clear();
      p.ahead.clear();
    } else if (k == "reply_ahead") {
      AheadReply a{static_cast<std::uint32_t>(as_u64(e, "checkpoints") + 1), e.t_ns, as_str(e, "to"),
                   e.get_int("sync_id").value_or(0)};
      auto& slot = pairs_[as_str(e, "pair")].ahead[as_int(e, "cpu")];
      if (a.needed >= slot.needed) slot = a;
    } else if (k == "regroup_end") {
      if (up(as_int(e, "cpu")))
        rounds_[e.get_int("round").value_or(0)].push_back({as_int(e, "cpu"), as_str(e, "members"), e.t_ns});
    } else if (k == "controller_state") {
      controllers_up_[as_str(e, "volume")][as_int(e, "controller")] = as_str(e, "state") == "up";
    } else if (k == "request_open") {
      request_open(e);
    }
  }

  // The instant's events are all in: at most one primary per name among the CPUs that are up.
  void end_of_instant(std::uint64_t t_ns) {
    for (const std::string& name : touched_) {
      PairState& p = pairs_[name];
      const int n = p.primaries();
      if (n < 2) {
        p.reported_two = false;
        continue;
      }
      if (p.reported_two) continue;
      p.reported_two = true;
      std::vector<int> cpus;
      for (const auto& [cpu, primary] : p.halves)
        if (primary) cpus.push_back(cpu);
      add(Invariant::one_primary, t_ns, name, cpus,
          name + " has " + std::to_string(n) + " primaries at once, in cpus " + cpu_list(cpus) + ", all up");
    }
    touched_.clear();
  }

  // After the last event: every round's reports must agree.
  void finish() {
    std::vector<std::pair<std::uint64_t, std::int64_t>> order;  // rounds by their first report
    for (const auto& [round, reports] : rounds_) order.emplace_back(reports.front().t_ns, round);
    std::sort(order.begin(), order.end());
    for (const auto& [first_ns, round] : order) {
      const auto& reports = rounds_[round];
      std::map<std::string, std::vector<int>> by_members;  // member set → the CPUs that ended on it
      std::uint64_t t = 0;
      for (const auto& r : reports) {
        by_members[r.members].push_back(r.cpu);
        if (by_members.size() > 1 && t == 0) t = r.t_ns;
      }
      if (by_members.size() < 2) continue;
      std::vector<int> cpus;
      std::string said;
      for (auto& [members, who] : by_members) {
        std::sort(who.begin(), who.end());
        cpus.insert(cpus.end(), who.begin(), who.end());
        said += (said.empty() ? "" : "; ") + std::string(who.size() == 1 ? "cpu " : "cpus ") + cpu_list(who) + " on " +
                (members.empty() ? "none" : members);
      }
      std::sort(cpus.begin(), cpus.end());
      add(Invariant::membership_agreement, t, "", cpus,
          "regroup round " + std::to_string(round) + " ended with different memberships: " + said);
    }
  }

 private:
  bool up(int cpu) const {
    if (cpu < 0) return false;
    return static_cast<std::size_t>(cpu) >= up_.size() || up_[static_cast<std::size_t>(cpu)];
  }
  PairState* find(const std::string& name) {
    auto it = pairs_.find(name);
    return it == pairs_.end() ? nullptr : &it->second;
  }
  // The pair of that name, noted as changed at this instant.
  PairState& pair(const std::string& name) {
    touched_.insert(name);
    return pairs_[name];
  }
  void add(Invariant rule, std::uint64_t t, std::string pair, std::vector<int> cpus, std::string text) {
    out_.push_back({rule, t, std::move(pair), std::move(cpus), std::move(text)});
  }

  void cpu_state(int cpu, const std::string& state) {
    if (cpu < 0) return;
    if (static_cast<std::size_t>(cpu) >= up_.size()) up_.resize(static_cast<std::size_t>(cpu) + 1, true);
    up_[static_cast<std::size_t>(cpu)] = state == "up";
    if (state == "up") return;
    // Down, halted or reloading: whatever the CPU held is gone with it (a reload brings nothing back).
    for (auto& [name, p] : pairs_)
      if (p.halves.erase(cpu) != 0) touched_.insert(name);
  }

  void process_start(const std::string& name, int cpu) {
    if (!up(cpu)) return;
    PairState& p = pair(name);
    // The kernel starts a second process of a name only as the backup of the one that holds it.
    if (p.primaries() > 0) {
      p.halves[cpu] = false;
      return;
    }
    if (p.halves.empty()) p.ahead.clear();  // the name starts a life of its own
    p.halves[cpu] = true;
  }

  void takeover(const TraceEvent& e) {
    const std::string name = as_str(e, "pair");
    const int from = as_int(e, "from_cpu");
    const int to = as_int(e, "to_cpu");
    const std::string reason = as_str(e, "reason");
    if (!up(to)) return;  // taken over in a CPU already down: it never happened for the rest of the machine
    PairState& p = pair(name);
    const auto applied = as_u64(e, "checkpoints");
    if (auto it = p.ahead.find(from); it != p.ahead.end() && applied < it->second.needed) {
      const AheadReply& a = it->second;
      add(Invariant::no_stale_takeover, e.t_ns, name,
          from < to ? std::vector<int>{from, to} : std::vector<int>{to, from},
          name + ": cpu " + std::to_string(to) + " took over from cpu " + std::to_string(from) + " (" + reason +
              ") with " + std::to_string(applied) + " checkpoint" + (applied == 1 ? "" : "s") +
              " applied, but the primary had replied to " + a.to + " (sync ID " + std::to_string(a.sync_id) + ") at " +
              format_seconds(a.t_ns) + " on state that only checkpoint " + std::to_string(a.needed) +
              " would have carried");
    }
    p.ahead.erase(from);
    p.ahead.erase(to);
    p.halves[to] = true;
    // Only a checkswitch keeps the old primary, as the backup. After any other takeover, a primary still
    // held in `from` (its CPU up, though declared down) is a second primary.
    if (reason == "checkswitch") {
      if (auto it = p.halves.find(from); it != p.halves.end()) it->second = false;
    }
  }

  void request_open(const TraceEvent& e) {
    const int cpu = as_int(e, "cpu");
    const std::string target = as_str(e, "target");
    const std::uint64_t since = as_u64(e, "since_ns");
    const std::uint64_t limit = as_u64(e, "hung_after_ns");
    const std::uint64_t waited = e.t_ns > since ? e.t_ns - since : 0;
    if (!up(cpu) || waited <= limit) return;
    const PairState* p = find(target);
    if (p == nullptr || p->halves.empty()) return;  // the server is gone: not a request left hanging by it
    // A disk process whose controllers are both down waits for a repair to finish a checkpointed operation
    // (docs/io.md): its device is gone, as a server may be, and the request is not hanging on the server.
    // (A volume has two controllers; only those that changed are recorded.)
    if (auto c = controllers_up_.find(target);
        c != controllers_up_.end() && c->second.size() == 2 &&
        std::none_of(c->second.begin(), c->second.end(), [](const auto& kv) { return kv.second; }))
      return;
    std::vector<int> where;
    for (const auto& [c, primary] : p->halves) where.push_back(c);
    const std::string who = as_str(e, "process");
    const std::string id = std::to_string(cpu) + "," + std::to_string(as_int(e, "pin"));
    add(Invariant::no_hung_request, since, target, {cpu},
        (who.empty() ? id : who + " (" + id + ")") + " has waited " + format_seconds(waited) + " for its request to " +
            target + " (sync ID " + std::to_string(e.get_int("sync_id").value_or(0)) + ", made at " +
            format_seconds(since) + "), longer than " + format_setting_seconds(limit) + ", and " + target + " is alive in cpu" +
            (where.size() == 1 ? " " : "s ") + cpu_list(where));
  }

  std::vector<InvariantViolation>& out_;
  std::vector<bool> up_;
  std::map<std::string, PairState> pairs_;
  std::map<std::string, std::map<int, bool>> controllers_up_;  // volume -> controller -> up (those that changed)
  std::set<std::string> touched_;
  std::map<std::int64_t, std::vector<RoundReport>> rounds_;
};

}  // namespace

void InvariantChecker::on_event(const TraceEvent& e) {
  if (!is_read(e)) return;
  // Almost every event is the latest so far: an append. One that comes late slides back past the few that
  // overtook it; events of one instant keep the order they came in.
  auto at = events_.end();
  while (at != events_.begin() && std::prev(at)->t_ns > e.t_ns) --at;
  events_.insert(at, e);
  settled_ = false;
}

const std::vector<InvariantViolation>& InvariantChecker::violations() const {
  settle();
  return violations_;
}

void InvariantChecker::settle() const {
  if (settled_) return;
  violations_.clear();
  Replay replay(violations_);
  for (std::size_t i = 0; i < events_.size(); ++i) {
    replay.event(events_[i]);
    if (i + 1 == events_.size() || events_[i + 1].t_ns != events_[i].t_ns) replay.end_of_instant(events_[i].t_ns);
  }
  replay.finish();
  std::stable_sort(violations_.begin(), violations_.end(),
                   [](const InvariantViolation& a, const InvariantViolation& b) { return a.t_ns < b.t_ns; });
  settled_ = true;
}

}  // namespace pairsim::sim
