#include "sim/scenario/schedule.hpp"

#include <algorithm>
#include <filesystem>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <tuple>
#include <utility>

#include "sim/scenario/duration.hpp"
#include "sim/scenario/scenario_lexer.hpp"
#include "sim/scenario/scenario_parser.hpp"

namespace pairsim::sim {

namespace {

// Uniform in [lo, hi] from the generator's raw output: the same on every standard library, unlike
// std::uniform_int_distribution, so a seed replays the same run wherever it is built.
std::uint64_t draw(std::mt19937_64& rng, std::uint64_t lo, std::uint64_t hi) {
  const std::uint64_t span = hi - lo;
  if (span == ~0ull) return rng();
  return lo + rng() % (span + 1);
}

std::string bus_word(BusName b) {
  return std::string(1, to_char(b));
}

// The repair a `for D` fault schedules; none for an action that is not a fault.
std::optional<Action> repair_of(const Action& a) {
  if (auto* f = std::get_if<FailCpu>(&a)) return ReloadCpu{f->cpu};
  if (auto* f = std::get_if<FailBus>(&a)) return RepairBus{f->bus};
  if (auto* f = std::get_if<FailPath>(&a)) return RepairPath{f->bus, f->cpu};
  if (auto* f = std::get_if<FailDrive>(&a)) return ReviveDrive{f->volume, f->drive};
  if (auto* f = std::get_if<FailController>(&a)) return RepairController{f->controller};
  return std::nullopt;
}

// Time order; equal times in draw order, a fault before its repair.
void sort_by_time(std::vector<ResolvedAction>& s) {
  std::stable_sort(s.begin(), s.end(), [](const ResolvedAction& a, const ResolvedAction& b) {
    if (a.t_ns != b.t_ns) return a.t_ns < b.t_ns;
    return a.fault != b.fault ? a.fault < b.fault : !a.is_repair && b.is_repair;
  });
}

// The bus, CPU and repair of one action, drawn in that order; the fault and, for `for D`, its repair.
void draw_action(std::mt19937_64& rng, const ActionSpec& spec, std::uint64_t t_ns, const std::string& text, int line,
                 int fault, std::uint64_t run_end_ns, std::vector<ResolvedAction>& out) {
  Action a = spec.action;
  auto pick_bus = [&](BusName& bus) {
    if (spec.random_bus) bus = draw(rng, 0, 1) == 0 ? BusName::x : BusName::y;
  };
  auto pick_cpu = [&](int& cpu) {
    if (cpu == random_cpu && !spec.cpu_choices.empty())
      cpu = spec.cpu_choices[draw(rng, 0, spec.cpu_choices.size() - 1)];
  };
  std::visit(
      [&](auto& x) {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, FailBus> || std::is_same_v<T, RepairBus>) pick_bus(x.bus);
        if constexpr (std::is_same_v<T, FailPath> || std::is_same_v<T, RepairPath>) pick_bus(x.bus);
        if constexpr (std::is_same_v<T, FailCpu> || std::is_same_v<T, ReloadCpu>) pick_cpu(x.cpu);
        if constexpr (std::is_same_v<T, FailPath> || std::is_same_v<T, RepairPath>) pick_cpu(x.cpu);
        if constexpr (std::is_same_v<T, FailDrive>) {
          if (x.drive == random_drive && !spec.drive_choices.empty()) {
            const auto& [volume, drive] = spec.drive_choices[draw(rng, 0, spec.drive_choices.size() - 1)];
            x.volume = volume;
            x.drive = drive;
          }
        }
        if constexpr (std::is_same_v<T, FailController>) {
          if (x.controller == random_controller && !spec.controller_choices.empty())
            x.controller = spec.controller_choices[draw(rng, 0, spec.controller_choices.size() - 1)];
        }
      },
      a);
  const std::optional<Action> repair = repair_of(a);
  out.push_back(ResolvedAction{t_ns, a, text, line, fault, 0, false});
  if (spec.lasts && repair) {
    const std::uint64_t d = draw(rng, spec.lasts->from_ns, spec.lasts->to_ns);
    out.back().lasts_ns = d;
    if (t_ns + d < run_end_ns) out.push_back(ResolvedAction{t_ns + d, *repair, text, line, fault, 0, true});
  }
}

}  // namespace

std::string describe(const Action& a) {
  struct V {
    std::string operator()(const FailCpu& x) const { return "fail cpu " + std::to_string(x.cpu); }
    std::string operator()(const ReloadCpu& x) const { return "reload cpu " + std::to_string(x.cpu); }
    std::string operator()(const FailBus& x) const { return "fail bus " + bus_word(x.bus); }
    std::string operator()(const RepairBus& x) const { return "repair bus " + bus_word(x.bus); }
    std::string operator()(const FailPath& x) const {
      return "fail path " + bus_word(x.bus) + " cpu " + std::to_string(x.cpu);
    }
    std::string operator()(const RepairPath& x) const {
      return "repair path " + bus_word(x.bus) + " cpu " + std::to_string(x.cpu);
    }
    std::string operator()(const StartProcess& x) const {
      return "start " + (x.name.empty() ? std::string() : x.name + " ") + "program " + x.program + " cpu " +
             std::to_string(x.cpu);
    }
    std::string operator()(const FailDrive& x) const { return "fail drive " + drive_word(x.volume, x.drive); }
    std::string operator()(const ReviveDrive& x) const { return "revive drive " + drive_word(x.volume, x.drive); }
    std::string operator()(const FailController& x) const { return "fail controller " + controller_word(x.controller); }
    std::string operator()(const RepairController& x) const {
      return "repair controller " + controller_word(x.controller);
    }
    std::string operator()(const SwitchController& x) const {
      return "switch controller " + controller_word(x.controller);
    }
    static std::string drive_word(const std::string& volume, int drive) {
      return drive == random_drive ? std::string("random") : volume + " " + std::to_string(drive);
    }
    static std::string controller_word(int c) { return c == random_controller ? "random" : std::to_string(c); }
  };
  return std::visit(V{}, a);
}

std::vector<ResolvedAction> resolve_schedule(const Scenario& s, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<ResolvedAction> out;
  // Draw order is file order, whatever the times: the parser has sorted the actions by time.
  std::vector<const TimedAction*> in_file_order;
  for (const auto& ta : s.actions) in_file_order.push_back(&ta);
  std::stable_sort(in_file_order.begin(), in_file_order.end(),
                   [](const TimedAction* a, const TimedAction* b) { return a->loc.line < b->loc.line; });
  int fault = 0;
  auto time_of = [&](const TimedAction& ta) {
    return ta.random_range ? draw(rng, ta.random_range->from_ns, ta.random_range->to_ns) : ta.t_ns;
  };
  for (const TimedAction* ta : in_file_order) {
    if (!ta->pick) {
      const std::uint64_t t = time_of(*ta);
      draw_action(rng, *ta, t, ta->text, ta->loc.line, fault++, s.run.for_ns, out);
      continue;
    }
    for (int i = 0; i < ta->pick->count; ++i) {
      const std::uint64_t t = time_of(*ta);
      const auto& entries = ta->pick->entries;
      const ActionSpec& entry = entries[draw(rng, 0, entries.size() - 1)];
      draw_action(rng, entry, t, ta->text, ta->loc.line, fault++, s.run.for_ns, out);
    }
  }
  // Equal times: a fault's order in the draws, its repair after it.
  std::stable_sort(out.begin(), out.end(),
                   [](const ResolvedAction& a, const ResolvedAction& b) { return a.t_ns < b.t_ns; });
  return out;
}

std::vector<ResolvedAction> move_fault(std::vector<ResolvedAction> schedule, int fault, std::uint64_t t_ns,
                                       std::uint64_t run_end_ns) {
  std::optional<ResolvedAction> moved, repair;
  std::vector<ResolvedAction> out;
  out.reserve(schedule.size() + 1);
  for (auto& a : schedule) {
    if (a.fault != fault)
      out.push_back(std::move(a));
    else if (a.is_repair)
      repair = std::move(a);
    else
      moved = std::move(a);
  }
  if (!moved) return out;
  moved->t_ns = t_ns;
  const std::optional<Action> repair_action = repair ? std::optional<Action>(repair->action) : repair_of(moved->action);
  if (moved->lasts_ns != 0 && repair_action && t_ns + moved->lasts_ns < run_end_ns) {
    ResolvedAction r = *moved;
    r.t_ns = t_ns + moved->lasts_ns;
    r.action = *repair_action;
    r.lasts_ns = 0;
    r.is_repair = true;
    out.push_back(std::move(r));
  }
  out.push_back(std::move(*moved));
  sort_by_time(out);
  return out;
}

std::vector<ResolvedAction> without_fault(std::vector<ResolvedAction> schedule, int fault) {
  schedule.erase(
      std::remove_if(schedule.begin(), schedule.end(), [&](const ResolvedAction& a) { return a.fault == fault; }),
      schedule.end());
  return schedule;
}

bool draws_at_random(const Scenario& s) {
  auto spec_draws = [](const ActionSpec& a) {
    return !a.cpu_choices.empty() || a.random_bus || a.drive_choices.size() > 1 || a.controller_choices.size() > 1 ||
           (a.lasts && a.lasts->from_ns != a.lasts->to_ns);
  };
  for (const auto& a : s.actions) {
    if (a.random_range && a.random_range->from_ns != a.random_range->to_ns) return true;
    if (a.pick) {
      if (a.pick->entries.size() > 1) return true;
      for (const auto& e : a.pick->entries)
        if (spec_draws(e)) return true;
    } else if (spec_draws(a)) {
      return true;
    }
  }
  return false;
}

std::string pin_scenario(const std::string& source_text, const Scenario& s, const std::vector<ResolvedAction>& schedule,
                         const std::vector<std::string>& header, const std::string& project_dir) {
  namespace fs = std::filesystem;
  // A program found beside the original scenario is named by its absolute path: the pinned file may be
  // anywhere. One found in the current directory, guest/ or the project's root is found from anywhere too.
  auto program_path = [&](const std::string& program) {
    const auto candidates = program_search_paths(s.path, program, project_dir);
    std::error_code ec;
    if (!fs::path(program).is_absolute() && !candidates.empty() && fs::exists(candidates.front(), ec)) {
      const fs::path beside = fs::weakly_canonical(fs::absolute(candidates.front(), ec), ec);
      if (!ec && fs::exists(beside) && fs::path(s.path).has_parent_path() &&
          fs::path(s.path).parent_path() != fs::path("."))
        return beside.string();
    }
    return program;
  };
  // A word as the scenario lexer reads it back: bare when it can be, else a string with its escapes.
  auto quoted = [](const std::string& word) {
    if (!word.empty() && word.find_first_of(" \t\n#\"\\") == std::string::npos) return word;
    std::string out = "\"";
    for (char c : word) {
      if (c == '\\' || c == '"')
        out += std::string("\\") + c;
      else if (c == '\n')
        out += "\\n";
      else if (c == '\t')
        out += "\\t";
      else
        out += c;
    }
    return out + "\"";
  };

  std::set<int> replaced;  // lines of `at`, `menu` and `seed` statements
  int first_at = 0, machine_line = 0;
  const ScenarioSource source = split_scenario(source_text);
  for (const auto& line : source.lines) {
    if (line.tokens.empty() || line.tokens[0].is_string) continue;
    const std::string& w = line.tokens[0].text;
    if (w == "at" || w == "menu" || w == "seed") replaced.insert(line.number);
    if (w == "at" && first_at == 0) first_at = line.number;
    if (w == "machine" && machine_line == 0) machine_line = line.number;
  }
  // The schedule goes where the first `at` statement was, but never before `machine`: a seed, a menu or an
  // `at` that names no CPU may come first, and the schedule's actions may name CPUs.
  const int schedule_line = first_at == 0 ? 0 : std::max(first_at, machine_line);
  // Program paths of untimed starts, rewritten in place: (line, column) -> the new word.
  std::map<int, std::vector<std::pair<const ScenarioToken*, std::string>>> rewrites;
  // A volume's image is written beside the original scenario (or where it was said): the pinned file names it by
  // its absolute path, so that its runs read and write the same image.
  for (const auto& line : source.lines) {
    if (line.tokens.empty() || line.tokens[0].text != "volume" || line.tokens[0].is_string) continue;
    for (std::size_t i = 0; i + 1 < line.tokens.size(); ++i)
      if (!line.tokens[i].is_string && line.tokens[i].text == "image" &&
          !fs::path(line.tokens[i + 1].text).is_absolute()) {
        std::error_code ec;
        const fs::path beside = fs::path(s.path).parent_path() / line.tokens[i + 1].text;
        const fs::path abs = fs::absolute(beside, ec).lexically_normal();
        if (!ec) rewrites[line.number].emplace_back(&line.tokens[i + 1], quoted(abs.string()));
      }
  }
  for (const auto& line : source.lines) {
    if (line.tokens.empty() || line.tokens[0].text != "start" || line.tokens[0].is_string) continue;
    for (std::size_t i = 0; i + 1 < line.tokens.size(); ++i)
      if (!line.tokens[i].is_string && line.tokens[i].text == "program") {
        const std::string path = program_path(line.tokens[i + 1].text);
        if (path != line.tokens[i + 1].text) rewrites[line.number].emplace_back(&line.tokens[i + 1], quoted(path));
      }
  }

  // The lines go in time order, unless that would change the run: the pinned scenario draws its faults in
  // line order, and two of its actions due at one moment (two repairs, say) come in that order. When time
  // order would put such a pair the other way round, the lines go in the order the faults were drawn.
  std::vector<const ResolvedAction*> lines;
  for (const auto& r : schedule)
    if (!r.is_repair) lines.push_back(&r);  // a repair is its fault's `for D`
  std::map<int, std::size_t> line_of_fault;
  for (std::size_t i = 0; i < lines.size(); ++i) line_of_fault.emplace(lines[i]->fault, i);
  // Every action's fault has its line (a repair's fault is in the schedule with it); a lookup never adds one.
  auto line = [&](int fault) {
    const auto it = line_of_fault.find(fault);
    return it == line_of_fault.end() ? lines.size() : it->second;
  };
  auto pinned_order = [&](const ResolvedAction& a, const ResolvedAction& b) {
    return std::make_tuple(a.t_ns, line(a.fault), a.is_repair) < std::make_tuple(b.t_ns, line(b.fault), b.is_repair);
  };
  if (!std::is_sorted(schedule.begin(), schedule.end(), pinned_order))
    std::stable_sort(lines.begin(), lines.end(),
                     [](const ResolvedAction* a, const ResolvedAction* b) { return a->fault < b->fault; });

  std::ostringstream out;
  for (const auto& h : header) out << "# " << h << "\n";
  auto emit_schedule = [&] {
    for (const ResolvedAction* fault : lines) {
      const ResolvedAction& r = *fault;
      std::string what = describe(r.action);
      if (r.lasts_ns != 0) what += " for " + format_duration(r.lasts_ns);
      if (auto* p = std::get_if<StartProcess>(&r.action)) {
        what = "start " + (p->name.empty() ? std::string() : p->name + " ") + "program " +
               quoted(program_path(p->program)) + " cpu " + std::to_string(p->cpu);
        if (p->priority != StartProcess{}.priority) what += " priority " + std::to_string(p->priority);
        if (!p->args.empty()) {
          what += " args";
          for (auto a : p->args) what += " " + std::to_string(a);
        }
      }
      const std::string line = "at " + format_duration(r.t_ns) + " " + what;
      out << line;
      // Where a drawn action came from; a statement that drew nothing is the same line again.
      if (line != r.text) out << "  # line " << r.line << ": " << r.text;
      out << "\n";
    }
  };
  std::istringstream in(source_text);
  std::string raw;
  bool emitted = false;
  bool last_blank = false;  // the lines taken out leave one blank line, not several
  for (int number = 1; std::getline(in, raw); ++number) {
    if (replaced.count(number)) {
      if (number >= schedule_line && !emitted) {
        emit_schedule();
        emitted = true;
      }
      continue;
    }
    const bool blank = raw.find_first_not_of(" \t\r") == std::string::npos;
    if (blank && last_blank) continue;
    last_blank = blank;
    auto rw = rewrites.find(number);
    if (rw != rewrites.end()) {
      // Right to left, so earlier columns stay valid.
      for (auto it = rw->second.rbegin(); it != rw->second.rend(); ++it) {
        const auto& [tok, word] = *it;
        raw.replace(static_cast<std::size_t>(tok->col - 1), static_cast<std::size_t>(tok->end_col - tok->col), word);
      }
    }
    out << raw << "\n";
    if (number == schedule_line && !emitted) {  // the machine statement, after the first `at`
      emit_schedule();
      emitted = true;
    }
  }
  if (!emitted) emit_schedule();
  return out.str();
}

}  // namespace pairsim::sim
