#include "sim/campaign/grade_command.hpp"

#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/program_options.hpp>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "guest/program_file.hpp"
#include "sim/campaign/child_runs.hpp"
#include "sim/campaign/grade.hpp"
#include "sim/campaign/sweep.hpp"
#include "sim/run/library_home.hpp"
#include "sim/run/run_command.hpp"  // exit codes
#include "sim/scenario/scenario_parser.hpp"

namespace fs = std::filesystem;
namespace po = boost::program_options;

namespace pairsim::sim {

namespace {

const char* const grade_usage =
    "pairsim grade LAB SUBMISSION [--quick] [--jobs N] [--replay CHECK[:MOMENT]] [--keep DIR]\n"
    "  LAB         a lab's folder (scenarios/labs/01-phoenix): its lab.grade names the checks\n"
    "  SUBMISSION  the program handed in (.ptal or .pasm), or a folder that holds it under the starter's name\n";

int bad(const std::string& msg) {
  std::cerr << "pairsim: error: " << msg << "\n";
  return exit_bad_input;
}

std::optional<std::string> read_text(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// One run to make: a check's scenario, at one moment or as it is.
struct PlannedRun {
  std::size_t check = 0;
  std::size_t moment = 0;
  std::uint64_t t_ns = 0;
  fs::path file;
};

// `pairsim run FILE`, its output and error this process's own; returns its exit code.
int run_in_view(const std::string& exe, const std::string& file) {
  std::cout << std::flush;
  const pid_t pid = fork();
  if (pid < 0) return exit_internal;
  if (pid == 0) {
    execl(exe.c_str(), exe.c_str(), "run", file.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : exit_internal;
}

}  // namespace

int run_grade(int argc, char* argv[]) {
  std::vector<std::string> positional;
  std::string replay, keep, jobs_text = "2";
  bool quick = false;
  po::options_description desc("options");
  desc.add_options()("help,h", "this help")("quick", po::bool_switch(&quick),
                                            "fewer moments a check (each check's `quick`): a first look")(
      "jobs,j", po::value(&jobs_text), "runs at a time (default 2)")(
      "replay", po::value(&replay), "run one check (at moment K of its window) and print its whole report")(
      "keep", po::value(&keep), "write the scenarios the checks run into DIR and keep them");
  po::options_description hidden;
  hidden.add_options()("args", po::value(&positional)->multitoken(), "LAB SUBMISSION");
  po::options_description every;
  every.add(desc).add(hidden);
  po::positional_options_description pos;
  pos.add("args", -1);
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(argc - 1, argv + 1).options(every).positional(pos).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    std::cerr << "pairsim: error: " << e.what() << "\nusage: " << grade_usage;
    return exit_bad_input;
  }
  if (vm.count("help")) {
    std::cout << "usage: " << grade_usage << "\n" << desc << "\n";
    return exit_ok;
  }
  if (positional.size() != 2) {
    std::cerr << "pairsim: error: grade needs a lab and a submission\nusage: " << grade_usage;
    return exit_bad_input;
  }
  unsigned jobs = 0;
  try {
    jobs = static_cast<unsigned>(std::stoul(jobs_text));
  } catch (...) {
  }
  if (jobs < 1 || jobs > 64 || jobs_text.find_first_not_of("0123456789") != std::string::npos)
    return bad("--jobs takes a whole number from 1 to 64, not '" + jobs_text + "'");

  // The lab and its manifest.
  std::string lab_arg = positional[0];
  while (lab_arg.size() > 1 && lab_arg.back() == '/') lab_arg.pop_back();
  const fs::path lab_dir = lab_arg;
  std::error_code ec;
  if (!fs::is_directory(lab_dir, ec)) return bad("no lab '" + lab_arg + "': there is no such folder");
  const fs::path manifest_path = lab_dir / "lab.grade";
  const auto manifest_text = read_text(manifest_path);
  if (!manifest_text)
    return bad("'" + lab_arg + "' is not a lab: it has no lab.grade (the labs are the folders of scenarios/labs/)");
  std::vector<std::string> errors;
  const auto manifest = parse_lab_manifest(*manifest_text, manifest_path.string(), errors);
  if (!manifest) {
    for (const auto& e : errors) std::cerr << e << "\n";
    return exit_bad_input;
  }

  // The submission: a file, or the file of the starter's name in a folder.
  const std::string sub_arg = positional[1];
  fs::path submission = sub_arg;
  if (fs::is_directory(submission, ec)) {
    submission /= manifest->submission;
    if (!fs::is_regular_file(submission, ec))
      return bad("the folder '" + sub_arg + "' has no " + manifest->submission +
                 ": hand in the file you wrote, or a folder that holds it under that name");
  } else if (!fs::exists(submission, ec)) {
    return bad("no submission '" + sub_arg + "': there is no such file");
  } else if (!fs::is_regular_file(submission, ec)) {
    return bad("the submission '" + sub_arg + "' is not a file");
  }
  const std::string ext = submission.extension().string();
  if (ext != ".ptal" && ext != ".pasm")
    return bad("the submission '" + submission.string() + "' is not a program: its name must end in .ptal or .pasm");
  {
    std::vector<std::string> warnings;
    const auto built = guest::load_program_file(submission.string(), {library_guest_lib()}, &warnings);
    for (const auto& w : warnings) std::cerr << w << "\n";  // the compiler's warnings are the student's too
    if (!built.program) {
      for (const auto& d : built.errors) std::cerr << d.str() << "\n";
      std::cerr << "pairsim: error: the submission does not compile; nothing was graded\n";
      return exit_bad_input;
    }
  }

  // The replay's check and moment.
  std::string replay_check;
  std::optional<std::uint64_t> replay_moment;
  if (!replay.empty()) {
    const auto colon = replay.find(':');
    replay_check = replay.substr(0, colon);
    if (colon != std::string::npos) {
      const std::string k = replay.substr(colon + 1);
      if (k.empty() || k.find_first_not_of("0123456789") != std::string::npos || k.size() > 9)
        return bad("--replay takes CHECK or CHECK:MOMENT, MOMENT a whole number, not '" + replay + "'");
      replay_moment = std::stoull(k);
    }
    const bool known = std::any_of(manifest->checks.begin(), manifest->checks.end(),
                                   [&](const LabCheck& c) { return c.name == replay_check; });
    if (!known) {
      std::string names;
      for (const auto& c : manifest->checks) names += (names.empty() ? "" : ", ") + c.name;
      return bad("the lab has no check '" + replay_check + "' (its checks: " + names + ")");
    }
  }

  // Where the scenarios go.
  fs::path work;
  bool temporary = keep.empty();
  if (temporary) {
    std::string tmpl = (fs::temp_directory_path(ec) / "pairsim-grade-XXXXXX").string();
    if (!mkdtemp(tmpl.data())) return bad("cannot make a temporary folder in " + fs::temp_directory_path(ec).string());
    work = tmpl;
  } else {
    work = keep;
    fs::create_directories(work, ec);
    if (!fs::is_directory(work, ec)) return bad("cannot make the folder '" + keep + "'");
  }
  struct Cleanup {
    fs::path dir;
    bool on;
    ~Cleanup() {
      std::error_code e;
      if (on) fs::remove_all(dir, e);
    }
  } cleanup{work, temporary};

  // The lab's own programs (clients, helpers): the files beside the manifest.
  std::vector<std::string> lab_files;
  for (const auto& entry : fs::directory_iterator(lab_dir, ec)) {
    const std::string e = entry.path().extension().string();
    const std::string name = entry.path().filename().string();
    if (entry.is_regular_file() && (e == ".ptal" || e == ".pasm") && name != manifest->submission)
      lab_files.push_back(name);
  }
  std::sort(lab_files.begin(), lab_files.end());
  const std::string lab_abs = fs::absolute(lab_dir, ec).lexically_normal().string();
  const std::string sub_abs = fs::absolute(submission, ec).lexically_normal().string();

  std::vector<CheckOutcome> outcomes(manifest->checks.size());
  std::vector<PlannedRun> plan;
  for (std::size_t i = 0; i < manifest->checks.size(); ++i) {
    const LabCheck& c = manifest->checks[i];
    outcomes[i].check = &c;
    const fs::path scn = lab_dir / c.scenario;
    const auto text = read_text(scn);
    if (!text) {
      std::cerr << manifest_path.string() << ":" << c.line << ":1: error: check '" << c.name << "': no scenario '"
                << scn.string() << "'\n";
      return exit_bad_input;
    }
    outcomes[i].scenario_text = *text;
    const std::string rewritten = substitute_programs(*text, manifest->submission, sub_abs, lab_abs, lab_files);
    const auto parsed = parse_scenario(rewritten, scn.string());
    if (!parsed.ok()) {
      for (const auto& e : parsed.errors) std::cerr << e.str() << "\n";
      return exit_bad_input;
    }
    if (!replay.empty() && c.name != replay_check) continue;
    if (c.moments == 0) {
      if (replay_moment) return bad("check '" + c.name + "' has no moments: replay it as --replay " + c.name);
      plan.push_back({i, 0, 0, work / (c.name + ".scn")});
      std::ofstream(plan.back().file) << rewritten;
      continue;
    }
    std::string error;
    const auto fault = find_swept_fault(*parsed.scenario, 0, false, error);
    if (!fault) {
      std::cerr << error << "\n";
      return exit_bad_input;
    }
    const std::uint64_t count = quick ? c.quick : c.moments;
    if (replay_moment && *replay_moment >= count)
      return bad("check '" + c.name + "' has moments 0 to " + std::to_string(count - 1) +
                 (quick ? " with --quick" : "") + ", not " + std::to_string(*replay_moment));
    for (std::uint64_t k = 0; k < count; ++k) {
      if (replay_moment && k != *replay_moment) continue;
      if (!replay.empty() && !replay_moment && k > 0) break;
      const std::uint64_t t = sweep_moment(fault->window, count, k);
      outcomes[i].times.push_back(t);
      const auto fixed = fix_moment(rewritten, fault->line, t);
      if (!fixed) return bad("check '" + c.name + "': line " + std::to_string(fault->line) + " has no `at random`");
      plan.push_back({i, k, t, work / (c.name + "-" + std::to_string(k) + ".scn")});
      std::ofstream(plan.back().file) << *fixed;
    }
  }
  const std::string exe = own_executable(argv[0]);

  if (!replay.empty()) {
    const PlannedRun& p = plan.front();
    const LabCheck& c = manifest->checks[p.check];
    std::cout << "replay of check " << c.name << " (" << c.scenario << ")";
    if (c.moments) std::cout << ", moment " << p.moment << ": " << c.fault << " at " << moment_words(p.t_ns);
    std::cout << "\n";
    if (!temporary) std::cout << "the scenario: " << p.file.string() << "\n";
    std::cout << "\n";
    return run_in_view(exe, p.file.string());
  }

  // Every run, `jobs` at a time; results by their place in the plan.
  std::vector<RunResult> results(plan.size());
  std::vector<std::string> summaries(plan.size());
  {
    ChildRuns runs(120.0);
    std::size_t next = 0, done = 0;
    while (done < plan.size()) {
      while (next < plan.size() && runs.size() < jobs) {
        runs.spawn_run(next, {exe, "run", plan[next].file.string(), "--json"}, ProcessGroup::shared);
        ++next;
      }
      for (const auto& [id, end] : runs.wait(100, -1)) {
        results[id] = judge_run(1, end);
        summaries[id] = end.out;
        ++done;
      }
    }
  }
  for (std::size_t n = 0; n < plan.size(); ++n) {
    CheckOutcome& o = outcomes[plan[n].check];
    o.results.push_back(std::move(results[n]));
    o.details.emplace_back();
    o.abends.emplace_back();
    read_run_facts(summaries[n], o.details.back(), o.abends.back());
  }

  const std::string command =
      std::string(argv[0]) + " grade " + shell_quote(lab_arg) + " " + shell_quote(sub_arg) + (quick ? " --quick" : "");
  std::cout << grade_report(*manifest, lab_arg, outcomes, command);
  if (!temporary) std::cout << "the scenarios the checks ran are in " << keep << "/\n";
  const bool all = std::all_of(outcomes.begin(), outcomes.end(), [](const CheckOutcome& o) { return o.passed(); });
  return all ? exit_ok : exit_expectation_failed;
}

}  // namespace pairsim::sim
