#include "guest/lexer.hpp"

#include <cstdio>

namespace pairsim::guest {

bool is_identifier_start(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '.';
}
bool is_identifier_char(char c) {
  return is_identifier_start(c) || (c >= '0' && c <= '9');
}

std::string token_text(const Token& t) {
  if (t.kind == Token::Kind::string) return "string \"" + t.text + "\"";
  return "'" + t.text + "'";
}

namespace {

constexpr std::int64_t kMaxLiteral = 0xFFFFFFFFll;  // a word holds 32 bits

std::string describe_char(char c) {
  const auto u = static_cast<unsigned char>(c);
  char buf[32];
  if (u >= 0x21 && u < 0x7F)
    std::snprintf(buf, sizeof buf, "'%c'", c);
  else
    std::snprintf(buf, sizeof buf, "byte 0x%02X", u);
  return buf;
}

// Decodes the escape after a backslash at line[i]; i moves past it.
bool decode_escape(std::string_view line, std::size_t& i, char& out, LexError& error) {
  const int col = static_cast<int>(i) + 1;  // column of the backslash
  ++i;
  if (i >= line.size()) {
    error = {col, "backslash at end of line"};
    return false;
  }
  switch (line[i]) {
    case 'n':
      out = '\n';
      break;
    case 't':
      out = '\t';
      break;
    case 'r':
      out = '\r';
      break;
    case '0':
      out = '\0';
      break;
    case '\\':
      out = '\\';
      break;
    case '"':
      out = '"';
      break;
    case '\'':
      out = '\'';
      break;
    default:
      error = {col,
               "bad escape '\\" + std::string(1, line[i]) + "'; the escapes are \\n \\t \\r \\0 \\\\ \\\" and \\'"};
      if (static_cast<unsigned char>(line[i]) < 0x20 || static_cast<unsigned char>(line[i]) >= 0x7F)
        error.message = "bad escape: backslash followed by " + describe_char(line[i]);
      return false;
  }
  ++i;
  return true;
}

}  // namespace

bool tokenize(std::string_view line, std::vector<Token>& out, LexError& error) {
  out.clear();
  std::size_t i = 0;
  while (i < line.size()) {
    const char c = line[i];
    const int col = static_cast<int>(i) + 1;
    if (c == ' ' || c == '\t' || c == '\r') {
      ++i;
    } else if (c == ';') {
      break;
    } else if (is_identifier_start(c)) {
      std::size_t j = i;
      while (j < line.size() && is_identifier_char(line[j])) ++j;
      out.push_back({Token::Kind::identifier, col, std::string(line.substr(i, j - i)), 0});
      i = j;
    } else if (c >= '0' && c <= '9') {
      std::size_t j = i;
      int radix = 10;
      if (c == '0' && j + 1 < line.size() && (line[j + 1] == 'x' || line[j + 1] == 'X')) {
        radix = 16;
        j += 2;
      }
      const std::size_t digits_start = j;
      std::int64_t value = 0;
      bool too_large = false;
      while (j < line.size() && is_identifier_char(line[j])) {
        const char d = line[j];
        int digit = -1;
        if (d >= '0' && d <= '9')
          digit = d - '0';
        else if (radix == 16 && d >= 'a' && d <= 'f')
          digit = d - 'a' + 10;
        else if (radix == 16 && d >= 'A' && d <= 'F')
          digit = d - 'A' + 10;
        if (digit < 0) {
          error = {static_cast<int>(j) + 1, "bad digit " + describe_char(d) + " in number"};
          return false;
        }
        if (!too_large) {
          value = value * radix + digit;
          if (value > kMaxLiteral) too_large = true;
        }
        ++j;
      }
      if (j == digits_start) {
        error = {col, "'0x' must be followed by hexadecimal digits"};
        return false;
      }
      if (too_large) {
        error = {col, "number " + std::string(line.substr(i, j - i)) +
                          " is too large; a word holds 32 bits (at most 0xFFFFFFFF)"};
        return false;
      }
      out.push_back({Token::Kind::number, col, std::string(line.substr(i, j - i)), value});
      i = j;
    } else if (c == '\'') {
      std::size_t j = i + 1;
      char ch = 0;
      if (j >= line.size()) {
        error = {col, "unterminated character constant"};
        return false;
      }
      if (line[j] == '\'') {
        error = {col, "empty character constant"};
        return false;
      }
      if (line[j] == '\\') {
        if (!decode_escape(line, j, ch, error)) return false;
      } else {
        ch = line[j++];
      }
      if (j >= line.size() || line[j] != '\'') {
        error = {col, "unterminated character constant (a character constant holds one character)"};
        return false;
      }
      out.push_back({Token::Kind::number, col, std::string(line.substr(i, j + 1 - i)), static_cast<unsigned char>(ch)});
      i = j + 1;
    } else if (c == '"') {
      std::string text;
      std::size_t j = i + 1;
      bool closed = false;
      while (j < line.size()) {
        if (line[j] == '"') {
          closed = true;
          ++j;
          break;
        }
        if (line[j] == '\\') {
          char ch = 0;
          if (!decode_escape(line, j, ch, error)) {
            if (error.message == "backslash at end of line") error = {col, "unterminated string"};
            return false;
          }
          text.push_back(ch);
        } else {
          text.push_back(line[j++]);
        }
      }
      if (!closed) {
        error = {col, "unterminated string"};
        return false;
      }
      out.push_back({Token::Kind::string, col, std::move(text), 0});
      i = j;
    } else if (c == ':' || c == ',' || c == '(' || c == ')' || c == '+' || c == '-' || c == '*') {
      out.push_back({Token::Kind::punct, col, std::string(1, c), 0});
      ++i;
    } else {
      error = {col, "unexpected character " + describe_char(c)};
      return false;
    }
  }
  return true;
}

}  // namespace pairsim::guest
