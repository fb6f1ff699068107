#include "sim/report/expectations.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace pairsim::sim {

std::string format_seconds(std::uint64_t t_ns) {
  // To the microsecond, as the event list and the pair table print times: one precision in the whole report.
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.6f s", static_cast<double>(t_ns) / 1e9);
  return buf;
}

std::string format_setting_seconds(std::uint64_t t_ns) {
  std::string frac = std::to_string(t_ns % 1'000'000'000ull);
  frac.insert(0, 9 - frac.size(), '0');
  while (!frac.empty() && frac.back() == '0') frac.pop_back();
  std::string out = std::to_string(t_ns / 1'000'000'000ull);
  if (!frac.empty()) out += "." + frac;
  return out + " s";
}

namespace {

// A guest's text in a report line: in double quotes, with control characters, quotes and backslashes
// escaped, so that a line with a newline in it stays one report line.
std::string quoted(std::string_view text) {
  static const char* hex = "0123456789ABCDEF";
  std::string out = "\"";
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u < 0x20 || u == 0x7F) {
      out += "\\x";
      out += hex[u >> 4];
      out += hex[u & 15];
    } else {
      out += c;
    }
  }
  return out + "\"";
}

struct Verdict {
  bool ok;
  std::string detail;
};

std::vector<const ProcessRecord*> instances(const RunRecord& r, const std::string& name) {
  std::vector<const ProcessRecord*> out;
  for (const auto& p : r.processes())
    if (p.name == name) out.push_back(&p);
  return out;
}

std::string describe_process(const ProcessRecord& p) {
  std::string d = p.name + " (cpu " + std::to_string(p.cpu) + ", pin " + std::to_string(p.pin) + ") " + p.state;
  if (p.exit) d += " with exit " + std::to_string(*p.exit);
  if (p.abend) d += ": " + *p.abend;
  return d;
}

std::string describe_all(const RunRecord& r, const std::string& name) {
  auto all = instances(r, name);
  if (all.empty()) return name + " never started";
  std::string d;
  for (const auto* p : all) d += (d.empty() ? "" : "; ") + describe_process(*p);
  return d;
}

bool parse_int(const std::string& s, std::int64_t& v) {
  if (s.empty()) return false;
  char* end = nullptr;
  v = std::strtoll(s.c_str(), &end, 10);
  return end && *end == '\0';
}

std::string drive_states(const VolumeFacts& v) {
  std::string d;
  for (std::size_t i = 0; i < v.drives.size(); ++i)
    d += (d.empty() ? "drive " : ", drive ") + std::to_string(i) + " " + v.drives[i];
  return d;
}

// "no backup", with the pair's state when it says more (lost, stopped).
std::string no_backup(const PairRecord& p) {
  return p.state == "no backup" ? "no backup" : "no backup (" + p.state + ")";
}

struct Checker {
  const Scenario& s;
  const RunRecord& r;
  const std::map<std::size_t, std::string>& samples;
  const std::vector<VolumeFacts>& volumes;
  std::size_t index;

  // The parser has checked that the volume exists; a run that gathered nothing (a unit test) finds none.
  const VolumeFacts* volume(const std::string& name) const { return find_volume(volumes, name); }

  Verdict operator()(const ExpectCpuState& e) const {
    const std::string want(to_string(e.state));
    std::string got;
    if (e.at_ns) {
      auto it = samples.find(index);
      if (it == samples.end()) return {false, "the run ended before " + format_seconds(*e.at_ns)};
      got = it->second;
    } else {
      got = r.cpu_states().at(static_cast<std::size_t>(e.cpu));
    }
    return {got == want, "cpu " + std::to_string(e.cpu) + " was " + got};
  }
  Verdict operator()(const ExpectDetected& e) const {
    auto failed = r.failure_time(e.cpu);
    if (!failed) return {false, "cpu " + std::to_string(e.cpu) + " never failed"};
    const std::uint64_t f = *failed;
    bool ok = true;
    std::string d;
    for (int s_cpu = 0; s_cpu < s.machine.cpus; ++s_cpu) {
      if (s_cpu == e.cpu) continue;
      auto sf = r.failure_time(s_cpu);
      if (sf && *sf <= f + e.within_ns) continue;  // not a survivor over the window
      std::optional<std::uint64_t> when;
      for (const auto& det : r.detections())
        if (det.cpu == e.cpu && det.declared_by == s_cpu && det.declared_ns >= f) {
          when = det.declared_ns;
          break;
        }
      d += (d.empty() ? "" : ", ");
      if (!when) {
        ok = false;
        d += "cpu " + std::to_string(s_cpu) + " never declared it";
      } else {
        const std::uint64_t after = *when - f;
        if (after > e.within_ns) ok = false;
        d += "cpu " + std::to_string(s_cpu) + " after " + format_seconds(after);
      }
    }
    if (d.empty()) return {false, "no survivor to declare it"};
    return {ok, "declared down by " + d};
  }
  Verdict operator()(const ExpectNoHalt&) const {
    if (r.halts().empty()) return {true, "no CPU halted itself"};
    const auto& h = r.halts().front();
    return {false, "cpu " + std::to_string(h.cpu) + " halted at " + format_seconds(h.t_ns) + ": " + h.reason};
  }
  Verdict operator()(const ExpectHalted& e) const {
    for (const auto& h : r.halts())
      if (h.cpu == e.cpu) return {true, "halted at " + format_seconds(h.t_ns) + ": " + h.reason};
    return {false, "cpu " + std::to_string(e.cpu) + " did not halt itself"};
  }
  Verdict operator()(const ExpectExit& e) const {
    for (const auto* p : instances(r, e.process))
      if (p->state == "stopped" && p->exit && *p->exit == e.code) return {true, describe_process(*p)};
    return {false, describe_all(r, e.process)};
  }
  Verdict operator()(const ExpectRunning& e) const {
    for (const auto* p : instances(r, e.process))
      if (p->state == "running") return {true, describe_process(*p)};
    return {false, describe_all(r, e.process)};
  }
  Verdict operator()(const ExpectAbend& e) const {
    for (const auto* p : instances(r, e.process))
      if (p->state == "abended" && (!e.reason_contains || p->abend->find(*e.reason_contains) != std::string::npos))
        return {true, describe_process(*p)};
    return {false, describe_all(r, e.process)};
  }
  Verdict operator()(const ExpectStopped& e) const {
    auto all = instances(r, e.process);
    bool any_end = false, any_running = false;
    for (const auto* p : all) {
      any_end = any_end || p->state == "stopped" || p->state == "abended";
      any_running = any_running || p->state == "running";
    }
    return {any_end && !any_running, describe_all(r, e.process)};
  }
  Verdict operator()(const ExpectOutputLine& e) const {
    auto out = r.output_of(e.process);
    if (std::find(out.begin(), out.end(), e.line) != out.end()) return {true, "printed " + quoted(e.line)};
    return {false,
            std::to_string(out.size()) + " lines printed" + (out.empty() ? "" : ", the last " + quoted(out.back()))};
  }
  Verdict operator()(const ExpectOutputContains& e) const {
    for (const auto& line : r.output_of(e.process))
      if (line.find(e.text) != std::string::npos) return {true, "printed " + quoted(line)};
    return {false, "no line contains " + quoted(e.text)};
  }
  Verdict operator()(const ExpectOutputSequence& e) const {
    std::int64_t expected = e.first;
    std::uint64_t repeats = 0;
    for (const auto& line : r.output_of(e.process)) {
      std::int64_t v;
      if (!parse_int(line, v)) continue;
      if (v == expected - 1 && expected > e.first && repeats < e.repeats) {
        ++repeats;  // the number just printed, printed again: allowed up to e.repeats times
        continue;
      }
      if (expected > e.last) return {false, "extra number " + line + " after " + std::to_string(e.last)};
      if (v != expected) {
        return {false, (v < expected ? "repeat: " : "gap: ") + line + " printed where " + std::to_string(expected) +
                           " was due"};
      }
      ++expected;
    }
    if (expected <= e.last)
      return {false, "stopped at " + std::to_string(expected - 1) + ", short of " + std::to_string(e.last)};
    if (repeats > 0)
      return {true, std::to_string(e.first) + ".." + std::to_string(e.last) + " in order, " + std::to_string(repeats) +
                        " printed twice (" + std::to_string(e.repeats) + " allowed)"};
    return {true, std::to_string(e.first) + ".." + std::to_string(e.last) + " each once, in order"};
  }
  Verdict operator()(const ExpectOutputCount& e) const {
    auto out = r.output_of(e.process);
    const auto n = static_cast<std::uint64_t>(std::count(out.begin(), out.end(), e.line));
    return {n == e.count, std::to_string(n) + " lines equal " + quoted(e.line)};
  }
  Verdict operator()(const ExpectPrimary& e) const {
    // The summary's primary_cpu: a CPU that is up and holds the primary, none for a pair lost or stopped.
    const auto* p = r.pair(e.process);
    if (!p) return {false, e.process + " never started"};
    if (p->primary_cpu < 0) return {false, "no primary (" + p->state + ")"};
    return {p->primary_cpu == e.cpu, "primary in cpu " + std::to_string(p->primary_cpu) + " (" + p->state + ")"};
  }
  Verdict operator()(const ExpectBackup& e) const {
    const auto* p = r.pair(e.process);
    if (!p) return {false, e.process + " never started"};
    if (p->backup_cpu < 0) return {false, no_backup(*p)};
    return {p->backup_cpu == e.cpu, "backup in cpu " + std::to_string(p->backup_cpu)};
  }
  Verdict operator()(const ExpectNoBackup& e) const {
    const auto* p = r.pair(e.process);
    if (!p) return {false, e.process + " never started"};
    if (p->backup_cpu < 0) return {true, no_backup(*p)};
    return {false, "backup in cpu " + std::to_string(p->backup_cpu)};
  }
  Verdict operator()(const ExpectTakeover& e) const {
    std::string d;
    for (const auto& t : r.takeovers()) {
      if (t.pair != e.process) continue;
      const std::uint64_t took = t.failure_ns ? t.takeover_ns - *t.failure_ns : 0;
      d = "cpu " + std::to_string(t.from_cpu) + " → cpu " + std::to_string(t.to_cpu) + " (" + t.reason + ") " +
          (t.reason == "processor failed" ? format_seconds(took) + " after the failure"
                                          : "at " + format_seconds(t.takeover_ns));
      if (!e.within_ns || took <= *e.within_ns) return {true, d};
    }
    return {false, d.empty() ? "no takeover of " + e.process : d};
  }
  Verdict operator()(const ExpectNoTakeover& e) const {
    for (const auto& t : r.takeovers())
      if (t.pair == e.process) return {false, "taken over at " + format_seconds(t.takeover_ns) + " (" + t.reason + ")"};
    return {true, "no takeover"};
  }
  Verdict operator()(const ExpectPairLost& e) const {
    const auto* p = r.pair(e.process);
    if (!p) return {false, e.process + " never started"};
    return {p->state == "lost", "pair " + p->state};
  }
  Verdict operator()(const ExpectInvariants&) const {
    const auto& v = r.invariant_violations();
    if (v.empty()) return {true, "none violated"};
    // The first few, each once by rule and time; the report's invariants section lists them all.
    constexpr std::size_t shown = 3;
    std::string d = std::to_string(v.size()) + " violated: ";
    for (std::size_t i = 0; i < v.size() && i < shown; ++i)
      d += std::string(i == 0 ? "" : ", ") + invariant_name(v[i].rule) + " at " + format_seconds(v[i].t_ns) +
           (v[i].pair.empty() ? "" : " (" + v[i].pair + ")");
    if (v.size() > shown) d += ", …";
    return {false, d};
  }
  Verdict operator()(const ExpectMirrorsEqual& e) const {
    const VolumeFacts* v = volume(e.volume);
    if (!v) return {false, "no facts about volume " + e.volume};
    if (v->drives.size() < 2) return {true, "a single drive"};
    if (v->mirrors_equal) return {true, "the drives hold the same contents (" + drive_states(*v) + ")"};
    return {false, "the drives differ" +
                       (v->first_difference ? " from block " + std::to_string(*v->first_difference) : std::string()) +
                       " (" + drive_states(*v) + ")"};
  }
  Verdict operator()(const ExpectDriveState& e) const {
    const VolumeFacts* v = volume(e.volume);
    if (!v) return {false, "no facts about volume " + e.volume};
    if (e.drive < 0 || static_cast<std::size_t>(e.drive) >= v->drives.size())
      return {false, e.volume + " has no drive " + std::to_string(e.drive)};
    const std::string& got = v->drives[static_cast<std::size_t>(e.drive)];
    return {got == to_string(e.state), "drive " + std::to_string(e.drive) + " was " + got};
  }
  Verdict operator()(const ExpectFileRecords& e) const {
    const VolumeFacts* v = volume(e.volume);
    if (!v) return {false, "no facts about volume " + e.volume};
    if (!v->files) return {false, "no drive of " + e.volume + " is up: its directory cannot be read"};
    for (const auto& f : *v->files)
      if (f.name == e.file)
        return {f.records == e.records, e.volume + "." + e.file + " has " + std::to_string(f.records) +
                                            (f.records == 1 ? " record" : " records") + " (directory of drive " +
                                            std::to_string(v->directory_drive) + ")"};
    return {false, "no file " + e.file + " on " + e.volume + " (" + std::to_string(v->files->size()) +
                       (v->files->size() == 1 ? " file" : " files") + " in the directory of drive " +
                       std::to_string(v->directory_drive) + ")"};
  }
};

}  // namespace

std::vector<ExpectationResult> check_expectations(const Scenario& s, const RunRecord& r,
                                                  const std::map<std::size_t, std::string>& samples,
                                                  const std::vector<VolumeFacts>& volumes) {
  std::vector<ExpectationResult> out;
  for (std::size_t i = 0; i < s.expectations.size(); ++i) {
    const auto& e = s.expectations[i];
    Verdict v = std::visit(Checker{s, r, samples, volumes, i}, e.form);
    out.push_back({e.loc.line, e.text, v.ok, v.detail});
  }
  return out;
}

}  // namespace pairsim::sim
