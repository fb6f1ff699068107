#include "sim/run/colour.hpp"

#include <unistd.h>

#include <cstdlib>

namespace pairsim::sim {

namespace {

ColourMode mode_ = ColourMode::auto_;

const char* const green = "\x1b[32m";
const char* const red = "\x1b[31m";
const char* const yellow = "\x1b[33m";
const char* const bold_red = "\x1b[1;31m";
const char* const reset = "\x1b[0m";

void replace_all(std::string& s, const std::string& from, const std::string& to) {
  for (std::size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size()))
    s.replace(at, from.size(), to);
}

}  // namespace

bool parse_colour_mode(const std::string& word, ColourMode& mode) {
  if (word == "never") mode = ColourMode::never;
  else if (word == "auto") mode = ColourMode::auto_;
  else if (word == "always") mode = ColourMode::always;
  else return false;
  return true;
}

void set_colour_mode(ColourMode mode) {
  mode_ = mode;
}

bool colour_on(int fd) {
  if (mode_ == ColourMode::always) return true;
  if (mode_ == ColourMode::never) return false;
  const char* no_colour = std::getenv("NO_COLOR");
  if (no_colour != nullptr && *no_colour != '\0') return false;
  const char* term = std::getenv("TERM");
  if (term != nullptr && std::string(term) == "dumb") return false;
  return isatty(fd) == 1;
}

std::string colour_report(const std::string& text) {
  std::string s = text;
  replace_all(s, "✓", std::string(green) + "✓" + reset);
  replace_all(s, "✗", std::string(red) + "✗" + reset);
  replace_all(s, "FAILED", std::string(red) + "FAILED" + reset);
  replace_all(s, "warning:", std::string(yellow) + "warning:" + reset);
  return s;
}

std::string error_word(int fd) {
  return colour_on(fd) ? std::string(bold_red) + "error" + reset : std::string("error");
}

}  // namespace pairsim::sim
