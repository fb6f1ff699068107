#include "sim/campaign/shrink_command.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>

#include "sim/campaign/campaign.hpp"
#include "sim/campaign/child_runs.hpp"
#include "sim/campaign/file_io.hpp"
#include "sim/campaign/shrink.hpp"
#include "sim/run/library_home.hpp"
#include "sim/run/program_library.hpp"
#include "sim/run/run_command.hpp"
#include "sim/scenario/duration.hpp"
#include "sim/scenario/scenario_parser.hpp"
#include "sim/scenario/schedule.hpp"

namespace pairsim::sim {

namespace {

namespace fs = std::filesystem;

constexpr std::uint64_t default_seed = 1;

bool write_out(const std::string& path, const std::string& text) {
  if (path.empty()) {
    std::cout << text << std::flush;
    return true;
  }
  return write_file(path, text);
}

// Runs `exe run FILE --json` to its end (or kills it at the timeout) and says how it ended. The run stays in
// this process group: Ctrl-C on the terminal ends it with the shrink.
ChildEnd run_child(const std::string& exe, const std::string& file, double timeout_seconds) {
  ChildRuns runs(timeout_seconds);
  runs.spawn_run(0, {exe, "run", file, "--json"}, ProcessGroup::shared);
  for (;;) {
    auto ended = runs.wait(1000, -1);
    if (!ended.empty()) return std::move(ended.front().second);
  }
}

struct Loaded {
  Scenario scenario;
  std::string text;
  std::uint64_t seed;
};

std::optional<Loaded> load(const std::string& path, std::optional<std::uint64_t> seed) {
  auto parsed = parse_scenario_file(path);
  if (!parsed.ok()) {
    for (const auto& e : parsed.errors) std::cerr << e.str() << "\n";
    return std::nullopt;
  }
  auto text = read_file(path);
  if (!text) {
    std::cerr << path << ": error: cannot read the file\n";
    return std::nullopt;
  }
  const std::uint64_t s = seed ? *seed : parsed.scenario->seed.value_or(default_seed);
  return Loaded{std::move(*parsed.scenario), std::move(*text), s};
}

std::string failed_list(const RunResult& r) {
  std::string out;
  for (const auto& f : r.failed) out += "  " + f.text + "\n";
  return out;
}

}  // namespace

int run_pin(const PinOptions& opts) {
  auto loaded = load(opts.scenario, opts.seed);
  if (!loaded) return exit_bad_input;
  const auto schedule = resolve_schedule(loaded->scenario, loaded->seed);
  const std::string text = pin_scenario(loaded->text, loaded->scenario, schedule,
                                        {"pinned: " + opts.scenario + " with seed " + std::to_string(loaded->seed) +
                                         ", every random draw made (pairsim pin)"},
                                        library_home());
  if (!write_out(opts.out, text)) {
    std::cerr << "pairsim: error: cannot write '" << opts.out << "'\n";
    return exit_bad_input;
  }
  return exit_ok;
}

int run_shrink(const ShrinkOptions& opts) {
  auto loaded = load(opts.scenario, opts.seed);
  if (!loaded) return exit_bad_input;
  const Scenario& s = loaded->scenario;
  {
    ProgramLibrary programs(s.path, library_home());
    if (auto diags = preload_programs(s, programs); !diags.empty()) {
      for (const auto& d : diags) std::cerr << d << "\n";
      return exit_bad_input;
    }
  }
  if (!opts.out.empty()) {
    // Checked before anything runs, and left as it was found.
    std::error_code e;
    const bool existed = fs::exists(opts.out, e);
    const bool writable = static_cast<bool>(std::ofstream(opts.out, std::ios::app));
    if (!existed) fs::remove(opts.out, e);
    if (!writable) {
      std::cerr << "pairsim: error: cannot write '" << opts.out << "'\n";
      return exit_bad_input;
    }
  }

  // Candidates are scenario files in a folder of their own, removed at the end.
  std::error_code ec;
  std::string pattern = (fs::temp_directory_path(ec) / "pairsim-shrink-XXXXXX").string();
  if (!mkdtemp(pattern.data())) {
    std::cerr << "pairsim: error: cannot make a scratch folder '" << pattern << "': " << std::strerror(errno) << "\n";
    return exit_bad_input;
  }
  const fs::path dir = pattern;
  struct Cleanup {
    fs::path dir;
    ~Cleanup() {
      std::error_code e;
      fs::remove_all(dir, e);
    }
  } cleanup{dir};

  const std::string exe = own_executable(opts.program);
  const std::string source = fs::path(opts.scenario).filename().string();
  auto pinned = [&](const std::vector<ResolvedAction>& schedule, const std::vector<std::string>& header) {
    return pin_scenario(loaded->text, s, schedule, header, library_home());
  };
  int trial = 0;
  const double timeout = opts.timeout_seconds;  // host timing must not decide the result: --timeout only
  auto run = [&](const std::vector<ResolvedAction>& schedule) {
    const fs::path file = dir / source;
    write_file(file, pinned(schedule, {}));
    return judge_run(loaded->seed, run_child(exe, file.string(), timeout));
  };

  const auto original = resolve_schedule(s, loaded->seed);
  const RunResult first = run(original);
  if (first.verdict == Verdict::held) {
    std::cerr << "pairsim: error: " << opts.scenario << " with seed " << loaded->seed
              << " holds: there is nothing to shrink\n";
    return exit_bad_input;
  }
  std::set<std::string> failed_first;
  for (const auto& f : first.failed) failed_first.insert(f.text);
  if (!opts.quiet)
    std::cerr << "seed " << loaded->seed << ": " << verdict_name(first.verdict) << " with " << count_faults(original)
              << " fault(s)" << (first.failed.empty() ? "\n" : "; failed:\n") << failed_list(first);

  // The same way: the same verdict, and for `failed` at least one of the same expectations.
  auto still_fails = [&](const std::vector<ResolvedAction>& candidate) {
    const RunResult r = run(candidate);
    bool same = r.verdict == first.verdict;
    if (same && r.verdict == Verdict::failed)
      same = std::any_of(r.failed.begin(), r.failed.end(), [&](const auto& f) { return failed_first.count(f.text); });
    ++trial;
    if (!opts.quiet)
      std::cerr << "  run " << trial << ": " << count_faults(candidate) << " fault(s): "
                << (same ? "fails the same way" : std::string(verdict_name(r.verdict)) + ", not the same") << "\n";
    return same;
  };
  const ShrinkResult shrunk = shrink_schedule(original, s.run.for_ns, still_fails);

  const RunResult last = run(shrunk.schedule);
  std::vector<std::string> header{
      "shrunk from " + opts.scenario + " with seed " + std::to_string(loaded->seed) +
          " (pairsim shrink): " + std::to_string(shrunk.faults_after) + " of its " +
          std::to_string(shrunk.faults_before) + " fault(s), each at the latest moment found at which it still fails,",
      "in " + std::to_string(shrunk.trials + 2) + " runs. It ends: " + verdict_name(last.verdict) +
          (last.failed.empty() ? "" : ", failing:")};
  for (const auto& f : last.failed) header.push_back("  " + f.text);
  if (!write_out(opts.out, pinned(shrunk.schedule, header))) {
    std::cerr << "pairsim: error: cannot write '" << opts.out << "'\n";
    return exit_bad_input;
  }
  if (!opts.quiet) {
    std::cerr << "shrunk " << shrunk.faults_before << " fault(s) to " << shrunk.faults_after << " in "
              << shrunk.trials + 2 << " runs";
    if (!opts.out.empty()) std::cerr << "; replay: " << shell_quote(opts.program) << " run " << shell_quote(opts.out);
    std::cerr << "\n";
  }
  return exit_ok;
}

}  // namespace pairsim::sim
