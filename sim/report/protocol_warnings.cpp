#include "sim/report/protocol_warnings.hpp"

#include <algorithm>
#include <cstdio>
#include <map>
#include <optional>

#include "sim/report/expectations.hpp"

namespace pairsim::sim {

const char* protocol_rule_name(ProtocolRule rule) {
  switch (rule) {
    case ProtocolRule::backup_not_monitoring:
      return "backup never in checkmonitor";
    case ProtocolRule::reply_before_checkpoint:
      return "reply before checkpoint";
    case ProtocolRule::request_done_again:
      return "request done again";
    case ProtocolRule::no_stack_checkpoint:
      return "no stack checkpoint";
    case ProtocolRule::checkpoint_blocked:
      return "checkpoint blocked";
    case ProtocolRule::alone_most_of_run:
      return "no backup most of the run";
  }
  return "?";
}

namespace {

const char* const read_kernel = "docs/process-pairs.md#checkpoint-and-takeover-as-the-kernel-does-them";
const char* const read_saved_replies = "docs/process-pairs.md#requests-sync-ids-and-saved-replies";
const char* const read_keeping = "docs/process-pairs.md#keeping-a-backup";

int geti(const TraceEvent& e, const char* key) {
  return static_cast<int>(e.get_int(key).value_or(-1));
}

std::string pid(int cpu, int pin) {
  return std::to_string(cpu) + "," + std::to_string(pin);
}

// "0.300 s, 3.0 heartbeats"
std::string span(std::uint64_t ns, std::uint64_t heartbeat_ns) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.3f s (%.1f heartbeats)", static_cast<double>(ns) / 1e9,
                heartbeat_ns ? static_cast<double>(ns) / static_cast<double>(heartbeat_ns) : 0.0);
  return buf;
}

struct Backup {
  int cpu = -1;
  int pin = -1;
  int primary_cpu = -1;
  int primary_pin = -1;
  std::uint64_t created_ns = 0;
  std::optional<std::uint64_t> monitor_ns;     // its first checkmonitor
  std::optional<std::uint64_t> end_ns;         // it ended, its CPU went down, or it took over
  std::optional<std::uint64_t> first_wait_ns;  // the first checkpoint sent to it before it was in checkmonitor
};

// One pair followed through the run: its backups, and how long its primary ran with none.
struct PairWatch {
  int primary_cpu = -1;
  int primary_pin = -1;
  int backup_cpu = -1;
  // The CPU whose failure left the pair alone, until it is up again: a pair may wait for it to come back
  // and put its backup there (bank.pasm does), so the time alone counts only once it could have done so.
  int waiting_for_cpu = -1;
  bool had_backup = false;
  std::uint64_t life_start_ns = 0;
  std::optional<std::uint64_t> life_end_ns;
  std::vector<Backup> backups;
  std::uint64_t alone_ns = 0;
  std::optional<std::uint64_t> alone_since;
  std::uint64_t longest_alone_ns = 0;
  std::uint64_t longest_alone_from = 0;
  int longest_alone_cpu = -1, longest_alone_pin = -1;
  std::optional<std::uint64_t> first_checkpoint_ns;
  int first_checkpoint_cpu = -1, first_checkpoint_pin = -1;
  std::vector<const TraceEvent*> replies_ahead;

  Backup* backup_in(int cpu) {
    for (auto it = backups.rbegin(); it != backups.rend(); ++it)
      if (it->cpu == cpu && !it->end_ns) return &*it;
    return nullptr;
  }
  // Called after every change: a primary with no backup, once the pair has had one, runs alone.
  void account(std::uint64_t t) {
    const bool alone = had_backup && !life_end_ns && primary_cpu >= 0 && backup_cpu < 0 && waiting_for_cpu < 0;
    if (alone && !alone_since) {
      alone_since = t;
    } else if (!alone && alone_since) {
      const std::uint64_t d = t - *alone_since;
      alone_ns += d;
      if (d > longest_alone_ns) {
        longest_alone_ns = d;
        longest_alone_from = *alone_since;
        longest_alone_cpu = primary_cpu;
        longest_alone_pin = primary_pin;
      }
      alone_since.reset();
    }
  }
  void end_backup(std::uint64_t t) {
    if (Backup* b = backup_in(backup_cpu)) b->end_ns = t;
    backup_cpu = -1;
  }
};

// Work taken over without its reply and done again: a backup took over having applied a checkpoint that
// carried the work of a request but not its reply (ProtocolLog::taken_over_work); the requester resent the
// request (fs_resend, at the takeover or after: the reply had not reached it) and no saved reply answered
// it (no duplicate of that sync ID after the resend), so the new primary read it as a new request. A
// `duplicate` names no requester: one for another requester's equal sync ID hides a case rather than making
// one up. One warning a pair, the first, with the count.
std::optional<ProtocolWarning> requests_done_again(const std::string& name, const ProtocolLog& log,
                                                   const std::vector<const TraceEvent*>& resends,
                                                   const std::vector<const TraceEvent*>& duplicates) {
  std::optional<ProtocolWarning> first;
  std::size_t count = 0;
  for (const TakenOverWork& w : log.taken_over_work()) {
    const TraceEvent& u = w.unsaved;
    if (u.get_str("pair").value_or("") != name) continue;
    const std::string to = u.get_str("to").value_or("");
    const int sync = geti(u, "sync_id");
    const TraceEvent* resent = nullptr;
    for (const TraceEvent* r : resends)
      if (r->t_ns >= w.takeover_ns && geti(*r, "sync_id") == sync && pid(geti(*r, "cpu"), geti(*r, "pin")) == to) {
        resent = r;
        break;
      }
    if (resent == nullptr) continue;  // the reply had reached the requester
    if (std::any_of(duplicates.begin(), duplicates.end(),
                    [&](const TraceEvent* d) { return d->t_ns >= resent->t_ns && geti(*d, "sync_id") == sync; }))
      continue;  // answered from a saved reply after all
    ++count;
    if (first) continue;
    first = ProtocolWarning{
        ProtocolRule::request_done_again,
        resent->t_ns,
        name,
        pid(geti(u, "cpu"), geti(u, "pin")),
        "cpu " + std::to_string(w.to_cpu) + " took over from cpu " + std::to_string(w.from_cpu) + " at " +
            format_seconds(w.takeover_ns) + " having applied checkpoint " + std::to_string(geti(u, "checkpoint")) +
            " (" + format_seconds(u.t_ns) + "), which carried the work of " + to + "'s request (sync ID " +
            std::to_string(sync) + ") but not its reply; " + to + " resent it at " + format_seconds(resent->t_ns) +
            ", and with no saved reply to answer it from, the new primary took it for a new request and did it "
            "again",
        read_saved_replies};
  }
  if (first) {
    if (count > 1)
      first->text += "; " + std::to_string(count - 1) + (count == 2 ? " more request" : " more requests") + " like it";
    first->text +=
        ". Harmless only if the request is idempotent (done twice, the result is the same); otherwise save the "
        "reply (savereply), checkpoint it with the data, $RECEIVE and the stack, and only then reply.";
  }
  return first;
}

}  // namespace

std::vector<ProtocolWarning> protocol_warnings(const ProtocolLog& log, std::uint64_t heartbeat_ns,
                                               std::uint64_t end_ns) {
  std::map<std::string, PairWatch> pairs;
  std::vector<std::string> order;
  auto watch = [&](const std::string& name) -> PairWatch& {
    auto it = pairs.find(name);
    if (it == pairs.end()) {
      order.push_back(name);
      it = pairs.emplace(name, PairWatch{}).first;
    }
    return it->second;
  };

  std::map<std::string, std::vector<const TraceEvent*>> resends;     // by the server's name
  std::map<std::string, std::vector<const TraceEvent*>> duplicates;  // by the pair's name
  for (const TraceEvent& e : log.events()) {
    const std::string& k = e.kind;
    const std::uint64_t t = e.t_ns;
    if (k == "process_start") {
      const std::string name = e.get_str("process").value_or("");
      if (name.empty() || pairs.count(name)) continue;  // a later start of the name is its backup
      PairWatch& p = watch(name);
      p.primary_cpu = geti(e, "cpu");
      p.primary_pin = geti(e, "pin");
    } else if (k == "backup_created") {
      PairWatch& p = watch(e.get_str("pair").value_or(""));
      if (!p.had_backup) p.life_start_ns = t;
      p.had_backup = true;
      Backup b;
      b.cpu = geti(e, "cpu");
      b.pin = geti(e, "pin");
      b.created_ns = t;
      if (geti(e, "primary_cpu") != p.primary_cpu) p.primary_cpu = geti(e, "primary_cpu");
      b.primary_cpu = p.primary_cpu;
      b.primary_pin = p.primary_pin;
      p.backups.push_back(b);
      p.backup_cpu = b.cpu;
      p.waiting_for_cpu = -1;
      p.account(t);
    } else if (k == "checkmonitor") {
      auto it = pairs.find(e.get_str("pair").value_or(""));
      if (it == pairs.end()) continue;
      for (auto& b : it->second.backups)
        if (b.cpu == geti(e, "cpu") && b.pin == geti(e, "pin") && !b.monitor_ns) b.monitor_ns = t;
    } else if (k == "checkpoint") {  // the first one to a new backup (ProtocolLog keeps only those)
      auto it = pairs.find(e.get_str("pair").value_or(""));
      if (it == pairs.end()) continue;
      PairWatch& p = it->second;
      if (!p.first_checkpoint_ns) {
        p.first_checkpoint_ns = t;
        p.first_checkpoint_cpu = geti(e, "cpu");
        p.first_checkpoint_pin = p.primary_cpu == geti(e, "cpu") ? p.primary_pin : -1;
      }
      Backup* b = p.backup_in(p.backup_cpu);
      if (b && (!b->monitor_ns || *b->monitor_ns > t) && !b->first_wait_ns) b->first_wait_ns = t;
    } else if (k == "takeover") {
      auto it = pairs.find(e.get_str("pair").value_or(""));
      if (it == pairs.end()) continue;
      PairWatch& p = it->second;
      const int to = geti(e, "to_cpu");
      const int from = geti(e, "from_cpu");
      Backup* b = p.backup_in(to);
      const int pin = b ? b->pin : (to == p.primary_cpu ? p.primary_pin : -1);
      const int old_pin = p.primary_pin;
      if (b) b->end_ns = t;
      p.primary_cpu = to;
      p.primary_pin = pin;
      if (e.get_str("reason").value_or("") == "checkswitch") {
        // The old primary is the backup now; it calls checkmonitor as one.
        Backup nb;
        nb.cpu = from;
        nb.pin = old_pin;
        nb.created_ns = t;
        nb.monitor_ns = t;
        p.backups.push_back(nb);
        p.backup_cpu = from;
      } else {
        p.backup_cpu = -1;
        if (e.get_str("reason").value_or("") == "processor failed") p.waiting_for_cpu = from;
      }
      p.account(t);
    } else if (k == "cpu_state") {
      const std::string st = e.get_str("state").value_or("");
      const int cpu = geti(e, "cpu");
      if (st == "up") {
        for (auto& [name, p] : pairs)
          if (p.waiting_for_cpu == cpu) {
            p.waiting_for_cpu = -1;
            p.account(t);
          }
      }
      if (st != "down" && st != "halted") continue;
      for (auto& [name, p] : pairs) {
        for (auto& b : p.backups)
          if (b.cpu == cpu && !b.end_ns) b.end_ns = t;
        if (p.backup_cpu == cpu) {
          p.backup_cpu = -1;
          p.waiting_for_cpu = cpu;
        }
        if (p.primary_cpu == cpu) p.primary_cpu = -1;
        p.account(t);
      }
    } else if (k == "process_stop" || k == "abend") {
      auto it = pairs.find(e.get_str("process").value_or(""));
      if (it == pairs.end()) continue;
      PairWatch& p = it->second;
      const int cpu = geti(e, "cpu");
      if (cpu == p.backup_cpu) {
        p.end_backup(t);
      } else if (cpu == p.primary_cpu) {
        p.primary_cpu = -1;  // a takeover follows when there is a backup
      }
      p.account(t);
    } else if (k == "pair_lost") {
      auto it = pairs.find(e.get_str("pair").value_or(""));
      if (it == pairs.end()) continue;
      it->second.primary_cpu = it->second.backup_cpu = -1;
      it->second.account(t);
      it->second.life_end_ns = t;
    } else if (k == "reply_ahead") {
      watch(e.get_str("pair").value_or("")).replies_ahead.push_back(&e);
    } else if (k == "fs_resend") {
      resends[e.get_str("target").value_or("")].push_back(&e);
    } else if (k == "duplicate") {
      duplicates[e.get_str("pair").value_or("")].push_back(&e);
    }
  }

  std::vector<ProtocolWarning> out;
  for (const auto& name : order) {
    PairWatch& p = pairs[name];
    if (!p.had_backup) continue;
    p.life_end_ns = p.life_end_ns.value_or(end_ns);
    const std::uint64_t life_end = *p.life_end_ns;
    p.account(life_end);  // a pair alone until the end: its last stretch ends with the run

    for (const Backup& b : p.backups) {
      const std::uint64_t lived = b.end_ns.value_or(end_ns) - b.created_ns;
      if (!b.monitor_ns && lived >= heartbeat_ns) {
        std::string text = "its backup (" + pid(b.cpu, b.pin) + "), created at " + format_seconds(b.created_ns) +
                           ", never called checkmonitor in the " + span(lived, heartbeat_ns) +
                           " it lived, so it never held a checkpoint.";
        if (b.first_wait_ns)
          text +=
              " The primary's checkpoint of " + format_seconds(*b.first_wait_ns) +
              " waited for it all that time: a checkpoint returns only once the backup has applied it in checkmonitor.";
        text += " A new process of the pair must ask isbackup() and, as the backup, call checkmonitor.";
        out.push_back({ProtocolRule::backup_not_monitoring, b.created_ns, name, pid(b.cpu, b.pin), text, read_kernel});
      } else if (b.monitor_ns && b.first_wait_ns && *b.monitor_ns - *b.first_wait_ns > heartbeat_ns) {
        const std::uint64_t waited = *b.monitor_ns - *b.first_wait_ns;
        out.push_back({ProtocolRule::checkpoint_blocked, *b.first_wait_ns, name, pid(b.primary_cpu, b.primary_pin),
                       "the primary's checkpoint of " + format_seconds(*b.first_wait_ns) + " waited " +
                           span(waited, heartbeat_ns) + " for its backup (" + pid(b.cpu, b.pin) +
                           ") to call checkmonitor, at " + format_seconds(*b.monitor_ns) +
                           ". The primary could do nothing meanwhile. Let the backup call checkmonitor first, "
                           "before any other work.",
                       read_kernel});
      }
    }

    const auto counts = log.checkpoints().find(name);
    const PairCheckpointCount n = counts == log.checkpoints().end() ? PairCheckpointCount{} : counts->second;
    if (n.all > 0 && n.with_stack == 0) {
      out.push_back({ProtocolRule::no_stack_checkpoint, *p.first_checkpoint_ns, name,
                     pid(p.first_checkpoint_cpu, p.first_checkpoint_pin),
                     "none of its " + std::to_string(n.all) + (n.all == 1 ? " checkpoint" : " checkpoints") +
                         " carried the stack (CKPT_STACK), so its backup has no restart point: a takeover returns "
                         "from checkmonitor and runs the program again from there, with only the checkpointed "
                         "data. Set CKPT_STACK in the descriptor of the checkpoint after which a new primary "
                         "should carry on.",
                     read_kernel});
    }

    if (!p.replies_ahead.empty()) {
      const TraceEvent& e = *p.replies_ahead.front();
      const std::size_t more = p.replies_ahead.size() - 1;
      out.push_back(
          {ProtocolRule::reply_before_checkpoint, e.t_ns, name, pid(geti(e, "cpu"), geti(e, "pin")),
           "the primary replied to " + e.get_str("to").value_or("?") + " (sync ID " +
               std::to_string(geti(e, "sync_id")) + ") at " + format_seconds(e.t_ns) +
               " before its backup held the work behind the reply (checkpoint " +
               std::to_string(geti(e, "checkpoints") + 1) + " would carry it)" +
               (more ? "; " + std::to_string(more) + (more == 1 ? " more reply" : " more replies") + " like it" : "") +
               ". A takeover in between loses work the requester was told was done. Save the reply, checkpoint "
               "the data with $RECEIVE and the stack, and only then reply.",
           read_saved_replies});
    }

    if (auto again = requests_done_again(name, log, resends[name], duplicates[name])) out.push_back(*again);

    const std::uint64_t life = life_end - p.life_start_ns;
    if (p.alone_ns * 2 > life && p.alone_ns >= 2 * heartbeat_ns) {
      char pct[16];
      std::snprintf(pct, sizeof pct, "%.0f%%", 100.0 * static_cast<double>(p.alone_ns) / static_cast<double>(life));
      out.push_back({ProtocolRule::alone_most_of_run, p.longest_alone_from, name,
                     pid(p.longest_alone_cpu, p.longest_alone_pin),
                     "its primary ran without a backup for " + span(p.alone_ns, heartbeat_ns) + " of the " +
                         span(life, heartbeat_ns) + " since its first backup (" + pct + "), the longest stretch from " +
                         format_seconds(p.longest_alone_from) +
                         ". One more failure then loses the pair. Make a new backup when a checkpoint says \"no "
                         "backup\", after a takeover, or on -2 for the backup's CPU.",
                     read_keeping});
    }
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const ProtocolWarning& a, const ProtocolWarning& b) { return a.t_ns < b.t_ns; });
  return out;
}

std::string protocol_warnings_text(const std::vector<ProtocolWarning>& warnings) {
  if (warnings.empty()) return "";
  std::string out = "\nprotocol warnings: " + std::to_string(warnings.size()) + "\n";
  for (const auto& w : warnings)
    out += std::string("  ! ") + protocol_rule_name(w.rule) + " at " + format_seconds(w.t_ns) + ": " + w.pair + " (" +
           w.process + ")\n    " + w.text + "\n    read " + w.read + "\n";
  return out;
}

}  // namespace pairsim::sim
