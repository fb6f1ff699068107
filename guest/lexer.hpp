#pragma once
// Splits one line of assembly source into tokens. The assembler works line by line, so a token never
// spans lines and every error has the line it belongs to; the lexer supplies the column.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace pairsim::guest {

struct Token {
  enum class Kind : std::uint8_t { identifier, number, string, punct };
  Kind kind = Kind::punct;
  int col = 0;             // 1-based column of the token's first character
  std::string text;        // identifier name, decoded string contents, or the punctuation character
  std::int64_t value = 0;  // number or character constant
};

struct LexError {
  int col = 0;
  std::string message;
};

// Tokens of `line` (a `;` comment ends it). Returns false and fills `error` at the first bad character.
bool tokenize(std::string_view line, std::vector<Token>& out, LexError& error);

bool is_identifier_start(char c);
// True for a punctuation token of character c.
inline bool is_punct(const Token& t, char c) {
  return t.kind == Token::Kind::punct && t.text[0] == c;
}
// How a token is named in an error message: 'name', '5', string "text".
std::string token_text(const Token& t);
bool is_identifier_char(char c);

}  // namespace pairsim::guest
