#pragma once
// The ptal parser: tokens to a syntax tree (guest/ptal_ast.hpp). The grammar is in docs/language.md.
// It reports every syntax error it can (it skips to the next statement after one) and never throws.
#include <string>
#include <vector>

#include "guest/ptal_ast.hpp"
#include "guest/ptal_lexer.hpp"

namespace pairsim::guest::ptal {

struct SyntaxError {
  Place at;
  std::string message;
};

Unit parse(const std::vector<Token>& tokens, int file, std::vector<SyntaxError>& errors);

}  // namespace pairsim::guest::ptal
