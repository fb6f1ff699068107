#include "guest/ptal_lexer.hpp"

namespace pairsim::guest::ptal {

namespace {

bool ident_start(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
bool ident_char(char c) {
  return ident_start(c) || (c >= '0' && c <= '9');
}
bool digit(char c) {
  return c >= '0' && c <= '9';
}
int hex_value(char c) {
  if (digit(c)) return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Two-character operators, longest match first.
constexpr std::string_view kPairs[] = {"==", "!=", "<=", ">=", "<<", ">>", "&&", "||", "..", "+=", "-="};
constexpr std::string_view kSingles = "+-*/%&|^~!<>=(){}[];:,.";

class Lexer {
 public:
  Lexer(std::string_view s, std::vector<LexError>& errors) : s_(s), errors_(errors) {}

  std::vector<Token> run() {
    std::vector<Token> out;
    while (true) {
      skip_space();
      Token t;
      t.line = line_;
      t.col = col();
      if (i_ >= s_.size()) {
        t.kind = Token::Kind::end;
        out.push_back(t);
        return out;
      }
      const char c = s_[i_];
      if (ident_start(c)) {
        std::size_t j = i_;
        while (j < s_.size() && ident_char(s_[j])) ++j;
        t.kind = Token::Kind::identifier;
        t.text = std::string(s_.substr(i_, j - i_));
        i_ = j;
      } else if (digit(c)) {
        if (!number(t)) continue;
      } else if (c == '"') {
        if (!string(t)) continue;
      } else if (c == '\'') {
        if (!character(t)) continue;
      } else if (!punct(t)) {
        const unsigned char u = static_cast<unsigned char>(c);
        error(t.col, u >= 0x20 && u < 0x7F ? "unexpected character '" + std::string(1, c) + "'"
                                           : "unexpected byte " + std::to_string(u) + " (ptal source is ASCII)");
        ++i_;
        continue;
      }
      out.push_back(std::move(t));
    }
  }

 private:
  int col() const { return static_cast<int>(i_ - line_start_) + 1; }
  void error(int c, std::string m) { errors_.push_back(LexError{line_, c, std::move(m)}); }

  void skip_space() {
    while (i_ < s_.size()) {
      const char c = s_[i_];
      if (c == '\n') {
        ++i_;
        ++line_;
        line_start_ = i_;
      } else if (c == ' ' || c == '\t' || c == '\r') {
        ++i_;
      } else if (c == '/' && i_ + 1 < s_.size() && s_[i_ + 1] == '/') {
        while (i_ < s_.size() && s_[i_] != '\n') ++i_;
      } else {
        return;
      }
    }
  }

  bool number(Token& t) {
    std::size_t j = i_;
    std::uint64_t v = 0;
    bool too_big = false;
    if (s_[j] == '0' && j + 1 < s_.size() && (s_[j + 1] == 'x' || s_[j + 1] == 'X')) {
      j += 2;
      const std::size_t first = j;
      while (j < s_.size() && hex_value(s_[j]) >= 0) {
        v = v * 16 + static_cast<std::uint64_t>(hex_value(s_[j++]));
        if (v > 0xFFFFFFFFull) too_big = true, v = 0xFFFFFFFFull + 1;
      }
      if (j == first) {
        error(t.col, "'0x' needs hexadecimal digits after it");
        i_ = j;
        return false;
      }
    } else {
      while (j < s_.size() && digit(s_[j])) {
        v = v * 10 + static_cast<std::uint64_t>(s_[j++] - '0');
        if (v > 0xFFFFFFFFull) too_big = true, v = 0xFFFFFFFFull + 1;
      }
    }
    const std::string text(s_.substr(i_, j - i_));
    if (j < s_.size() && ident_char(s_[j])) {
      while (j < s_.size() && ident_char(s_[j])) ++j;
      error(t.col, "'" + std::string(s_.substr(i_, j - i_)) + "' is not a number; names start with a letter");
      i_ = j;
      return false;
    }
    i_ = j;
    if (too_big) {
      error(t.col, "number " + text + " is too large; a word holds 32 bits (at most 4294967295)");
      return false;
    }
    t.kind = Token::Kind::number;
    t.text = text;
    t.value = static_cast<std::int64_t>(v);
    return true;
  }

  // One character of a string or character constant, escapes decoded; false at a bad escape.
  bool one_char(char& out) {
    char c = s_[i_++];
    if (c != '\\') {
      out = c;
      return true;
    }
    if (i_ >= s_.size() || s_[i_] == '\n') {
      error(col(), "a backslash at the end of the line; the escapes are \\n \\t \\r \\0 \\\\ \\\" and \\'");
      return false;
    }
    c = s_[i_++];
    switch (c) {
      case 'n':
        out = '\n';
        return true;
      case 't':
        out = '\t';
        return true;
      case 'r':
        out = '\r';
        return true;
      case '0':
        out = '\0';
        return true;
      case '\\':
        out = '\\';
        return true;
      case '"':
        out = '"';
        return true;
      case '\'':
        out = '\'';
        return true;
      default:
        error(col() - 2, std::string("bad escape '\\") +
                             (static_cast<unsigned char>(c) >= 0x20 ? std::string(1, c) : "?") +
                             "'; the escapes are \\n \\t \\r \\0 \\\\ \\\" and \\'");
        return false;
    }
  }

  bool string(Token& t) {
    ++i_;
    std::string text;
    bool ok = true;
    while (true) {
      if (i_ >= s_.size() || s_[i_] == '\n') {
        error(t.col, "unterminated string: add the closing '\"' on the same line");
        return false;
      }
      if (s_[i_] == '"') {
        ++i_;
        break;
      }
      char c = 0;
      if (one_char(c))
        text += c;
      else
        ok = false;
    }
    if (!ok) return false;
    t.kind = Token::Kind::string;
    t.text = std::move(text);
    return true;
  }

  bool character(Token& t) {
    ++i_;
    char c = 0;
    if (i_ >= s_.size() || s_[i_] == '\n' || s_[i_] == '\'') {
      error(t.col, "a character constant needs one character between quotes, like 'A'");
      if (i_ < s_.size() && s_[i_] == '\'') ++i_;
      return false;
    }
    const bool ok = one_char(c);
    if (i_ >= s_.size() || s_[i_] != '\'') {
      error(t.col, "unterminated character constant: add the closing quote");
      return false;
    }
    ++i_;
    if (!ok) return false;
    t.kind = Token::Kind::number;
    t.text = "'" + std::string(1, c) + "'";
    t.value = static_cast<unsigned char>(c);
    return true;
  }

  bool punct(Token& t) {
    const std::string_view rest = s_.substr(i_);
    for (auto p : kPairs)
      if (rest.substr(0, 2) == p) {
        t.kind = Token::Kind::punct;
        t.text = std::string(p);
        i_ += 2;
        return true;
      }
    if (kSingles.find(s_[i_]) == std::string_view::npos) return false;
    t.kind = Token::Kind::punct;
    t.text = std::string(1, s_[i_++]);
    return true;
  }

  std::string_view s_;
  std::vector<LexError>& errors_;
  std::size_t i_ = 0;
  std::size_t line_start_ = 0;
  int line_ = 1;
};

}  // namespace

std::vector<Token> lex(std::string_view source, std::vector<LexError>& errors) {
  return Lexer(source, errors).run();
}

std::string describe(const Token& t) {
  switch (t.kind) {
    case Token::Kind::end:
      return "the end of the file";
    case Token::Kind::string:
      return "string \"" + t.text + "\"";
    default:
      return "'" + t.text + "'";
  }
}

}  // namespace pairsim::guest::ptal
