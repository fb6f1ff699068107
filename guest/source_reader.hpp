#pragma once
// Reads assembly source into numbered, tokenized lines, following `include "file"` lines: first beside the
// including file, then in the include folders. Each file is read once (so two libraries can include the
// same file); a file that includes itself, directly or not, is an error.
#include <cstddef>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include "guest/lexer.hpp"

namespace pairsim::guest {

struct SourceLine {
  int file = 0;  // index into SourceReader::files
  int line = 0;  // 1-based line number in that file
  std::string text;
  std::vector<Token> tokens;
  bool lexed = false;       // false: the lexer failed (already reported); the line is skipped
  bool is_include = false;  // an include line, already followed
};

// Receives each error with its place in source order (an index into the lines read so far); returns false
// when no more are wanted.
using SourceErrorSink =
    std::function<bool(std::size_t order, const std::string& file, int line, int col, const std::string& message)>;

class SourceReader {
 public:
  SourceReader(const std::vector<std::string>& include_dirs, SourceErrorSink sink)
      : include_dirs_(include_dirs), sink_(std::move(sink)) {}

  void read_file(const std::string& path);
  // `name` stands for the file name in messages, and its folder is where includes are searched first.
  void read_string(const std::string& text, const std::string& name);

  std::vector<std::string> take_files() { return std::move(files_); }
  std::vector<SourceLine> take_lines() { return std::move(lines_); }

 private:
  void include(const std::string& path, const SourceLine* from, int from_col);
  void load(const std::string& file, const std::string& text);
  void follow_include(std::size_t index, const std::string& file);
  void error_in(const SourceLine& at, int col, const std::string& message);

  const std::vector<std::string>& include_dirs_;
  SourceErrorSink sink_;
  std::vector<std::string> files_;
  std::vector<SourceLine> lines_;
  std::vector<std::string> active_;  // files being read right now, outermost first (the cycle check)
  std::set<std::string> included_;
  bool stop_ = false;
};

}  // namespace pairsim::guest
