#pragma once
// Guest programs by the names scenarios and guests use, looked up as docs/scenarios.md says; `.pasm`
// sources are assembled (once), `.pobj` object files are loaded as they are.
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "cpu/program_source.hpp"
#include "guest/assembler.hpp"

namespace pairsim::sim {

class ProgramLibrary : public cpu::ProgramSource {
 public:
  // Names are looked up as program_search_paths() says (sim/scenario/scenario_parser.hpp).
  ProgramLibrary(std::string scenario_path, std::string project_dir);

  const guest::Program* load(const std::string& name, std::string& error) override;
  // Loads ahead of the run; assembler diagnostics come back as they are (file:line:col: error: …).
  bool preload(const std::string& name, std::vector<std::string>& diagnostics);
  // The file a name resolves to, or "" when none exists.
  std::string resolve(const std::string& name) const;

 private:
  std::string scenario_path_;
  std::string project_dir_;
  std::string guest_dir_;
  std::map<std::string, const guest::Program*> by_name_;  // what each name came to, so it is looked up once
  std::map<std::string, std::unique_ptr<guest::Program>> by_path_;
  std::map<std::string, std::vector<std::string>> failures_;
};

}  // namespace pairsim::sim
