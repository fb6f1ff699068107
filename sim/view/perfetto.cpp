#include "sim/view/perfetto.hpp"

#include <algorithm>
#include <cstdio>
#include <deque>
#include <map>
#include <numeric>
#include <optional>
#include <set>
#include <utility>

namespace pairsim::sim {

namespace {

// Simulated nanoseconds as the format's microseconds, with exactly three decimals: the same text for the
// same time on every host, which a floating-point conversion does not promise.
std::string micros(std::uint64_t ns) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%llu.%03llu", static_cast<unsigned long long>(ns / 1000),
                static_cast<unsigned long long>(ns % 1000));
  return buf;
}

std::string quoted(const std::string& s) {
  return "\"" + json_escape(s) + "\"";
}

// The event's own fields, in the order the trace has them: what a viewer shows when the item is selected.
std::string args_of(const TraceEvent& e) {
  std::string out = "{";
  for (const auto& f : e.fields) {
    if (out.size() > 1) out += ",";
    out += quoted(f.key) + ":";
    if (auto* i = std::get_if<std::int64_t>(&f.value))
      out += std::to_string(*i);
    else if (auto* s = std::get_if<std::string>(&f.value))
      out += quoted(*s);
    else
      out += std::get<bool>(f.value) ? "true" : "false";
  }
  return out + "}";
}

int int_field(const TraceEvent& e, const char* key) {
  return static_cast<int>(e.get_int(key).value_or(-1));
}
std::string str_field(const TraceEvent& e, const char* key) {
  return e.get_str(key).value_or("");
}

// "2,5" (how the trace names a process by CPU and PIN) as the two numbers.
std::optional<std::pair<int, int>> parse_pid(const std::string& s) {
  const auto comma = s.find(',');
  if (comma == std::string::npos || comma == 0 || comma + 1 == s.size()) return std::nullopt;
  for (std::size_t i = 0; i < s.size(); ++i)
    if (i != comma && (s[i] < '0' || s[i] > '9')) return std::nullopt;
  return std::pair{std::stoi(s.substr(0, comma)), std::stoi(s.substr(comma + 1))};
}

// Where a line of the file sits among lines of the same time: a span begins after anything else that
// happens at that instant.
enum Order { marks = 0, begins = 1 };

struct Line {
  std::uint64_t t;
  Order order;
  std::uint64_t seq;
  std::string json;
};

// A point of a flow arrow: a zero-length slice that the flow's event binds to.
struct Anchor {
  int track = -1;
  std::uint64_t t = 0;
  std::uint64_t seq = 0;  // the slice's; the flow event that binds to it takes the next number
};

// The file being written: tracks grouped by trace-event process, spans kept properly nested on each track,
// and every line placed by time at the end.
class TraceFile {
 public:
  void group(int pid, const std::string& name) {
    meta_.push_back(R"({"name":"process_name","ph":"M","pid":)" + std::to_string(pid) + R"(,"tid":0,"args":{"name":)" +
                    quoted(name) + "}}");
    meta_.push_back(R"({"name":"process_sort_index","ph":"M","pid":)" + std::to_string(pid) +
                    R"(,"tid":0,"args":{"sort_index":)" + std::to_string(pid) + "}}");
  }

  int track(int pid, int tid, const std::string& name) {
    tracks_.push_back({pid, tid, {}});
    const std::string where = R"(,"pid":)" + std::to_string(pid) + R"(,"tid":)" + std::to_string(tid);
    meta_.push_back(R"({"name":"thread_name","ph":"M")" + where + R"(,"args":{"name":)" + quoted(name) + "}}");
    meta_.push_back(R"({"name":"thread_sort_index","ph":"M")" + where + R"(,"args":{"sort_index":)" +
                    std::to_string(tid) + "}}");
    return static_cast<int>(tracks_.size()) - 1;
  }

  // Opens a span at `level`, first ending the track's spans at that level or deeper: levels are what keeps
  // the spans of a track nested (a CPU's regroup inside its state, a process's wait inside its life).
  void open(int track, int level, std::uint64_t t, std::string name, std::string cat, std::string args = "{}") {
    close(track, level, t);
    tracks_[track].open.push_back({level, t, seq_++, std::move(name), std::move(cat), std::move(args)});
  }

  // Ends the track's spans at `level` and deeper, innermost first.
  void close(int track, int level, std::uint64_t t) {
    auto& open = tracks_[track].open;
    while (!open.empty() && open.back().level >= level) {
      emit_span(track, open.back(), t);
      open.pop_back();
    }
  }

  bool is_open(int track, int level, const std::string& name) const {
    for (const auto& s : tracks_[track].open)
      if (s.level == level && s.name == name) return true;
    return false;
  }

  // A span whose end is known when it starts (a disk transfer): the end is clipped to the run's end.
  void span(int track, std::uint64_t begin, std::uint64_t end, std::string name, std::string cat, std::string args) {
    known_.push_back({track, {0, begin, seq_++, std::move(name), std::move(cat), std::move(args)}, end});
  }

  // An instant as "I", the letter Chromium writes: the format allows "i" too, but the Chrome DevTools trace
  // engine reads only "I" (Perfetto reads both).
  void instant(int track, std::uint64_t t, const std::string& name, const std::string& cat, const std::string& args) {
    lines_.push_back({t, marks, seq_++, head(name, cat, "I", t, track) + R"(,"s":"t","args":)" + args + "}"});
  }

  Anchor anchor(int track, std::uint64_t t, const std::string& name, const std::string& cat, const std::string& args) {
    Anchor a{track, t, seq_};
    seq_ += 2;
    lines_.push_back({t, marks, a.seq, head(name, cat, "X", t, track) + R"(,"dur":0,"args":)" + args + "}"});
    return a;
  }

  // An arrow through the anchors in order: "s" at the first, "t" at each one between, "f" at the last.
  void flow(const std::vector<Anchor>& points, const std::string& name, std::uint64_t id) {
    for (std::size_t i = 0; i < points.size(); ++i) {
      const Anchor& a = points[i];
      const char* ph = i == 0 ? "s" : i + 1 == points.size() ? "f" : "t";
      lines_.push_back({a.t, marks, a.seq + 1,
                        head(name, name, ph, a.t, a.track) + R"(,"id":)" + std::to_string(id) + R"(,"bp":"e"})"});
    }
  }

  // Ends every open span at `end` and writes the file: metadata first, then every line by time.
  std::string finish(std::uint64_t end) {
    for (int i = 0; i < static_cast<int>(tracks_.size()); ++i) close(i, 0, end);
    for (auto& k : known_) emit_span(k.track, k.span, std::min(k.end, end));
    std::vector<std::size_t> order(lines_.size());
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
      const Line& x = lines_[a];
      const Line& y = lines_[b];
      return std::tie(x.t, x.order, x.seq) < std::tie(y.t, y.order, y.seq);
    });
    std::string out = "{\"traceEvents\":[\n";
    bool first = true;
    auto put = [&](const std::string& json) {
      if (!first) out += ",\n";
      first = false;
      out += json;
    };
    for (const auto& m : meta_) put(m);
    for (std::size_t i : order) put(lines_[i].json);
    return out + "\n]}\n";
  }

 private:
  struct OpenSpan {
    int level;
    std::uint64_t begin;
    std::uint64_t seq;
    std::string name, cat, args;
  };
  struct Track {
    int pid, tid;
    std::vector<OpenSpan> open;
  };
  struct KnownSpan {
    int track;
    OpenSpan span;
    std::uint64_t end;
  };

  std::string head(const std::string& name, const std::string& cat, const char* ph, std::uint64_t t, int track) const {
    return R"({"name":)" + quoted(name) + R"(,"cat":)" + quoted(cat) + R"(,"ph":")" + ph + R"(","ts":)" + micros(t) +
           R"(,"pid":)" + std::to_string(tracks_[track].pid) + R"(,"tid":)" + std::to_string(tracks_[track].tid);
  }

  // A span is one complete ("X") event, its end known by now. Not a "B" and an "E": the Chrome DevTools
  // trace engine pairs those on one stack for the whole file, so spans that overlap on two tracks get
  // mismatched there. A span that lasted no time is left out.
  void emit_span(int track, const OpenSpan& s, std::uint64_t end) {
    if (end <= s.begin) return;
    lines_.push_back({s.begin, begins, s.seq,
                      head(s.name, s.cat, "X", s.begin, track) + R"(,"dur":)" + micros(end - s.begin) + R"(,"args":)" +
                          s.args + "}"});
  }

  std::vector<Track> tracks_;
  std::vector<std::string> meta_;
  std::vector<Line> lines_;
  std::vector<KnownSpan> known_;
  std::uint64_t seq_ = 0;  // creation order: breaks ties of time, so the file is the same every time
};

// Span levels on a CPU's track, on a process's track, and the only one on a role track.
constexpr int kCpuState = 0, kRegroup = 1;
constexpr int kLife = 0, kWait = 1;
constexpr int kRole = 0;

// The trace-event process ids: the scenario, the buses and the volumes first, then one per CPU.
constexpr int kScenarioPid = 1, kBusPid = 2, kVolumePid = 3;
int cpu_pid(int cpu) {
  // CPU numbers come from the trace, which may have been edited: keep every pid distinct and in range.
  return 10 + std::clamp(cpu, -1, 1'000'000);
}

// Reads the run's events in time order and lays them out on tracks.
class Timeline {
 public:
  explicit Timeline(const std::vector<TraceEvent>& events) : events_(events) {
    file_.group(kScenarioPid, "scenario");
    scenario_ = file_.track(kScenarioPid, kScenarioPid * 1000, "scenario");
  }

  std::string build() {
    // Busy CPUs run a quantum ahead, so the trace is not in time order; events of one instant keep theirs.
    std::vector<std::size_t> order(events_.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return events_[a].t_ns < events_[b].t_ns; });
    find_backups(order);
    std::uint64_t end = 0;
    for (std::size_t i : order) {
      end = std::max(end, events_[i].t_ns);
      on_event(events_[i], i);
    }
    for (std::size_t i = 0; i < chains_.size(); ++i)
      if (chains_[i].points.size() >= 2) file_.flow(chains_[i].points, chains_[i].what, i + 1);
    return file_.finish(end);
  }

 private:
  struct Proc {
    std::size_t id;  // its place in procs_
    int cpu, pin;
    std::string name;
    int tid;  // of its track; its role track's is the next
    int track;
    int role_track = -1;
    std::string role;
  };
  // The anchors one message or checkpoint passed through, in order.
  struct Chain {
    std::string what;    // "message" or "checkpoint"
    std::string target;  // for a request, the server's $NAME
    std::vector<Anchor> points;
  };

  // A process started in a CPU is the backup of a pair when backup_created names it before it ends; that
  // event comes a little after its process_start, and its role span must begin with its life. A named
  // process whose name never had a backup is a process on its own, with no role to show.
  void find_backups(const std::vector<std::size_t>& order) {
    std::map<std::pair<int, int>, std::size_t> started;
    for (std::size_t i : order) {
      const TraceEvent& e = events_[i];
      const std::pair<int, int> key{int_field(e, "cpu"), int_field(e, "pin")};
      if (e.kind == "process_start")
        started[key] = i;
      else if (e.kind == "process_stop" || e.kind == "abend")
        started.erase(key);
      else if (e.kind == "backup_created") {
        pairs_.insert(str_field(e, "pair"));
        if (started.count(key)) starts_as_backup_.insert(started[key]);
      }
    }
  }

  int cpu_track(int cpu) {
    auto it = cpus_.find(cpu);
    if (it != cpus_.end()) return it->second;
    file_.group(cpu_pid(cpu), "cpu " + std::to_string(cpu));
    const int t = file_.track(cpu_pid(cpu), cpu_pid(cpu) * 1000, "cpu " + std::to_string(cpu));
    cpus_[cpu] = t;
    return t;
  }

  int bus_track(const std::string& bus) {
    if (buses_.empty()) file_.group(kBusPid, "buses");
    auto it = buses_.find(bus);
    if (it != buses_.end()) return it->second;
    const int t = file_.track(kBusPid, kBusPid * 1000 + static_cast<int>(buses_.size()), "bus " + bus);
    buses_[bus] = t;
    return t;
  }

  int volume_track(const std::string& name) {
    auto it = volume_tracks_.find(name);
    if (it != volume_tracks_.end()) return it->second;
    const int t = new_volume_track("volume " + name);
    volume_tracks_[name] = t;
    return t;
  }

  int new_volume_track(const std::string& name) {
    if (volume_count_ == 0) file_.group(kVolumePid, "volumes");
    return file_.track(kVolumePid, kVolumePid * 1000 + volume_count_++, name);
  }

  // The live process at CPU and PIN, started now when the trace has not shown its start.
  Proc& proc(int cpu, int pin, const std::string& name, std::uint64_t t, const std::string& program = "") {
    auto it = live_.find({cpu, pin});
    if (it != live_.end()) return procs_[it->second];
    const int pid = cpu_pid(cpu);
    cpu_track(cpu);
    const int tid = pid * 1000 + 1 + 2 * per_cpu_[cpu]++;
    std::string label = name.empty() ? "pin " + std::to_string(pin) : name + " pin " + std::to_string(pin);
    if (name.empty() && !program.empty()) label += " " + program;
    procs_.push_back({procs_.size(), cpu, pin, name, tid, file_.track(pid, tid, label), -1, ""});
    live_[{cpu, pin}] = procs_.back().id;
    file_.open(procs_.back().track, kLife, t, "running", "process");
    return procs_.back();
  }

  Proc& proc_of(const TraceEvent& e) {
    return proc(int_field(e, "cpu"), int_field(e, "pin"), str_field(e, "process"), e.t_ns);
  }

  // The live process of a pair in a CPU (the halves of a pair are in different CPUs).
  Proc* pair_half(const std::string& pair, int cpu) {
    for (const auto& [key, i] : live_)
      if (key.first == cpu && procs_[i].name == pair) return &procs_[i];
    return nullptr;
  }

  void set_role(Proc& p, const std::string& role, std::uint64_t t) {
    if (p.role == role) return;
    if (p.role_track < 0)
      p.role_track = file_.track(cpu_pid(p.cpu), p.tid + 1, p.name + " pin " + std::to_string(p.pin) + " role");
    file_.open(p.role_track, kRole, t, role, "role", R"({"pair":)" + quoted(p.name) + "}");
    p.role = role;
  }

  void end_proc(int cpu, int pin, std::uint64_t t) {
    auto it = live_.find({cpu, pin});
    if (it == live_.end()) return;
    Proc& p = procs_[it->second];
    file_.close(p.track, kLife, t);
    if (p.role_track >= 0) file_.close(p.role_track, kRole, t);
    for (auto b = backups_.begin(); b != backups_.end();)
      b = b->second == it->second ? backups_.erase(b) : std::next(b);
    requests_.erase({cpu, pin});
    live_.erase(it);
  }

  void end_cpu(int cpu, std::uint64_t t) {
    std::vector<int> pins;
    for (const auto& [key, i] : live_)
      if (key.first == cpu) pins.push_back(key.second);
    for (int pin : pins) end_proc(cpu, pin, t);
  }

  Anchor anchor(const Proc& p, const TraceEvent& e, const std::string& name) {
    return file_.anchor(p.track, e.t_ns, name, "message", args_of(e));
  }

  // A message step of the request the process at `pid` (its requester) is waiting for, when `server` is the
  // process the request was for.
  void add_step(const std::string& pid, const Proc& server, const Anchor& a) {
    auto key = parse_pid(pid);
    if (!key) return;
    auto it = requests_.find(*key);
    if (it != requests_.end() && chains_[it->second].target == server.name) chains_[it->second].points.push_back(a);
  }

  void on_send(const TraceEvent& e) {
    Proc& p = proc_of(e);
    const std::string target = str_field(e, "target");
    if (parse_pid(target)) {  // a reply from a server to its requester
      add_step(target, p, anchor(p, e, "reply to " + target));
      return;
    }
    const Anchor a = anchor(p, e, "send to " + target);
    file_.open(p.track, kWait, e.t_ns, "waiting for " + target, "wait", args_of(e));
    chains_.push_back({"message", target, {a}});
    requests_[{p.cpu, p.pin}] = chains_.size() - 1;
  }

  void on_receive(const TraceEvent& e) {
    Proc& p = proc_of(e);
    const std::string target = str_field(e, "target");
    if (target == "system") {
      anchor(p, e, "receive system message");
    } else if (parse_pid(target)) {  // a server takes a request
      add_step(target, p, anchor(p, e, "receive from " + target));
    } else {  // the requester has its reply
      const Anchor a = anchor(p, e, "reply from " + target);
      if (file_.is_open(p.track, kWait, "waiting for " + target)) file_.close(p.track, kWait, e.t_ns);
      auto it = requests_.find({p.cpu, p.pin});
      if (it != requests_.end() && chains_[it->second].target == target) {
        chains_[it->second].points.push_back(a);
        requests_.erase(it);
      }
    }
  }

  void on_checkpoint(const TraceEvent& e) {
    const std::string pair = str_field(e, "pair");
    const int cpu = int_field(e, "cpu");
    const std::string name = "checkpoint " + std::to_string(int_field(e, "seq"));
    Proc* primary = pair_half(pair, cpu);
    const int from = primary ? primary->track : cpu_track(cpu);
    Chain c{"checkpoint", pair, {file_.anchor(from, e.t_ns, name, "checkpoint", args_of(e))}};
    // The trace has no event for its arrival: the arrow ends at the backup at the time it was sent.
    auto b = backups_.find(pair);
    if (b != backups_.end())
      c.points.push_back(file_.anchor(procs_[b->second].track, e.t_ns, name + " received", "checkpoint", args_of(e)));
    chains_.push_back(std::move(c));
  }

  void on_takeover(const TraceEvent& e) {
    const std::string pair = str_field(e, "pair");
    const int from = int_field(e, "from_cpu"), to = int_field(e, "to_cpu");
    const std::string reason = str_field(e, "reason");
    Proc* now = pair_half(pair, to);
    if (!now) {
      file_.instant(scenario_, e.t_ns, "takeover " + pair + " cpu " + std::to_string(from) + " → " + std::to_string(to),
                    "takeover", args_of(e));
      return;
    }
    file_.instant(now->track, e.t_ns, "takeover from cpu " + std::to_string(from) + " (" + reason + ")", "takeover",
                  args_of(e));
    if (file_.is_open(now->track, kWait, "checkmonitor")) file_.close(now->track, kWait, e.t_ns);
    set_role(*now, "primary", e.t_ns);
    auto b = backups_.find(pair);
    if (b != backups_.end() && b->second == now->id) backups_.erase(b);
    Proc* old = from != to ? pair_half(pair, from) : nullptr;
    if (old && reason == "checkswitch") {
      set_role(*old, "backup", e.t_ns);
      backups_[pair] = old->id;
    }
  }

  void on_event(const TraceEvent& e, std::size_t index) {
    const std::string& k = e.kind;
    const std::uint64_t t = e.t_ns;
    const std::string args = args_of(e);
    if (k == "run_start") {
      file_.instant(scenario_, t, "run start", "run", args);
      // A machine has 2 to 16 CPUs; a hand-edited trace claiming more does not get millions of tracks.
      const int cpus = std::min(int_field(e, "cpus"), 64);
      for (int c = 0; c < cpus; ++c) file_.open(cpu_track(c), kCpuState, t, "up", "cpu");
    } else if (k == "run_end") {
      file_.instant(scenario_, t, "run end", "run", args);
    } else if (k == "fault") {
      file_.instant(scenario_, t, "fault: " + str_field(e, "what"), "fault", args);
    } else if (k == "start_failed") {
      file_.instant(scenario_, t, "start failed: " + str_field(e, "process"), "scenario", args);
    } else if (k == "pair_lost") {
      file_.instant(scenario_, t, "pair " + str_field(e, "pair") + " lost", "pair", args);
    } else if (k == "cpu_state") {
      const int cpu = int_field(e, "cpu");
      const std::string state = str_field(e, "state");
      if (state != "up") end_cpu(cpu, t);  // a CPU that stops loses its processes, and comes back empty
      file_.open(cpu_track(cpu), kCpuState, t, state, "cpu", args);
    } else if (k == "regroup_start") {
      file_.open(cpu_track(int_field(e, "cpu")), kRegroup, t, "regroup round " + std::to_string(int_field(e, "round")),
                 "regroup", args);
    } else if (k == "regroup_end" || k == "not_admitted") {
      const int track = cpu_track(int_field(e, "cpu"));
      file_.instant(track, t, k == "regroup_end" ? "members " + str_field(e, "members") : "not admitted", "regroup",
                    args);
      file_.close(track, kRegroup, t);
    } else if (k == "regroup_wait") {
      file_.instant(cpu_track(int_field(e, "cpu")), t, "regroup waits for " + str_field(e, "waiting"), "regroup", args);
    } else if (k == "imalive_missed") {
      file_.instant(cpu_track(int_field(e, "cpu")), t, "no I'm alive from cpu " + std::to_string(int_field(e, "from")),
                    "imalive", args);
    } else if (k == "suspect") {
      file_.instant(cpu_track(int_field(e, "cpu")), t, "suspect cpu " + std::to_string(int_field(e, "suspect")),
                    "imalive", args);
    } else if (k == "declared_down" || k == "declared_up") {
      file_.instant(cpu_track(int_field(e, "declared_by")), t,
                    "declared cpu " + std::to_string(int_field(e, "cpu")) + (k == "declared_down" ? " down" : " up"),
                    "detection", args);
    } else if (k == "halt") {
      file_.instant(cpu_track(int_field(e, "cpu")), t, "halt: " + str_field(e, "reason"), "cpu", args);
    } else if (k == "send_failed") {
      file_.instant(cpu_track(int_field(e, "cpu")), t, "send to cpu " + std::to_string(int_field(e, "dst")) + " failed",
                    "bus", args);
    } else if (k == "path_down" || k == "path_up" || k == "bus_resend") {
      const std::string route =
          "cpu " + std::to_string(int_field(e, "cpu")) + " → " + std::to_string(int_field(e, "dst"));
      file_.instant(bus_track(str_field(e, "bus")), t,
                    k == "bus_resend" ? "resend " + route : route + (k == "path_down" ? " path down" : " path up"),
                    "bus", args);
    } else if (k == "drive_state") {
      file_.instant(volume_track(str_field(e, "volume")), t,
                    "drive " + std::to_string(int_field(e, "drive")) + " " + str_field(e, "state"), "volume", args);
    } else if (k == "controller_state") {
      file_.instant(volume_track(str_field(e, "volume")), t,
                    "controller " + std::to_string(int_field(e, "controller")) + " " + str_field(e, "state"), "volume",
                    args);
    } else if (k == "controller_owner") {
      file_.instant(volume_track(str_field(e, "volume")), t,
                    "controller " + std::to_string(int_field(e, "controller")) + " to cpu " +
                        std::to_string(int_field(e, "to_cpu")) + " (" + str_field(e, "reason") + ")",
                    "volume", args);
    } else if (k == "disk_op") {
      on_disk_op(e);
    } else if (k == "process_start") {
      const int cpu = int_field(e, "cpu"), pin = int_field(e, "pin");
      end_proc(cpu, pin, t);  // a PIN used again is a new process
      const std::string name = str_field(e, "process");
      Proc& p = proc(cpu, pin, name, t, str_field(e, "program"));
      file_.instant(p.track, t, "start " + str_field(e, "program"), "process", args);
      const bool backup = starts_as_backup_.count(index) != 0;
      if (backup || pairs_.count(name)) set_role(p, backup ? "backup" : "primary", t);
    } else if (k == "process_stop" || k == "abend") {
      Proc& p = proc_of(e);
      file_.instant(p.track, t,
                    k == "abend" ? "abend: " + str_field(e, "reason") : "exit " + std::to_string(int_field(e, "exit")),
                    "process", args);
      end_proc(p.cpu, p.pin, t);
    } else if (k == "output") {
      file_.instant(proc_of(e).track, t, "output: " + str_field(e, "text"), "output", args);
    } else if (k == "send") {
      on_send(e);
    } else if (k == "receive") {
      on_receive(e);
    } else if (k == "fs_resend") {
      Proc& p = proc_of(e);
      const Anchor a = anchor(p, e, "resend to " + str_field(e, "target"));
      auto it = requests_.find({p.cpu, p.pin});
      if (it != requests_.end()) chains_[it->second].points.push_back(a);
    } else if (k == "path_error" || k == "system_message" || k == "request_open") {
      Proc& p = proc_of(e);
      const std::string name = k == "path_error"       ? "path error to " + str_field(e, "target")
                               : k == "system_message" ? "system message " + std::to_string(int_field(e, "code"))
                                                       : "still waiting for " + str_field(e, "target");
      file_.instant(p.track, t, name, "message", args);
    } else if (k == "backup_created") {
      const std::string pair = str_field(e, "pair");
      Proc& b = proc(int_field(e, "cpu"), int_field(e, "pin"), pair, t);
      set_role(b, "backup", t);
      backups_[pair] = b.id;
      const int primary_cpu = int_field(e, "primary_cpu");
      Proc* p = pair_half(pair, primary_cpu);
      file_.instant(p ? p->track : cpu_track(primary_cpu), t, "backup created in cpu " + std::to_string(b.cpu), "pair",
                    args);
    } else if (k == "checkmonitor") {
      Proc& p = proc(int_field(e, "cpu"), int_field(e, "pin"), str_field(e, "pair"), t);
      file_.open(p.track, kWait, t, "checkmonitor", "pair", args);
    } else if (k == "checkpoint") {
      on_checkpoint(e);
    } else if (k == "takeover") {
      on_takeover(e);
    } else if (k == "checkswitch" || k == "checkopen" || k == "checkclose" || k == "duplicate" || k == "reply_ahead") {
      const int cpu = int_field(e, k == "checkswitch" ? "from_cpu" : "cpu");
      Proc* p = pair_half(str_field(e, "pair"), cpu);
      std::string name = k;
      if (k == "checkswitch") name = "checkswitch to cpu " + std::to_string(int_field(e, "to_cpu"));
      if (k == "duplicate") name = "duplicate, sync " + std::to_string(int_field(e, "sync_id"));
      if (k == "reply_ahead") name = "reply ahead of checkpoint to " + str_field(e, "to");
      file_.instant(p ? p->track : cpu_track(cpu), t, name, "pair", args);
    } else {
      // A kind this view does not know yet still shows, on the process, CPU or scenario it names.
      const auto cpu = e.get_int("cpu");
      const int track = cpu && e.get_int("pin") ? proc_of(e).track
                        : cpu                   ? cpu_track(static_cast<int>(*cpu))
                                                : scenario_;
      file_.instant(track, t, k, "other", args);
    }
  }

  // A transfer's end is known at its start. Transfers of one controller that overlap go on a lane (a track)
  // of their own, so the spans of each track stay apart.
  void on_disk_op(const TraceEvent& e) {
    const std::string key = "controller " + std::to_string(int_field(e, "controller")) + " " + str_field(e, "volume");
    auto& lanes = disk_lanes_[key];
    const std::uint64_t begin = e.t_ns;
    const std::uint64_t end =
        std::max<std::uint64_t>(begin, static_cast<std::uint64_t>(e.get_int("done_ns").value_or(0)));
    std::size_t lane = 0;
    while (lane < lanes.size() && lanes[lane].second > begin) ++lane;
    if (lane == lanes.size())
      lanes.push_back({new_volume_track(lane == 0 ? key : key + " (" + std::to_string(lane + 1) + ")"), 0});
    lanes[lane].second = end;
    file_.span(lanes[lane].first, begin, end, str_field(e, "op") + " block " + std::to_string(int_field(e, "block")),
               "disk", args_of(e));
  }

  const std::vector<TraceEvent>& events_;
  TraceFile file_;
  int scenario_ = -1;
  std::map<int, int> cpus_;
  std::map<std::string, int> buses_;
  std::map<std::string, int> volume_tracks_;
  std::map<std::string, std::vector<std::pair<int, std::uint64_t>>> disk_lanes_;  // track and when it is free
  int volume_count_ = 0;
  std::deque<Proc> procs_;  // every process the run had; a deque, so a Proc& stays valid as more start
  std::map<std::pair<int, int>, std::size_t> live_;  // (cpu, pin) → procs_
  std::map<int, int> per_cpu_;                       // processes seen in each CPU
  std::map<std::string, std::size_t> backups_;       // pair → its backup in procs_
  std::set<std::size_t> starts_as_backup_;           // indexes of process_start events
  std::set<std::string> pairs_;                      // names that had a backup at some time
  std::vector<Chain> chains_;
  std::map<std::pair<int, int>, std::size_t> requests_;  // requester (cpu, pin) → its request's chain
};

}  // namespace

std::string perfetto_json(const std::vector<TraceEvent>& events) {
  return Timeline(events).build();
}

}  // namespace pairsim::sim
