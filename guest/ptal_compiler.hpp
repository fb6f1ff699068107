#pragma once
// The ptal compiler's front door: a .ptal file (and the files it includes) to assembly text, and from
// there, through the assembler, to the same Program a .pasm file gives. docs/language.md is the language.
#include <string>
#include <vector>

#include "guest/assembler.hpp"

namespace pairsim::guest::ptal {

struct CompileMessage {
  std::string file;
  int line = 0;
  int col = 0;
  bool warning = false;
  std::string text;
  std::string str() const;  // "file:line:col: error: text" (or "warning:")
};

struct Compiled {
  bool ok = false;                       // no errors (warnings allowed)
  std::string assembly;                  // input for the assembler, when ok
  std::vector<int> line_map;             // assembly line (from 1) -> ptal line of the main file, 0 for none
  std::vector<CompileMessage> messages;  // errors and warnings, in source order
};

// `name` stands for the file in messages; includes are searched beside it, then in include_dirs.
Compiled compile_string(const std::string& source, const std::string& name,
                        const std::vector<std::string>& include_dirs);
Compiled compile_file(const std::string& path, const std::vector<std::string>& include_dirs);

// Compiles and assembles: the program's code_lines are ptal lines, its source the .ptal path, and the
// listing (when asked for) shows each ptal line above the instructions made from it. Warnings go to
// `warnings` when given.
AssembleResult build_file(const std::string& path, const std::vector<std::string>& include_dirs,
                          bool want_listing = false, std::vector<std::string>* warnings = nullptr);
AssembleResult build_string(const std::string& source, const std::string& name,
                            const std::vector<std::string>& include_dirs, bool want_listing = false,
                            std::vector<std::string>* warnings = nullptr);

bool is_ptal_path(const std::string& path);

}  // namespace pairsim::guest::ptal
