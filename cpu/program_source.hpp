#pragma once
// Where a CPU's kernel gets guest programs from. The sim layer implements it (assembling sources and
// caching them); the CPU knows nothing of files or scenarios.
#include <string>

#include "guest/program.hpp"

namespace pairsim::cpu {

class ProgramSource {
 public:
  virtual ~ProgramSource() = default;
  // nullptr and a sentence in `error` when the program cannot be had.
  virtual const guest::Program* load(const std::string& name, std::string& error) = 0;
};

}  // namespace pairsim::cpu
