#pragma once
// Splits ptal source (docs/language.md) into tokens. Unlike the assembler's lexer it works on the whole
// file, because a ptal statement may span lines; every token keeps its line and column for messages.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace pairsim::guest::ptal {

struct Token {
  enum class Kind : std::uint8_t { identifier, number, string, punct, end };
  Kind kind = Kind::end;
  int line = 0;
  int col = 0;
  std::string text;        // identifier, decoded string, or the punctuation ("==", "{", ...)
  std::int64_t value = 0;  // number or character constant
};

struct LexError {
  int line = 0;
  int col = 0;
  std::string message;
};

// The tokens of `source`, always ending with one Kind::end token. Bad characters are reported in
// `errors` and skipped, so the parser still sees the rest.
std::vector<Token> lex(std::string_view source, std::vector<LexError>& errors);

// How a token is named in an error message: 'name', '5', "text", end of file.
std::string describe(const Token& t);

}  // namespace pairsim::guest::ptal
