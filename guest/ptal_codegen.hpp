#pragma once
// The ptal checker and code generator: a syntax tree to assembly text for guest/assembler.cpp, with the
// source line of every generated line. Names, types, arity and the byte/word distinction are checked
// here; every error is a message with its place, and generation goes on to find more.
#include <string>
#include <vector>

#include "guest/ptal_ast.hpp"

namespace pairsim::guest::ptal {

struct Message {
  Place at;
  bool warning = false;
  std::string text;
};

struct Generated {
  std::string assembly;
  std::vector<int> lines;  // for each line of `assembly` (from 1; lines[0] unused): its ptal line in file 0, or 0
  std::vector<Message> messages;
};

// `files` names the compilation's files by index (Place::file), for the run-time checks' messages.
Generated generate(const Unit& unit, const std::vector<std::string>& files = {});

}  // namespace pairsim::guest::ptal
