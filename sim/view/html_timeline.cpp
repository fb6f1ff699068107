#include "sim/view/html_timeline.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <list>
#include <map>
#include <optional>
#include <set>
#include <tuple>

#include "sim/report/expectations.hpp"
#include "sim/view/html_report.hpp"

namespace pairsim::sim {

namespace {

// Geometry in SVG user units; the SVG scales to the page's width, so these are proportions more than pixels.
constexpr double label_w = 270;  // lane names
constexpr double plot_w = 1090;
constexpr double width = label_w + plot_w + 40;
constexpr double band_row = 26;  // a row of labels above the lanes (faults, detections, takeovers)
constexpr double lane_h = 34;
constexpr double bar_h = 22;
constexpr double head_h = 28;  // "CPUs", "processes"
constexpr int max_band_rows = 10;
constexpr double crowd_w = 10;   // marks closer than this on the same lanes cover each other
constexpr double char_w = 10.4;  // a label character at the band's 17-unit bold font, roughly
constexpr double pi = 3.14159265358979323846;
// A machine has 16 CPUs at most; a CPU number past this in an event (none a run writes) opens no lanes.
constexpr int max_cpus = 64;

struct Segment {
  std::uint64_t from;
  std::string state;  // cpu: up, down, halted, reloading; process: running, primary, backup
};

struct Lane {
  bool cpu_lane = false;
  std::string name;  // a process's $NAME ("" unnamed)
  int cpu = -1;
  int pin = -1;
  std::string program;
  std::uint64_t start = 0;
  std::optional<std::uint64_t> end;
  std::string end_how;
  std::vector<Segment> states;
  std::vector<std::pair<std::uint64_t, std::uint64_t>> waits;  // waiting for a reply, from … to
  std::optional<std::uint64_t> wait_from;
  double y = 0;  // centre, once laid out

  std::string id() const { return std::to_string(cpu) + "," + std::to_string(pin); }
  std::string label() const { return name.empty() ? id() : name + " (" + id() + ")"; }
};

enum class Shape { detect, rejoin, halt, takeover, stop, abend, output };

struct Mark {
  std::uint64_t t;
  std::size_t lane;
  Shape shape;
  std::string title;
};

struct BandLabel {
  std::uint64_t t;
  std::string text;
  std::string title;
  std::string cls;  // fault, detect, takeover, halt, lost, rejoin
};

struct Arrow {
  std::uint64_t t0, t1;
  std::size_t from, to;
  std::string title;
};

struct PendingSend {
  std::uint64_t t;
  std::string target;
  std::int64_t bytes;
  std::int64_t tag;
};

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

int geti(const TraceEvent& e, const char* key) {
  return static_cast<int>(e.get_int(key).value_or(-1));
}

std::string gets(const TraceEvent& e, const char* key) {
  return e.get_str(key).value_or("");
}

std::size_t text_chars(const std::string& s) {
  std::size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

// Which of `total` items to draw. Items with the same key (where they fall, a few units wide, and their
// lanes) would cover each other: the first stands for the rest. Past `budget` of those, an even spread.
template <class KeyOf>
std::vector<std::size_t> thin(std::size_t total, KeyOf key_of, std::size_t budget) {
  std::set<decltype(key_of(std::size_t{0}))> seen;
  std::vector<std::size_t> kept;
  for (std::size_t i = 0; i < total; ++i)
    if (seen.insert(key_of(i)).second) kept.push_back(i);
  std::vector<std::size_t> out;
  const std::size_t n = std::min(kept.size(), budget);
  for (std::size_t i = 0; i < n; ++i) out.push_back(kept[kept.size() <= budget ? i : i * kept.size() / budget]);
  return out;
}

// What the events say about lanes, marks and messages, worked out in time order.
class Timeline {
 public:
  Timeline(int cpus, std::uint64_t heartbeat_ns) : heartbeat_ns_(heartbeat_ns) {
    for (int c = 0; c < cpus; ++c) cpu_lane(c);
  }

  void take(const TraceEvent& e);

  std::vector<Lane> lanes;
  std::vector<Mark> marks;
  std::vector<BandLabel> band;
  std::vector<Arrow> arrows;
  std::vector<Arrow> checkpoints;
  std::size_t unmatched_sends() const {
    std::size_t n = 0;
    for (const auto& [lane, sends] : pending_) n += sends.size();
    return n;
  }

 private:
  std::size_t cpu_lane(int c) {
    while (static_cast<int>(cpu_lanes_.size()) <= c) {
      Lane l;
      l.cpu_lane = true;
      l.cpu = static_cast<int>(cpu_lanes_.size());
      l.states.push_back({0, "up"});
      cpu_lanes_.push_back(lanes.size());
      lanes.push_back(std::move(l));
    }
    return cpu_lanes_[static_cast<std::size_t>(c)];
  }
  std::size_t start_process(const TraceEvent& e) {
    const std::pair<int, int> key{geti(e, "cpu"), geti(e, "pin")};
    if (auto it = live_.find(key); it != live_.end()) end_process(it->second, e.t_ns, "replaced");
    Lane l;
    l.name = gets(e, "process");
    l.cpu = key.first;
    l.pin = key.second;
    l.program = gets(e, "program");
    l.start = e.t_ns;
    l.states.push_back({e.t_ns, "running"});
    live_[key] = lanes.size();
    lanes.push_back(std::move(l));
    return live_[key];
  }
  // The lane of the process an event names; one is opened for a process whose start the events lack.
  std::size_t process_lane(const TraceEvent& e) {
    auto it = live_.find({geti(e, "cpu"), geti(e, "pin")});
    return it != live_.end() ? it->second : start_process(e);
  }
  std::optional<std::size_t> pair_lane(const std::string& pair, int cpu) const {
    for (const auto& [key, lane] : live_)
      if (key.first == cpu && lanes[lane].name == pair) return lane;
    return std::nullopt;
  }
  void end_process(std::size_t lane, std::uint64_t t, const std::string& how) {
    Lane& l = lanes[lane];
    l.end = t;
    l.end_how = how;
    if (l.wait_from) l.waits.emplace_back(*l.wait_from, t);
    l.wait_from.reset();
    live_.erase({l.cpu, l.pin});
  }
  void set_role(std::size_t lane, std::uint64_t t, const char* role) {
    auto& states = lanes[lane].states;
    if (states.back().state == role) return;
    if (states.back().from == t)
      states.back().state = role;
    else
      states.push_back({t, role});
  }
  void send(const TraceEvent& e);
  void receive(const TraceEvent& e);

  std::uint64_t heartbeat_ns_;
  std::vector<std::size_t> cpu_lanes_;
  std::map<std::pair<int, int>, std::size_t> live_;  // (cpu, pin) → lane of the process there now
  std::map<std::size_t, std::list<PendingSend>> pending_;
  std::map<int, std::uint64_t> detected_at_;  // a CPU's latest verdict group: when its first verdict came
};

void Timeline::send(const TraceEvent& e) {
  const std::size_t lane = process_lane(e);
  const std::string target = gets(e, "target");
  pending_[lane].push_back({e.t_ns, target, e.get_int("bytes").value_or(0), e.get_int("tag").value_or(0)});
  if (target.rfind('$', 0) == 0 && !lanes[lane].wait_from) lanes[lane].wait_from = e.t_ns;  // a request
}

// A receipt names the other end: the requester's "cpu,pin" for a request, the server's $NAME for a reply.
// Its send is the earliest one not yet matched from that end to this process (by its name or its
// "cpu,pin"): a request resent to a new primary is drawn from where it was first sent.
void Timeline::receive(const TraceEvent& e) {
  const std::size_t lane = process_lane(e);
  Lane& q = lanes[lane];
  const std::string from = gets(e, "target");
  if (from.rfind('$', 0) == 0 && q.wait_from) {
    q.waits.emplace_back(*q.wait_from, e.t_ns);
    q.wait_from.reset();
  }
  if (from.empty() || from == "system") return;
  std::vector<std::size_t> senders;
  for (const auto& [l, sends] : pending_) {
    if (sends.empty()) continue;
    if (from[0] == '$' ? lanes[l].name == from : lanes[l].id() == from) senders.push_back(l);
  }
  std::size_t best_lane = 0;
  std::list<PendingSend>::iterator best;
  bool found = false;
  for (std::size_t l : senders) {
    auto& sends = pending_[l];
    for (auto it = sends.begin(); it != sends.end(); ++it) {
      if (it->t > e.t_ns) break;
      if (it->target != q.id() && (q.name.empty() || it->target != q.name)) continue;
      if (!found || it->t < best->t) {
        best_lane = l;
        best = it;
        found = true;
      }
      break;
    }
  }
  if (!found) return;
  arrows.push_back({best->t, e.t_ns, best_lane, lane,
                    lanes[best_lane].label() + " → " + q.label() + ", " + std::to_string(best->bytes) + " bytes, tag " +
                        std::to_string(best->tag) + ", sent " + format_seconds(best->t) + ", received " +
                        format_seconds(e.t_ns)});
  pending_[best_lane].erase(best);
}

void Timeline::take(const TraceEvent& e) {
  const std::string& k = e.kind;
  const std::uint64_t t = e.t_ns;
  if (k == "cpu_state") {
    const int c = geti(e, "cpu");
    if (c < 0 || c >= max_cpus) return;
    const std::size_t lane = cpu_lane(c);
    const std::string state = gets(e, "state");
    if (lanes[lane].states.back().from == t)
      lanes[lane].states.back().state = state;
    else
      lanes[lane].states.push_back({t, state});
    if (state == "down" || state == "halted") {
      std::vector<std::size_t> gone;
      for (const auto& [key, l] : live_)
        if (key.first == c) gone.push_back(l);
      for (std::size_t l : gone) end_process(l, t, "gone with cpu " + std::to_string(c) + " (" + state + ")");
    }
  } else if (k == "process_start") {
    start_process(e);
  } else if (k == "process_stop" || k == "abend") {
    const std::size_t lane = process_lane(e);
    const bool stop = k == "process_stop";
    const std::string how =
        stop ? "exit " + std::to_string(e.get_int("exit").value_or(0)) : "abend: " + gets(e, "reason");
    marks.push_back(
        {t, lane, stop ? Shape::stop : Shape::abend, lanes[lane].label() + " " + how + " at " + format_seconds(t)});
    end_process(lane, t, how);
  } else if (k == "backup_created") {
    const std::string pair = gets(e, "pair");
    set_role(process_lane(e), t, "backup");
    if (auto p = pair_lane(pair, geti(e, "primary_cpu"))) set_role(*p, t, "primary");
  } else if (k == "takeover") {
    const std::string pair = gets(e, "pair");
    const std::string reason = gets(e, "reason");
    const int from = geti(e, "from_cpu");
    const int to = geti(e, "to_cpu");
    const std::string what = pair + " takes over in cpu " + std::to_string(to);
    const std::string title = pair + ": cpu " + std::to_string(from) + " → cpu " + std::to_string(to) + " (" + reason +
                              ") at " + format_seconds(t) + ", " +
                              std::to_string(e.get_int("checkpoints").value_or(0)) + " checkpoints applied";
    if (auto p = pair_lane(pair, to)) {
      set_role(*p, t, "primary");
      marks.push_back({t, *p, Shape::takeover, title});
    }
    if (reason == "checkswitch") {
      if (auto b = pair_lane(pair, from)) set_role(*b, t, "backup");
    }
    band.push_back(
        {t, reason == "checkswitch" ? pair + " switches to cpu " + std::to_string(to) : what, title, "takeover"});
  } else if (k == "checkpoint") {
    const std::string pair = gets(e, "pair");
    const auto from = pair_lane(pair, geti(e, "cpu"));
    if (!from) return;
    for (const auto& [key, l] : live_)
      if (l != *from && lanes[l].name == pair && lanes[l].states.back().state == "backup") {
        checkpoints.push_back({t, t, *from, l,
                               pair + " checkpoint " + std::to_string(e.get_int("seq").value_or(0)) + ", " +
                                   std::to_string(e.get_int("bytes").value_or(0)) + " bytes, at " + format_seconds(t)});
        break;
      }
  } else if (k == "send") {
    send(e);
  } else if (k == "receive") {
    receive(e);
  } else if (k == "output") {
    const std::size_t lane = process_lane(e);
    marks.push_back(
        {t, lane, Shape::output, lanes[lane].label() + " prints “" + gets(e, "text") + "” at " + format_seconds(t)});
  } else if (k == "fault") {
    const std::string what = gets(e, "what");
    band.push_back(
        {t, what,
         what + " (scenario line " + std::to_string(e.get_int("line").value_or(0)) + ") at " + format_seconds(t),
         "fault"});
  } else if (k == "declared_down" || k == "declared_up") {
    const int c = geti(e, "cpu");
    if (c < 0 || c >= max_cpus) return;
    const bool down = k == "declared_down";
    const std::string verdict = "cpu " + std::to_string(c) + (down ? " declared down" : " declared up");
    marks.push_back({t, cpu_lane(c), down ? Shape::detect : Shape::rejoin,
                     verdict + " by cpu " + std::to_string(geti(e, "declared_by")) + " at " + format_seconds(t)});
    // The survivors' verdicts on one failure come within a heartbeat or two of each other: one label for them.
    const int key = down ? c : -1 - c;
    auto it = detected_at_.find(key);
    if (it == detected_at_.end() || t > it->second + 2 * heartbeat_ns_) {
      detected_at_[key] = t;
      band.push_back(
          {t, verdict, verdict + " (first verdict at " + format_seconds(t) + ")", down ? "detect" : "rejoin"});
    }
  } else if (k == "halt") {
    const int c = geti(e, "cpu");
    if (c < 0 || c >= max_cpus) return;
    const std::string what = "cpu " + std::to_string(c) + " halts: " + gets(e, "reason");
    marks.push_back({t, cpu_lane(c), Shape::halt, what + " at " + format_seconds(t)});
    band.push_back({t, "cpu " + std::to_string(c) + " halts", what, "halt"});
  } else if (k == "pair_lost") {
    band.push_back({t, gets(e, "pair") + " lost", gets(e, "pair") + " lost at " + format_seconds(t), "lost"});
  }
}

std::string state_title(const Lane& l, const Segment& s, std::uint64_t to) {
  return (l.cpu_lane ? "cpu " + std::to_string(l.cpu) : l.label()) + " " + s.state + " from " + format_seconds(s.from) +
         " to " + format_seconds(to);
}

std::string shape_path(Shape s, double x, double y) {
  const std::string X = num(x), Y = num(y);
  switch (s) {
    case Shape::detect:
    case Shape::rejoin:
      return "M" + num(x) + "," + num(y - 9) + " L" + num(x + 9) + "," + Y + " L" + X + "," + num(y + 9) + " L" +
             num(x - 9) + "," + Y + " Z";
    case Shape::halt:
      return "M" + num(x - 8) + "," + num(y + 8) + " L" + num(x + 8) + "," + num(y + 8) + " L" + X + "," + num(y - 8) +
             " Z";
    case Shape::takeover: {
      std::string d;
      for (int i = 0; i < 10; ++i) {
        const double r = i % 2 == 0 ? 12 : 5;
        const double a = -pi / 2 + i * pi / 5;
        d += (i == 0 ? "M" : " L") + num(x + r * std::cos(a)) + "," + num(y + r * std::sin(a));
      }
      return d + " Z";
    }
    case Shape::stop:
      return "M" + num(x - 2) + "," + num(y - 11) + " h4 v22 h-4 Z";
    case Shape::abend:
      return "M" + num(x - 7) + "," + num(y - 7) + " L" + num(x + 7) + "," + num(y + 7) + " M" + num(x + 7) + "," +
             num(y - 7) + " L" + num(x - 7) + "," + num(y + 7);
    case Shape::output:
      break;
  }
  return "";
}

const char* shape_class(Shape s) {
  switch (s) {
    case Shape::detect:
      return "mark-detect";
    case Shape::rejoin:
      return "mark-rejoin";
    case Shape::halt:
      return "mark-halt";
    case Shape::takeover:
      return "mark-takeover";
    case Shape::stop:
      return "mark-stop";
    case Shape::abend:
      return "mark-abend";
    case Shape::output:
      return "mark-output";
  }
  return "";
}

}  // namespace

std::uint64_t axis_step(std::uint64_t end_ns) {
  const std::uint64_t raw = std::max<std::uint64_t>(end_ns / 10, 1);
  std::uint64_t p = 1;
  while (p * 10 <= raw) p *= 10;
  for (std::uint64_t m : {1, 2, 5})
    if (m * p >= raw) return m * p;
  return 10 * p;
}

std::string axis_label(std::uint64_t t_ns, std::uint64_t step_ns) {
  if (t_ns == 0) return "0";
  struct Unit {
    std::uint64_t ns;
    int digits;  // of a fraction of it, in ns
    const char* name;
  };
  // The unit a tenth of which the step is at least: 0.2 s, 0.4 s rather than 200 ms, 400 ms.
  Unit unit{1, 0, "ns"};
  for (const Unit& u : {Unit{1'000'000'000, 9, "s"}, Unit{1'000'000, 6, "ms"}, Unit{1'000, 3, "µs"}})
    if (step_ns * 10 >= u.ns) {
      unit = u;
      break;
    }
  std::string out = std::to_string(t_ns / unit.ns);
  if (const std::uint64_t rest = t_ns % unit.ns; rest != 0) {
    std::string frac = std::to_string(rest);
    frac.insert(0, static_cast<std::size_t>(unit.digits) - frac.size(), '0');
    while (frac.back() == '0') frac.pop_back();
    out += "." + frac;
  }
  return out + " " + unit.name;
}

TimelineSvg timeline_svg(const std::vector<TraceEvent>& events, int cpus, std::uint64_t end_ns,
                         std::uint64_t heartbeat_ns) {
  // The events come in the order emitted, a CPU up to a quantum ahead of the rest: put them in time order,
  // keeping the emitted order within an instant.
  std::vector<const TraceEvent*> ordered;
  for (const auto& e : events) ordered.push_back(&e);
  std::stable_sort(ordered.begin(), ordered.end(),
                   [](const TraceEvent* a, const TraceEvent* b) { return a->t_ns < b->t_ns; });
  Timeline tl(cpus, heartbeat_ns);
  for (const TraceEvent* e : ordered) {
    tl.take(*e);
    end_ns = std::max(end_ns, e->t_ns);
  }
  end_ns = std::max<std::uint64_t>(end_ns, 1);
  auto x = [&](std::uint64_t t) { return label_w + plot_w * static_cast<double>(t) / static_cast<double>(end_ns); };

  TimelineSvg out;
  out.messages = tl.arrows.size();
  out.unmatched_sends = tl.unmatched_sends();
  out.checkpoints = tl.checkpoints.size();

  // Band labels, each in the first row where it does not overlap the one before it.
  struct Placed {
    const BandLabel* label;
    int row;
    bool to_left;  // the text ends at its mark: it would run off the right edge
  };
  std::vector<Placed> placed;
  std::vector<double> row_end;
  std::vector<const BandLabel*> band;
  for (const auto& b : tl.band) band.push_back(&b);
  std::stable_sort(band.begin(), band.end(), [](const BandLabel* a, const BandLabel* b) { return a->t < b->t; });
  for (const BandLabel* b : band) {
    const double w = static_cast<double>(text_chars(b->text)) * char_w + 10;
    const double at = x(b->t);
    const bool to_left = at + w > width;
    const double left = to_left ? at - w : at;
    int row = -1;
    for (std::size_t r = 0; r < row_end.size(); ++r)
      if (row_end[r] + 6 <= left) {
        row = static_cast<int>(r);
        break;
      }
    if (row < 0 && static_cast<int>(row_end.size()) < max_band_rows) {
      row = static_cast<int>(row_end.size());
      row_end.push_back(0);
    }
    if (row < 0) row = static_cast<int>(std::min_element(row_end.begin(), row_end.end()) - row_end.begin());
    row_end[static_cast<std::size_t>(row)] = left + w;
    placed.push_back({b, row, to_left});
  }

  // Lanes: the CPUs, then the processes, a pair's processes together, in the order they first appear.
  std::vector<std::size_t> cpu_order, proc_order;
  std::map<std::string, std::size_t> group_of;
  std::vector<std::pair<std::size_t, std::size_t>> keyed;
  for (std::size_t i = 0; i < tl.lanes.size(); ++i) {
    const Lane& l = tl.lanes[i];
    if (l.cpu_lane) {
      cpu_order.push_back(i);
      continue;
    }
    std::size_t group = i;
    if (!l.name.empty()) group = group_of.emplace(l.name, i).first->second;
    keyed.emplace_back(group, i);
  }
  std::stable_sort(keyed.begin(), keyed.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  for (const auto& [g, i] : keyed) proc_order.push_back(i);
  std::sort(cpu_order.begin(), cpu_order.end(),
            [&](std::size_t a, std::size_t b) { return tl.lanes[a].cpu < tl.lanes[b].cpu; });
  out.process_lanes = static_cast<int>(proc_order.size());

  const double band_top = 6;
  const double band_bottom = band_top + static_cast<double>(row_end.size()) * band_row;
  const double axis_top = band_bottom + 22;
  double y = axis_top + 10;
  const double cpu_head = y + 18;
  y += head_h;
  for (std::size_t i : cpu_order) {
    tl.lanes[i].y = y + lane_h / 2;
    y += lane_h;
  }
  const double proc_head = y + 22;
  y += proc_order.empty() ? 0 : head_h + 4;
  for (std::size_t i : proc_order) {
    tl.lanes[i].y = y + lane_h / 2;
    y += lane_h;
  }
  const double lanes_bottom = y + 4;
  const double height = lanes_bottom + 56;

  std::string s;
  s += "<svg class=\"timeline\" viewBox=\"0 0 " + num(width) + " " + num(height) + "\" width=\"" + num(width) +
       "\" height=\"" + num(height) + "\" role=\"img\" aria-label=\"timeline of the run\">\n";
  s += "<defs><pattern id=\"tl-wait\" width=\"10\" height=\"10\" patternUnits=\"userSpaceOnUse\" "
       "patternTransform=\"rotate(45)\"><rect width=\"5\" height=\"10\" fill=\"#fff\" fill-opacity=\"0.8\"/></pattern>"
       "<marker id=\"tl-head\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" "
       "orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 Z\" class=\"msg-head\"/></marker></defs>\n";

  // The axis: grid lines over the lanes, labels above and below them.
  const std::uint64_t step = axis_step(end_ns);
  s += "<g class=\"axis\">\n";
  for (std::uint64_t t = 0; t <= end_ns; t += step) {
    const std::string X = num(x(t));
    const std::string label = html_escape(axis_label(t, step));
    s += "<line class=\"grid\" x1=\"" + X + "\" y1=\"" + num(axis_top + 4) + "\" x2=\"" + X + "\" y2=\"" +
         num(lanes_bottom) + "\"/>";
    s += "<text class=\"tick\" x=\"" + X + "\" y=\"" + num(axis_top) + "\">" + label + "</text>";
    s += "<text class=\"tick\" x=\"" + X + "\" y=\"" + num(lanes_bottom + 20) + "\">" + label + "</text>\n";
  }
  s += "<text class=\"axis-title\" x=\"" + num(label_w + plot_w / 2) + "\" y=\"" + num(lanes_bottom + 46) +
       "\">simulated time</text>\n</g>\n";

  // The lanes.
  auto lane_group = [&](const std::vector<std::size_t>& order, const char* title, double head_y) {
    if (order.empty()) return;
    s += "<text class=\"lane-head\" x=\"8\" y=\"" + num(head_y) + "\">" + title + "</text>\n";
    for (std::size_t i : order) {
      const Lane& l = tl.lanes[i];
      const double top = l.y - bar_h / 2;
      const std::uint64_t lane_end = l.end.value_or(end_ns);
      const std::string name = l.cpu_lane ? "cpu " + std::to_string(l.cpu) : l.label();
      std::string about = name;
      if (!l.cpu_lane)
        about += ": program " + l.program + ", cpu " + std::to_string(l.cpu) + " pin " + std::to_string(l.pin) +
                 ", from " + format_seconds(l.start) +
                 (l.end ? " until " + format_seconds(*l.end) + " (" + l.end_how + ")" : "");
      s += std::string("<g class=\"lane ") + (l.cpu_lane ? "cpu" : "process") + "\" data-lane=\"" + html_escape(name) +
           "\">\n<text class=\"lane-label\" x=\"" + num(label_w - 10) + "\" y=\"" + num(l.y + 5) + "\">" +
           html_escape(name) + "<title>" + html_escape(about) + "</title></text>\n";
      for (std::size_t k = 0; k < l.states.size(); ++k) {
        const Segment& seg = l.states[k];
        const std::uint64_t to = k + 1 < l.states.size() ? l.states[k + 1].from : lane_end;
        if (to < seg.from) continue;
        const double w = std::max(x(to) - x(seg.from), 1.0);
        s += "<rect class=\"st-" + html_escape(seg.state) + "\" x=\"" + num(x(seg.from)) + "\" y=\"" + num(top) +
             "\" width=\"" + num(w) + "\" height=\"" + num(bar_h) + "\"><title>" +
             html_escape(state_title(l, seg, to)) + "</title></rect>\n";
      }
      // Waits shorter than a unit merge with their neighbours: a busy requester is one striped stretch.
      double run_from = -1, run_to = -1;
      auto flush_wait = [&] {
        if (run_from < 0) return;
        s += "<rect class=\"wait\" x=\"" + num(run_from) + "\" y=\"" + num(top) + "\" width=\"" +
             num(std::max(run_to - run_from, 1.0)) + "\" height=\"" + num(bar_h) + "\"/>\n";
      };
      for (const auto& [from, to] : l.waits) {
        const double a = x(from), b = x(to);
        if (run_from >= 0 && a <= run_to + 1) {
          run_to = std::max(run_to, b);
          continue;
        }
        flush_wait();
        run_from = a;
        run_to = b;
      }
      flush_wait();
      s += "</g>\n";
    }
  };
  lane_group(cpu_order, "CPUs", cpu_head);
  lane_group(proc_order, "processes", proc_head);

  // Checkpoints (primary to backup, at one instant) and messages (send to receipt), thinned out evenly.
  s += "<g class=\"checkpoints\">\n";
  auto bucket = [&](std::uint64_t t) { return static_cast<long long>(x(t) / crowd_w); };
  auto arrow_key = [&](const std::vector<Arrow>& arrows) {
    return [&](std::size_t i) {
      const Arrow& a = arrows[i];
      return std::make_tuple(bucket(a.t0), bucket(a.t1), a.from, a.to);
    };
  };
  for (std::size_t i : thin(tl.checkpoints.size(), arrow_key(tl.checkpoints), timeline_max_checkpoints)) {
    const Arrow& a = tl.checkpoints[i];
    s += "<line class=\"ckpt\" x1=\"" + num(x(a.t0)) + "\" y1=\"" + num(tl.lanes[a.from].y) + "\" x2=\"" +
         num(x(a.t1)) + "\" y2=\"" + num(tl.lanes[a.to].y) + "\"><title>" + html_escape(a.title) + "</title></line>\n";
    ++out.checkpoints_drawn;
  }
  s += "</g>\n<g class=\"messages\">\n";
  for (std::size_t i : thin(tl.arrows.size(), arrow_key(tl.arrows), timeline_max_arrows)) {
    const Arrow& a = tl.arrows[i];
    if (a.from == a.to) continue;
    s += "<line class=\"msg\" x1=\"" + num(x(a.t0)) + "\" y1=\"" + num(tl.lanes[a.from].y) + "\" x2=\"" + num(x(a.t1)) +
         "\" y2=\"" + num(tl.lanes[a.to].y) + "\" marker-end=\"url(#tl-head)\"><title>" + html_escape(a.title) +
         "</title></line>\n";
    ++out.messages_drawn;
  }
  s += "</g>\n";

  // The band's labels and their lines down through the lanes.
  s += "<g class=\"band\">\n";
  for (const Placed& p : placed) {
    const double at = x(p.label->t);
    const double base = band_top + (p.row + 1) * band_row - 7;
    const std::string cls = html_escape(p.label->cls);
    s += "<g class=\"band-" + cls + "\"><title>" + html_escape(p.label->title) + "</title>";
    s += "<line class=\"band-line\" x1=\"" + num(at) + "\" y1=\"" + num(base + 4) + "\" x2=\"" + num(at) + "\" y2=\"" +
         num(lanes_bottom) + "\"/>";
    s += "<text class=\"band-text\" x=\"" + num(p.to_left ? at - 4 : at + 4) + "\" y=\"" + num(base) + "\"" +
         (p.to_left ? " text-anchor=\"end\"" : "") + ">" + html_escape(p.label->text) + "</text></g>\n";
  }
  s += "</g>\n";

  // Marks on the lanes: output dots first (thinned out like the messages), so that an exit, an abend or a
  // takeover at the same instant shows over them.
  std::vector<const Mark*> outputs;
  for (const Mark& m : tl.marks)
    if (m.shape == Shape::output) outputs.push_back(&m);
  s += "<g class=\"marks\">\n";
  auto output_key = [&](std::size_t i) { return std::make_pair(bucket(outputs[i]->t), outputs[i]->lane); };
  for (std::size_t i : thin(outputs.size(), output_key, timeline_max_outputs)) {
    const Mark& m = *outputs[i];
    s += "<circle class=\"mark-output\" cx=\"" + num(x(m.t)) + "\" cy=\"" + num(tl.lanes[m.lane].y) +
         "\" r=\"3.5\"><title>" + html_escape(m.title) + "</title></circle>\n";
  }
  for (const Mark& m : tl.marks)
    if (m.shape != Shape::output)
      s += std::string("<path class=\"") + shape_class(m.shape) + "\" d=\"" +
           shape_path(m.shape, x(m.t), tl.lanes[m.lane].y) + "\"><title>" + html_escape(m.title) + "</title></path>\n";
  s += "</g>\n</svg>\n";
  out.svg = std::move(s);
  return out;
}

}  // namespace pairsim::sim
