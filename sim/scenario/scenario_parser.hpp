#pragma once
// The scenario grammar in one place: text -> validated Scenario, or every error it has.
// The language reference is docs/scenarios.md.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/scenario/scenario.hpp"

namespace pairsim::sim {

struct ParseResult {
  std::optional<Scenario> scenario;   // set iff errors is empty
  std::vector<ScenarioError> errors;  // in line order, at most max_reported_errors (+1 note)
  bool ok() const { return scenario.has_value(); }
};

inline constexpr std::size_t max_reported_errors = 20;

// `name` is what error locations show (normally the file's path).
ParseResult parse_scenario(std::string_view text, const std::string& name);
// Reads the file; a file that cannot be read is one error at "path" (line 0).
ParseResult parse_scenario_file(const std::string& path);

// Where a start statement's program is looked for, in this order: beside the scenario file,
// the current directory, the project's guest/ folder, the project's root. An absolute path
// is looked for only as itself. Pure path arithmetic: the caller takes the first that exists.
std::vector<std::string> program_search_paths(const std::string& scenario_path, const std::string& program,
                                              const std::string& project_dir);

}  // namespace pairsim::sim
