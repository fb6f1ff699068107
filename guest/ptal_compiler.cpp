#include "guest/ptal_compiler.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "guest/ptal_codegen.hpp"
#include "guest/ptal_lexer.hpp"
#include "guest/ptal_parser.hpp"
#include "guest/text_file.hpp"

namespace pairsim::guest::ptal {

namespace fs = std::filesystem;

std::string CompileMessage::str() const {
  return file + ":" + std::to_string(line) + ":" + std::to_string(col) + (warning ? ": warning: " : ": error: ") + text;
}

bool is_ptal_path(const std::string& path) {
  return path.size() > 5 && path.compare(path.size() - 5, 5, ".ptal") == 0;
}

namespace {

bool read_text(const std::string& path, std::string& text, std::string* why = nullptr) {
  std::string reason;
  if (!read_whole_file(path, text, reason)) {
    if (why) *why = reason;
    return false;
  }
  text = plain_source(std::move(text));
  return true;
}

class Compilation {
 public:
  explicit Compilation(const std::vector<std::string>& include_dirs) : include_dirs_(include_dirs) {}

  Compiled run(const std::string& source, const std::string& name) {
    add(source, name);
    Compiled c;
    if (errors_ == 0) {
      Generated g = generate(unit_, files_);
      for (auto& m : g.messages) note(m.at, m.warning, m.text);
      c.assembly = std::move(g.assembly);
      c.line_map = std::move(g.lines);
    }
    std::stable_sort(messages_.begin(), messages_.end(), [](const auto& a, const auto& b) {
      if (a.first.file != b.first.file) return a.first.file < b.first.file;
      if (a.first.line != b.first.line) return a.first.line < b.first.line;
      return a.first.col < b.first.col;
    });
    for (auto& [at, m] : messages_) c.messages.push_back(std::move(m));
    c.ok = errors_ == 0;
    if (!c.ok) {
      c.assembly.clear();
      c.line_map.clear();
    }
    return c;
  }

 private:
  void note(Place at, bool warning, std::string text) {
    if (!warning) ++errors_;
    CompileMessage m;
    m.file = at.file >= 0 && static_cast<std::size_t>(at.file) < files_.size()
                 ? files_[static_cast<std::size_t>(at.file)]
                 : "?";
    m.line = at.line;
    m.col = at.col;
    m.warning = warning;
    m.text = std::move(text);
    messages_.emplace_back(at, std::move(m));
  }

  void add(const std::string& source, const std::string& name) {
    const int file = static_cast<int>(files_.size());
    files_.push_back(name);
    std::vector<LexError> lex_errors;
    auto tokens = lex(source, lex_errors);
    for (auto& e : lex_errors) note(Place{file, e.line, e.col}, false, e.message);
    std::vector<SyntaxError> syntax;
    Unit u = parse(tokens, file, syntax);
    for (auto& e : syntax) note(e.at, false, e.message);
    for (auto& d : u.decls) unit_.decls.push_back(std::move(d));
    for (const auto& inc : u.includes) include(inc, name);
  }

  void include(const Include& inc, const std::string& from) {
    std::vector<std::string> tried;
    std::vector<std::string> candidates;
    if (fs::path(inc.file).is_absolute()) {
      candidates.push_back(inc.file);
    } else {
      candidates.push_back((fs::path(from).parent_path() / inc.file).string());
      for (const auto& d : include_dirs_) candidates.push_back((fs::path(d) / inc.file).string());
    }
    for (const auto& c : candidates) {
      std::string text;
      if (!read_text(c, text)) {
        tried.push_back(fs::path(c).parent_path().string().empty() ? "." : fs::path(c).parent_path().string());
        continue;
      }
      std::error_code ec;
      const std::string key = fs::weakly_canonical(c, ec).string();
      if (!seen_.insert(key).second) return;  // each file once
      if (files_.size() >= 64) {
        note(inc.at, false, "too many included files (at most 64)");
        return;
      }
      add(text, c);
      return;
    }
    std::string where;
    for (const auto& t : tried) where += (where.empty() ? "" : ", ") + t;
    note(inc.at, false, "include file '" + inc.file + "' not found (searched: " + where + ")");
  }

  const std::vector<std::string>& include_dirs_;
  std::vector<std::string> files_;
  std::set<std::string> seen_;
  Unit unit_;
  std::vector<std::pair<Place, CompileMessage>> messages_;
  int errors_ = 0;
};

// The assembler's listing, with each ptal line shown above the rows made from it.
std::string ptal_listing(const std::string& asm_listing, const std::vector<int>& line_map, const std::string& source) {
  std::vector<std::string> src;
  {
    std::istringstream in(source);
    std::string l;
    while (std::getline(in, l)) src.push_back(l);
  }
  std::istringstream in(asm_listing);
  std::string row, out;
  int shown = 0;
  while (std::getline(in, row)) {
    if (row.rfind("; file", 0) == 0) continue;
    int asm_line = 0;
    try {
      asm_line = std::stoi(row.substr(0, 5));
    } catch (...) {
      asm_line = 0;
    }
    const int p = asm_line > 0 && static_cast<std::size_t>(asm_line) < line_map.size()
                      ? line_map[static_cast<std::size_t>(asm_line)]
                      : 0;
    if (p > shown && static_cast<std::size_t>(p) <= src.size()) {
      for (int k = shown + 1; k <= p; ++k)
        out += "; " + std::to_string(k) + ": " + src[static_cast<std::size_t>(k - 1)] + "\n";
      shown = p;
    }
    out += row + "\n";
  }
  return out;
}

}  // namespace

Compiled compile_string(const std::string& source, const std::string& name,
                        const std::vector<std::string>& include_dirs) {
  try {
    return Compilation(include_dirs).run(source, name);
  } catch (const std::exception& e) {
    Compiled c;
    c.messages.push_back(CompileMessage{name, 1, 1, false, std::string("internal compiler error: ") + e.what()});
    return c;
  }
}

Compiled compile_file(const std::string& path, const std::vector<std::string>& include_dirs) {
  std::string text, why;
  if (!read_text(path, text, &why)) {
    Compiled c;
    c.messages.push_back(CompileMessage{path, 0, 0, false, "cannot read the file: " + why});
    return c;
  }
  return compile_string(text, path, include_dirs);
}

AssembleResult build_string(const std::string& source, const std::string& name,
                            const std::vector<std::string>& include_dirs, bool want_listing,
                            std::vector<std::string>* warnings) {
  AssembleResult r;
  Compiled c = compile_string(source, name, include_dirs);
  for (const auto& m : c.messages) {
    if (m.warning) {
      if (warnings) warnings->push_back(m.str());
    } else {
      r.errors.push_back(Diagnostic{m.file, m.line, m.col, m.text});
    }
  }
  if (!c.ok) return r;
  AssembleResult a = assemble_string(c.assembly, name + ".pasm", {}, want_listing);
  if (!a.program) {
    // The compiler made assembly the assembler refused: a compiler bug, reported at the ptal line.
    for (const auto& d : a.errors) {
      const int p = d.line > 0 && static_cast<std::size_t>(d.line) < c.line_map.size()
                        ? c.line_map[static_cast<std::size_t>(d.line)]
                        : 0;
      r.errors.push_back(Diagnostic{
          name, p, 1, "internal compiler error: the generated assembly does not assemble (" + d.message + ")"});
    }
    return r;
  }
  for (auto& l : a.program->code_lines) l = l < c.line_map.size() ? static_cast<std::uint32_t>(c.line_map[l]) : 0;
  a.program->source = name;
  if (want_listing) a.listing = ptal_listing(a.listing, c.line_map, source);
  return a;
}

AssembleResult build_file(const std::string& path, const std::vector<std::string>& include_dirs, bool want_listing,
                          std::vector<std::string>* warnings) {
  std::string text, why;
  if (!read_text(path, text, &why)) {
    AssembleResult r;
    r.errors.push_back(Diagnostic{path, 0, 0, "cannot read the file: " + why});
    return r;
  }
  return build_string(text, path, include_dirs, want_listing, warnings);
}

}  // namespace pairsim::guest::ptal
