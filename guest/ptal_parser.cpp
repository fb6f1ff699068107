#include "guest/ptal_parser.hpp"

#include <set>

#include "guest/ptal_builtins.hpp"

namespace pairsim::guest::ptal {

namespace {

// Nesting of expressions and blocks, and the length of an operator chain (a tree as deep as it is long);
// deeper input is refused, not recursed into.
constexpr int kMaxDepth = 500;
constexpr std::size_t kMaxErrors = 50;

// The keywords, from the one list docs/language.md is checked against.
const std::set<std::string> kKeywords = [] {
  std::set<std::string> words;
  for (auto k : keywords()) words.emplace(k);
  return words;
}();

struct Bail {};  // thrown inside the parser only, to give up on a statement; caught in this file

class Parser {
 public:
  Parser(const std::vector<Token>& t, int file, std::vector<SyntaxError>& errors)
      : t_(t), file_(file), errors_(errors) {}

  Unit unit() {
    Unit u;
    while (!at_end()) {
      const std::size_t start = i_;
      try {
        top(u);
      } catch (const Bail&) {
        sync_top();
      }
      if (i_ == start) ++i_;
      if (errors_.size() >= kMaxErrors) break;
    }
    return u;
  }

 private:
  const Token& peek(std::size_t k = 0) const {
    const std::size_t j = i_ + k;
    return j < t_.size() ? t_[j] : t_.back();
  }
  bool at_end() const { return peek().kind == Token::Kind::end; }
  Place place(const Token& t) const { return Place{file_, t.line, t.col}; }
  bool is(const char* p) const { return peek().kind == Token::Kind::punct && peek().text == p; }
  bool is_kw(const char* k) const { return peek().kind == Token::Kind::identifier && peek().text == k; }
  const Token& next() {
    const Token& t = peek();
    if (i_ < t_.size() - 1) ++i_;
    return t;
  }
  bool accept(const char* p) {
    if (!is(p)) return false;
    next();
    return true;
  }
  [[noreturn]] void fail(const Token& at, std::string message) {
    if (errors_.size() < kMaxErrors) errors_.push_back(SyntaxError{place(at), std::move(message)});
    throw Bail{};
  }
  void expect(const char* p, const char* what) {
    if (!accept(p)) fail(peek(), std::string("expected '") + p + "' " + what + ", found " + describe(peek()));
  }
  std::string name(const char* what) {
    const Token& t = peek();
    if (t.kind != Token::Kind::identifier) fail(t, std::string("expected a name ") + what + ", found " + describe(t));
    if (kKeywords.count(t.text)) {
      // One error, and the name is taken as written, so its later uses do not repeat it.
      if (errors_.size() < kMaxErrors)
        errors_.push_back(SyntaxError{place(t), "'" + t.text +
                                                    "' is a reserved name: a keyword of the language; "
                                                    "choose another name " +
                                                    std::string(what)});
      misused_.insert(t.text);
    }
    next();
    return t.text;
  }
  void deeper(const Token& at) {
    if (++depth_ > kMaxDepth)
      fail(at, "this is nested too deeply (more than " + std::to_string(kMaxDepth) + " levels); split it up");
  }

  // After an error at top level: skip to the next declaration keyword at the start of one.
  void sync_top() {
    int braces = 0;
    while (!at_end()) {
      if (is("{")) ++braces;
      if (is("}")) {
        --braces;
        next();
        if (braces <= 0) return;
        continue;
      }
      if (braces <= 0 && is(";")) {
        next();
        return;
      }
      if (braces <= 0 && (is_kw("const") || is_kw("record") || is_kw("var") || is_kw("proc") || is_kw("include")))
        return;
      next();
    }
  }
  // After an error in a statement: skip past its ';', or stop before a '}' that closes the block.
  void sync_stmt() {
    int braces = 0;
    while (!at_end()) {
      if (is("{")) ++braces;
      if (is("}")) {
        if (braces == 0) return;
        --braces;
        next();
        if (braces == 0) return;
        continue;
      }
      if (braces == 0 && is(";")) {
        next();
        return;
      }
      if (braces == 0 && (is_kw("proc") || is_kw("record"))) return;
      next();
    }
  }

  void top(Unit& u) {
    depth_ = 0;
    const Token& t = peek();
    if (is_kw("include")) {
      next();
      if (peek().kind != Token::Kind::string)
        fail(peek(), "include needs a file name in quotes: include \"pair.ptal\";");
      u.includes.push_back(Include{place(t), next().text});
      expect(";", "after the include");
      return;
    }
    Decl d;
    d.at = place(t);
    if (is_kw("const")) {
      next();
      d.kind = Decl::Kind::constant;
      d.name = name("after 'const'");
      expect("=", "after the constant's name (const N = 10;)");
      d.value = expr();
      expect(";", "after the constant");
    } else if (is_kw("record")) {
      next();
      d.kind = Decl::Kind::record;
      d.name = name("after 'record'");
      expect("{", "to open the record's fields");
      while (!is("}") && !at_end()) {
        Field f;
        f.at = place(peek());
        f.name = name("for a field");
        expect(":", "between the field's name and its type");
        f.type = type();
        expect(";", "after the field");
        d.fields.push_back(std::move(f));
      }
      expect("}", "to close the record");
    } else if (is_kw("var")) {
      next();
      d.kind = Decl::Kind::global;
      d.name = name("after 'var'");
      expect(":", "between the variable's name and its type (var n: int;)");
      d.type = type();
      if (accept("=")) d.value = expr();
      expect(";", "after the variable");
    } else if (is_kw("proc")) {
      next();
      d.kind = Decl::Kind::proc;
      d.name = name("after 'proc'");
      expect("(", "after the procedure's name");
      if (!is(")")) {
        do {
          Param p;
          p.at = place(peek());
          p.name = name("for a parameter");
          expect(":", "between the parameter's name and its type (n: int)");
          p.type = type();
          d.params.push_back(std::move(p));
        } while (accept(","));
      }
      expect(")", "to close the parameter list");
      if (accept(":")) {
        if (!is_kw("int")) fail(peek(), "a procedure returns an int or nothing; found " + describe(peek()));
        next();
        d.returns_int = true;
      }
      d.body = block(&d.end);
    } else {
      fail(t, "expected a declaration (const, record, var, proc or include), found " + describe(t));
    }
    u.decls.push_back(std::move(d));
  }

  TypeRef type() {
    TypeRef r;
    r.at = place(peek());
    if (peek().kind != Token::Kind::identifier)
      fail(peek(), "expected a type (int, bytes[N] or a record's name), found " + describe(peek()));
    r.name = next().text;
    if (r.name == "bytes" && !is("[")) fail(peek(), "bytes needs its length in bytes: bytes[16]");
    if (r.name != "int" && r.name != "bytes" && kKeywords.count(r.name))
      fail(t_[i_ - 1], "'" + r.name + "' is not a type; the types are int, bytes[N] and records");
    if (accept("[")) {
      r.count = expr();
      expect("]", "after the length");
    }
    return r;
  }

  Block block(Place* end = nullptr) {
    deeper(peek());
    expect("{", "to open a block");
    Block b;
    while (!is("}") && !at_end()) {
      const std::size_t start = i_;
      try {
        b.push_back(stmt());
      } catch (const Bail&) {
        if (errors_.size() >= kMaxErrors) throw;
        sync_stmt();
      }
      if (i_ == start) next();
    }
    if (end) *end = place(peek());
    expect("}", "to close the block");
    --depth_;
    return b;
  }

  StmtPtr stmt() {
    auto s = std::make_unique<Stmt>();
    const Token& t = peek();
    s->at = place(t);
    if (is_kw("var")) {
      next();
      s->kind = Stmt::Kind::var;
      s->name = name("after 'var'");
      expect(":", "between the variable's name and its type (var n: int;)");
      s->type = type();
      if (accept("=")) s->value = expr();
      expect(";", "after the variable");
    } else if (is_kw("if")) {
      next();
      s->kind = Stmt::Kind::if_;
      s->conds.push_back(expr());
      s->blocks.push_back(block());
      while (is_kw("elif")) {
        next();
        s->conds.push_back(expr());
        s->blocks.push_back(block());
      }
      if (is_kw("else")) {
        next();
        if (is_kw("if")) fail(peek(), "write 'elif' instead of 'else if'");
        s->has_else = true;
        s->else_block = block();
      }
    } else if (is_kw("while")) {
      next();
      s->kind = Stmt::Kind::while_;
      s->conds.push_back(expr());
      s->blocks.push_back(block());
    } else if (is_kw("for")) {
      next();
      s->kind = Stmt::Kind::for_;
      s->name = name("after 'for' (for i in 0..n { ... })");
      if (!is_kw("in"))
        fail(peek(), "expected 'in' after the loop variable (for i in 0..n { ... }), found " + describe(peek()));
      next();
      s->value = expr();
      expect("..", "between the loop's first value and its end (for i in 0..n)");
      s->limit = expr();
      s->blocks.push_back(block());
    } else if (is_kw("return")) {
      next();
      s->kind = Stmt::Kind::return_;
      if (!is(";")) s->value = expr();
      expect(";", "after return");
    } else if (is_kw("break") || is_kw("continue")) {
      s->kind = is_kw("break") ? Stmt::Kind::break_ : Stmt::Kind::continue_;
      next();
      expect(";", s->kind == Stmt::Kind::break_ ? "after break" : "after continue");
    } else if (t.kind == Token::Kind::identifier && t.text == "_" && peek(1).kind == Token::Kind::punct &&
               peek(1).text == "=") {
      next();
      next();
      s->kind = Stmt::Kind::discard;
      s->value = expr();
      expect(";", "after the statement");
    } else if (t.kind == Token::Kind::identifier &&
               (kKeywords.count(t.text) && t.text != "sizeof" && t.text != "wordsof")) {
      fail(t, "'" + t.text + "' cannot start a statement here");
    } else {
      auto e = expr();
      if (is("=") || is("+=") || is("-=")) {
        s->kind = Stmt::Kind::assign;
        s->op = next().text;
        s->target = std::move(e);
        s->value = expr();
      } else if (e->kind == Expr::Kind::call) {
        s->kind = Stmt::Kind::call;
        s->value = std::move(e);
      } else if (e->kind == Expr::Kind::binary && e->op == "==") {
        if (errors_.size() < kMaxErrors)
          errors_.push_back(SyntaxError{e->at, "'==' compares; to assign a value write '='"});
        throw Bail{};
      } else {
        fail(t, "this expression does nothing; a statement is an assignment (x = ...;) or a call (f(...);)");
      }
      expect(";", "at the end of the statement");
    }
    return s;
  }

  // Binary operators by precedence, loosest first.
  static int precedence(const std::string& op) {
    if (op == "||") return 1;
    if (op == "&&") return 2;
    if (op == "|") return 3;
    if (op == "^") return 4;
    if (op == "&") return 5;
    if (op == "==" || op == "!=") return 6;
    if (op == "<" || op == "<=" || op == ">" || op == ">=") return 7;
    if (op == "<<" || op == ">>") return 8;
    if (op == "+" || op == "-") return 9;
    if (op == "*" || op == "/" || op == "%") return 10;
    return 0;
  }

  ExprPtr expr(int min = 1) {
    deeper(peek());
    ExprPtr left = unary();
    int chain = 0;
    while (peek().kind == Token::Kind::punct) {
      const int p = precedence(peek().text);
      if (p == 0 || p < min) break;
      deeper(peek());
      ++chain;
      auto e = std::make_unique<Expr>();
      e->kind = Expr::Kind::binary;
      e->at = place(peek());
      e->op = next().text;
      e->args.push_back(std::move(left));
      e->args.push_back(expr(p + 1));
      left = std::move(e);
    }
    depth_ -= chain + 1;
    return left;
  }

  ExprPtr unary() {
    if (is("-") || is("!") || is("~") || is("+")) {
      deeper(peek());
      auto e = std::make_unique<Expr>();
      e->kind = Expr::Kind::unary;
      e->at = place(peek());
      e->op = next().text;
      e->args.push_back(unary());
      --depth_;
      return e;
    }
    return postfix(primary());
  }

  ExprPtr postfix(ExprPtr e) {
    const int outer = depth_;
    while (true) {
      if (is("[") || is(".")) deeper(peek());
      if (is("[")) {
        auto x = std::make_unique<Expr>();
        x->kind = Expr::Kind::index;
        x->at = place(next());
        x->args.push_back(std::move(e));
        x->args.push_back(expr());
        expect("]", "after the index");
        e = std::move(x);
      } else if (is(".")) {
        auto x = std::make_unique<Expr>();
        x->kind = Expr::Kind::field;
        x->at = place(next());
        x->args.push_back(std::move(e));
        x->text = name("of a field after '.'");
        e = std::move(x);
      } else {
        depth_ = outer;
        return e;
      }
    }
  }

  ExprPtr primary() {
    const Token& t = peek();
    auto e = std::make_unique<Expr>();
    e->at = place(t);
    if (t.kind == Token::Kind::number) {
      e->kind = Expr::Kind::number;
      e->value = next().value;
      e->text = t.text;
    } else if (t.kind == Token::Kind::string) {
      e->kind = Expr::Kind::string;
      e->text = next().text;
    } else if (accept("(")) {
      e = expr();
      expect(")", "to close the parenthesis");
    } else if (is_kw("sizeof") || is_kw("wordsof")) {
      e->kind = Expr::Kind::size_of;
      e->op = next().text;
      expect("(", "after sizeof or wordsof");
      e->args.push_back(expr());
      expect(")", "to close the parenthesis");
    } else if (t.kind == Token::Kind::identifier) {
      if (kKeywords.count(t.text) && t.text != "int" && t.text != "bytes" && !misused_.count(t.text))
        fail(t, "'" + t.text + "' is a keyword; it cannot stand in an expression");
      e->text = next().text;
      if (accept("(")) {
        e->kind = Expr::Kind::call;
        if (!is(")")) {
          do e->args.push_back(expr());
          while (accept(","));
        }
        expect(")", "to close the argument list");
      } else {
        e->kind = Expr::Kind::name;
      }
    } else {
      fail(t, "expected a value (a number, a name, a call or '('), found " + describe(t));
    }
    return e;
  }

  const std::vector<Token>& t_;
  int file_;
  std::vector<SyntaxError>& errors_;
  std::size_t i_ = 0;
  int depth_ = 0;
  std::set<std::string> misused_;  // keywords declared as names (an error already): their uses say nothing more
};

}  // namespace

Unit parse(const std::vector<Token>& tokens, int file, std::vector<SyntaxError>& errors) {
  if (tokens.empty()) return Unit{};
  return Parser(tokens, file, errors).unit();
}

}  // namespace pairsim::guest::ptal
