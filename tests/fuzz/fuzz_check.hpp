#pragma once
// What every harness reports when a property fails: the sentence, then abort(), which libFuzzer records as
// a crash and saves the input for (crash-<sha1> in the artifact folder).
#include <cstdio>
#include <cstdlib>
#include <string>

namespace pairsim::fuzz {

[[noreturn]] inline void fail(const std::string& what) {
  std::fprintf(stderr, "\n==fuzz== property failed: %s\n", what.c_str());
  std::fflush(stderr);
  std::abort();
}

inline void require(bool ok, const std::string& what) {
  if (!ok) fail(what);
}

// Lines in `text` as an editor counts them (a last line without '\n' counts; an empty text has one).
inline int count_lines(const std::string& text) {
  int lines = 1;
  for (char c : text) lines += c == '\n';
  return lines;
}

// The length of line `line` (1-based) of `text`, without its '\n'; -1 when there is no such line.
inline long line_length(const std::string& text, int line) {
  std::size_t start = 0;
  for (int l = 1; l < line; ++l) {
    start = text.find('\n', start);
    if (start == std::string::npos) return -1;
    ++start;
  }
  const std::size_t end = text.find('\n', start);
  return static_cast<long>((end == std::string::npos ? text.size() : end) - start);
}

// A message's location must be one an editor can go to: line 1..lines, column 1..length+1 of that line
// (one past the end names a missing token at the line's end).
inline void require_location(const std::string& text, const std::string& name, const std::string& file, int line,
                             int col, const std::string& message, const std::string& shown) {
  require(!message.empty(), "a message with no text: '" + shown + "'");
  require(!file.empty(), "a message names no file: '" + shown + "'");
  if (file != name) return;  // an included file: its text is not at hand
  require(line >= 1 && line <= count_lines(text), "line out of the text: '" + shown + "'");
  require(col >= 1 && col <= line_length(text, line) + 1, "column out of its line: '" + shown + "'");
  const std::string prefix = name + ":" + std::to_string(line) + ":" + std::to_string(col) + ": ";
  require(shown.rfind(prefix, 0) == 0, "a message not shown as FILE:LINE:COL: '" + shown + "'");
}

}  // namespace pairsim::fuzz
