#include "guest/source_reader.hpp"

#include <filesystem>

#include "guest/text_file.hpp"

namespace pairsim::guest {
namespace {

namespace fs = std::filesystem;

std::string quote(const std::string& s) {
  return "'" + s + "'";
}

}  // namespace

void SourceReader::read_file(const std::string& path) {
  include(path, nullptr, 0);
}

void SourceReader::read_string(const std::string& text, const std::string& name) {
  active_.push_back(name);
  load(name, text);
  active_.pop_back();
}

void SourceReader::error_in(const SourceLine& at, int col, const std::string& message) {
  const std::size_t order = lines_.empty() ? 0 : lines_.size() - 1;  // the line being read
  if (!stop_ && !sink_(order, files_[at.file], at.line, col, message)) stop_ = true;
}

void SourceReader::include(const std::string& path, const SourceLine* from, int from_col) {
  std::error_code ec;
  fs::path canon = fs::weakly_canonical(fs::path(path), ec);
  if (ec) canon = fs::path(path);
  const std::string key = canon.string();
  for (const auto& active : active_) {
    if (active == key) {
      std::string chain;
      for (const auto& a : active_) chain += fs::path(a).filename().string() + " -> ";
      chain += fs::path(key).filename().string();
      error_in(*from, from_col, "include cycle: " + chain);
      return;
    }
  }
  if (included_.count(key) != 0) return;
  if (active_.size() >= 32) {
    error_in(*from, from_col, "includes are nested more than 32 deep");
    return;
  }
  std::string text, why;
  if (!read_whole_file(path, text, why)) {
    if (from != nullptr)
      error_in(*from, from_col, "cannot read include file " + quote(path) + ": " + why);
    else if (!stop_)
      stop_ = !sink_(0, path, 1, 1, "cannot read " + quote(path) + ": " + why);
    return;
  }
  included_.insert(key);
  active_.push_back(key);
  load(path, plain_source(std::move(text)));
  active_.pop_back();
}

void SourceReader::load(const std::string& file, const std::string& text) {
  const int file_index = static_cast<int>(files_.size());
  files_.push_back(file);
  std::size_t start = 0;
  int line_no = 0;
  while (start <= text.size() && !stop_) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    ++line_no;
    if (end == text.size() && start == end && line_no > 1) break;  // no phantom line after the last newline
    SourceLine sl;
    sl.file = file_index;
    sl.line = line_no;
    sl.text = text.substr(start, end - start);
    LexError lex;
    sl.lexed = tokenize(sl.text, sl.tokens, lex);
    // `include:` is a label, not an include line.
    sl.is_include = sl.lexed && !sl.tokens.empty() && sl.tokens[0].kind == Token::Kind::identifier &&
                    sl.tokens[0].text == "include" && (sl.tokens.size() < 2 || !is_punct(sl.tokens[1], ':'));
    const std::size_t index = lines_.size();
    lines_.push_back(std::move(sl));
    if (!lines_[index].lexed) error_in(lines_[index], lex.col, lex.message);
    if (lines_[index].is_include) follow_include(index, file);
    start = end + 1;
  }
}

void SourceReader::follow_include(std::size_t index, const std::string& file) {
  const SourceLine from = lines_[index];  // a copy: lines_ grows while the include is read
  const auto& toks = from.tokens;
  if (toks.size() < 2 || toks[1].kind != Token::Kind::string) {
    error_in(from, toks.size() < 2 ? toks[0].col : toks[1].col,
             "missing operand: include needs a file name in double quotes");
    return;
  }
  if (toks.size() > 2) {
    error_in(from, toks[2].col, "unexpected " + token_text(toks[2]) + " after the include file name");
    return;
  }
  const std::string& name = toks[1].text;
  std::vector<fs::path> candidates;
  if (fs::path(name).is_absolute()) {
    candidates.push_back(name);
  } else {
    const fs::path dir = fs::path(file).parent_path();
    candidates.push_back(dir.empty() ? fs::path(name) : dir / name);
    for (const auto& d : include_dirs_) candidates.push_back(fs::path(d) / name);
  }
  for (const auto& c : candidates) {
    std::error_code ec;
    if (fs::is_regular_file(c, ec)) {
      include(c.string(), &from, toks[1].col);
      return;
    }
  }
  std::string searched;
  for (const auto& c : candidates) {
    const std::string dir = c.parent_path().string();
    searched += (searched.empty() ? "" : ", ") + (dir.empty() ? std::string(".") : dir);
  }
  error_in(from, toks[1].col, "include file " + quote(name) + " not found (searched: " + searched + ")");
}

}  // namespace pairsim::guest
