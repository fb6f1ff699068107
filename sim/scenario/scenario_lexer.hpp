#pragma once
// Splits scenario source into statements (one a line) and tokens: words and "strings".
// `#` starts a comment outside a string. Columns are 1-based byte columns.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pairsim::sim {

struct ScenarioToken {
  std::string text;  // a word as written; a string's contents with escapes resolved
  int col = 0;       // first character (the opening quote of a string)
  int end_col = 0;   // one past the last character
  bool is_string = false;
};

struct ScenarioLine {
  int number = 0;
  std::string text;  // the statement, trimmed, without its comment
  std::vector<ScenarioToken> tokens;
  // A lexical error (unterminated string, unknown escape); tokens before it are kept.
  std::optional<std::pair<int, std::string>> error;  // column, message
};

struct ScenarioSource {
  std::vector<ScenarioLine> lines;  // only lines with a statement or an error
  int line_count = 0;
};

ScenarioSource split_scenario(std::string_view source);

// A token as a message shows it: quoted, control bytes escaped, long ones shortened.
std::string quote_token(std::string_view text);

}  // namespace pairsim::sim
