#include "sim/scenario/scenario_lexer.hpp"

#include <cstdio>

namespace pairsim::sim {
namespace {

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

ScenarioLine split_line(std::string_view line, int number) {
  ScenarioLine out;
  out.number = number;
  std::size_t i = 0;
  std::size_t text_end = 0;  // one past the last character of the last token
  std::size_t text_begin = std::string_view::npos;
  while (i < line.size()) {
    char c = line[i];
    if (is_space(c)) {
      ++i;
      continue;
    }
    if (c == '#') break;
    ScenarioToken tok;
    tok.col = static_cast<int>(i) + 1;
    if (c == '"') {
      tok.is_string = true;
      std::size_t j = i + 1;
      bool closed = false;
      while (j < line.size()) {
        char d = line[j];
        if (d == '"') {
          closed = true;
          break;
        }
        if (d == '\\') {
          char e = j + 1 < line.size() ? line[j + 1] : '\0';
          switch (e) {
            case '\\':
              tok.text += '\\';
              break;
            case '"':
              tok.text += '"';
              break;
            case 'n':
              tok.text += '\n';
              break;
            case 't':
              tok.text += '\t';
              break;
            default:
              out.error = {{static_cast<int>(j) + 1, "unknown escape " +
                                                         quote_token(line.substr(j, j + 1 < line.size() ? 2 : 1)) +
                                                         " in a string (use \\\\, \\\", \\n or \\t)"}};
              return out;
          }
          j += 2;
          continue;
        }
        tok.text += d;
        ++j;
      }
      if (!closed) {
        out.error = {{tok.col, "unterminated string: add the closing \" on the same line"}};
        return out;
      }
      i = j + 1;
    } else {
      std::size_t j = i;
      while (j < line.size() && !is_space(line[j]) && line[j] != '#' && line[j] != '"') ++j;
      tok.text = std::string(line.substr(i, j - i));
      i = j;
    }
    tok.end_col = static_cast<int>(i) + 1;
    if (text_begin == std::string_view::npos) text_begin = static_cast<std::size_t>(tok.col - 1);
    text_end = i;
    out.tokens.push_back(std::move(tok));
  }
  if (text_begin != std::string_view::npos) out.text = std::string(line.substr(text_begin, text_end - text_begin));
  return out;
}

}  // namespace

ScenarioSource split_scenario(std::string_view source) {
  ScenarioSource out;
  std::size_t start = 0;
  int number = 0;
  while (start < source.size()) {
    std::size_t end = source.find('\n', start);
    if (end == std::string_view::npos) end = source.size();
    ++number;
    ScenarioLine line = split_line(source.substr(start, end - start), number);
    if (!line.tokens.empty() || line.error) out.lines.push_back(std::move(line));
    start = end + 1;
  }
  out.line_count = number;
  return out;
}

std::string quote_token(std::string_view text) {
  constexpr std::size_t max_shown = 40;
  std::string out = "'";
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (i == max_shown) {
      out += "...";
      break;
    }
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c < 0x20 || c == 0x7F) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02X", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "'";
}

}  // namespace pairsim::sim
