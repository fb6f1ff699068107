#include "sim/campaign/campaign.hpp"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <sstream>

#include "sim/report/invariants.hpp"
#include "sim/report/json_reader.hpp"
#include "sim/report/json_writer.hpp"

namespace pairsim::sim {

namespace {

// A whole decimal number, digits only: no sign, no space, no hex (Boost and strtoull accept too much).
std::optional<std::uint64_t> whole_number(const std::string& s) {
  if (s.empty() || s.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
  std::uint64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

// The line of a child's standard error that says most about how it ended: its last line that is not empty.
std::string last_line(const std::string& text) {
  std::istringstream in(text);
  std::string line, last;
  while (std::getline(in, line))
    if (line.find_first_not_of(" \t\r") != std::string::npos) last = line;
  constexpr std::size_t max_len = 200;
  if (last.size() > max_len) last = last.substr(0, max_len) + "…";
  return last;
}

std::string with_last_line(std::string what, const std::string& err) {
  const std::string line = last_line(err);
  return line.empty() ? what : what + ": " + line;
}

}  // namespace

std::optional<SeedRange> parse_seed_range(const std::string& text, std::string& error) {
  const auto dots = text.find("..");
  const std::string first_text = dots == std::string::npos ? text : text.substr(0, dots);
  const std::string last_text = dots == std::string::npos ? text : text.substr(dots + 2);
  const auto first = whole_number(first_text);
  const auto last = whole_number(last_text);
  if (!first || !last) {
    error = "--seeds takes a range of whole numbers FIRST..LAST, such as 1..100 (or one seed), not '" + text + "'";
    return std::nullopt;
  }
  if (*last < *first) {
    error = "--seeds " + text + " ends before it starts: write the smaller seed first (" + last_text + ".." +
            first_text + ")";
    return std::nullopt;
  }
  SeedRange r{*first, *last};
  // size() would wrap for 0..2^64-1; compare the distance instead.
  if (r.last - r.first >= max_campaign_seeds) {
    error = "--seeds " + text + " is more than " + std::to_string(max_campaign_seeds) +
            " seeds, the most one campaign runs";
    return std::nullopt;
  }
  return r;
}

std::optional<Shard> parse_shard(const std::string& text, std::string& error) {
  const auto slash = text.find('/');
  std::optional<std::uint64_t> index, count;
  if (slash != std::string::npos) {
    index = whole_number(text.substr(0, slash));
    count = whole_number(text.substr(slash + 1));
  }
  if (!index || !count) {
    error = "--shard takes INDEX/COUNT, such as 0/4 (the first of four shards), not '" + text + "'";
    return std::nullopt;
  }
  if (*count == 0) {
    error = "--shard " + text + ": the count of shards must be at least 1";
    return std::nullopt;
  }
  if (*index >= *count) {
    error = "--shard " + text + ": shards are numbered from 0, so the index must be below " + std::to_string(*count) +
            " (0/" + std::to_string(*count) + " … " + std::to_string(*count - 1) + "/" + std::to_string(*count) + ")";
    return std::nullopt;
  }
  return Shard{*index, *count};
}

std::uint64_t SeedPlan::size() const {
  const std::uint64_t total = range_.size();
  if (shard_.index >= total) return 0;
  return (total - shard_.index - 1) / shard_.count + 1;
}

const char* verdict_name(Verdict v) {
  switch (v) {
    case Verdict::held:
      return "held";
    case Verdict::failed:
      return "failed";
    case Verdict::timeout:
      return "timeout";
    case Verdict::crash:
      return "crash";
  }
  return "crash";
}

RunResult judge_run(std::uint64_t seed, const ChildEnd& end) {
  RunResult r;
  r.seed = seed;
  r.host_seconds = end.host_seconds;
  r.verdict = Verdict::crash;
  if (end.timed_out) {
    r.verdict = Verdict::timeout;
    r.detail = "still running at the --timeout: killed";
    return r;
  }
  if (end.signal != 0) {
    const char* name = strsignal(end.signal);
    r.detail = "killed by signal " + std::to_string(end.signal) + (name ? std::string(" (") + name + ")" : "");
    return r;
  }
  if (end.exit_code == 2) {
    r.detail = with_last_line("exit 2 (bad input)", end.err);
    return r;
  }
  if (end.exit_code == 3) {
    r.detail = with_last_line("exit 3 (internal error)", end.err);
    return r;
  }
  if (end.exit_code != 0 && end.exit_code != 1) {
    r.detail = with_last_line("exit " + std::to_string(end.exit_code), end.err);
    return r;
  }

  std::string error;
  const auto summary = parse_json(end.out, &error);
  const JsonValue* results = nullptr;
  if (summary) {
    if (const JsonValue* e = summary->get("expectations")) results = e->get("results");
  }
  if (!summary || !results || !results->is_array()) {
    r.detail = "exit " + std::to_string(end.exit_code) + ", but its summary could not be read" +
               (summary ? std::string(" (no expectations)") : " (" + error + ")");
    return r;
  }
  for (const JsonValue& e : results->items()) {
    const JsonValue* ok = e.get("ok");
    if (ok && ok->as_bool() == false) {
      FailedExpectation f;
      if (const JsonValue* line = e.get("line")) f.line = static_cast<int>(line->as_int().value_or(0));
      if (const JsonValue* text = e.get("text")) f.text = text->as_string().value_or("");
      r.failed.push_back(std::move(f));
    }
  }
  if (const JsonValue* t = summary->get("takeovers"); t && t->is_array()) r.takeovers = t->items().size();
  if (const JsonValue* t = summary->get("sim_time_ns")) r.sim_time_ns = t->as_uint();
  // The rules broken, in the rules' order, each once (a run may break one many times).
  r.invariants.emplace();
  if (const JsonValue* inv = summary->get("invariants"); inv && inv->is_array()) {
    for (Invariant rule : all_invariants) {
      const std::string name = invariant_name(rule);
      for (const JsonValue& v : inv->items()) {
        const JsonValue* n = v.get("rule");
        if (n && n->as_string() == name) {
          r.invariants->push_back(name);
          break;
        }
      }
    }
  }

  const bool says_failed = !r.failed.empty();
  if (says_failed != (end.exit_code == 1)) {
    r.detail = "exit " + std::to_string(end.exit_code) + ", but its summary has " + std::to_string(r.failed.size()) +
               " failed expectations";
    return r;
  }
  r.verdict = says_failed ? Verdict::failed : Verdict::held;
  return r;
}

std::string result_line(const RunResult& r) {
  JsonWriter j(0);
  j.begin_object().field("seed", r.seed).field("verdict", verdict_name(r.verdict));
  j.key("failed").begin_array();
  for (const auto& f : r.failed) j.begin_object().field("line", f.line).field("text", f.text).end_object();
  j.end_array();
  if (r.invariants) {
    j.key("invariants").begin_array();
    for (const auto& name : *r.invariants) j.value(name);
    j.end_array();
  } else {
    j.key("invariants").null();
  }
  j.field("takeovers", r.takeovers);
  j.field("sim_time_ns", r.sim_time_ns);
  j.field("detail", r.detail.empty() ? std::nullopt : std::optional<std::string>(r.detail));
  j.end_object();
  return j.str();
}

std::string timing_line(const RunResult& r) {
  JsonWriter j(0);
  j.begin_object().field("seed", r.seed).field("host_seconds", r.host_seconds).end_object();
  return j.str();
}

std::optional<RunResult> parse_result_line(std::string_view line, std::string& error) {
  std::string json_error;
  const auto v = parse_json(line, &json_error);
  if (!v || !v->is_object()) {
    error = v ? "not a JSON object" : "not JSON (" + json_error + ")";
    return std::nullopt;
  }
  RunResult r;
  const JsonValue* seed = v->get("seed");
  const JsonValue* verdict = v->get("verdict");
  const JsonValue* failed = v->get("failed");
  const JsonValue* takeovers = v->get("takeovers");
  const JsonValue* sim_time = v->get("sim_time_ns");
  const JsonValue* detail = v->get("detail");
  bool ok = seed && seed->as_uint() && verdict && verdict->as_string() && failed && failed->is_array() && takeovers &&
            (takeovers->is_null() || takeovers->as_uint()) && sim_time &&
            (sim_time->is_null() || sim_time->as_uint()) && detail && (detail->is_null() || detail->as_string());
  if (ok) {
    r.seed = *seed->as_uint();
    const auto name = *verdict->as_string();
    const auto known =
        std::find_if(all_verdicts.begin(), all_verdicts.end(), [&](Verdict x) { return name == verdict_name(x); });
    ok = known != all_verdicts.end();
    if (ok) r.verdict = *known;
    for (const JsonValue& f : failed->items()) {
      const JsonValue* l = f.get("line");
      const JsonValue* t = f.get("text");
      if (!l || !l->as_int() || !t || !t->as_string()) {
        ok = false;
        break;
      }
      r.failed.push_back({static_cast<int>(*l->as_int()), *t->as_string()});
    }
    if (!takeovers->is_null()) r.takeovers = takeovers->as_uint();
    if (!sim_time->is_null()) r.sim_time_ns = sim_time->as_uint();
    if (!detail->is_null()) r.detail = *detail->as_string();
    // Older result lines have no invariants: read as unknown.
    if (const JsonValue* inv = v->get("invariants"); inv && inv->is_array()) {
      r.invariants.emplace();
      for (const JsonValue& name : inv->items())
        if (name.as_string()) r.invariants->push_back(*name.as_string());
    }
  }
  if (!ok) {
    error =
        "not a result line: it needs seed, verdict (held, failed, timeout or crash), failed [{line, text}], "
        "takeovers, sim_time_ns and detail";
    return std::nullopt;
  }
  return r;
}

void ResultSequence::add(std::uint64_t index, RunResult r) {
  if (index < next_) return;  // already handed on; a run is added once
  held_.insert_or_assign(index, std::move(r));
}

std::vector<RunResult> ResultSequence::take_ready() {
  std::vector<RunResult> out;
  for (auto it = held_.begin(); it != held_.end() && it->first == next_; it = held_.erase(it)) {
    out.push_back(std::move(it->second));
    ++next_;
  }
  return out;
}

std::vector<RunResult> ResultSequence::take_all() {
  std::vector<RunResult> out;
  for (auto& [index, r] : held_) {
    out.push_back(std::move(r));
    next_ = index + 1;
  }
  held_.clear();
  return out;
}

std::string shell_quote(const std::string& word) {
  const char* safe = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-+=./,:@%";
  if (!word.empty() && word.find_first_not_of(safe) == std::string::npos) return word;
  std::string out = "'";
  for (char c : word) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string what_failed(const RunResult& r) {
  if (!r.failed.empty())
    return ": line " + std::to_string(r.failed.front().line) + ": " + r.failed.front().text +
           (r.failed.size() > 1 ? " (and " + std::to_string(r.failed.size() - 1) + " more)" : "");
  if (!r.detail.empty()) return ": " + r.detail;
  return "";
}

bool is_seed_folder(const std::string& name) {
  return name.size() > 5 && name.size() <= 25 && name.compare(0, 5, "seed-") == 0 &&
         name.find_first_not_of("0123456789", 5) == std::string::npos && (name[5] != '0' || name.size() == 6);
}

std::string replay_command(const std::string& program, const std::string& scenario, std::uint64_t seed) {
  return shell_quote(program) + " run " + shell_quote(scenario) + " --seed " + std::to_string(seed);
}

std::string replay_script(const std::string& program_path, const std::string& cwd, const std::string& scenario,
                          const RunResult& r) {
  std::string why = std::string("# Seed ") + std::to_string(r.seed) + " of a campaign over " + scenario + ": " +
                    verdict_name(r.verdict);
  if (!r.detail.empty()) why += " (" + r.detail + ")";
  why += "\n";
  for (const auto& f : r.failed) why += "#   line " + std::to_string(f.line) + ": " + f.text + "\n";
  // A program named in the scenario is looked for in the current directory too, so the replay starts
  // where the campaign did.
  return "#!/bin/sh\n" + why +
         "# Runs it again, from the folder the campaign ran in. Options go on to `pairsim run`:\n"
         "#   ./replay.sh --trace t.jsonl --vcd t.vcd --table\n"
         "cd " +
         shell_quote(cwd) + " || exit 2\nexec " + replay_command(program_path, scenario, r.seed) + " \"$@\"\n";
}

void CampaignSummary::add(const RunResult& r) {
  ++finished_;
  ++counts_[static_cast<std::size_t>(r.verdict)];
  for (const auto& f : r.failed) ++by_expectation_[{f.line, f.text}];
  if (r.verdict != Verdict::held && failing_.size() < max_listed_in_json) failing_.push_back({r.seed, r.verdict});
  if (r.invariants && !r.invariants->empty()) {
    for (const auto& name : *r.invariants) ++by_invariant_[name];
    if (r.verdict == Verdict::held) ++held_with_violations_;
    if (violating_.size() < max_listed_in_json) violating_.push_back({r.seed, r.verdict, *r.invariants});
  }
}

std::string CampaignSummary::json() const {
  JsonWriter j;
  j.begin_object();
  j.field("scenario", scenario_).field("pairsim", PAIRSIM_VERSION);
  j.key("seeds").begin_object().field("first", plan_.range().first).field("last", plan_.range().last).end_object();
  j.key("shard").begin_object().field("index", plan_.shard().index).field("count", plan_.shard().count).end_object();
  j.field("runs", plan_.size()).field("finished", finished_).field("interrupted", interrupted_);
  j.key("verdicts").begin_object();
  for (Verdict v : all_verdicts) j.field(verdict_name(v), count(v));
  j.end_object();
  j.key("failed_expectations").begin_array();
  for (const auto& [key, seeds] : by_expectation_)
    j.begin_object().field("line", key.first).field("text", key.second).field("seeds", seeds).end_object();
  j.end_array();
  j.key("invariants").begin_object();
  for (Invariant rule : all_invariants) {
    auto it = by_invariant_.find(invariant_name(rule));
    j.field(invariant_name(rule), it == by_invariant_.end() ? std::uint64_t{0} : it->second);
  }
  j.end_object();
  j.field("held_with_violations", held_with_violations_);
  j.key("violating_seeds").begin_array();
  for (const auto& v : violating_) {
    j.begin_object().field("seed", v.seed).field("verdict", verdict_name(v.verdict));
    j.key("invariants").begin_array();
    for (const auto& name : v.invariants) j.value(name);
    j.end_array().field("replay", replay_command("pairsim", scenario_, v.seed)).end_object();
  }
  j.end_array();
  j.key("failing_seeds").begin_array();
  for (const auto& f : failing_)
    j.begin_object()
        .field("seed", f.seed)
        .field("verdict", verdict_name(f.verdict))
        .field("folder", "seed-" + std::to_string(f.seed))
        .field("replay", replay_command("pairsim", scenario_, f.seed))
        .end_object();
  j.end_array();
  j.end_object();
  return j.str() + "\n";
}

std::string CampaignSummary::text(const std::string& program, const std::string& out_dir, double host_seconds) const {
  char rate[64];
  std::snprintf(rate, sizeof rate, " in %.1f s (%.1f runs/s)", host_seconds,
                host_seconds > 0 ? static_cast<double>(finished_) / host_seconds : 0.0);
  return text_with(program, out_dir, rate);
}

std::string CampaignSummary::merged_text(const std::string& program, const std::string& out_dir, std::uint64_t shards,
                                         double run_seconds) const {
  char how[96];
  std::snprintf(how, sizeof how, " from %llu shards, %.1f s of run time", static_cast<unsigned long long>(shards),
                run_seconds);
  return text_with(program, out_dir, how);
}

std::string CampaignSummary::text_with(const std::string& program, const std::string& out_dir,
                                       const std::string& how) const {
  std::ostringstream o;
  const SeedRange range = plan_.range();
  o << scenario_ << ", seeds " << range.first << ".." << range.last;
  if (plan_.shard().count > 1) o << " (shard " << plan_.shard().index << "/" << plan_.shard().count << ")";
  o << ": " << finished_ << " of " << plan_.size() << " runs";
  o << how << (interrupted_ ? ", interrupted" : "") << "\n";
  o << "verdicts:";
  for (Verdict v : all_verdicts) o << " " << verdict_name(v) << " " << count(v) << (v == Verdict::crash ? "" : ",");
  o << "\n";
  if (!by_expectation_.empty()) {
    o << "failed expectations (in how many seeds):\n";
    for (const auto& [key, seeds] : by_expectation_)
      o << "  " << seeds << "\tline " << key.first << ": " << key.second << "\n";
  }
  if (!by_invariant_.empty()) {
    o << "invariants broken (in how many seeds):\n";
    for (Invariant rule : all_invariants)
      if (auto it = by_invariant_.find(invariant_name(rule)); it != by_invariant_.end())
        o << "  " << it->second << "\t" << it->first << "\n";
  }
  if (held_with_violations_ > 0) {
    // Such a seed held, so it is not among those below: the scenario does not `expect invariants`.
    std::vector<const Violating*> held;
    for (const auto& v : violating_)
      if (v.verdict == Verdict::held && held.size() < max_listed_in_text) held.push_back(&v);
    o << "seeds that held but broke an invariant (the scenario has no `expect invariants`)";
    if (held_with_violations_ > held.size())
      o << " (the first " << held.size() << " of " << held_with_violations_ << "; " << out_dir
        << "/results.jsonl has them all)";
    o << ":\n";
    for (const auto* v : held) {
      o << "  ";
      for (std::size_t i = 0; i < v->invariants.size(); ++i) o << (i == 0 ? "" : ", ") << v->invariants[i];
      o << "\t" << replay_command(program, scenario_, v->seed) << "\n";
    }
  }
  if (!failing_.empty()) {
    const std::size_t shown = std::min(failing_.size(), max_listed_in_text);
    o << "seeds that did not hold";
    if (bad() > shown)
      o << " (the first " << shown << " of " << bad() << "; " << out_dir << "/results.jsonl has them all)";
    o << ", each with the command that replays it:\n";
    for (std::size_t i = 0; i < shown; ++i)
      o << "  " << verdict_name(failing_[i].verdict) << "\t" << replay_command(program, scenario_, failing_[i].seed)
        << "\n";
    o << "the folder of each, with replay.sh and its trace (none for a timeout): " << out_dir << "/seed-S/\n";
  }
  o << "results: " << out_dir << "/results.jsonl, summary: " << out_dir << "/summary.json\n";
  return o.str();
}

}  // namespace pairsim::sim
