#include "guest/assembler.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <map>
#include <set>

#include "guest/isa.hpp"
#include "guest/lexer.hpp"
#include "guest/source_reader.hpp"

namespace pairsim::guest {

std::string Diagnostic::str() const {
  // A diagnostic about a whole file (an object file, an unreadable file) has no line.
  if (line <= 0) return file + ": error: " + message;
  return file + ":" + std::to_string(line) + ":" + std::to_string(col) + ": error: " + message;
}

namespace {

enum class Section : std::uint8_t { code, data };

struct Statement {
  enum class Kind : std::uint8_t { instruction, word, space, string, stack, entry };
  Kind kind = Kind::instruction;
  std::size_t line = 0;  // index into lines_
  std::size_t arg = 0;   // token index of the first operand
  int col = 0;           // column of the mnemonic or directive
  const OpInfo* info = nullptr;
  std::string scope;
  Section section = Section::code;
  std::uint64_t address = 0;
  std::uint64_t size = 0;  // words
};

struct Symbol {
  enum class Kind : std::uint8_t { code_label, data_label, constant };
  Kind kind = Kind::constant;
  std::int64_t value = 0;
  bool known = false;
  bool evaluating = false;
  std::size_t line = 0;  // definition
  int col = 0;
  std::size_t expr = 0;  // constants: token index of the defining expression
  std::string scope;
};

// How names in an expression are resolved: only checked for syntax (pass 1, sizes do not depend on them),
// resolved to what is defined so far (sizes that do depend on them), or fully (pass 2).
enum class Mode : std::uint8_t { syntax, early, full };

std::string quote(const std::string& s) {
  return "'" + s + "'";
}

class Assembler {
 public:
  Assembler(const std::vector<std::string>& include_dirs, bool want_listing)
      : include_dirs_(include_dirs), want_listing_(want_listing) {}

  AssembleResult assemble(const std::string& name, const std::string* text) {
    SourceReader reader(include_dirs_, [this](std::size_t order, const std::string& file, int line, int col,
                                              const std::string& message) {
      error_at(file, line, col, message, order);
      return !too_many_;
    });
    if (text != nullptr)
      reader.read_string(*text, name);
    else
      reader.read_file(name);
    files_ = reader.take_files();
    lines_ = reader.take_lines();
    if (!too_many_) pass1();
    // Pass 2 runs even after pass-1 errors: labels of failed lines are still defined, so undefined names
    // and ranges are reported in the same run instead of one round at a time.
    if (!too_many_) pass2();
    sort_errors();
    if (result_.errors.empty()) {
      program_.source = name;
      if (want_listing_) make_listing();
      result_.program = std::move(program_);
    }
    return std::move(result_);
  }

 private:
  // ---- diagnostics
  void error(std::size_t line, int col, const std::string& message) {
    const SourceLine& l = lines_[line];
    error_at(files_[l.file], l.line, col, message, line);
  }
  // `order` places the error in source order (an index into lines_).
  void error_at(const std::string& file, int line, int col, const std::string& message, std::size_t order) {
    if (too_many_) return;
    Diagnostic d{file, line, col, message};
    if (!reported_.insert(d.str()).second) return;  // a constant used many times fails once
    if (result_.errors.size() == kMaxErrors) {
      d.message = "too many errors; stopping";
      too_many_ = true;
      order = SIZE_MAX;
    }
    result_.errors.push_back(std::move(d));
    order_.push_back(order);
  }
  void sort_errors() {
    std::vector<std::size_t> index(result_.errors.size());
    for (std::size_t i = 0; i < index.size(); ++i) index[i] = i;
    std::stable_sort(index.begin(), index.end(), [&](std::size_t a, std::size_t b) { return order_[a] < order_[b]; });
    std::vector<Diagnostic> sorted;
    for (auto i : index) sorted.push_back(std::move(result_.errors[i]));
    result_.errors = std::move(sorted);
  }
  std::string where(std::size_t line, int col) const {
    return files_[lines_[line].file] + ":" + std::to_string(lines_[line].line) + ":" + std::to_string(col);
  }

  // ---- symbols and expressions
  static std::string scoped(const std::string& name, const std::string& scope) {
    return name[0] == '.' && !scope.empty() ? scope + name : name;
  }

  bool define(const std::string& name, Symbol sym) {
    auto it = symbols_.find(name);
    if (it != symbols_.end()) {
      const bool label = sym.kind != Symbol::Kind::constant;
      error(sym.line, sym.col,
            std::string(label ? "duplicate label " : "duplicate constant ") + quote(name) + ": already defined at " +
                where(it->second.line, it->second.col));
      return false;
    }
    symbols_.emplace(name, std::move(sym));
    return true;
  }

  std::optional<std::int64_t> lookup(const std::string& raw, const std::string& scope, std::size_t line, int col,
                                     Mode mode) {
    if (mode == Mode::syntax) return 0;
    const std::string name = scoped(raw, scope);
    auto it = symbols_.find(name);
    if (it == symbols_.end()) {
      if (mode == Mode::early)
        error(line, col, quote(raw) + " is not defined before this line, and this size must be known here");
      else if (raw[0] == '.' && scope.empty())
        error(line, col, "undefined label " + quote(raw) + " (a local label needs a label or .proc before it)");
      else
        error(line, col, "undefined label or constant " + quote(raw));
      return std::nullopt;
    }
    Symbol& s = it->second;
    if (s.known) return s.value;
    if (s.evaluating) {
      error(s.line, s.col, "constant " + quote(name) + " is defined in terms of itself");
      return std::nullopt;
    }
    s.evaluating = true;
    std::size_t pos = s.expr;
    const auto value = expression(s.line, pos, s.scope, mode);
    if (value && pos < lines_[s.line].tokens.size())
      error(s.line, lines_[s.line].tokens[pos].col,
            "unexpected " + token_text(lines_[s.line].tokens[pos]) + " after the constant's value");
    it = symbols_.find(name);  // evaluation does not insert, but keep the reference honest
    it->second.evaluating = false;
    if (!value) return std::nullopt;
    it->second.value = *value;
    it->second.known = true;
    return *value;
  }

  // expr := term (('+' | '-') term)* ; term := unary ('*' unary)* ; unary := ('-'|'+') unary | primary
  std::optional<std::int64_t> expression(std::size_t line, std::size_t& pos, const std::string& scope, Mode mode,
                                         int depth = 0) {
    auto left = term(line, pos, scope, mode, depth);
    const auto& t = lines_[line].tokens;
    while (left && pos < t.size() && (is_punct(t[pos], '+') || is_punct(t[pos], '-'))) {
      const bool plus = t[pos].text[0] == '+';
      const int col = t[pos].col;
      ++pos;
      const auto right = term(line, pos, scope, mode, depth);
      if (!right) return std::nullopt;
      std::int64_t r;
      if (plus ? __builtin_add_overflow(*left, *right, &r) : __builtin_sub_overflow(*left, *right, &r))
        return overflow(line, col);
      left = r;
    }
    return left;
  }
  std::optional<std::int64_t> term(std::size_t line, std::size_t& pos, const std::string& scope, Mode mode, int depth) {
    auto left = unary(line, pos, scope, mode, depth);
    const auto& t = lines_[line].tokens;
    while (left && pos < t.size() && is_punct(t[pos], '*')) {
      const int col = t[pos].col;
      ++pos;
      const auto right = unary(line, pos, scope, mode, depth);
      if (!right) return std::nullopt;
      std::int64_t r;
      if (__builtin_mul_overflow(*left, *right, &r) || r > (1ll << 40) || r < -(1ll << 40)) return overflow(line, col);
      left = r;
    }
    return left;
  }
  std::optional<std::int64_t> unary(std::size_t line, std::size_t& pos, const std::string& scope, Mode mode,
                                    int depth) {
    const auto& t = lines_[line].tokens;
    if (depth > 64) {
      error(line, pos < t.size() ? t[pos].col : 1, "expression is nested too deeply");
      return std::nullopt;
    }
    if (pos < t.size() && (is_punct(t[pos], '-') || is_punct(t[pos], '+'))) {
      const bool minus = t[pos].text[0] == '-';
      ++pos;
      const auto v = unary(line, pos, scope, mode, depth + 1);
      if (!v) return std::nullopt;
      if (minus && *v == INT64_MIN) return overflow(line, t[pos - 1].col);
      return minus ? -*v : *v;
    }
    if (pos >= t.size()) {
      const int col = t.empty() ? 1 : t.back().col + static_cast<int>(t.back().text.size());
      error(line, col, "expected a value (a number, character, label or constant) at the end of the line");
      return std::nullopt;
    }
    const Token& tok = t[pos];
    if (tok.kind == Token::Kind::number) {
      ++pos;
      return tok.value;
    }
    if (tok.kind == Token::Kind::identifier) {
      ++pos;
      return lookup(tok.text, scope, line, tok.col, mode);
    }
    if (is_punct(tok, '(')) {
      ++pos;
      const auto v = expression(line, pos, scope, mode, depth + 1);
      if (!v) return std::nullopt;
      if (pos >= t.size() || !is_punct(t[pos], ')')) {
        error(line, pos < t.size() ? t[pos].col : tok.col,
              "missing ')' to close the '(' at column " + std::to_string(tok.col));
        return std::nullopt;
      }
      ++pos;
      return v;
    }
    error(line, tok.col, "expected a value (a number, character, label or constant), found " + token_text(tok));
    return std::nullopt;
  }
  std::optional<std::int64_t> overflow(std::size_t line, int col) {
    error(line, col, "expression value is too large");
    return std::nullopt;
  }

  // One operand that must end the line (or be followed by ',' when `list`).
  std::optional<std::int64_t> operand(std::size_t line, std::size_t& pos, const std::string& scope, Mode mode,
                                      bool list) {
    auto v = expression(line, pos, scope, mode);
    const auto& t = lines_[line].tokens;
    if (v && pos < t.size() && !(list && is_punct(t[pos], ','))) {
      error(line, t[pos].col, "unexpected " + token_text(t[pos]) + " after the operand");
      return std::nullopt;
    }
    return v;
  }

  // ---- pass 1: statements, sizes, labels
  void pass1() {
    Section section = Section::code;
    std::uint64_t pc[2] = {0, 0};
    std::string scope;
    std::size_t proc_line = 0;
    bool in_proc = false;
    for (std::size_t li = 0; li < lines_.size() && !too_many_; ++li) {
      const SourceLine& sl = lines_[li];
      if (!sl.lexed || sl.is_include) continue;
      const auto& t = sl.tokens;
      std::size_t i = 0;
      std::vector<std::string> labels;
      while (i + 1 < t.size() && t[i].kind == Token::Kind::identifier && is_punct(t[i + 1], ':')) {
        std::string name = t[i].text;
        if (name[0] == '.') {
          if (scope.empty()) {
            error(li, t[i].col, "local label " + quote(name) + " needs a label or .proc before it");
            i += 2;
            continue;
          }
          name = scope + name;
        } else if (!in_proc) {
          scope = name;
        }
        Symbol s;
        s.kind = section == Section::code ? Symbol::Kind::code_label : Symbol::Kind::data_label;
        s.value = static_cast<std::int64_t>(pc[static_cast<int>(section)]);
        s.known = true;
        s.line = li;
        s.col = t[i].col;
        if (define(name, s)) labels.push_back(name);
        i += 2;
      }
      if (i == t.size()) continue;
      const Token& head = t[i];
      if (head.kind != Token::Kind::identifier) {
        error(li, head.col, "expected a mnemonic, directive or label, found " + token_text(head));
        continue;
      }
      Statement st;
      st.line = li;
      st.arg = i + 1;
      st.col = head.col;
      st.scope = scope;
      st.section = section;
      st.address = pc[static_cast<int>(section)];
      const std::size_t n_args = t.size() - st.arg;
      auto no_args = [&]() {
        if (n_args == 0) return true;
        error(li, t[st.arg].col, "unexpected " + token_text(t[st.arg]) + " after " + quote(head.text));
        return false;
      };
      auto need_args = [&](const std::string& what) {
        if (n_args > 0) return true;
        error(li, head.col, "missing operand: " + quote(head.text) + " needs " + what);
        return false;
      };
      auto syntax_ok = [&](bool list) {
        std::size_t pos = st.arg;
        std::uint64_t count = 0;
        while (true) {
          if (!operand(li, pos, scope, Mode::syntax, list)) return std::uint64_t{0};
          ++count;
          if (pos >= t.size()) return count;
          ++pos;  // the ','
        }
      };
      const std::string& word = head.text;
      if (word == "include") {
        error(li, head.col, "include must stand on a line of its own");
      } else if (word[0] != '.') {
        st.info = find_instruction(word);
        if (st.info == nullptr) {
          error(li, head.col, "unknown mnemonic " + quote(word));
          continue;
        }
        if (section != Section::code) {
          error(li, head.col, "instruction " + quote(word) + " in the .data section; put code after .code");
          continue;
        }
        if (st.info->operand == OperandKind::none) {
          if (!no_args()) continue;
        } else {
          static const char* const what[] = {
              "", "a signed value", "a value", "a code address", "a data address", "a 32-bit value"};
          if (!need_args(what[static_cast<int>(st.info->operand)]) || syntax_ok(false) == 0) continue;
        }
        st.kind = Statement::Kind::instruction;
        st.size = instruction_words(st.info->operand);
        add(st, pc, li);
      } else if (word == ".code" || word == ".data") {
        if (no_args()) section = word == ".code" ? Section::code : Section::data;
      } else if (word == ".const") {
        if (!need_args("a name and a value")) continue;
        if (t[st.arg].kind != Token::Kind::identifier) {
          error(li, t[st.arg].col, "'.const' needs a name first, found " + token_text(t[st.arg]));
          continue;
        }
        if (st.arg + 1 >= t.size()) {
          const Token& nm = t[st.arg];
          error(li, nm.col, "missing operand: '.const " + nm.text + "' needs a value");
          continue;
        }
        std::size_t pos = st.arg + 1;
        if (!operand(li, pos, scope, Mode::syntax, false)) continue;
        Symbol s;
        s.kind = Symbol::Kind::constant;
        s.line = li;
        s.col = t[st.arg].col;
        s.expr = st.arg + 1;
        s.scope = scope;
        define(scoped(t[st.arg].text, scope), s);
      } else if (word == ".word") {
        if (!need_args("at least one value")) continue;
        st.kind = Statement::Kind::word;
        st.size = syntax_ok(true);
        if (st.size > 0) add(st, pc, li);
      } else if (word == ".space" || word == ".string") {
        if (section != Section::data) {
          error(li, head.col, quote(word) + " belongs in the .data section");
          continue;
        }
        if (!need_args(word == ".space" ? "a number of words" : "a string in double quotes")) continue;
        if (word == ".space") {
          std::size_t pos = st.arg;
          const auto n = operand(li, pos, scope, Mode::early, false);
          if (!n) continue;
          if (*n < 0) {
            error(li, t[st.arg].col, "'.space' needs a size of 0 or more words, not " + std::to_string(*n));
            continue;
          }
          st.kind = Statement::Kind::space;
          st.size = static_cast<std::uint64_t>(*n);
        } else {
          if (t[st.arg].kind != Token::Kind::string) {
            error(li, t[st.arg].col, "'.string' needs a string in double quotes, found " + token_text(t[st.arg]));
            continue;
          }
          if (n_args > 1) {
            error(li, t[st.arg + 1].col, "unexpected " + token_text(t[st.arg + 1]) + " after the string");
            continue;
          }
          st.kind = Statement::Kind::string;
          st.size = (t[st.arg].text.size() + 3) / 4;
          for (const auto& label : labels) {
            Symbol s;
            s.kind = Symbol::Kind::constant;
            s.value = static_cast<std::int64_t>(t[st.arg].text.size());
            s.known = true;
            s.line = li;
            s.col = head.col;
            define(label + ".len", s);
          }
        }
        add(st, pc, li);
      } else if (word == ".stack" || word == ".entry") {
        if (!need_args(word == ".stack" ? "a size in words" : "a code address")) continue;
        std::size_t pos = st.arg;
        if (!operand(li, pos, scope, Mode::syntax, false)) continue;
        st.kind = word == ".stack" ? Statement::Kind::stack : Statement::Kind::entry;
        statements_.push_back(st);
      } else if (word == ".proc") {
        if (!need_args("a name")) continue;
        if (t[st.arg].kind != Token::Kind::identifier || t[st.arg].text[0] == '.') {
          error(li, t[st.arg].col, "'.proc' needs a name, found " + token_text(t[st.arg]));
          continue;
        }
        if (n_args > 1) {
          error(li, t[st.arg + 1].col, "unexpected " + token_text(t[st.arg + 1]) + " after the procedure name");
          continue;
        }
        if (in_proc) {
          error(li, head.col,
                "'.proc " + t[st.arg].text + "' inside '.proc " + scope +
                    "' (procedures do not nest; end the first with .endproc)");
          continue;
        }
        if (section != Section::code) {
          error(li, head.col, "'.proc' in the .data section; put code after .code");
          continue;
        }
        Symbol s;
        s.kind = Symbol::Kind::code_label;
        s.value = static_cast<std::int64_t>(pc[0]);
        s.known = true;
        s.line = li;
        s.col = t[st.arg].col;
        define(t[st.arg].text, s);
        scope = t[st.arg].text;
        in_proc = true;
        proc_line = li;
      } else if (word == ".endproc") {
        if (!no_args()) continue;
        if (!in_proc) {
          error(li, head.col, "'.endproc' without a '.proc' before it");
          continue;
        }
        in_proc = false;
        scope.clear();
      } else {
        error(li, head.col, "unknown directive " + quote(word));
      }
    }
    code_words_ = pc[0];
    if (in_proc && !too_many_) {
      const auto& t = lines_[proc_line].tokens;
      error(proc_line, t[0].col, "'.proc " + t[1].text + "' has no '.endproc'");
    }
  }

  void add(Statement& st, std::uint64_t pc[2], std::size_t li) {
    const int s = static_cast<int>(st.section);
    const std::uint64_t limit = st.section == Section::code ? kMaxCodeWords : kMaxDataWords;
    if (pc[s] + st.size > limit) {
      error(li, st.col,
            std::string(st.section == Section::code ? "the code" : "the globals") + " would grow past " +
                std::to_string(limit) + " words here");
      return;
    }
    pc[s] += st.size;
    statements_.push_back(st);
  }

  // ---- pass 2: words
  bool in_range(std::int64_t v, std::int64_t lo, std::int64_t hi, std::size_t line, int col, const std::string& field) {
    if (v >= lo && v <= hi) return true;
    error(line, col,
          "operand out of range: " + std::to_string(v) + " does not fit in " + field + " (" + std::to_string(lo) +
              ".." + std::to_string(hi) + ")");
    return false;
  }

  void pass2() {
    // Every constant is evaluated once, even if unused, so a broken definition is always reported.
    for (auto& entry : symbols_)
      if (entry.second.kind == Symbol::Kind::constant)
        lookup(entry.first, "", entry.second.line, entry.second.col, Mode::full);
    std::size_t entry_line = 0;
    bool entry_set = false, stack_set = false;
    std::size_t stack_line = 0;
    std::int64_t stack = kDefaultStackWords;
    for (auto& st : statements_) {
      const auto& t = lines_[st.line].tokens;
      const int col = t[st.arg < t.size() ? st.arg : 0].col;
      std::size_t pos = st.arg;
      st.address = st.section == Section::code ? program_.code.size() : program_.data.size();
      auto emit = [&](std::uint32_t w) {
        if (st.section == Section::code) {
          program_.code.push_back(w);
          program_.code_lines.push_back(static_cast<std::uint32_t>(lines_[st.line].line));
        } else {
          program_.data.push_back(w);
        }
      };
      switch (st.kind) {
        case Statement::Kind::instruction: {
          const OperandKind k = st.info->operand;
          std::int64_t v = 0;
          if (k != OperandKind::none) {
            const auto value = operand(st.line, pos, st.scope, Mode::full, false);
            if (!value) break;
            v = *value;
          }
          bool ok = true;
          switch (k) {
            case OperandKind::none:
              break;
            case OperandKind::signed24:
              ok = in_range(v, kSigned24Min, kSigned24Max, st.line, col, "a signed 24-bit field");
              if (!ok && st.info->op == Opcode::push)
                result_.errors.back().message += "; use pushw for a 32-bit constant";
              break;
            case OperandKind::unsigned24:
            case OperandKind::data24:
              ok = in_range(v, 0, kUnsigned24Max, st.line, col, "an unsigned 24-bit field");
              break;
            case OperandKind::code24:
              ok = in_range(v, 0, kUnsigned24Max, st.line, col, "an unsigned 24-bit field");
              if (ok && v >= static_cast<std::int64_t>(code_words_)) {
                error(st.line, col,
                      "jump or call target " + std::to_string(v) + " is outside the code (" +
                          std::to_string(code_words_) + " words)");
                ok = false;
              }
              break;
            case OperandKind::literal32:
              ok = in_range(v, INT32_MIN, UINT32_MAX, st.line, col, "32 bits");
              break;
          }
          if (!ok) v = 0;
          emit(encode(st.info->op, k == OperandKind::literal32 ? 0 : static_cast<std::uint32_t>(v)));
          if (k == OperandKind::literal32) {
            program_.code.push_back(static_cast<std::uint32_t>(v));
            program_.code_lines.push_back(static_cast<std::uint32_t>(lines_[st.line].line));
          }
          break;
        }
        case Statement::Kind::word:
          while (true) {
            const int vcol = t[pos].col;
            const auto value = operand(st.line, pos, st.scope, Mode::full, true);
            const bool ok = value && in_range(*value, INT32_MIN, UINT32_MAX, st.line, vcol, "32 bits");
            emit(ok ? static_cast<std::uint32_t>(*value) : 0);
            if (!value || pos >= t.size()) break;
            ++pos;
          }
          break;
        case Statement::Kind::space:
          program_.data.resize(program_.data.size() + st.size, 0);
          break;
        case Statement::Kind::string: {
          const std::string& s = t[st.arg].text;
          for (std::size_t i = 0; i < s.size(); i += 4) {
            std::uint32_t w = 0;
            for (std::size_t b = 0; b < 4 && i + b < s.size(); ++b)
              w |= static_cast<std::uint32_t>(static_cast<unsigned char>(s[i + b])) << (8 * b);
            emit(w);
          }
          break;
        }
        case Statement::Kind::stack: {
          if (stack_set) {
            error(st.line, st.col, "the stack size is already set at " + where(stack_line, 1));
            break;
          }
          stack_set = true;
          stack_line = st.line;
          const auto value = operand(st.line, pos, st.scope, Mode::full, false);
          if (value && in_range(*value, 1, kMaxDataWords, st.line, col, "a stack size")) stack = *value;
          break;
        }
        case Statement::Kind::entry: {
          if (entry_set) {
            error(st.line, st.col, "the entry point is already set at " + where(entry_line, 1));
            break;
          }
          entry_set = true;
          entry_line = st.line;
          const auto value = operand(st.line, pos, st.scope, Mode::full, false);
          if (value && (*value < 0 || *value >= static_cast<std::int64_t>(code_words_)))
            error(st.line, col,
                  "entry point " + std::to_string(*value) + " is outside the code (" + std::to_string(code_words_) +
                      " words)");
          else if (value)
            program_.entry = static_cast<std::uint32_t>(*value);
          break;
        }
      }
      st.size = (st.section == Section::code ? program_.code.size() : program_.data.size()) - st.address;
    }
    if (!entry_set) {
      auto it = symbols_.find("main");
      if (it != symbols_.end() && it->second.kind == Symbol::Kind::code_label)
        program_.entry = static_cast<std::uint32_t>(it->second.value);
    }
    if (program_.data.size() + static_cast<std::uint64_t>(stack) > kMaxDataWords) {
      const std::size_t line = stack_set ? stack_line : (lines_.empty() ? 0 : lines_.size() - 1);
      if (!lines_.empty())
        error(line, 1,
              "globals (" + std::to_string(program_.data.size()) + " words) and stack (" + std::to_string(stack) +
                  " words) exceed the " + std::to_string(kMaxDataWords) + "-word data space");
    }
    program_.stack_words = static_cast<std::uint32_t>(stack);
    program_.data_words = static_cast<std::uint32_t>(program_.data.size() + program_.stack_words);
    for (const auto& [name, s] : symbols_) {
      if (s.kind == Symbol::Kind::code_label) program_.code_labels[name] = static_cast<std::uint32_t>(s.value);
      if (s.kind == Symbol::Kind::data_label) program_.data_labels[name] = static_cast<std::uint32_t>(s.value);
    }
  }

  // ---- listing: one row per source line; words beyond three continue on rows of their own
  void make_listing() {
    constexpr std::size_t kWordsWidth = 38;  // "C 000000  " and three words, then the source text
    std::map<std::size_t, const Statement*> by_line;
    for (const auto& st : statements_) by_line[st.line] = &st;
    std::string out;
    int file = -1;
    char buf[64];
    // Rows are padded into columns; trailing blanks would only make diffs of listings noisy.
    auto row_out = [&out](std::string row) {
      while (!row.empty() && (row.back() == ' ' || row.back() == '\t' || row.back() == '\r')) row.pop_back();
      out += row + "\n";
    };
    for (std::size_t li = 0; li < lines_.size(); ++li) {
      const SourceLine& sl = lines_[li];
      if (sl.file != file) {
        file = sl.file;
        out += "; file " + files_[file] + "\n";
      }
      std::snprintf(buf, sizeof buf, "%5d ", sl.line);
      std::string prefix = buf;
      auto it = by_line.find(li);
      if (it == by_line.end() || it->second->size == 0 ||
          (it->second->kind != Statement::Kind::instruction && it->second->kind != Statement::Kind::word &&
           it->second->kind != Statement::Kind::space && it->second->kind != Statement::Kind::string)) {
        row_out(prefix + std::string(kWordsWidth, ' ') + sl.text);
        continue;
      }
      const Statement& st = *it->second;
      const auto& words = st.section == Section::code ? program_.code : program_.data;
      const char sec = st.section == Section::code ? 'C' : 'D';
      if (st.kind == Statement::Kind::space) {
        std::snprintf(buf, sizeof buf, "%c %06llX  ", sec, static_cast<unsigned long long>(st.address));
        std::string col = std::string(buf) + "(" + std::to_string(st.size) + " zero words)";
        col.resize(kWordsWidth, ' ');
        row_out(prefix + col + sl.text);
        continue;
      }
      for (std::uint64_t i = 0; i < st.size; i += 3) {
        std::snprintf(buf, sizeof buf, "%c %06llX ", sec, static_cast<unsigned long long>(st.address + i));
        std::string row = buf;
        for (std::uint64_t j = i; j < i + 3 && j < st.size; ++j) {
          std::snprintf(buf, sizeof buf, " %08X", words[st.address + j]);
          row += buf;
        }
        row.resize(kWordsWidth, ' ');
        row_out((i == 0 ? prefix : std::string(6, ' ')) + row + (i == 0 ? sl.text : std::string()));
      }
    }
    result_.listing = std::move(out);
  }

  const std::vector<std::string>& include_dirs_;
  const bool want_listing_;
  std::vector<std::string> files_;
  std::vector<SourceLine> lines_;
  std::vector<Statement> statements_;
  std::map<std::string, Symbol> symbols_;
  std::uint64_t code_words_ = 0;
  Program program_;
  AssembleResult result_;
  std::set<std::string> reported_;
  std::vector<std::size_t> order_;  // parallel to result_.errors
  bool too_many_ = false;
};

}  // namespace

AssembleResult assemble_file(const std::string& path, const std::vector<std::string>& include_dirs, bool want_listing) {
  Assembler a(include_dirs, want_listing);
  return a.assemble(path, nullptr);
}

AssembleResult assemble_string(const std::string& source, const std::string& name,
                               const std::vector<std::string>& include_dirs, bool want_listing) {
  Assembler a(include_dirs, want_listing);
  return a.assemble(name, &source);
}

}  // namespace pairsim::guest
