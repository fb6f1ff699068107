#include "sim/report/pair_table.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <map>

namespace pairsim::sim {

namespace {

struct Row {
  std::uint64_t t_ns;
  std::string cell[2];
};

// The two columns of one pair: each column is one process of the pair, found by its CPU.
struct PairLife {
  std::string name;
  int cpu[2] = {-1, -1};
  bool gone[2] = {false, false};
  bool processing[2] = {false, false};  // the last row of that column says "Processing"
  bool monitoring[2] = {false, false};  // that column's process has called checkmonitor and waits there
  std::vector<Row> rows;

  int column_of(int c) const {
    for (int i = 0; i < 2; ++i)
      if (cpu[i] == c && !gone[i]) return i;
    return -1;
  }
  void add(std::uint64_t t, int col, const std::string& text, const std::string& other = "") {
    Row r{t, {}};
    r.cell[col] = text;
    r.cell[1 - col] = other;
    rows.push_back(r);
    processing[0] = processing[1] = false;
  }
  // What the other column shows beside a row of the primary's: the backup waits in checkmonitor once it has
  // called it, not before.
  std::string waiting(int col) const { return monitoring[col] && !gone[col] ? "Wait in checkmonitor" : ""; }
  void note_processing(std::uint64_t t, int col) {
    if (processing[col]) return;
    add(t, col, "Processing", waiting(1 - col));
    processing[col] = true;
  }
};

std::string fmt_time(std::uint64_t t) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6f", static_cast<double>(t) / 1e9);
  return buf;
}

int geti(const TraceEvent& e, const char* k) {
  return static_cast<int>(e.get_int(k).value_or(-1));
}

// Width in characters, counting UTF-8 continuation bytes as nothing.
std::size_t width(const std::string& s) {
  std::size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

std::string pad(const std::string& s, std::size_t w) {
  const std::size_t n = width(s);
  return s + std::string(w > n ? w - n : 0, ' ');
}

// The columns follow the two processes, as the book's do, so a role change is marked in the cell of the
// process that takes its new role.
const char* const becomes_primary = " ▸ now the primary";
const char* const becomes_backup = " ▸ now the backup";

std::string render(const PairLife& p, int first_cpu[2], bool all) {
  std::string head[2];
  for (int i = 0; i < 2; ++i)
    head[i] = std::string(i == 0 ? "First primary" : "First backup") +
              (first_cpu[i] >= 0 ? " (cpu " + std::to_string(first_cpu[i]) + ")" : "");
  std::size_t w = std::max(head[0].size(), head[1].size());
  for (const auto& r : p.rows) w = std::max({w, width(r.cell[0]), width(r.cell[1])});
  std::string out = "Life of process pair " + p.name + "\n\n";
  out += "Each column is one process of the pair, whatever its role; ▸ marks where a process takes a new role.\n\n";
  out += pad("time (s)", 12) + "  " + pad(head[0], w) + "  " + head[1] + "\n";
  out += std::string(12, '-') + "  " + std::string(w, '-') + "  " + std::string(w, '-') + "\n";
  // A steady state repeats the same steps (process, checkpoint, process, …): show it once, then say how
  // many rows like it followed, as the book's table does.
  const Row* recent[2] = {nullptr, nullptr};
  std::size_t folded = 0;
  std::uint64_t folded_until = 0;
  auto same = [](const Row* a, const Row& b) { return a && a->cell[0] == b.cell[0] && a->cell[1] == b.cell[1]; };
  auto flush = [&] {
    if (folded == 0) return;
    out += pad("", 12) + "  " +
           pad("  ⋮ " + std::to_string(folded) + (folded == 1 ? " more row like these" : " more rows like these") +
                   ", until " + fmt_time(folded_until) + " s (--all shows them)",
               w) +
           "\n";
    folded = 0;
  };
  for (const auto& r : p.rows) {
    if (!all && (same(recent[0], r) || same(recent[1], r))) {
      ++folded;
      folded_until = r.t_ns;
      continue;
    }
    flush();
    out += pad(fmt_time(r.t_ns), 12) + "  " + pad(r.cell[0], w) + "  " + r.cell[1] + "\n";
    recent[0] = recent[1];
    recent[1] = &r;
  }
  flush();
  return out + "\n";
}

}  // namespace

void PairStepLog::on_event(const TraceEvent& e) {
  static const char* const kinds[] = {"process_start", "fault",      "output",    "backup_created",
                                      "checkmonitor",  "checkpoint", "checkopen", "checkclose",
                                      "checkswitch",   "takeover",   "pair_lost"};
  for (const char* k : kinds)
    if (e.kind == k) {
      events_.push_back(e);
      return;
    }
}

std::string pair_tables(const std::vector<TraceEvent>& unordered, const std::string& only, std::string& error,
                        bool all) {
  // In time order: a CPU runs up to a quantum ahead of the others, so the trace is not (docs/trace-format.md).
  // Events of the same time keep the order they were emitted in, which is the order they happened in.
  std::vector<const TraceEvent*> events;
  events.reserve(unordered.size());
  for (const auto& e : unordered) events.push_back(&e);
  std::stable_sort(events.begin(), events.end(),
                   [](const TraceEvent* a, const TraceEvent* b) { return a->t_ns < b->t_ns; });
  std::map<std::string, PairLife> lives;
  std::map<std::string, std::array<int, 2>> first_cpus;
  std::vector<std::string> order;
  auto life = [&](const std::string& name) -> PairLife& {
    auto it = lives.find(name);
    if (it == lives.end()) {
      order.push_back(name);
      PairLife fresh;
      fresh.name = name;
      it = lives.emplace(name, std::move(fresh)).first;
      first_cpus[name] = {-1, -1};
    }
    return it->second;
  };
  // Named processes that became pairs: a start alone is not yet a pair.
  std::map<std::string, std::pair<std::uint64_t, int>> starts;

  for (const TraceEvent* ep : events) {
    const TraceEvent& e = *ep;
    const std::string& k = e.kind;
    if (k == "process_start") {
      const std::string name = e.get_str("process").value_or("");
      if (!name.empty() && !starts.count(name)) starts[name] = {e.t_ns, geti(e, "cpu")};
      continue;
    }
    if (k == "fault") {
      // "fail cpu N": mark the column of every pair living in that CPU.
      const std::string what = e.get_str("what").value_or("");
      if (what.rfind("fail cpu ", 0) != 0) continue;
      const int c = std::atoi(what.c_str() + 9);
      for (auto& [name, p] : lives) {
        int col = p.column_of(c);
        if (col < 0) continue;
        p.add(e.t_ns, col, "CPU fails");
        p.gone[col] = true;
        p.monitoring[col] = false;
      }
      continue;
    }
    const std::string pair = e.get_str("pair").value_or("");
    if (pair.empty()) {
      if (k == "output") {
        const std::string name = e.get_str("process").value_or("");
        auto it = lives.find(name);
        if (it != lives.end()) {
          int col = it->second.column_of(geti(e, "cpu"));
          if (col >= 0) it->second.note_processing(e.t_ns, col);
        }
      }
      continue;
    }
    if (k == "backup_created") {
      PairLife& p = life(pair);
      const int bcpu = geti(e, "cpu");
      const int pcpu = geti(e, "primary_cpu");
      if (p.cpu[0] < 0) {
        p.cpu[0] = pcpu;
        p.cpu[1] = bcpu;
        first_cpus[pair] = {pcpu, bcpu};
        if (auto it = starts.find(pair); it != starts.end()) p.add(it->second.first, 0, "Perform initialization");
      } else {
        // A re-created backup takes the column of the process that is gone.
        int col = p.gone[0] ? 0 : (p.gone[1] ? 1 : (p.column_of(pcpu) == 0 ? 1 : 0));
        p.cpu[col] = bcpu;
        p.gone[col] = false;
        p.monitoring[col] = false;
      }
      const int pc = p.column_of(pcpu);
      const int bc = p.column_of(bcpu);
      if (pc >= 0) p.add(e.t_ns, pc, "call newprocess to create backup (cpu " + std::to_string(bcpu) + ")");
      const bool recreated = first_cpus[pair][1] != bcpu || p.rows.size() > 3;
      if (bc >= 0)
        p.add(e.t_ns, bc,
              recreated ? "Perform initialization (new backup, cpu " + std::to_string(bcpu) + ")"
                        : std::string("Perform initialization"));
      continue;
    }
    auto it = lives.find(pair);
    if (it == lives.end()) continue;
    PairLife& p = it->second;
    const int col = p.column_of(geti(e, "cpu"));
    if (k == "checkmonitor" && col >= 0) {
      p.add(e.t_ns, col, "call checkmonitor to receive checkpoint data");
      p.monitoring[col] = true;
    } else if (k == "checkpoint" && col >= 0) {
      std::string what = "call checkpoint";
      if (auto b = e.get_int("bytes")) what += " (" + std::to_string(*b) + " bytes)";
      p.add(e.t_ns, col, what, p.waiting(1 - col));
    } else if (k == "checkopen" && col >= 0) {
      if (auto name = e.get_str("name"))  // a disk file: the backup's open is the primary's, to the disk process
        p.add(e.t_ns, col, "call checkopen " + *name, "call open from checkmonitor: " + *name + ", as the primary's");
      else
        p.add(e.t_ns, col, "call checkopen", "call open from checkmonitor");
    } else if (k == "checkclose" && col >= 0) {
      p.add(e.t_ns, col, "call checkclose", "call close from checkmonitor");
    } else if (k == "checkswitch") {
      const int from = p.column_of(geti(e, "from_cpu"));
      if (from >= 0) {
        p.add(e.t_ns, from, std::string("Voluntary switch: call checkswitch") + becomes_backup,
              std::string("Take over") + becomes_primary);
        p.monitoring[1 - from] = false;
      }
    } else if (k == "takeover") {
      const int to = p.column_of(geti(e, "to_cpu"));
      const std::string reason = e.get_str("reason").value_or("");
      if (to >= 0 && reason != "checkswitch") {
        const int from = 1 - to;
        p.add(e.t_ns, to, "Take over (" + reason + ")" + becomes_primary, p.gone[from] ? "(gone)" : "");
        p.gone[from] = true;
        p.monitoring[to] = false;
      }
    } else if (k == "pair_lost") {
      p.add(e.t_ns, 0, "(pair lost)", "(pair lost)");
    }
  }

  std::string out;
  bool found = false;
  for (const auto& name : order) {
    if (!only.empty() && name != only) continue;
    found = true;
    int first[2] = {first_cpus[name][0], first_cpus[name][1]};
    out += render(lives[name], first, all);
  }
  if (!found) {
    error = only.empty() ? "the trace holds no process pair" : "the trace holds no pair named " + only;
    // Process names begin with '$'; a shell eats "$NAME" in double quotes, so say what was probably meant.
    if (!only.empty() && only[0] != '$' && lives.count("$" + only) != 0)
      error += " (did you mean '$" + only + "'? In a shell, quote it: --pair '$" + only + "')";
    else if (!lives.empty()) {
      error += "; its pairs:";
      for (const auto& name : order) error += " " + name;
    }
  }
  return out;
}

}  // namespace pairsim::sim
