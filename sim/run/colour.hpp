#pragma once
// Colour on a terminal: `--color=never|auto|always` (any command), and the NO_COLOR convention
// (https://no-color.org: a non-empty NO_COLOR turns colour off unless --color=always asks for it). With
// auto, a stream gets colour only when it is a terminal. Colour never reaches a file or a pipe by default,
// so reports that tests and scripts read stay plain.
#include <string>

namespace pairsim::sim {

enum class ColourMode { never, auto_, always };

// From "never", "auto" or "always"; false for anything else.
bool parse_colour_mode(const std::string& word, ColourMode& mode);
void set_colour_mode(ColourMode mode);
// Whether what goes to the file descriptor `fd` (1 standard output, 2 standard error) is coloured.
bool colour_on(int fd);

// A report with its verdict marks coloured: ✓ green, ✗ and FAILED red, warnings yellow.
std::string colour_report(const std::string& text);
// "error" in red and bold, for the start of an error line.
std::string error_word(int fd);

}  // namespace pairsim::sim
