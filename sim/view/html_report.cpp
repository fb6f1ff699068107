#include "sim/view/html_report.hpp"

#include <algorithm>
#include <cstdio>
#include <map>
#include <stdexcept>

#include "sim/report/expectations.hpp"
#include "sim/report/invariants.hpp"
#include "sim/report/pair_table.hpp"
#include "sim/view/html_timeline.hpp"

namespace pairsim::sim {

namespace {

// Large type and strong colours for a projector; black on white and no navigation when printed. The state
// colours are the timeline's and the legend's.
constexpr const char* style = R"(
:root { --up: #1f8a3d; --down: #1a1a1a; --halted: #e06c00; --reloading: #e8c000; --running: #7b3fc4;
  --primary: #1656c9; --backup: #8fb4ef; --fault: #e00000; --takeover: #f2a900; --ok: #0b6b25;
  --bad: #c00000; }
* { print-color-adjust: exact; -webkit-print-color-adjust: exact; }
body { font: 20px/1.45 "DejaVu Sans", "Liberation Sans", Arial, sans-serif; color: #000; background: #fff;
  margin: 0 auto; max-width: 1480px; padding: 0.5em 1.2em 2em; }
h1 { font-size: 1.7em; margin: 0.4em 0 0.2em; }
h2 { font-size: 1.4em; border-bottom: 3px solid #000; margin-top: 1.6em; }
h3 { font-size: 1.15em; margin-bottom: 0.3em; }
code, pre, .mono { font-family: "DejaVu Sans Mono", "Liberation Mono", monospace; }
pre { font-size: 17px; line-height: 1.35; background: #f3f3f3; border: 1px solid #777; padding: 0.6em 0.8em;
  overflow-x: auto; }
table { border-collapse: collapse; margin: 0.4em 0 1em; }
th, td { border: 1px solid #555; padding: 0.2em 0.6em; text-align: left; vertical-align: top; }
th { background: #e8e8e8; }
nav a { margin-right: 1em; color: #0033aa; }
.verdict { font-size: 1.3em; font-weight: bold; padding: 0.3em 0.6em; border: 3px solid; display: inline-block; }
.ok { color: var(--ok); } .bad { color: var(--bad); }
.verdict.ok { border-color: var(--ok); } .verdict.bad { border-color: var(--bad); }
ul.checks { list-style: none; padding-left: 0.2em; }
ul.checks li { margin: 0.35em 0; padding-left: 1.8em; text-indent: -1.8em; }
.mark { font-weight: bold; font-size: 1.2em; display: inline-block; width: 1.5em; text-indent: 0; }
.detail { color: #333; }
figure { margin: 0.5em 0; }
svg { width: 100%; height: auto; background: #fff; }
svg text { font-family: "DejaVu Sans", "Liberation Sans", Arial, sans-serif; fill: #000; }
.legend { display: flex; flex-wrap: wrap; gap: 0.3em 1.4em; font-size: 0.9em; margin: 0.4em 0; }
.swatch { display: inline-block; width: 1.6em; height: 0.9em; vertical-align: middle; border: 1px solid #000;
  margin-right: 0.3em; }
.sw-up { background: var(--up); } .sw-down { background: var(--down); } .sw-halted { background: var(--halted); }
.sw-reloading { background: var(--reloading); } .sw-running { background: var(--running); }
.sw-primary { background: var(--primary); } .sw-backup { background: var(--backup); }
.sw-wait { background: repeating-linear-gradient(45deg, var(--primary) 0 5px, #fff 5px 9px); }
.sw-fault { background: var(--fault); } .sw-msg { background: #444; height: 0.2em; border: 0; }
.st-up { fill: var(--up); } .st-down { fill: var(--down); } .st-halted { fill: var(--halted); }
.st-reloading { fill: var(--reloading); } .st-running { fill: var(--running); } .st-primary { fill: var(--primary); }
.st-backup { fill: var(--backup); stroke: #1656c9; stroke-width: 1; }
.wait { fill: url(#tl-wait); }
.grid { stroke: #bbb; stroke-width: 1; } .tick { font-size: 17px; text-anchor: middle; }
.axis-title { font-size: 18px; text-anchor: middle; font-style: italic; }
.lane-head { font-size: 19px; font-weight: bold; } .lane-label { font-size: 18px; text-anchor: end; }
.msg { stroke: #222; stroke-width: 1.2; opacity: 0.7; } .msg-head { fill: #222; }
.ckpt { stroke: #1656c9; stroke-width: 2; stroke-dasharray: 4 3; }
.band-text { font-size: 17px; font-weight: bold; }
.band-line { stroke-width: 2; }
.band-fault .band-line { stroke: var(--fault); } .band-fault .band-text { fill: var(--fault); }
.band-detect .band-line, .band-rejoin .band-line { stroke: #000; stroke-dasharray: 6 4; }
.band-takeover .band-line { stroke: #b07a00; stroke-dasharray: 6 4; } .band-takeover .band-text { fill: #8a5f00; }
.band-halt .band-line { stroke: var(--halted); } .band-halt .band-text { fill: #a04a00; }
.band-lost .band-line { stroke: var(--bad); stroke-dasharray: 2 3; } .band-lost .band-text { fill: var(--bad); }
.mark-detect { fill: #fff; stroke: #000; stroke-width: 3; } .mark-rejoin { fill: var(--up); stroke: #000; stroke-width: 2; }
.mark-halt { fill: var(--halted); stroke: #000; stroke-width: 1.5; }
.mark-takeover { fill: var(--takeover); stroke: #000; stroke-width: 1.5; }
.mark-stop { fill: #000; } .mark-abend { stroke: var(--bad); stroke-width: 4; fill: none; }
.mark-output { fill: #fff; stroke: #000; stroke-width: 1; }
.cpu-box { fill: #fff; stroke-width: 4; } .cpu-box.st-up { stroke: var(--up); } .cpu-box.st-down { stroke: var(--down); }
.cpu-box.st-halted { stroke: var(--halted); } .cpu-box.st-reloading { stroke: var(--reloading); }
.bus { stroke: #000; stroke-width: 5; } .bus-stub { stroke: #000; stroke-width: 2; }
.port { stroke: #666; stroke-width: 2; } .device { fill: #f3f3f3; stroke: #000; stroke-width: 2; }
.m-title { font-size: 20px; font-weight: bold; } .m-text { font-size: 17px; } .m-state { font-size: 16px; font-style: italic; }
@media print {
  body { font-size: 11pt; max-width: none; padding: 0; }
  pre { font-size: 8.5pt; white-space: pre-wrap; background: none; }
  nav, .screen-only { display: none; }
  h2 { break-after: avoid; }
  figure, table, .verdict { break-inside: avoid; }
  @page { size: A4 landscape; margin: 12mm; }
}
)";

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

// A setting's time in the unit it was likely written in: "100 ms", "10 µs", "1.5 s".
std::string duration(std::uint64_t ns) {
  if (ns >= 1'000'000'000 || ns == 0) return format_setting_seconds(ns);
  if (ns % 1'000'000 == 0) return std::to_string(ns / 1'000'000) + " ms";
  if (ns % 1'000 == 0) return std::to_string(ns / 1'000) + " µs";
  return std::to_string(ns) + " ns";
}

std::string mbs(std::uint64_t bytes_per_second) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3g", static_cast<double>(bytes_per_second) / 1e6);
  return buf;
}

// A short line in a diagram box, shortened with an ellipsis (the whole text is in its tooltip).
std::string fit(const std::string& s, std::size_t chars) {
  std::vector<std::size_t> starts;  // where each character begins
  for (std::size_t i = 0; i < s.size(); ++i)
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) starts.push_back(i);
  if (starts.size() <= chars || chars == 0) return s;
  return s.substr(0, starts[chars - 1]) + "…";
}

std::string cell(const std::string& text) {
  return "<td>" + html_escape(text) + "</td>";
}

const char* const mark_ok = "<span class=\"mark ok\">✓</span>";
const char* const mark_bad = "<span class=\"mark bad\">✗</span>";

// Where each volume, terminal and started program is: CPUs in a row under the two buses, the dual-ported
// devices below the two CPUs they are attached to.
std::string machine_svg(const RunOutcome& o) {
  const Scenario& s = *o.scenario;
  const int n = s.machine.cpus;
  std::vector<std::vector<std::pair<std::string, std::string>>> in_cpu(static_cast<std::size_t>(n));  // text, title
  auto add = [&](const StartProcess& p, const std::string& when) {
    if (p.cpu < 0 || p.cpu >= n) return;
    const std::string who = p.name.empty() ? p.program : p.name;
    in_cpu[static_cast<std::size_t>(p.cpu)].emplace_back(
        who + when, (p.name.empty() ? "" : p.name + ": ") + "program " + p.program + " in cpu " +
                        std::to_string(p.cpu) + ", priority " + std::to_string(p.priority) + when);
  };
  for (const auto& st : s.starts) add(st.process, "");
  for (const auto& a : s.actions)
    if (auto* p = std::get_if<StartProcess>(&a.action)) add(*p, " at " + duration(a.t_ns));
  std::size_t lines = 1;
  for (const auto& v : in_cpu) lines = std::max(lines, v.size());

  const double box_w = 210, gap = 24, left = 80;
  const double bus_y = 62, box_top = 100, line_h = 24;
  const double box_h = 66 + static_cast<double>(lines) * line_h;
  auto cx = [&](int c) { return left + c * (box_w + gap) + box_w / 2; };
  const double w = left + n * (box_w + gap) + 10;

  struct Device {
    std::string title, text, about;
    int cpus[2];
  };
  std::vector<Device> devices;
  for (const auto& v : s.volumes)
    devices.push_back({v.name,
                       std::string(v.mirrored ? "mirrored" : "single") + ", controllers " +
                           std::to_string(v.controllers[0]) + " " + std::to_string(v.controllers[1]),
                       v.text,
                       {v.cpus[0], v.cpus[1]}});
  for (const auto& t : s.terminals) devices.push_back({t.name, "terminal", t.text, {t.cpus[0], t.cpus[1]}});
  // Each device centred under its CPUs, a row lower when it would cover the one before.
  const double dev_w = 250, dev_h = 62, dev_top = box_top + box_h + 50;
  std::vector<double> row_end;
  std::vector<std::pair<double, int>> at;  // left, row
  for (const auto& d : devices) {
    const double mid = (cx(std::clamp(d.cpus[0], 0, n - 1)) + cx(std::clamp(d.cpus[1], 0, n - 1))) / 2;
    const double l = std::max(0.0, mid - dev_w / 2);
    std::size_t r = 0;
    while (r < row_end.size() && row_end[r] + 12 > l) ++r;
    if (r == row_end.size()) row_end.push_back(0);
    row_end[r] = l + dev_w;
    at.emplace_back(l, static_cast<int>(r));
  }
  double width = w;
  for (double e : row_end) width = std::max(width, e + 10);
  const double height = devices.empty() ? box_top + box_h + 16 : dev_top + row_end.size() * (dev_h + 24);

  // No wider than drawn: a machine of four CPUs does not need the page's whole width.
  std::string out = "<svg class=\"machine\" viewBox=\"0 0 " + num(width) + " " + num(height) + "\" width=\"" +
                    num(width) + "\" height=\"" + num(height) + "\" style=\"max-width: " + num(width) +
                    "px\" role=\"img\" aria-label=\"the machine\">\n";
  for (int b = 0; b < 2; ++b) {
    const double y = bus_y - 34 + b * 24;
    out += "<line class=\"bus\" x1=\"" + num(left - 10) + "\" y1=\"" + num(y) + "\" x2=\"" + num(w - 10) + "\" y2=\"" +
           num(y) + "\"/><text class=\"m-text\" x=\"4\" y=\"" + num(y + 6) + "\">bus " + (b == 0 ? "X" : "Y") +
           "</text>\n";
    for (int c = 0; c < n; ++c)
      out += "<line class=\"bus-stub\" x1=\"" + num(cx(c) - 20 + b * 40) + "\" y1=\"" + num(y) + "\" x2=\"" +
             num(cx(c) - 20 + b * 40) + "\" y2=\"" + num(box_top) + "\"/>";
    out += "\n";
  }
  for (std::size_t i = 0; i < devices.size(); ++i) {
    const double top = dev_top + at[i].second * (dev_h + 24);
    for (int c : devices[i].cpus)
      out += "<line class=\"port\" x1=\"" + num(at[i].first + dev_w / 2) + "\" y1=\"" + num(top) + "\" x2=\"" +
             num(cx(std::clamp(c, 0, n - 1))) + "\" y2=\"" + num(box_top + box_h) + "\"/>\n";
  }
  const auto& states = o.record->cpu_states();
  for (int c = 0; c < n; ++c) {
    const double l = cx(c) - box_w / 2;
    const std::string state = static_cast<std::size_t>(c) < states.size() ? states[static_cast<std::size_t>(c)] : "";
    out += "<g class=\"cpu-node\"><rect class=\"cpu-box st-" + html_escape(state) + "\" x=\"" + num(l) + "\" y=\"" +
           num(box_top) + "\" width=\"" + num(box_w) + "\" height=\"" + num(box_h) + "\" rx=\"6\"/>";
    out += "<text class=\"m-title\" x=\"" + num(l + 10) + "\" y=\"" + num(box_top + 26) + "\">cpu " +
           std::to_string(c) + "</text>";
    double y = box_top + 50;
    for (const auto& [text, title] : in_cpu[static_cast<std::size_t>(c)]) {
      out += "<text class=\"m-text\" x=\"" + num(l + 10) + "\" y=\"" + num(y) + "\">" + html_escape(fit(text, 19)) +
             "<title>" + html_escape(title) + "</title></text>";
      y += line_h;
    }
    out += "<text class=\"m-state\" x=\"" + num(l + 10) + "\" y=\"" + num(box_top + box_h - 10) + "\">" +
           html_escape(state) + " at the end</text></g>\n";
  }
  for (std::size_t i = 0; i < devices.size(); ++i) {
    const double l = at[i].first, top = dev_top + at[i].second * (dev_h + 24);
    out += "<g class=\"device-node\"><title>" + html_escape(devices[i].about) + "</title><rect class=\"device\" x=\"" +
           num(l) + "\" y=\"" + num(top) + "\" width=\"" + num(dev_w) + "\" height=\"" + num(dev_h) +
           "\" rx=\"4\"/><text class=\"m-title\" x=\"" + num(l + 10) + "\" y=\"" + num(top + 23) + "\">" +
           html_escape(fit(devices[i].title, 20)) + "</text><text class=\"m-text\" x=\"" + num(l + 10) + "\" y=\"" +
           num(top + 50) + "\">" + html_escape(fit(devices[i].text, 25)) + "</text></g>\n";
  }
  return out + "</svg>\n";
}

std::string machine_section(const RunOutcome& o) {
  const Scenario& s = *o.scenario;
  const MachineConfig& m = s.machine;
  std::string out = "<section id=\"machine\">\n<h2>The machine</h2>\n<figure>" + machine_svg(o) + "</figure>\n";
  out += "<table class=\"facts\">\n";
  auto row = [&](const std::string& k, const std::string& v) {
    out += "<tr><th>" + html_escape(k) + "</th>" + cell(v) + "</tr>\n";
  };
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.3g MIPS", m.mips);
  row("CPUs",
      std::to_string(m.cpus) + ", " + buf + ", " + std::to_string(m.memory_bytes / 1024) + " KiB of memory each");
  row("buses", "X and Y, " + mbs(m.bus_bytes_per_second) + " MB/s each, 32-byte packets");
  row("I'm-alive period", duration(m.heartbeat_ns));
  row("acknowledgement timeout",
      duration(m.ack_timeout_ns) + ", a path down after " + std::to_string(m.path_errors) + " failures");
  row("time slice, quantum", duration(m.slice_ns) + ", " + duration(m.quantum_ns));
  row("reload", duration(m.reload_ns));
  out += "</table>\n";
  if (!s.volumes.empty()) {
    out +=
        "<h3>Volumes</h3>\n<table><tr><th>volume</th><th>drives</th><th>controllers</th><th>CPUs</th>"
        "<th>image</th></tr>\n";
    for (const auto& v : s.volumes)
      out += "<tr>" + cell(v.name) + cell(v.mirrored ? "2, mirrored" : "1") +
             cell(std::to_string(v.controllers[0]) + ", " + std::to_string(v.controllers[1])) +
             cell(std::to_string(v.cpus[0]) + " (primary), " + std::to_string(v.cpus[1]) + " (backup)") +
             cell(v.image_as_written.empty() ? "in memory" : v.image_as_written) + "</tr>\n";
    out += "</table>\n";
  }
  if (!s.terminals.empty()) {
    out += "<h3>Terminals</h3>\n<table><tr><th>terminal</th><th>CPUs</th></tr>\n";
    for (const auto& t : s.terminals)
      out += "<tr>" + cell(t.name) +
             cell(std::to_string(t.cpus[0]) + " (primary), " + std::to_string(t.cpus[1]) + " (backup)") + "</tr>\n";
    out += "</table>\n";
  }
  return out + "</section>\n";
}

// Every process of the run, a pair's backups too, with what became of it and what it printed.
std::string processes_section(const RunOutcome& o) {
  std::string out = "<section id=\"processes\">\n<h2>Processes</h2>\n";
  const auto& procs = o.record->processes();
  if (!procs.empty()) {
    out +=
        "<table><tr><th>process</th><th>program</th><th>cpu, pin</th><th>started</th>"
        "<th>at the end</th><th>output</th></tr>\n";
    for (const auto& p : procs) {
      std::string end = p.state;
      if (p.exit) end += ", exit " + std::to_string(*p.exit);
      if (p.abend) end += ": " + *p.abend;
      out += "<tr>" + cell(p.name.empty() ? "(unnamed)" : p.name) + cell(p.program) +
             cell(std::to_string(p.cpu) + "," + std::to_string(p.pin)) + cell(format_seconds(p.start_ns)) + cell(end);
      if (p.output.empty()) {
        out += "<td></td></tr>\n";
        continue;
      }
      std::string text;
      for (const auto& line : p.output) text += line + "\n";
      out += "<td><details><summary>" + std::to_string(p.output.size()) + (p.output.size() == 1 ? " line" : " lines") +
             "</summary><pre>" + html_escape(text) + "</pre></details></td></tr>\n";
    }
    out += "</table>\n";
  } else {
    out += "<p>No process ran.</p>\n";
  }
  return out + "</section>\n";
}

std::string scenario_section(const RunOutcome& o) {
  const Scenario& s = *o.scenario;
  // The statements the scenario is made of, by line (the parser keeps each one's words; comments are gone).
  std::map<int, std::string> lines;
  auto keep = [&](const SourceLoc& loc, const std::string& text) {
    if (loc.line > 0 && !text.empty()) lines.emplace(loc.line, text);
  };
  for (const auto& v : s.volumes) keep(v.loc, v.text);
  for (const auto& t : s.terminals) keep(t.loc, t.text);
  for (const auto& st : s.starts) keep(st.loc, st.text);
  for (const auto& a : s.actions) {
    keep(a.loc, a.text);
    if (a.pick)
      for (const auto& entry : a.pick->entries) keep(entry.loc, entry.text);
  }
  keep(s.run.loc, s.run.text);
  for (const auto& e : s.expectations) keep(e.loc, e.text);

  std::string out = "<section id=\"scenario\">\n<h2>The scenario</h2>\n<p><code>" + html_escape(s.path) +
                    "</code>, seed " + std::to_string(o.seed) + ", ended at " + format_seconds(o.sim_time_ns) +
                    (o.stopped_early ? " (its run-until condition was met)" : "") + ".</p>\n";
  if (!lines.empty()) {
    out += "<table class=\"statements mono\"><tr><th>line</th><th>statement</th></tr>\n";
    for (const auto& [line, text] : lines) out += "<tr>" + cell(std::to_string(line)) + cell(text) + "</tr>\n";
    out += "</table>\n";
  }
  const auto& faults = o.record->faults();
  if (!faults.empty()) {
    out += "<h3>Faults and actions, as carried out</h3>\n<table><tr><th>time</th><th>action</th></tr>\n";
    for (const auto& f : faults) out += "<tr>" + cell(format_seconds(f.t_ns)) + cell(f.what) + "</tr>\n";
    out += "</table>\n";
  }
  if (!o.problems.empty()) {
    out += "<h3>Problems</h3>\n<ul class=\"checks\">\n";
    for (const auto& p : o.problems) out += std::string("<li>") + mark_bad + html_escape(p) + "</li>\n";
    out += "</ul>\n";
  }
  return out + "</section>\n";
}

std::string timeline_section(const RunOutcome& o, const std::vector<TraceEvent>& events) {
  const Scenario& s = *o.scenario;
  const TimelineSvg tl = timeline_svg(events, s.machine.cpus, o.sim_time_ns, s.machine.heartbeat_ns);
  std::string out = "<section id=\"timeline\">\n<h2>Timeline</h2>\n<div class=\"legend\">";
  const std::pair<const char*, const char*> keys[] = {{"up", "CPU up"},
                                                      {"down", "CPU down"},
                                                      {"halted", "CPU halted"},
                                                      {"reloading", "CPU reloading"},
                                                      {"running", "process running"},
                                                      {"primary", "primary of a pair"},
                                                      {"backup", "backup (in checkmonitor)"},
                                                      {"wait", "waiting for a reply"},
                                                      {"fault", "fault"},
                                                      {"msg", "message, send → receipt"}};
  for (const auto& [cls, text] : keys)
    out += std::string("<span><span class=\"swatch sw-") + cls + "\"></span>" + text + "</span>";
  out +=
      "<span>◇ declared down</span><span>★ takeover</span><span>┆ checkpoint</span><span>○ output line</span>"
      "<span>▮ exit</span><span class=\"bad\">✗ abend</span></div>\n";
  out += "<figure>\n" + tl.svg + "<figcaption>";
  std::string msgs;
  if (tl.messages == 0)
    msgs = "No messages between processes.";
  else if (tl.messages_drawn == tl.messages)
    msgs = "All " + std::to_string(tl.messages) + " messages drawn.";
  else
    msgs = std::to_string(tl.messages_drawn) + " of " + std::to_string(tl.messages) +
           " messages drawn: where they crowd, one arrow stands for those next to it.";
  if (tl.unmatched_sends)
    msgs += " " + std::to_string(tl.unmatched_sends) + (tl.unmatched_sends == 1 ? " send has" : " sends have") +
            " no receipt in the run.";
  if (tl.checkpoints)
    msgs += " " +
            (tl.checkpoints_drawn == tl.checkpoints
                 ? "All " + std::to_string(tl.checkpoints)
                 : std::to_string(tl.checkpoints_drawn) + " of " + std::to_string(tl.checkpoints)) +
            " checkpoints drawn.";
  out += html_escape(msgs) +
         " <span class=\"screen-only\">Point at a mark for its details.</span></figcaption>\n</figure>\n</section>\n";
  return out;
}

std::string expectations_section(const RunOutcome& o) {
  std::string out = "<section id=\"expectations\">\n<h2>Expectations</h2>\n";
  if (o.results.empty()) return out + "<p>The scenario states no expectations.</p>\n</section>\n";
  out += "<ul class=\"checks\">\n";
  for (const auto& r : o.results)
    out += std::string("<li class=\"") + (r.ok ? "held" : "failed") + "\">" + (r.ok ? mark_ok : mark_bad) + "line " +
           std::to_string(r.line) + ": <code>" + html_escape(r.text) + "</code> <span class=\"detail\">— " +
           html_escape(r.detail) + "</span></li>\n";
  return out + "</ul>\n</section>\n";
}

// The report's own invariants text, line by line: its first line says whether they held.
std::string invariants_section(const RunOutcome& o) {
  const auto& violations = o.record->invariant_violations();
  std::string text = invariants_text(violations);
  std::vector<std::string> lines;
  for (std::size_t at = 0; at < text.size();) {
    const std::size_t end = text.find('\n', at);
    std::string line = text.substr(at, end == std::string::npos ? std::string::npos : end - at);
    at = end == std::string::npos ? text.size() : end + 1;
    const auto first = line.find_first_not_of(' ');
    if (first == std::string::npos) continue;
    line.erase(0, first);
    if (line.rfind("✗ ", 0) == 0) line.erase(0, std::string("✗ ").size());
    lines.push_back(line);
  }
  std::string out = "<section id=\"invariants\">\n<h2>Invariants</h2>\n<ul class=\"checks\">\n";
  if (!lines.empty())
    out += std::string("<li>") + (violations.empty() ? mark_ok : mark_bad) + html_escape(lines[0]) + "</li>\n";
  for (std::size_t i = 1; i < lines.size(); ++i)
    out += std::string("<li class=\"violation\">") + mark_bad + html_escape(lines[i]) + "</li>\n";
  return out + "</ul>\n</section>\n";
}

// The protocol warnings (docs/process-pairs.md, "Protocol warnings"): shown only when there are some.
std::string warnings_section(const RunOutcome& o) {
  if (o.warnings.empty()) return "";
  std::string out = "<section id=\"warnings\">\n<h2>Protocol warnings</h2>\n<ul class=\"checks\">\n";
  for (const auto& w : o.warnings)
    out += std::string("<li class=\"violation\">") + mark_bad + html_escape(protocol_rule_name(w.rule)) + " at " +
           html_escape(format_seconds(w.t_ns)) + ": " + html_escape(w.pair) + " (" + html_escape(w.process) + ") — " +
           html_escape(w.text) + " Read <code>" + html_escape(w.read) + "</code>.</li>\n";
  return out + "</ul>\n</section>\n";
}

// Table 8-1 as `pairsim table` prints it, one block a pair.
std::string pairs_section(const std::vector<TraceEvent>& events) {
  std::string error;
  const std::string tables = pair_tables(events, "", error);
  std::string out = "<section id=\"pairs\">\n<h2>Life of each process pair (Table 8-1)</h2>\n";
  if (!error.empty()) return out + "<p>" + html_escape("No table: " + error + ".") + "</p>\n</section>\n";
  const std::string head = "Life of process pair ";
  for (std::size_t at = tables.find(head); at != std::string::npos;) {
    const std::size_t next = tables.find("\n" + head, at);
    const std::string block = tables.substr(at, next == std::string::npos ? std::string::npos : next + 1 - at);
    const std::size_t eol = block.find('\n');
    std::string body = block.substr(eol == std::string::npos ? block.size() : eol + 1);
    while (!body.empty() && body.front() == '\n') body.erase(0, 1);
    while (!body.empty() && body.back() == '\n') body.pop_back();
    out += "<h3 class=\"pair-table\">" + html_escape(block.substr(0, eol)) + "</h3>\n<pre class=\"table-8-1\">" +
           html_escape(body) + "\n</pre>\n";
    at = next == std::string::npos ? next : next + 1;
  }
  return out + "</section>\n";
}

}  // namespace

std::string html_escape(const std::string& text) {
  static const char* const replacement = "\xEF\xBF\xBD";
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  for (std::size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      switch (c) {
        case '&':
          out += "&amp;";
          break;
        case '<':
          out += "&lt;";
          break;
        case '>':
          out += "&gt;";
          break;
        case '"':
          out += "&quot;";
          break;
        case '\'':
          out += "&#39;";
          break;
        default:
          out += (c < 0x20 && c != '\t' && c != '\n') || c == 0x7F ? replacement : std::string(1, static_cast<char>(c));
      }
      ++i;
      continue;
    }
    // Guest output may hold any bytes: a well-formed UTF-8 sequence stays, a stray byte becomes U+FFFD.
    std::size_t len = 0;
    unsigned char lo = 0x80, hi = 0xBF;  // the second byte's range, narrower after E0, ED, F0, F4
    if (c >= 0xC2 && c <= 0xDF)
      len = 2;
    else if (c >= 0xE0 && c <= 0xEF)
      len = 3, lo = c == 0xE0 ? 0xA0 : 0x80, hi = c == 0xED ? 0x9F : 0xBF;
    else if (c >= 0xF0 && c <= 0xF4)
      len = 4, lo = c == 0xF0 ? 0x90 : 0x80, hi = c == 0xF4 ? 0x8F : 0xBF;
    bool ok = len > 0 && i + len <= text.size();
    for (std::size_t k = 1; ok && k < len; ++k) {
      const auto b = static_cast<unsigned char>(text[i + k]);
      ok = k == 1 ? b >= lo && b <= hi : (b & 0xC0) == 0x80;
    }
    if (ok) {
      out.append(text, i, len);
      i += len;
    } else {
      out += replacement;
      ++i;
    }
  }
  return out;
}

std::string html_report(const RunOutcome& o, const std::vector<TraceEvent>& events) {
  if (o.scenario == nullptr || o.record == nullptr)
    throw std::logic_error("html_report needs the run's scenario and record");
  const Scenario& s = *o.scenario;
  const bool held = o.failed() == 0 && o.problems.empty();
  const auto violations = o.record->invariant_violations().size();

  std::string out =
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  out += "<title>" + html_escape("pairsim: " + s.path + " (seed " + std::to_string(o.seed) + ")") + "</title>\n";
  out += "<style>" + std::string(style) + "</style>\n</head>\n<body>\n<header>\n";
  out += "<h1>pairsim run of <code>" + html_escape(s.path) + "</code>, seed " + std::to_string(o.seed) + "</h1>\n";
  std::string verdict;
  if (o.results.empty())
    verdict = "no expectations";
  else if (o.failed() == 0)
    verdict = "all " + std::to_string(o.passed()) + " expectations held";
  else
    verdict = std::to_string(o.failed()) + " of " + std::to_string(o.results.size()) +
              (o.results.size() == 1 ? " expectation failed" : " expectations failed");
  verdict += violations == 0 ? " · invariants held" : " · invariants: " + std::to_string(violations) + " violated";
  if (!o.problems.empty())
    verdict += " · " + std::to_string(o.problems.size()) + (o.problems.size() == 1 ? " problem" : " problems");
  verdict += " · ended at " + format_seconds(o.sim_time_ns);
  out += std::string("<p class=\"verdict ") + (held && violations == 0 ? "ok\">✓ " : "bad\">✗ ") +
         html_escape(verdict) + "</p>\n";
  out +=
      "<nav><a href=\"#timeline\">timeline</a><a href=\"#expectations\">expectations</a>"
      "<a href=\"#invariants\">invariants</a><a href=\"#machine\">machine</a><a href=\"#scenario\">scenario</a>"
      "<a href=\"#pairs\">Table 8-1</a><a href=\"#processes\">processes</a><a "
      "href=\"#summary\">summary</a></nav>\n</header>\n<main>\n";
  out += timeline_section(o, events);
  out += expectations_section(o);
  out += invariants_section(o);
  out += warnings_section(o);
  out += machine_section(o);
  out += scenario_section(o);
  out += pairs_section(events);
  out += processes_section(o);
  out += "<section id=\"summary\">\n<h2>Summary</h2>\n<p>The report <code>pairsim run</code> prints.</p>\n<pre>" +
         html_escape(text_report(o)) + "</pre>\n</section>\n";
  out += "</main>\n<footer><p>Written by pairsim " PAIRSIM_VERSION
         ". Times are simulated time.</p></footer>\n"
         "</body>\n</html>\n";
  return out;
}

}  // namespace pairsim::sim
