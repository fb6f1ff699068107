#include "sim/report/report.hpp"

#include <cstdio>

#include "sim/report/json_writer.hpp"
#include "sim/report/status_word.hpp"

namespace pairsim::sim {

int RunOutcome::passed() const {
  int n = 0;
  for (const auto& r : results) n += r.ok ? 1 : 0;
  return n;
}

int RunOutcome::failed() const {
  return static_cast<int>(results.size()) - passed();
}

namespace {

// A pair's half that no CPU holds (-1 in the record) is null in the summary.
std::optional<int> cpu_or_none(int cpu) {
  return cpu >= 0 ? std::optional<int>(cpu) : std::nullopt;
}

std::string time_col(std::uint64_t t_ns) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%12.6f s", static_cast<double>(t_ns) / 1e9);
  return buf;
}

std::string field(const TraceEvent& e, const char* key) {
  if (auto i = e.get_int(key)) return std::to_string(*i);
  return e.get_str(key).value_or("?");
}

std::string proc(const TraceEvent& e) {
  const std::string name = field(e, "process");
  const std::string id = field(e, "cpu") + "," + field(e, "pin");
  return name.empty() ? id : name + " (" + id + ")";
}

// One line of the report's timeline for an event, or "" for one the report leaves to the trace.
std::string describe(const TraceEvent& e) {
  const std::string& k = e.kind;
  if (k == "fault") return "fault       " + field(e, "what");
  if (k == "declared_down")
    return "detection   cpu " + field(e, "declared_by") + " declares cpu " + field(e, "cpu") + " down";
  if (k == "declared_up")
    return "rejoin      cpu " + field(e, "declared_by") + " declares cpu " + field(e, "cpu") + " up";
  if (k == "halt") return "halt        cpu " + field(e, "cpu") + " halts itself: " + field(e, "reason");
  if (k == "process_start") return "start       " + proc(e) + " program " + field(e, "program");
  if (k == "output") return "output      " + proc(e) + ": " + annotate_status(field(e, "text"));
  if (k == "process_stop") return "stop        " + proc(e) + " exit " + field(e, "exit");
  if (k == "abend") return "abend       " + proc(e) + ": " + field(e, "reason");
  if (k == "path_down")
    return "path down   cpu " + field(e, "cpu") + " → cpu " + field(e, "dst") + " on bus " + field(e, "bus");
  if (k == "path_up")
    return "path up     cpu " + field(e, "cpu") + " → cpu " + field(e, "dst") + " on bus " + field(e, "bus");
  if (k == "path_error") return "path error  " + proc(e) + " to " + field(e, "target");
  if (k == "backup_created") return "backup      " + field(e, "pair") + " backup created in cpu " + field(e, "cpu");
  if (k == "checkswitch")
    return "switch      " + field(e, "pair") + " cpu " + field(e, "from_cpu") + " → cpu " + field(e, "to_cpu");
  if (k == "takeover") {
    const auto status = takeover_status(field(e, "reason"));
    return "takeover    " + field(e, "pair") + " cpu " + field(e, "from_cpu") + " → cpu " + field(e, "to_cpu") + " (" +
           field(e, "reason") + (status ? ", status " + status_hex(*status) : std::string()) + ")";
  }
  if (k == "pair_lost") return "pair lost   " + field(e, "pair");
  if (k == "fs_resend") return "resend      " + proc(e) + " to " + field(e, "target") + " sync " + field(e, "sync_id");
  if (k == "duplicate")
    return "duplicate   " + field(e, "pair") + " answered sync " + field(e, "sync_id") + " from its saved reply";
  if (k == "reply_ahead")
    return "reply ahead " + field(e, "pair") + " cpu " + field(e, "cpu") + " replied to " + field(e, "to") + " sync " +
           field(e, "sync_id") + " before checkpoint " + std::to_string(e.get_int("checkpoints").value_or(0) + 1) +
           " reached its backup";
  return "";
}

}  // namespace

std::string invariants_text(const std::vector<InvariantViolation>& violations) {
  if (violations.empty()) {
    std::string names;
    for (Invariant rule : all_invariants) names += std::string(names.empty() ? "" : ", ") + invariant_name(rule);
    return "\ninvariants: all held (" + names + ")\n";
  }
  std::string out = "\ninvariants: " + std::to_string(violations.size()) + " violated\n";
  for (const auto& v : violations)
    out += std::string("  ✗ ") + invariant_name(v.rule) + " at " + format_seconds(v.t_ns) + ": " + v.text + "\n";
  return out;
}

std::string volumes_text(const std::vector<VolumeFacts>& volumes) {
  if (volumes.empty()) return "";
  std::string out = "\nvolumes:\n";
  for (const auto& v : volumes) {
    out += "  " + v.name + ":";
    for (std::size_t i = 0; i < v.drives.size(); ++i)
      out += std::string(i == 0 ? " " : ", ") + "drive " + std::to_string(i) + " " + v.drives[i];
    if (v.drives.size() > 1) {
      out += v.mirrors_equal ? "; mirrors equal" : "; mirrors differ";
      if (!v.mirrors_equal && v.first_difference) out += " from block " + std::to_string(*v.first_difference);
    }
    out += "; controller";
    for (std::size_t i = 0; i < v.controllers.size(); ++i) {
      const auto& c = v.controllers[i];
      out += std::string(i == 0 ? " " : ", ") + std::to_string(c.id) + " (cpu " + std::to_string(c.owner) +
             (c.up ? ")" : ", down)");
    }
    if (v.files) out += "; " + std::to_string(v.files->size()) + (v.files->size() == 1 ? " file" : " files");
    out += "\n";
  }
  return out;
}

std::string text_report(const RunOutcome& o) {
  const auto& s = *o.scenario;
  const auto& m = s.machine;
  std::string out;
  char buf[256];
  std::snprintf(buf, sizeof buf, "pairsim: %s (seed %llu)\n", s.path.c_str(), static_cast<unsigned long long>(o.seed));
  out += buf;
  std::snprintf(buf, sizeof buf,
                "machine: %d CPUs, %.3g MIPS, %llu KiB each, buses X and Y at %.3g MB/s, heartbeat %s\n", m.cpus,
                m.mips, static_cast<unsigned long long>(m.memory_bytes / 1024),
                static_cast<double>(m.bus_bytes_per_second) / 1e6, format_setting_seconds(m.heartbeat_ns).c_str());
  out += buf;
  out += "legend: $NAME (c,p) is process p in cpu c (cpu,pin); times are simulated seconds; a status is "
         "kind×256+detail, as 0x202 (docs/syscalls.md)\n";
  out += "\n";
  for (const auto& e : o.record->notable()) {
    const std::string line = describe(e);
    if (!line.empty()) out += time_col(e.t_ns) + "  " + line + "\n";
  }
  for (const auto& p : o.problems) out += "problem: " + p + "\n";
  out +=
      "\nend at " + format_seconds(o.sim_time_ns) + (o.stopped_early ? " (run-until condition met)" : "") +
      (o.interrupted ? " (interrupted: the run was stopped here)" : "") + "; CPUs:";
  for (std::size_t i = 0; i < o.record->cpu_states().size(); ++i)
    out += " " + std::to_string(i) + "=" + o.record->cpu_states()[i];
  out += "\n";
  // The process pairs (named processes that had a backup at some time) as the JSON summary's `pairs` has
  // them: where each half is at the end, never in a CPU that is down.
  std::string pairs;
  for (const auto& p : o.record->pairs()) {
    if (!p.had_backup) continue;
    auto where = [](int cpu) { return cpu >= 0 ? "cpu " + std::to_string(cpu) : std::string("none"); };
    pairs += "  " + p.name + " " + p.state + ": primary " + where(p.primary_cpu) + ", backup " + where(p.backup_cpu) +
             ", " + std::to_string(p.checkpoints) + (p.checkpoints == 1 ? " checkpoint\n" : " checkpoints\n");
  }
  if (!pairs.empty()) out += "\npairs:\n" + pairs;
  if (!o.record->takeovers().empty()) {
    out += "\ntakeovers:\n";
    for (const auto& t : o.record->takeovers()) {
      out += "  " + t.pair + " cpu " + std::to_string(t.from_cpu) + " → cpu " + std::to_string(t.to_cpu) + " (" +
             t.reason + ") at " + format_seconds(t.takeover_ns);
      // Only a CPU failure has a failure to count from; a checkswitch or a primary that stopped has none.
      if (t.failure_ns && t.reason == "processor failed")
        out += ", " + format_seconds(t.takeover_ns - *t.failure_ns) + " after the failure";
      out += "\n";
    }
  }
  out += volumes_text(o.volumes);
  out += invariants_text(o.record->invariant_violations());
  out += protocol_warnings_text(o.warnings);
  if (!o.results.empty()) {
    out += "\nexpectations:\n";
    for (const auto& r : o.results)
      out += std::string("  ") + (r.ok ? "✓" : "✗") + " line " + std::to_string(r.line) + ": " + r.text + " — " +
             r.detail + "\n";
  }
  std::snprintf(buf, sizeof buf, "\n%d passed, %d failed\n", o.passed(), o.failed());
  out += buf;
  return out;
}

std::string json_summary(const RunOutcome& o) {
  JsonWriter j;
  const auto& r = *o.record;
  j.begin_object();
  j.field("scenario", o.scenario->path);
  j.field("seed", o.seed);
  j.field("sim_time_ns", o.sim_time_ns);
  if (o.interrupted) j.field("interrupted", true);
  j.field("host_seconds", o.host_seconds);
  j.field("guest_instructions", o.guest_instructions);
  j.key("cpus").begin_array();
  for (std::size_t i = 0; i < r.cpu_states().size(); ++i)
    j.begin_object().field("id", static_cast<int>(i)).field("state", r.cpu_states()[i]).end_object();
  j.end_array();
  j.key("faults").begin_array();
  for (const auto& f : r.faults()) j.begin_object().field("t_ns", f.t_ns).field("what", f.what).end_object();
  j.end_array();
  j.key("detections").begin_array();
  for (const auto& d : r.detections()) {
    j.begin_object().field("cpu", d.cpu).field("declared_by", d.declared_by);
    j.field("failure_ns", d.failure_ns);
    j.field("declared_ns", d.declared_ns).end_object();
  }
  j.end_array();
  j.key("halts").begin_array();
  for (const auto& h : r.halts())
    j.begin_object().field("cpu", h.cpu).field("t_ns", h.t_ns).field("reason", h.reason).end_object();
  j.end_array();
  j.key("processes").begin_array();
  for (const auto& p : r.processes()) {
    j.begin_object().field("name", p.name).field("cpu", p.cpu).field("pin", p.pin).field("program", p.program);
    j.field("state", p.state);
    j.field("exit", p.exit);
    j.field("abend", p.abend);
    j.key("output").begin_array();
    for (const auto& line : p.output) j.value(line);
    j.end_array().end_object();
  }
  j.end_array();
  j.key("pairs").begin_array();
  for (const auto& p : r.pairs()) {
    j.begin_object().field("name", p.name);
    j.field("primary_cpu", cpu_or_none(p.primary_cpu));
    j.field("backup_cpu", cpu_or_none(p.backup_cpu));
    j.field("state", p.state).field("checkpoints", p.checkpoints).end_object();
  }
  j.end_array();
  j.key("takeovers").begin_array();
  for (const auto& t : r.takeovers()) {
    j.begin_object().field("pair", t.pair).field("from_cpu", t.from_cpu).field("to_cpu", t.to_cpu);
    j.field("failure_ns", t.failure_ns);
    j.field("detected_ns", t.detected_ns);
    j.field("takeover_ns", t.takeover_ns).field("reason", t.reason).end_object();
  }
  j.end_array();
  j.key("problems").begin_array();
  for (const auto& p : o.problems) j.value(p);
  j.end_array();
  j.key("warnings").begin_array();
  for (const auto& w : o.warnings)
    j.begin_object()
        .field("rule", protocol_rule_name(w.rule))
        .field("t_ns", w.t_ns)
        .field("pair", w.pair)
        .field("process", w.process)
        .field("text", w.text)
        .field("read", w.read)
        .end_object();
  j.end_array();
  j.key("invariants").begin_array();
  for (const auto& v : r.invariant_violations()) {
    j.begin_object().field("rule", invariant_name(v.rule)).field("t_ns", v.t_ns);
    j.field("pair", v.pair.empty() ? std::nullopt : std::optional<std::string>(v.pair));
    j.key("cpus").begin_array();
    for (int c : v.cpus) j.value(c);
    j.end_array().field("text", v.text).end_object();
  }
  j.end_array();
  if (!o.scenario->volumes.empty()) {
    j.key("volumes").begin_array();
    for (const auto& v : o.volumes) {
      j.begin_object().field("name", v.name);
      j.key("drives").begin_array();
      for (const auto& d : v.drives) j.value(d);
      j.end_array().field("mirrors_equal", v.mirrors_equal);
      j.key("controllers").begin_array();
      for (const auto& c : v.controllers)
        j.begin_object().field("id", c.id).field("owner", c.owner).field("up", c.up).end_object();
      j.end_array().end_object();
    }
    j.end_array();
  }
  j.key("expectations").begin_object();
  j.field("passed", o.passed()).field("failed", o.failed());
  j.key("results").begin_array();
  for (const auto& e : o.results)
    j.begin_object()
        .field("line", e.line)
        .field("text", e.text)
        .field("ok", e.ok)
        .field("detail", e.detail)
        .end_object();
  j.end_array().end_object();
  j.end_object();
  return j.str() + "\n";
}

}  // namespace pairsim::sim
