#include "sim/report/protocol_log.hpp"

#include <algorithm>

namespace pairsim::sim {

namespace {
// The kinds an explanation or a warning reads; `checkpoint` is handled apart.
bool kept(const std::string& k) {
  static const char* const kinds[] = {
      "fault",          "cpu_state",    "imalive_missed", "suspect",   "regroup_start",  "regroup_wait", "regroup_end",
      "declared_down",  "declared_up",  "not_admitted",   "halt",      "process_start",  "process_stop", "abend",
      "backup_created", "checkmonitor", "checkswitch",    "takeover",  "system_message", "fs_resend",    "path_error",
      "duplicate",      "pair_lost",    "reply_ahead",    "path_down", "path_up",        "run_end"};
  return std::any_of(std::begin(kinds), std::end(kinds), [&](const char* n) { return k == n; });
}

// How many of a primary's latest checkpoints are kept for the takeover that may follow: more than the
// checkpoints one can send while its CPU's failure is found out would ever need (they stop at the failure).
constexpr std::size_t recent_kept = 64;
}  // namespace

void ProtocolLog::on_event(const TraceEvent& e) {
  end_ns_ = std::max(end_ns_, e.t_ns);
  if (e.kind == "checkpoint") {
    const std::string pair = e.get_str("pair").value_or("");
    const bool stack = e.get_bool("stack").value_or(false);
    auto& n = counts_[pair];
    ++n.all;
    n.with_stack += stack ? 1 : 0;
    const std::int64_t seq = e.get_int("seq").value_or(0);
    auto& recent = recent_[{pair, e.get_int("cpu").value_or(-1)}];
    if (seq == 1) {  // a new backup: the old one's checkpoints are no use to it
      recent.clear();
      unsaved_.erase({pair, e.get_int("cpu").value_or(-1)});
    }
    recent.push_back({seq, e.t_ns, stack});
    if (recent.size() > recent_kept) recent.pop_front();
    if (seq == 1) events_.push_back(e);  // the first to a new backup: it may wait for checkmonitor
    return;
  }
  if (e.kind == "checkpoint_unsaved") {
    auto& unsaved = unsaved_[{e.get_str("pair").value_or(""), e.get_int("cpu").value_or(-1)}];
    unsaved.push_back(e);
    if (unsaved.size() > recent_kept) unsaved.pop_front();
    return;
  }
  if (!kept(e.kind)) return;
  if (e.kind == "backup_created") {  // a new link: its checkpoints are numbered from 1 again
    const std::pair<std::string, std::int64_t> link{e.get_str("pair").value_or(""),
                                                    e.get_int("primary_cpu").value_or(-1)};
    recent_.erase(link);
    unsaved_.erase(link);
  }
  TraceEvent copy = e;
  if (e.kind == "takeover") {
    // Every checkpoint of the old primary came before this: its CPU stopped, or it switched, first.
    auto it = recent_.find({e.get_str("pair").value_or(""), e.get_int("from_cpu").value_or(-1)});
    const std::int64_t applied = e.get_int("checkpoints").value_or(0);
    std::optional<std::uint64_t> last, restart;
    if (it != recent_.end() && applied > 0)
      for (const Sent& s : it->second) {
        if (s.seq > applied) break;
        if (s.seq == applied) last = s.t_ns;
        if (s.stack) restart = s.t_ns;
      }
    const std::pair<std::string, std::int64_t> from{e.get_str("pair").value_or(""), e.get_int("from_cpu").value_or(-1)};
    if (auto u = unsaved_.find(from); u != unsaved_.end()) {
      for (const TraceEvent& w : u->second)
        if (w.get_int("checkpoint").value_or(0) <= applied)
          taken_over_.push_back({w, e.t_ns, from.second, e.get_int("to_cpu").value_or(-1)});
      unsaved_.erase(u);
    }
    if (last) copy.with("last_checkpoint_ns", *last);
    if (restart) copy.with("restart_ns", *restart);
  }
  events_.push_back(std::move(copy));
}

const std::vector<TraceEvent>& ProtocolLog::events() const {
  // Almost in time order already: a CPU runs at most a quantum ahead of the rest.
  if (sorted_upto_ != events_.size()) {
    std::stable_sort(events_.begin(), events_.end(),
                     [](const TraceEvent& a, const TraceEvent& b) { return a.t_ns < b.t_ns; });
    sorted_upto_ = events_.size();
  }
  return events_;
}

}  // namespace pairsim::sim
