#include "sim/run/program_library.hpp"

#include <filesystem>
#include <iostream>

#include "guest/program_file.hpp"
#include "sim/run/library_home.hpp"
#include "sim/scenario/scenario_parser.hpp"

namespace pairsim::sim {

namespace fs = std::filesystem;

ProgramLibrary::ProgramLibrary(std::string scenario_path, std::string project_dir)
    : scenario_path_(std::move(scenario_path)),
      project_dir_(std::move(project_dir)),
      guest_dir_(project_dir_ + "/guest") {}

std::string ProgramLibrary::resolve(const std::string& name) const {
  // A name without an ending ("echo", as a guest's newprocess may say) means the source, "echo.pasm", or
  // else "echo.ptal".
  std::vector<std::string> names{name};
  if (!fs::path(name).has_extension()) {
    names.push_back(name + ".pasm");
    names.push_back(name + ".ptal");
  }
  for (const auto& n : names)
    for (const auto& candidate : program_search_paths(scenario_path_, n, project_dir_)) {
      std::error_code ec;
      if (fs::is_regular_file(candidate, ec)) return fs::weakly_canonical(candidate, ec).string();
    }
  return "";
}

bool ProgramLibrary::preload(const std::string& name, std::vector<std::string>& diagnostics) {
  std::string error;
  if (load(name, error)) return true;
  const std::string path = resolve(name);
  auto it = failures_.find(path);
  if (!path.empty() && it != failures_.end()) {
    diagnostics.insert(diagnostics.end(), it->second.begin(), it->second.end());
  } else {
    diagnostics.push_back(error);
  }
  return false;
}

const guest::Program* ProgramLibrary::load(const std::string& name, std::string& error) {
  // A name the run has loaded before means the same program: no second look through the folders.
  if (auto it = by_name_.find(name); it != by_name_.end()) return it->second;
  const std::string path = resolve(name);
  if (path.empty()) {
    error = "program '" + name + "' not found (looked beside the scenario, in the current directory, in " + guest_dir_ +
            " and in " + project_dir_ + ")";
    return nullptr;
  }
  if (auto it = by_path_.find(path); it != by_path_.end()) return by_name_[name] = it->second.get();
  if (auto it = failures_.find(path); it != failures_.end()) {
    error = it->second.empty() ? "program '" + name + "' does not assemble" : it->second.front();
    return nullptr;
  }
  // A program the scenario's folder lacks, taken from the shipped library, is named once: a scenario copied
  // out of the library without its programs still runs, and the user sees which file it ran.
  if (!scenario_path_.empty() && scenario_path_ != "." && inside_library(path) && !inside_library(scenario_path_))
    std::cerr << "note: program '" << name << "' not in "
              << fs::absolute(scenario_path_).parent_path().lexically_normal().string() << "; using the shipped "
              << path << "\n";
  auto result = guest::load_program_file(path, {guest_dir_ + "/lib"});
  if (!result.program) {
    std::vector<std::string> msgs;
    for (const auto& d : result.errors) msgs.push_back(d.str());
    if (msgs.empty()) msgs.push_back(path + ": error: program does not assemble");
    failures_[path] = msgs;
    error = msgs.front();
    return nullptr;
  }
  auto owned = std::make_unique<guest::Program>(std::move(*result.program));
  auto* raw = owned.get();
  by_path_[path] = std::move(owned);
  by_name_[name] = raw;
  return raw;
}

}  // namespace pairsim::sim
