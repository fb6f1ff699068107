#pragma once
// Graded labs (docs/labs.md): a lab is a folder with a manifest, `lab.grade`, that names the file a student
// hands in and the checks it must pass — scenarios of the folder, some of them with one fault moved over a
// window of moments. This file holds what needs neither child processes nor the simulation kernel: the
// manifest, the scenarios a check runs (the submission put in place of the starter), and the verdict's text,
// so that unit tests can check them. sim/campaign/grade_command.cpp runs the checks.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "sim/campaign/campaign.hpp"  // RunResult

namespace pairsim::sim {

// One `check` line of a manifest:
//   check NAME FILE points P [moments M quick Q] [fault "WORDS"]
// FILE is a scenario beside the manifest. With `moments`, its one `at random A..B` statement is run at M
// moments spread over A..B (Q of them with --quick), and WORDS say what that fault is ("the primary's CPU
// failed"), for the messages.
struct LabCheck {
  int line = 0;
  std::string name;
  std::string scenario;  // as written: a file name beside the manifest
  int points = 1;
  std::uint64_t moments = 0;  // 0: run the scenario once, as it is
  std::uint64_t quick = 0;
  std::string fault;
};

struct LabManifest {
  std::string title;
  std::string submission;  // the starter's file name, which the scenarios start as a program
  std::vector<LabCheck> checks;
};

// Parses a manifest's text; `name` is what error locations show. On error, nullopt and every error as
// "NAME:LINE:COL: error: SENTENCE" in `errors`.
std::optional<LabManifest> parse_lab_manifest(const std::string& text, const std::string& name,
                                              std::vector<std::string>& errors);

// A scenario's text with every `program` word of a `start` rewritten: the submission's file name becomes
// `submission_path`, a program `lab_files` has (a file beside the scenario) becomes its path in `lab_dir`.
// Other programs (the project's guest/ folder) stay as they are. Paths are written quoted.
std::string substitute_programs(const std::string& text, const std::string& submission_name,
                                const std::string& submission_path, const std::string& lab_dir,
                                const std::vector<std::string>& lab_files);

// The text with line `line` (from 1)'s `at random A..B` replaced by `at T` (T in nanoseconds): one
// moment of a swept check. nullopt when that line has no `at random`.
std::optional<std::string> fix_moment(const std::string& text, int line, std::uint64_t t_ns);

// The comment at the end of line `line` of a scenario's text (after `#`, outside strings), trimmed: an
// expectation's advice to the student. Empty when there is none.
std::string trailing_comment(const std::string& text, int line);

// "12.345 ms": a moment as a student reads it.
std::string moment_words(std::uint64_t t_ns);

// What one check came to: one result a moment (one for a check without moments), in moment order.
struct CheckOutcome {
  const LabCheck* check = nullptr;
  std::string scenario_text;         // the check's scenario as written (for the advice comments)
  std::vector<std::uint64_t> times;  // the moments' times (empty without moments)
  std::vector<RunResult> results;
  // Read from each run's summary: what each failed expectation found (by line), and the processes that
  // abended, as "$X abended in cpu N: REASON".
  std::vector<std::map<int, std::string>> details;
  std::vector<std::vector<std::string>> abends;
  bool passed() const;
};

// Fills `details` and `abends` of a run from its `--json` summary (nothing when it cannot be read).
void read_run_facts(const std::string& summary_json, std::map<int, std::string>& details,
                    std::vector<std::string>& abends);

// The grade as text: a line a check, for each failed one what failed, when, the advice and the command that
// replays it, then the score. `command` is how to call grade again ("pairsim grade LAB SUBMISSION").
std::string grade_report(const LabManifest& m, const std::string& lab_name, const std::vector<CheckOutcome>& outcomes,
                         const std::string& command);

// A check's score: all its points when every run held, else none — a pair that survives a failure at most
// moments is not fault tolerant.
int points_earned(const CheckOutcome& o);

}  // namespace pairsim::sim
