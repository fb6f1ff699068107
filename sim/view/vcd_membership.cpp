#include "sim/view/vcd_membership.hpp"

#include <string>
#include <string_view>

namespace pairsim::sim {

namespace {

// "0,1,3" (a trace field) as a set.
cpu::CpuMask parse_cpus(const std::string& list) {
  cpu::CpuMask m = 0;
  int n = -1;
  for (char c : list + ",") {
    if (c >= '0' && c <= '9') {
      n = (n < 0 ? 0 : n * 10) + (c - '0');
    } else {
      if (n >= 0 && n < cpu::kMaxCpus) m |= cpu::cpu_bit(n);
      n = -1;
    }
  }
  return m;
}

}  // namespace

MembershipSignals::MembershipSignals(VcdWriter& vcd, int cpus) : vcd_(vcd), cpus_(cpus), views_(cpus) {
  const std::vector<std::string> stages{"idle", "round", "waiting"};
  auto path = [](int c, const char* what) { return "top.cpu" + std::to_string(c) + "." + what; };
  auto label = [](int c, const char* what) { return "cpu" + std::to_string(c) + " " + what; };
  // Kind by kind, so that the views of all CPUs lie next to each other in a viewer.
  for (int c = 0; c < cpus; ++c) {
    views_[c].members = cpu::all_cpus(cpus);
    views_[c].members_wave = vcd.declare(
        {path(c, "members"), cpus, VcdShow::cpu_set, "", {}, "membership", label(c, "members"), views_[c].members});
  }
  for (int c = 0; c < cpus; ++c)
    views_[c].stage_wave = vcd.declare(
        {path(c, "regroup"), 2, VcdShow::names, "regroup-stage", stages, "membership", label(c, "regroup"), 0});
  for (int c = 0; c < cpus; ++c)
    views_[c].suspects_wave =
        vcd.declare({path(c, "suspects"), cpus, VcdShow::cpu_set, "", {}, "membership", label(c, "suspects"), 0});
  for (int c = 0; c < cpus; ++c)
    views_[c].declared_down_wave = vcd.declare(
        {path(c, "declared_down"), cpus, VcdShow::cpu_set, "", {}, "membership", label(c, "declared down"), 0});
  shown_ = views_;
}

MembershipSignals::View* MembershipSignals::view(const TraceEvent& e, const char* key) {
  const auto c = e.get_int(key);
  if (!c || *c < 0 || *c >= cpus_) return nullptr;
  return &views_[static_cast<std::size_t>(*c)];
}

void MembershipSignals::show(View& v, std::uint64_t t) {
  View& s = shown_[static_cast<std::size_t>(&v - views_.data())];
  if (v.members != s.members) vcd_.change(v.members_wave, t, v.members);
  if (v.stage != s.stage) vcd_.change(v.stage_wave, t, static_cast<int>(v.stage));
  if (v.suspects != s.suspects) vcd_.change(v.suspects_wave, t, v.suspects);
  if (v.declared_down != s.declared_down) vcd_.change(v.declared_down_wave, t, v.declared_down);
  s = v;
}

void MembershipSignals::on_event(const TraceEvent& e) {
  const std::string& k = e.kind;
  // Most events are about something else (output, messages): the first letter turns them away.
  if (k.empty() || std::string_view("cdnrs").find(k.front()) == std::string_view::npos) return;
  View* v = nullptr;
  if (k == "cpu_state") {
    v = view(e, "cpu");
    if (!v) return;
    const auto st = e.get_str("state").value_or("");
    // A CPU that stops, or comes back empty, has no view until a regroup round gives it one.
    if (st != "up")
      *v = View{0, 0, 0, Stage::idle, v->members_wave, v->stage_wave, v->suspects_wave, v->declared_down_wave};
  } else if (k == "suspect") {
    v = view(e, "cpu");
    const auto s = e.get_int("suspect");
    if (!v || !s || *s < 0 || *s >= cpus_) return;
    v->suspects |= cpu::cpu_bit(static_cast<int>(*s));
  } else if (k == "regroup_start") {
    if (!(v = view(e, "cpu"))) return;
    v->stage = Stage::round;
  } else if (k == "regroup_wait") {
    if (!(v = view(e, "cpu"))) return;
    v->stage = Stage::waiting;
  } else if (k == "regroup_end") {
    if (!(v = view(e, "cpu"))) return;
    // The round settled every suspicion: a suspect is out now, or it answered and stays.
    v->members = parse_cpus(e.get_str("members").value_or(""));
    v->stage = Stage::idle;
    v->suspects = 0;
  } else if (k == "not_admitted") {
    if (!(v = view(e, "cpu"))) return;
    v->stage = Stage::idle;
  } else if (k == "declared_down" || k == "declared_up") {
    v = view(e, "declared_by");
    const auto c = e.get_int("cpu");
    if (!v || !c || *c < 0 || *c >= cpus_) return;
    if (k == "declared_down")
      v->declared_down |= cpu::cpu_bit(static_cast<int>(*c));
    else
      v->declared_down &= static_cast<cpu::CpuMask>(~cpu::cpu_bit(static_cast<int>(*c)));
  } else {
    return;
  }
  show(*v, e.t_ns);
}

}  // namespace pairsim::sim
