#include "sim/report/explain.hpp"

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>
#include <vector>

#include "sim/report/status_word.hpp"

namespace pairsim::sim {

namespace {

int geti(const TraceEvent& e, const char* key) {
  return static_cast<int>(e.get_int(key).value_or(-1));
}
std::string gets(const TraceEvent& e, const char* key) {
  return e.get_str(key).value_or("");
}

std::string at(std::uint64_t t_ns) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%12.6f s", static_cast<double>(t_ns) / 1e9);
  return buf;
}
std::string secs(std::uint64_t ns) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6f s", static_cast<double>(ns) / 1e9);
  return buf;
}
std::string periods(std::uint64_t ns, std::optional<std::uint64_t> heartbeat_ns) {
  if (!heartbeat_ns || *heartbeat_ns == 0) return "";
  char buf[48];
  std::snprintf(buf, sizeof buf, " (%.2f heartbeats)", static_cast<double>(ns) / static_cast<double>(*heartbeat_ns));
  return buf;
}

// "cpus 0, 2 and 3" / "cpu 2"
std::string cpus(std::vector<int> list) {
  std::sort(list.begin(), list.end());
  if (list.size() == 1) return "cpu " + std::to_string(list[0]);
  std::string out = "cpus ";
  for (std::size_t i = 0; i < list.size(); ++i)
    out += (i == 0 ? "" : (i + 1 == list.size() ? " and " : ", ")) + std::to_string(list[i]);
  return out;
}

std::string line(std::uint64_t t, const std::string& text) {
  return "  " + at(t) + "  " + text + "\n";
}

// One CPU going down and what the others made of it.
struct Episode {
  int cpu;
  std::uint64_t t_ns;
  bool halted;
  std::uint64_t until_ns;     // the next episode of the same CPU, or the end
  std::uint64_t up_since_ns;  // when the CPU was last up before it (0: from the start)
};

}  // namespace

std::string explain_text(const ProtocolLog& log, std::optional<std::uint64_t> heartbeat_ns) {
  const auto& ev = log.events();
  std::vector<Episode> episodes;
  std::set<int> down;
  std::map<int, std::uint64_t> up_since;
  for (const auto& e : ev) {
    if (e.kind != "cpu_state") continue;
    const int c = geti(e, "cpu");
    const std::string st = gets(e, "state");
    if ((st == "down" || st == "halted") && !down.count(c)) {
      down.insert(c);
      episodes.push_back({c, e.t_ns, st == "halted", ~std::uint64_t{0}, up_since[c]});
    } else if (st == "up" || st == "reloading") {
      down.erase(c);
      if (st == "up") up_since[c] = e.t_ns;
    }
  }
  for (std::size_t i = 0; i < episodes.size(); ++i)
    for (std::size_t j = i + 1; j < episodes.size(); ++j)
      if (episodes[j].cpu == episodes[i].cpu) {
        episodes[i].until_ns = episodes[j].t_ns;
        break;
      }

  std::string out;
  for (std::size_t n = 0; n < episodes.size(); ++n) {
    const Episode& ep = episodes[n];
    const int c = ep.cpu;
    // A failure starts the chain; a CPU that halts itself was cut off before, and the chain starts then:
    // at most a detection and a round that waits (5 periods) before the halt.
    std::uint64_t from = ep.t_ns;
    if (ep.halted) {
      from = ep.up_since_ns;
      if (heartbeat_ns && ep.t_ns > 5 * *heartbeat_ns) from = std::max(from, ep.t_ns - 5 * *heartbeat_ns);
    }
    auto in = [&](const TraceEvent& e) { return e.t_ns >= from && e.t_ns < ep.until_ns; };
    // The cause, as the scenario or the CPU itself says it.
    std::string cause;
    for (const auto& e : ev) {
      if (e.t_ns != ep.t_ns) continue;
      if (e.kind == "fault" && gets(e, "what").find("cpu " + std::to_string(c)) != std::string::npos)
        cause = " (" + gets(e, "what") + ", scenario line " + std::to_string(geti(e, "line")) + ")";
      if (e.kind == "halt" && geti(e, "cpu") == c) cause = ": it halted itself (" + gets(e, "reason") + ")";
    }
    out += "\ncpu " + std::to_string(c) + (ep.halted ? " stopped" : " failed") + " at " + secs(ep.t_ns) + cause +
           ". How the other CPUs found out:\n";
    // The steps, told in time order whichever CPU took them.
    std::vector<std::pair<std::uint64_t, std::string>> steps;
    auto step = [&](std::uint64_t t, const std::string& text) { steps.emplace_back(t, text); };
    if (ep.halted)
      for (const auto& e : ev)
        if (e.kind == "fault" && e.t_ns >= from && e.t_ns <= ep.t_ns)
          step(e.t_ns, gets(e, "what") + " (scenario line " + std::to_string(geti(e, "line")) + ")");
    if (heartbeat_ns && *heartbeat_ns > 0 && ep.t_ns > 0 && !ep.halted) {
      // The sends are at k·P, the checks at k·P + P/2 (docs/membership.md, "I'm-alive").
      const std::uint64_t p = *heartbeat_ns;
      const std::uint64_t last_send = (ep.t_ns - 1) / p * p;
      out += "  Every CPU sends I'm-alive every " + secs(p) + " and checks half a period later what it heard.\n";
      step(last_send, "cpu " + std::to_string(c) + " sent its last I'm-alive; the others' check at " +
                          secs(last_send + p / 2) + " counted it");
    }
    // The verdicts close the chain; what comes after them is another story.
    std::vector<const TraceEvent*> verdicts;
    for (const auto& e : ev)
      if (e.kind == "declared_down" && geti(e, "cpu") == c && in(e)) verdicts.push_back(&e);
    const std::uint64_t last = verdicts.empty() ? ep.until_ns : verdicts.back()->t_ns;
    auto before_end = [&](const TraceEvent& e) { return in(e) && e.t_ns <= last; };

    // Events of one kind at one instant, gathered: "cpus 0, 2 and 3 …".
    auto gather = [&](const char* kind, const char* who, auto match) {
      std::map<std::uint64_t, std::vector<int>> at_time;
      for (const auto& e : ev)
        if (e.kind == kind && before_end(e) && match(e)) at_time[e.t_ns].push_back(geti(e, who));
      return at_time;
    };
    const auto missed = gather("imalive_missed", "cpu", [&](const TraceEvent& e) { return geti(e, "from") == c; });
    const auto suspects = gather("suspect", "cpu", [&](const TraceEvent& e) { return geti(e, "suspect") == c; });
    // What the CPU that halts heard, or did not: it was cut off from the others.
    const auto own_missed =
        gather("imalive_missed", "from", [&](const TraceEvent& e) { return ep.halted && geti(e, "cpu") == c; });
    const auto own_suspects =
        gather("suspect", "suspect", [&](const TraceEvent& e) { return ep.halted && geti(e, "cpu") == c; });
    for (const auto& [t, whom] : own_missed)
      step(t, "cpu " + std::to_string(c) + " heard no I'm-alive from " + cpus(whom) + " at its check");
    for (const auto& [t, whom] : own_suspects) step(t, "cpu " + std::to_string(c) + " suspects " + cpus(whom));
    std::optional<std::uint64_t> first_miss, first_suspect, first_round;
    if (!missed.empty()) {
      first_miss = missed.begin()->first;
      for (const auto& [t, who] : missed)
        step(t, cpus(who) + " heard no I'm-alive from cpu " + std::to_string(c) + " at " +
                    (who.size() == 1 ? "its" : "their") + " check: a first miss is only noted");
    }
    if (!suspects.empty()) {
      first_suspect = suspects.begin()->first;
      for (const auto& [t, who] : suspects)
        step(t, "a second check in a row without one: " + cpus(who) + (who.size() == 1 ? " suspects" : " suspect") +
                    " cpu " + std::to_string(c));
    }
    // Rounds: who entered each, why, whether it waited, and how it ended.
    std::map<std::int64_t, std::vector<const TraceEvent*>> rounds;
    for (const auto& e : ev)
      if ((e.kind == "regroup_start" || e.kind == "regroup_wait" || e.kind == "regroup_end") && before_end(e))
        rounds[e.get_int("round").value_or(0)].push_back(&e);
    for (const auto& [round, list] : rounds) {
      std::map<std::pair<std::uint64_t, std::string>, std::vector<int>> starts;
      std::map<std::uint64_t, std::vector<int>> waits;
      std::map<std::pair<std::uint64_t, std::string>, std::vector<int>> ends;
      for (const TraceEvent* e : list) {
        if (e->kind == "regroup_start") {
          starts[{e->t_ns, gets(*e, "reason")}].push_back(geti(*e, "cpu"));
        } else if (e->kind == "regroup_wait") {
          waits[e->t_ns].push_back(geti(*e, "cpu"));
        } else {
          ends[{e->t_ns, gets(*e, "members")}].push_back(geti(*e, "cpu"));
        }
      }
      const std::string r = "regroup round " + std::to_string(round);
      for (const auto& [key, who] : starts) {
        if (!first_round || key.first < *first_round) first_round = key.first;
        step(key.first, cpus(who) + (who.size() == 1 ? " enters " : " enter ") + r + " (" + key.second +
                            "): each sends its row, the CPUs it heard lately, to all");
      }
      for (const auto& [t, who] : waits)
        step(t, cpus(who) + (who.size() == 1 ? " waits" : " wait") + " one more window in " + r +
                    " for a member heard lately whose row is missing");
      for (const auto& [key, who] : ends)
        step(key.first, r + " ends for " + cpus(who) + " with the members " + key.second +
                            (key.second.find(std::to_string(c)) == std::string::npos
                                 ? ": cpu " + std::to_string(c) + " is not among them"
                                 : ""));
    }
    std::map<std::uint64_t, std::vector<int>> by_time;
    for (const TraceEvent* v : verdicts) by_time[v->t_ns].push_back(geti(*v, "declared_by"));
    for (const auto& [t, who] : by_time)
      step(t, cpus(who) + (who.size() == 1 ? " declares" : " declare") + " cpu " + std::to_string(c) + " down");
    std::stable_sort(steps.begin(), steps.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
    for (const auto& [t, text] : steps) out += line(t, text);
    if (verdicts.empty()) {
      out += "  nobody declared cpu " + std::to_string(c) + " down before the run ended or the CPU came back\n";
      continue;
    }
    const std::uint64_t first_verdict = by_time.begin()->first;
    if (ep.halted) {
      out += "  cpu " + std::to_string(c) +
             " halted itself when its own round ended, and the others declared it down "
             "when theirs did: both are the decision of one regroup round, which keeps only the larger connected "
             "group running (docs/membership.md, \"Regroup round\").\n";
      continue;
    }
    const std::uint64_t took = first_verdict - ep.t_ns;
    out += "  Detection took " + secs(took) + periods(took, heartbeat_ns) + " after the " +
           (ep.halted ? "halt" : "failure");
    std::vector<std::string> parts;
    if (first_miss) parts.push_back(secs(*first_miss - ep.t_ns) + " to the first check that missed it");
    if (first_miss && first_suspect)
      parts.push_back(secs(*first_suspect - *first_miss) + " more to the second check, the suspicion");
    if (first_round) parts.push_back(secs(first_verdict - *first_round) + " of regroup");
    if (!parts.empty()) {
      out += ": ";
      for (std::size_t i = 0; i < parts.size(); ++i) out += (i == 0 ? "" : "; ") + parts[i];
    }
    out +=
        ". (docs/membership.md, \"Detection bound\": 1.75 to 2.75 heartbeats after a failure, more when a round "
        "waits.)\n";
  }

  // The takeovers.
  std::vector<const TraceEvent*> takeovers;
  for (const auto& e : ev)
    if (e.kind == "takeover") takeovers.push_back(&e);
  for (std::size_t i = 0; i < takeovers.size(); ++i) {
    const TraceEvent& t = *takeovers[i];
    const std::string pair = gets(t, "pair");
    const int from = geti(t, "from_cpu");
    const int to = geti(t, "to_cpu");
    const std::string reason = gets(t, "reason");
    std::uint64_t next = ~std::uint64_t{0};
    for (std::size_t j = i + 1; j < takeovers.size(); ++j)
      if (gets(*takeovers[j], "pair") == pair) {
        next = takeovers[j]->t_ns;
        break;
      }
    int pin = -1;  // the backup that took over
    for (const auto& e : ev)
      if (e.kind == "backup_created" && gets(e, "pair") == pair && geti(e, "cpu") == to && e.t_ns <= t.t_ns)
        pin = geti(e, "pin");
    const std::string who = "the backup" +
                            (pin >= 0 ? " (" + std::to_string(to) + "," + std::to_string(pin) + ")" : "") + " in cpu " +
                            std::to_string(to);
    out += "\n" + pair + ": " + who + " took over from cpu " + std::to_string(from) + " at " + secs(t.t_ns) + " (" +
           reason + ").\n";
    std::string gap;
    if (reason == "processor failed") {
      std::optional<std::uint64_t> failed;
      for (const auto& ep : episodes)
        if (ep.cpu == from && ep.t_ns <= t.t_ns) failed = ep.t_ns;
      out += line(t.t_ns, "cpu " + std::to_string(to) + " declared cpu " + std::to_string(from) +
                              " down, and its kernel told the backup at once: it is the primary now, and "
                              "finds -2 (processor down) on $RECEIVE if it monitors CPUs");
      if (failed)
        gap = "  The gap of " + secs(t.t_ns - *failed) + periods(t.t_ns - *failed, heartbeat_ns) +
              " from the failure to the takeover is the detection above; the takeover itself takes no time.\n";
    } else if (reason == "checkswitch") {
      out += line(t.t_ns, "the primary in cpu " + std::to_string(from) +
                              " called checkswitch: the roles reverse, and it waits as the new backup");
    } else {
      out += line(t.t_ns, std::string("the primary in cpu ") + std::to_string(from) +
                              (reason == "primary abended" ? " abended" : " stopped") +
                              " while it had a backup: the backup takes over at once");
    }
    const auto applied = t.get_int("checkpoints").value_or(0);
    std::string resumed = "it had applied " + std::to_string(applied) +
                          (applied == 1 ? " checkpoint" : " checkpoints") + " of the old primary";
    if (auto last = t.get_int("last_checkpoint_ns")) resumed += ", the last sent at " + secs(*last);
    const auto status = takeover_status(reason);
    const std::string st =
        status ? status_hex(*status) + " (" + status_meaning(*status).value_or("") + ")" : std::string("its status");
    if (auto restart = t.get_int("restart_ns"))
      resumed +=
          "; it resumed just after the stack checkpoint of " + secs(*restart) + ", whose checkpoint call returns " + st;
    else
      resumed +=
          "; none carried the stack, so its checkmonitor call returns " + st + " and the program goes on from there";
    out += line(t.t_ns, resumed);
    if (auto restart = t.get_int("restart_ns"); restart && reason == "processor failed") {
      for (const auto& ep : episodes)
        if (ep.cpu == from && ep.t_ns <= t.t_ns && ep.t_ns > static_cast<std::uint64_t>(*restart)) {
          out += line(t.t_ns, "what the old primary did between " + secs(*restart) + " and its failure at " +
                                  secs(ep.t_ns) + " is done again by the new one, from that restart point");
        }
    }
    // What the requesters did about it.
    std::vector<const TraceEvent*> resends, duplicates, errors;
    for (const auto& e : ev) {
      if (e.t_ns < t.t_ns || e.t_ns >= next) continue;
      if (e.kind == "fs_resend" && gets(e, "target") == pair) resends.push_back(&e);
      if (e.kind == "duplicate" && gets(e, "pair") == pair) duplicates.push_back(&e);
      if (e.kind == "path_error" && gets(e, "target") == pair) errors.push_back(&e);
    }
    if (!errors.empty())
      out += line(errors.front()->t_ns,
                  std::to_string(errors.size()) + (errors.size() == 1 ? " request" : " requests") + " to " + pair +
                      " met a path error (its primary's CPU is gone): the requester's file system "
                      "waits for the new primary and resends, and reports an error only if the "
                      "pair is lost");
    if (resends.empty()) {
      out += "  No requester had a request to resend to " + pair + ".\n";
    } else {
      std::string list;
      for (std::size_t k = 0; k < resends.size() && k < 5; ++k)
        list += std::string(k == 0 ? "" : ", ") + std::to_string(geti(*resends[k], "cpu")) + "," +
                std::to_string(geti(*resends[k], "pin")) + " sync " + std::to_string(geti(*resends[k], "sync_id"));
      if (resends.size() > 5) list += ", …";
      out += line(resends.front()->t_ns, "requesters resent " + std::to_string(resends.size()) +
                                             (resends.size() == 1 ? " request" : " requests") +
                                             " to the new primary, each with its sync ID (" + list + ")");
      if (!duplicates.empty())
        out += line(duplicates.front()->t_ns, std::to_string(duplicates.size()) +
                                                  (duplicates.size() == 1 ? " of them was" : " of them were") +
                                                  " already done: answered from the saved reply, not done again");
    }
    out += gap;
  }
  if (out.empty()) return "";
  return "\nexplanation:\n" + out;
}

}  // namespace pairsim::sim
