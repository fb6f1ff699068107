#include "guest/ptal_codegen.hpp"

#include <cstdio>
#include <map>
#include <optional>

#include "guest/ptal_builtins.hpp"

namespace pairsim::guest::ptal {

namespace {

constexpr std::int64_t kMaxGlobalWords = 8000000;  // globals are addressed by 24-bit signed operands
constexpr std::int64_t kMaxLocalWords = 1000000;
constexpr std::size_t kMaxMessages = 50;

// A type: int, bytes[n], an array of n elements, or a record. Index 0 is int.
struct TypeInfo {
  // buffer: a parameter that takes any buffer, passed as its word address and its length in bytes.
  enum class Kind : std::uint8_t { int_, bytes, array, record, buffer } kind = Kind::int_;
  std::int64_t count = 0;  // bytes: bytes; array: elements
  int elem = 0;            // array: the element's type
  int record = -1;         // record: index into records_
  std::int64_t words = 1;
  std::string name;
};

struct FieldInfo {
  std::string name;
  int type = 0;
  std::int64_t offset = 0;  // words from the record's start
};

struct RecordInfo {
  std::string name;
  std::vector<FieldInfo> fields;
  int type = -1;
};

struct Symbol {
  // param_buf: a buffer parameter, its address at frame offset `value`, its length in bytes at value + 1.
  enum class Kind : std::uint8_t { constant, global, local, param_ref, param_buf, record, proc } kind =
      Kind::constant;
  Place at;
  std::int64_t value = 0;  // constant; frame offset of a local, a parameter or a reference parameter
  int type = 0;
  std::string label;           // global
  const Decl* decl = nullptr;  // proc
  bool builtin = false;
};

// Where a value lives, once the dynamic part of its address (if any) is on the stack.
struct Access {
  enum class Mode : std::uint8_t { none, constant, global, local, global_x, dynamic, byte } mode = Mode::none;
  int type = 0;
  std::string label;
  std::int64_t offset = 0;  // global/global_x: words past the label; local: frame offset; constant: value
};

std::string hex(std::uint32_t v) {
  char b[16];
  std::snprintf(b, sizeof b, "0x%08X", v);
  return b;
}

class Generator {
 public:
  explicit Generator(const std::vector<std::string>& files) : files_(files) {}

  Generated run(const Unit& u) {
    types_.push_back(TypeInfo{});
    types_[0].name = "int";
    scopes_.emplace_back();
    for (const auto& c : builtin_constants()) {
      Symbol s;
      s.kind = Symbol::Kind::constant;
      s.value = c.value;
      s.builtin = true;
      scopes_[0][std::string(c.name)] = s;
    }
    declare_all(u);
    out_.lines.push_back(0);
    here_ = Place{};
    line(".code");
    const Symbol* m = find("main");
    if (!m || m->kind != Symbol::Kind::proc) {
      error(Place{0, 1, 1}, "the program has no 'proc main() { ... }'; that is where it starts");
    } else if (!m->decl->params.empty()) {
      error(m->decl->at, "main takes no parameters (start arguments come from arg(i, default))");
    }
    here_ = Place{};
    line("ptal_start:");
    line("        call p_main");
    if (!(m && m->decl && m->decl->returns_int)) line("        push 0");
    line("        sys 1");
    for (const auto& d : u.decls)
      if (d.kind == Decl::Kind::proc) proc(d);
    line(".entry ptal_start");
    line(".data");
    for (auto& d : data_) line(d);
    if (uses_runtime_) {
      std::string_view rt = runtime_assembly();
      while (!rt.empty()) {
        auto nl = rt.find('\n');
        line(std::string(rt.substr(0, nl)));
        rt = nl == std::string_view::npos ? std::string_view{} : rt.substr(nl + 1);
      }
    }
    return std::move(out_);
  }

 private:
  // ---- messages ----
  void error(Place at, std::string text) {
    if (quiet_) return;
    if (out_.messages.size() < kMaxMessages) out_.messages.push_back(Message{at, false, std::move(text)});
  }
  void warning(Place at, std::string text) {
    if (out_.messages.size() < kMaxMessages) out_.messages.push_back(Message{at, true, std::move(text)});
  }

  // ---- output ----
  void line(std::string text) {
    if (quiet_) return;
    out_.assembly += text;
    out_.assembly += '\n';
    out_.lines.push_back(here_.file == 0 ? here_.line : 0);
  }
  void op(const std::string& text) { line("        " + text); }
  std::string new_label() { return ".L" + std::to_string(++labels_); }
  void label(const std::string& l) { line(l + ":"); }
  void push(std::int64_t v) {
    const auto w = static_cast<std::int32_t>(static_cast<std::uint32_t>(v));
    if (w >= -8388608 && w <= 8388607)
      op("push " + std::to_string(w));
    else
      op("pushw " + std::to_string(static_cast<std::uint32_t>(w)));
  }
  static std::string addr(const std::string& label, std::int64_t offset) {
    return offset == 0 ? label : label + "+" + std::to_string(offset);
  }

  // ---- names ----
  const Symbol* find(const std::string& name) const {
    for (auto it = scopes_.rbegin(); it != scopes_.rend(); ++it)
      if (auto f = it->find(name); f != it->end()) return &f->second;
    return nullptr;
  }
  bool define(const std::string& name, Symbol s) {
    if (name == "main" && s.kind != Symbol::Kind::proc) {
      error(s.at, "'main' is the name of the procedure where the program starts; choose another name");
      return false;
    }
    if (find_builtin_call(name) || name == "print" || name == "arg" || name == "checkpoint" || name == "takeover" ||
        name == "first" || name == "hex" || name == "receive" || name == "file") {
      error(s.at, "'" + name + "' is a built-in procedure; choose another name");
      return false;
    }
    auto& scope = scopes_.back();
    if (const Symbol* old = find(name)) {
      if (old->builtin) {
        error(s.at, "'" + name + "' is a built-in constant; choose another name");
        return false;
      }
      if (scope.count(name)) {
        error(s.at, "'" + name + "' is already defined at line " + std::to_string(old->at.line));
        return false;
      }
    }
    scope[name] = std::move(s);
    return true;
  }

  // ---- types ----
  std::string type_name(int t) const { return types_[static_cast<std::size_t>(t)].name; }
  const TypeInfo& type(int t) const { return types_[static_cast<std::size_t>(t)]; }
  bool is_int(int t) const { return type(t).kind == TypeInfo::Kind::int_; }
  std::int64_t bytes_of(int t) const {
    return type(t).kind == TypeInfo::Kind::bytes ? type(t).count : type(t).words * 4;
  }

  int add_type(TypeInfo t) {
    for (std::size_t i = 0; i < types_.size(); ++i)
      if (types_[i].kind == t.kind && types_[i].count == t.count && types_[i].elem == t.elem &&
          types_[i].record == t.record)
        return static_cast<int>(i);
    types_.push_back(std::move(t));
    return static_cast<int>(types_.size() - 1);
  }

  std::optional<std::int64_t> count(const TypeRef& r, std::int64_t limit) {
    std::int64_t n = 0;
    if (!constant(*r.count, n)) {
      error(r.count->at, "a length must be a constant: a number, a const or sizeof/wordsof");
      return std::nullopt;
    }
    if (n < 1 || n > limit) {
      error(r.count->at, "a length must be between 1 and " + std::to_string(limit) + ", not " + std::to_string(n));
      return std::nullopt;
    }
    return n;
  }

  // The type a TypeRef names, or -1 after an error.
  int resolve_type(const TypeRef& r) {
    int base = -1;
    if (r.name == "buffer" && !find(r.name)) {
      if (!param_type_ || r.count) {
        error(r.at, "'buffer' is only a parameter's type (any buffer, passed with its length); give a variable a "
                    "size: bytes[N], int[N] or a record");
        return -1;
      }
      TypeInfo t;
      t.kind = TypeInfo::Kind::buffer;
      t.words = 2;
      t.name = "buffer";
      return add_type(t);
    }
    if (r.name == "bytes") {
      if (!r.count) return -1;
      auto n = count(r, 4 * kMaxGlobalWords);
      if (!n) return -1;
      TypeInfo t;
      t.kind = TypeInfo::Kind::bytes;
      t.count = *n;
      t.words = (*n + 3) / 4;
      t.name = "bytes[" + std::to_string(*n) + "]";
      return add_type(t);
    }
    if (r.name == "int") {
      base = 0;
    } else {
      const Symbol* s = find(r.name);
      if (!s) {
        error(r.at,
              "unknown type '" + r.name + "'; the types are int, bytes[N] and the records declared with 'record'");
        return -1;
      }
      if (s->kind != Symbol::Kind::record) {
        error(r.at, "'" + r.name + "' is not a type; the types are int, bytes[N] and records");
        return -1;
      }
      base = s->type;
    }
    if (!r.count) return base;
    auto n = count(r, kMaxGlobalWords);
    if (!n) return -1;
    TypeInfo t;
    t.kind = TypeInfo::Kind::array;
    t.count = *n;
    t.elem = base;
    t.words = *n * type(base).words;
    t.name = type_name(base) + "[" + std::to_string(*n) + "]";
    if (t.words > kMaxGlobalWords) {
      error(r.at, type_name(base) + "[" + std::to_string(*n) + "] is too large (" + std::to_string(t.words) +
                      " words; the data space holds at most " + std::to_string(kMaxGlobalWords) + ")");
      return -1;
    }
    return add_type(t);
  }

  // ---- declarations ----
  void declare_all(const Unit& u) {
    // Records and constants first, in order (a record may use earlier ones); then globals and procedures.
    for (const auto& d : u.decls) {
      here_ = d.at;
      if (d.kind == Decl::Kind::constant) {
        std::int64_t v = 0;
        if (!constant(*d.value, v)) {
          error(d.value->at, "the value of a const must be computable now: numbers, other consts, sizeof/wordsof");
          v = 0;
        }
        Symbol s;
        s.kind = Symbol::Kind::constant;
        s.at = d.at;
        s.value = static_cast<std::int32_t>(static_cast<std::uint32_t>(v));
        define(d.name, s);
      } else if (d.kind == Decl::Kind::record) {
        record(d);
      }
    }
    for (const auto& d : u.decls) {
      here_ = d.at;
      if (d.kind == Decl::Kind::global) global(d);
      if (d.kind == Decl::Kind::proc) {
        param_type_ = true;
        for (const auto& p : d.params) param_types_[&p] = resolve_type(p.type);
        param_type_ = false;
        Symbol s;
        s.kind = Symbol::Kind::proc;
        s.at = d.at;
        s.decl = &d;
        define(d.name, s);
      }
    }
  }

  void record(const Decl& d) {
    RecordInfo r;
    r.name = d.name;
    std::int64_t offset = 0;
    for (const auto& f : d.fields) {
      for (const auto& other : r.fields)
        if (other.name == f.name) error(f.at, "field '" + f.name + "' appears twice in record " + d.name);
      const int t = resolve_type(f.type);
      if (t < 0) continue;
      r.fields.push_back(FieldInfo{f.name, t, offset});
      offset += type(t).words;
    }
    if (offset == 0) {
      error(d.at, "record " + d.name + " has no fields; give it at least one");
      offset = 1;
    }
    if (offset > kMaxGlobalWords) {
      error(d.at, "record " + d.name + " is too large");
      offset = 1;
    }
    TypeInfo t;
    t.kind = TypeInfo::Kind::record;
    t.record = static_cast<int>(records_.size());
    t.words = offset;
    t.name = d.name;
    types_.push_back(t);
    r.type = static_cast<int>(types_.size() - 1);
    records_.push_back(r);
    Symbol s;
    s.kind = Symbol::Kind::record;
    s.at = d.at;
    s.type = r.type;
    define(d.name, s);
  }

  void global(const Decl& d) {
    const int t = resolve_type(d.type);
    if (t < 0) return;
    global_words_ += type(t).words;
    if (global_words_ > kMaxGlobalWords) {
      error(d.at, "the globals take more than " + std::to_string(kMaxGlobalWords) + " words; make them smaller");
      return;
    }
    Symbol s;
    s.kind = Symbol::Kind::global;
    s.at = d.at;
    s.type = t;
    s.label = "g_" + d.name;
    if (!define(d.name, s)) return;
    std::vector<std::uint32_t> words(static_cast<std::size_t>(type(t).words), 0);
    if (d.value) {
      std::int64_t v = 0;
      if (d.value->kind == Expr::Kind::string) {
        if (type(t).kind != TypeInfo::Kind::bytes)
          error(d.value->at, "a string can only start a bytes variable; '" + d.name + "' is " + type_name(t));
        else if (static_cast<std::int64_t>(d.value->text.size()) > type(t).count)
          error(d.value->at, "the string has " + std::to_string(d.value->text.size()) + " bytes but '" + d.name +
                                 "' holds " + std::to_string(type(t).count));
        else
          for (std::size_t i = 0; i < d.value->text.size(); ++i)
            words[i / 4] |= static_cast<std::uint32_t>(static_cast<unsigned char>(d.value->text[i])) << (8 * (i % 4));
      } else if (!is_int(t)) {
        error(d.value->at,
              "only an int or a bytes variable can have a starting value; '" + d.name + "' is " + type_name(t));
      } else if (!constant(*d.value, v)) {
        error(d.value->at, "a global's starting value must be a constant");
      } else {
        words[0] = static_cast<std::uint32_t>(v);
      }
    }
    data_.push_back(s.label + ":");
    std::size_t zeros = 0;
    for (std::size_t i = 0; i <= words.size(); ++i) {
      if (i < words.size() && words[i] == 0) {
        ++zeros;
        continue;
      }
      if (zeros) data_.push_back("        .space " + std::to_string(zeros));
      zeros = 0;
      if (i < words.size()) data_.push_back("        .word " + hex(words[i]));
    }
  }

  // ---- constants ----
  bool constant(const Expr& e, std::int64_t& v) {
    switch (e.kind) {
      case Expr::Kind::number:
        v = e.value;
        return true;
      case Expr::Kind::name: {
        const Symbol* s = find(e.text);
        if (!s || s->kind != Symbol::Kind::constant) return false;
        v = s->value;
        return true;
      }
      case Expr::Kind::size_of: {
        const bool was = quiet_;
        quiet_ = true;
        const std::size_t before = out_.messages.size();
        const int t = type_of(*e.args[0]);
        quiet_ = was;
        if (t < 0 || out_.messages.size() != before || type(t).kind == TypeInfo::Kind::buffer) return false;
        v = e.op == "sizeof" ? bytes_of(t) : type(t).words;
        return true;
      }
      case Expr::Kind::unary: {
        if (!constant(*e.args[0], v)) return false;
        if (e.op == "-")
          v = -v;
        else if (e.op == "~")
          v = ~v;
        else if (e.op == "!")
          v = v == 0;
        v = static_cast<std::int32_t>(static_cast<std::uint32_t>(v));
        return true;
      }
      case Expr::Kind::binary: {
        std::int64_t a = 0, b = 0;
        if (!constant(*e.args[0], a) || !constant(*e.args[1], b)) return false;
        const auto x = static_cast<std::int32_t>(static_cast<std::uint32_t>(a));
        const auto y = static_cast<std::int32_t>(static_cast<std::uint32_t>(b));
        const auto ux = static_cast<std::uint32_t>(x), uy = static_cast<std::uint32_t>(y);
        const std::string& o = e.op;
        if ((o == "/" || o == "%") && y == 0) return false;
        if (o == "+")
          v = static_cast<std::int32_t>(ux + uy);
        else if (o == "-")
          v = static_cast<std::int32_t>(ux - uy);
        else if (o == "*")
          v = static_cast<std::int32_t>(ux * uy);
        else if (o == "/")
          v = (x == INT32_MIN && y == -1) ? x : x / y;
        else if (o == "%")
          v = (y == -1) ? 0 : x % y;
        else if (o == "&")
          v = x & y;
        else if (o == "|")
          v = x | y;
        else if (o == "^")
          v = x ^ y;
        else if (o == "<<")
          v = uy >= 32 ? 0 : static_cast<std::int32_t>(ux << uy);
        else if (o == ">>")
          v = uy >= 32 ? (x < 0 ? -1 : 0) : (x >> uy);
        else if (o == "==")
          v = x == y;
        else if (o == "!=")
          v = x != y;
        else if (o == "<")
          v = x < y;
        else if (o == "<=")
          v = x <= y;
        else if (o == ">")
          v = x > y;
        else if (o == ">=")
          v = x >= y;
        else if (o == "&&")
          v = x && y;
        else if (o == "||")
          v = x || y;
        else
          return false;
        return true;
      }
      default:
        return false;
    }
  }

  // ---- places in memory ----
  // The type of an lvalue or of a type name, without code; -1 after an error.
  int type_of(const Expr& e) {
    if (e.kind == Expr::Kind::name) {
      if (e.text == "int") return 0;
      if (const Symbol* s = find(e.text); s && s->kind == Symbol::Kind::record) return s->type;
    }
    if (e.kind == Expr::Kind::string)
      return add_type(TypeInfo{TypeInfo::Kind::bytes, static_cast<std::int64_t>(e.text.size()), 0, -1,
                               (static_cast<std::int64_t>(e.text.size()) + 3) / 4,
                               "bytes[" + std::to_string(e.text.size()) + "]"});
    const bool was = quiet_;
    quiet_ = true;
    Access a = access(e);
    quiet_ = was;
    if (a.mode == Access::Mode::none) return -1;
    if (a.mode == Access::Mode::constant) return 0;
    return a.type;
  }

  // Emits the dynamic part of e's address (if any) and says where e is.
  Access access(const Expr& e) {
    Access a;
    switch (e.kind) {
      case Expr::Kind::name: {
        const Symbol* s = find(e.text);
        if (!s) {
          error(e.at, "'" + e.text + "' is not defined; declare it with var (or const) first");
          return a;
        }
        a.type = s->type;
        switch (s->kind) {
          case Symbol::Kind::constant:
            a.mode = Access::Mode::constant;
            a.offset = s->value;
            break;
          case Symbol::Kind::global:
            a.mode = Access::Mode::global;
            a.label = s->label;
            break;
          case Symbol::Kind::local:
            a.mode = Access::Mode::local;
            a.offset = s->value;
            break;
          case Symbol::Kind::param_ref:
          case Symbol::Kind::param_buf:
            op("loadl " + std::to_string(s->value));
            a.mode = Access::Mode::dynamic;
            break;
          case Symbol::Kind::record:
            error(e.at, "'" + e.text +
                            "' is a record type, not a variable; declare a variable of it (var m: " + e.text + ";)");
            break;
          case Symbol::Kind::proc:
            error(e.at, "'" + e.text + "' is a procedure; call it with " + e.text + "(...)");
            break;
        }
        return a;
      }
      case Expr::Kind::index: {
        Access base = access(*e.args[0]);
        if (base.mode == Access::Mode::none) return a;
        const TypeInfo& bt = type(base.type);
        if (base.mode == Access::Mode::constant || base.mode == Access::Mode::byte ||
            (bt.kind != TypeInfo::Kind::array && bt.kind != TypeInfo::Kind::bytes &&
             bt.kind != TypeInfo::Kind::buffer)) {
          error(e.at, "only an array or a bytes variable can be indexed; this is " +
                          (base.mode == Access::Mode::constant ? std::string("a constant") : type_name(base.type)));
          return a;
        }
        const bool bytes = bt.kind == TypeInfo::Kind::bytes || bt.kind == TypeInfo::Kind::buffer;
        const int elem = bytes ? 0 : bt.elem;
        const std::int64_t w = bytes ? 1 : type(elem).words;
        std::int64_t k = 0;
        if (bt.kind != TypeInfo::Kind::buffer && constant(*e.args[1], k)) {
          if (k < 0 || k >= bt.count) {
            error(e.args[1]->at, "index " + std::to_string(k) + " is outside " + type_name(base.type) + " (0.." +
                                     std::to_string(bt.count - 1) + ")");
            return a;
          }
          if (!bytes && (base.mode == Access::Mode::global || base.mode == Access::Mode::local)) {
            base.offset += k * w;
            base.type = elem;
            return base;
          }
        }
        const Expr& index = *e.args[1];
        const bool checked = bt.kind == TypeInfo::Kind::buffer || !constant(index, k);  // a constant is checked now
        const std::int64_t length_at = bt.kind == TypeInfo::Kind::buffer ? find(e.args[0]->text)->value + 1 : 0;
        auto check = [&] {
          if (checked) check_index(index, bt, length_at);
        };
        if (bytes) {
          word_address(base);
          push(4);
          op("mul");
          if (!value(index)) return a;
          check();
          op("add");
          a.mode = Access::Mode::byte;
          a.type = 0;
          return a;
        }
        if (base.mode == Access::Mode::global && w == 1) {
          if (!value(index)) return a;
          check();
          base.mode = Access::Mode::global_x;
          base.type = elem;
          return base;
        }
        word_address(base);
        if (!value(index)) return a;
        check();
        if (w != 1) {
          push(w);
          op("mul");
        }
        op("add");
        a.mode = Access::Mode::dynamic;
        a.type = elem;
        return a;
      }
      case Expr::Kind::field: {
        Access base = access(*e.args[0]);
        if (base.mode == Access::Mode::none) return a;
        if (base.mode == Access::Mode::constant || base.mode == Access::Mode::byte ||
            type(base.type).kind != TypeInfo::Kind::record) {
          error(e.at, "'." + e.text + "' needs a record before it; this is " +
                          (base.mode == Access::Mode::constant ? std::string("a constant") : type_name(base.type)));
          return a;
        }
        const RecordInfo& r = records_[static_cast<std::size_t>(type(base.type).record)];
        for (const auto& f : r.fields)
          if (f.name == e.text) {
            if (base.mode == Access::Mode::global || base.mode == Access::Mode::local) {
              base.offset += f.offset;
            } else {
              word_address(base);
              if (f.offset) op("addi " + std::to_string(f.offset));
              base.mode = Access::Mode::dynamic;
            }
            base.type = f.type;
            return base;
          }
        std::string names;
        for (const auto& f : r.fields) names += (names.empty() ? "" : ", ") + f.name;
        error(e.at, "record " + r.name + " has no field '" + e.text + "' (its fields: " + names + ")");
        return a;
      }
      default:
        error(e.at, "this is a value, not a variable; only a variable, an element or a field can be used here");
        return a;
    }
  }

  // The run-time check of a computed index on the stack (it stays there): 0 <= index < length, else the
  // process abends with a reason that names the ptal file and line. One unsigned comparison; the abend is
  // out of line, at the procedure's end, one for each line and array type.
  void check_index(const Expr& index, const TypeInfo& t, std::int64_t length_at) {
    if (quiet_) return;  // only finding a type: no code
    op("dup");
    if (t.kind == TypeInfo::Kind::buffer)
      op("loadl " + std::to_string(length_at));
    else
      push(t.count);
    op("ltu");
    const std::string file = index.at.file >= 0 && static_cast<std::size_t>(index.at.file) < files_.size()
                                 ? files_[static_cast<std::size_t>(index.at.file)]
                                 : std::string("?");
    const std::string text = "index out of bounds: " + t.name + " at " +
                             file.substr(file.find_last_of('/') == std::string::npos ? 0 : file.find_last_of('/') + 1) +
                             ":" + std::to_string(index.at.line);
    std::string trap;
    for (const auto& b : bounds_traps_)
      if (b.text == text) trap = b.label;
    if (trap.empty()) {
      trap = new_label();
      bounds_traps_.push_back(BoundsTrap{trap, text, index.at});
    }
    op("jz " + trap);
  }

  // Turns an access into a word address on the stack.
  void word_address(Access& a) {
    switch (a.mode) {
      case Access::Mode::global:
        op("push " + addr(a.label, a.offset));
        break;
      case Access::Mode::local:
        op("laddr " + std::to_string(a.offset));
        break;
      case Access::Mode::global_x:
        op("push " + addr(a.label, a.offset));
        op("add");
        break;
      default:
        break;
    }
    a.mode = Access::Mode::dynamic;
  }

  void load(const Access& a) {
    switch (a.mode) {
      case Access::Mode::constant:
        push(a.offset);
        break;
      case Access::Mode::global:
        op("load " + addr(a.label, a.offset));
        break;
      case Access::Mode::local:
        op("loadl " + std::to_string(a.offset));
        break;
      case Access::Mode::global_x:
        op("loadx " + addr(a.label, a.offset));
        break;
      case Access::Mode::dynamic:
        op("loadi");
        break;
      case Access::Mode::byte:
        op("loadb");
        break;
      case Access::Mode::none:
        break;
    }
  }
  void store(const Access& a) {
    switch (a.mode) {
      case Access::Mode::global:
        op("store " + addr(a.label, a.offset));
        break;
      case Access::Mode::local:
        op("storel " + std::to_string(a.offset));
        break;
      case Access::Mode::global_x:
        op("storex " + addr(a.label, a.offset));
        break;
      case Access::Mode::dynamic:
        op("storei");
        break;
      case Access::Mode::byte:
        op("storeb");
        break;
      default:
        break;
    }
  }

  std::string not_a_number(int t, const std::string& what) {
    const TypeInfo& ti = type(t);
    std::string hint = ti.kind == TypeInfo::Kind::bytes || ti.kind == TypeInfo::Kind::buffer
                           ? "; use sizeof(" + what + ") for its length or " + what + "[i] for a byte"
                       : ti.kind == TypeInfo::Kind::array ? "; use " + what + "[i] for an element"
                                                          : "; use " + what + ".field for a field";
    return "'" + what + "' is " + ti.name + ", not a number" + hint;
  }

  static std::string spelled(const Expr& e) {
    if (e.kind == Expr::Kind::name) return e.text;
    if (e.kind == Expr::Kind::field) return spelled(*e.args[0]) + "." + e.text;
    if (e.kind == Expr::Kind::index) return spelled(*e.args[0]) + "[...]";
    return "it";
  }

  // ---- expressions: each pushes one int ----
  bool value(const Expr& e) {
    std::int64_t k = 0;
    if (e.kind != Expr::Kind::call && constant(e, k)) {
      push(k);
      return true;
    }
    switch (e.kind) {
      case Expr::Kind::number:
        push(e.value);
        return true;
      case Expr::Kind::string:
        error(e.at,
              "a string is not a number; strings go to print, to a bytes variable's start value, or to a call that "
              "takes a buffer");
        return false;
      case Expr::Kind::size_of: {
        const int t = type_of(*e.args[0]);
        if (t < 0) {
          error(e.args[0]->at, e.op + " needs a variable, a field, an element or a type");
          return false;
        }
        if (type(t).kind == TypeInfo::Kind::buffer) {  // a buffer parameter's length, passed with it
          op("loadl " + std::to_string(find(e.args[0]->text)->value + 1));
          if (e.op == "wordsof") {
            op("addi 3");
            push(2);
            op("shr");
          }
          return true;
        }
        push(e.op == "sizeof" ? bytes_of(t) : type(t).words);
        return true;
      }
      case Expr::Kind::name:
      case Expr::Kind::index:
      case Expr::Kind::field: {
        Access a = access(e);
        if (a.mode == Access::Mode::none) return false;
        if (a.mode != Access::Mode::constant && a.mode != Access::Mode::byte && !is_int(a.type)) {
          error(e.at, not_a_number(a.type, spelled(e)));
          return false;
        }
        load(a);
        return true;
      }
      case Expr::Kind::unary: {
        if (!value(*e.args[0])) return false;
        if (e.op == "-")
          op("neg");
        else if (e.op == "~")
          op("not");
        else if (e.op == "!") {
          push(0);
          op("eq");
        }
        return true;
      }
      case Expr::Kind::binary:
        return binary(e);
      case Expr::Kind::call:
        return call(e, true);
    }
    return false;
  }

  bool binary(const Expr& e) {
    const std::string& o = e.op;
    if (o == "&&" || o == "||") {
      const std::string f = new_label(), end = new_label();
      if (o == "&&") {
        if (!jump_false(*e.args[0], f) || !jump_false(*e.args[1], f)) return false;
        push(1);
        op("jmp " + end);
        label(f);
        push(0);
      } else {
        if (!jump_true(*e.args[0], f) || !jump_true(*e.args[1], f)) return false;
        push(0);
        op("jmp " + end);
        label(f);
        push(1);
      }
      label(end);
      return true;
    }
    std::int64_t k = 0;
    if ((o == "/" || o == "%") && constant(*e.args[1], k) && static_cast<std::int32_t>(k) == 0) {
      error(e.args[1]->at, "division by zero");
      return false;
    }
    if (!value(*e.args[0])) return false;
    if ((o == "+" || o == "-") && constant(*e.args[1], k)) {
      auto n = static_cast<std::int32_t>(static_cast<std::uint32_t>(o == "+" ? k : -k));
      if (n >= -8388608 && n <= 8388607) {
        if (n != 0) op("addi " + std::to_string(n));
        return true;
      }
    }
    if (!value(*e.args[1])) return false;
    static const std::map<std::string, std::string> ops = {{"+", "add"},  {"-", "sub"},  {"*", "mul"}, {"/", "div"},
                                                           {"%", "mod"},  {"&", "and"},  {"|", "or"},  {"^", "xor"},
                                                           {"<<", "shl"}, {">>", "sar"}, {"==", "eq"}, {"!=", "ne"},
                                                           {"<", "lt"},   {"<=", "le"},  {">", "gt"},  {">=", "ge"}};
    op(ops.at(o));
    return true;
  }

  // Conditions: jump to `target` when e is false (or true), without making a 0/1 when it can.
  bool jump_false(const Expr& e, const std::string& target) { return jump(e, target, false); }
  bool jump_true(const Expr& e, const std::string& target) { return jump(e, target, true); }
  bool jump(const Expr& e, const std::string& target, bool when) {
    std::int64_t k = 0;
    if (e.kind == Expr::Kind::unary && e.op == "!") return jump(*e.args[0], target, !when);
    if (e.kind == Expr::Kind::binary && (e.op == "&&" || e.op == "||")) {
      const bool is_and = e.op == "&&";
      if (is_and != when) {  // (a && b) false: either false; (a || b) true: either true
        return jump(*e.args[0], target, when) && jump(*e.args[1], target, when);
      }
      const std::string skip = new_label();
      if (!jump(*e.args[0], skip, !when) || !jump(*e.args[1], target, when)) return false;
      label(skip);
      return true;
    }
    if (e.kind == Expr::Kind::binary && (e.op == "==" || e.op == "!=") && constant(*e.args[1], k) && k == 0 &&
        e.args[0]->kind != Expr::Kind::call) {
      if (!value(*e.args[0])) return false;
      const bool jump_on_zero = (e.op == "==") == when;
      op(std::string(jump_on_zero ? "jz " : "jnz ") + target);
      return true;
    }
    if (!value(e)) return false;
    op(std::string(when ? "jnz " : "jz ") + target);
    return true;
  }

  // ---- buffers: word address and byte length ----
  bool buffer(const Expr& e, bool writable, const std::string& what) {
    if (e.kind == Expr::Kind::string) {
      if (writable) {
        error(e.at, what + " is filled by the call, so it must be a variable, not a string");
        return false;
      }
      op("push " + string_label(e.text));
      push(static_cast<std::int64_t>(e.text.size()));
      return true;
    }
    if (e.kind == Expr::Kind::call && e.text == "first") {
      if (e.args.size() != 2) {
        error(e.at, "first takes 2 arguments (a buffer and a length in bytes), not " + std::to_string(e.args.size()));
        return false;
      }
      const int t = type_of(*e.args[0]);
      if (t < 0) {
        access(*e.args[0]);
        return false;
      }
      std::int64_t n = 0;
      if (constant(*e.args[1], n) && (n < 0 || (type(t).kind != TypeInfo::Kind::buffer && n > bytes_of(t)))) {
        error(e.args[1]->at, "first(" + spelled(*e.args[0]) + ", " + std::to_string(n) + ") is longer than " +
                                 spelled(*e.args[0]) + " (" + std::to_string(bytes_of(t)) + " bytes)");
        return false;
      }
      if (!address_of(*e.args[0], what)) return false;
      return value(*e.args[1]);
    }
    if (e.kind != Expr::Kind::name && e.kind != Expr::Kind::index && e.kind != Expr::Kind::field) {
      error(e.at, what + " must be a buffer (a variable, record, array, field or string), not a computed number");
      return false;
    }
    const int t = type_of(e);
    if (t < 0) {
      access(e);
      return false;
    }
    if (!address_of(e, what)) return false;
    if (type(t).kind == TypeInfo::Kind::buffer)
      op("loadl " + std::to_string(find(e.text)->value + 1));  // only a parameter is a buffer
    else
      push(bytes_of(t));
    return true;
  }

  bool address_of(const Expr& e, const std::string& what) {
    Access a = access(e);
    if (a.mode == Access::Mode::none) return false;
    if (a.mode == Access::Mode::constant) {
      error(e.at, what + " must be a buffer, but '" + spelled(e) + "' is a constant");
      return false;
    }
    if (a.mode == Access::Mode::byte) {
      error(e.at, what + " must start at a word; a single byte of a bytes variable cannot be a buffer");
      return false;
    }
    word_address(a);
    return true;
  }

  std::string string_label(const std::string& text) {
    if (auto it = strings_.find(text); it != strings_.end()) return it->second;
    const std::string l = "s_" + std::to_string(strings_.size());
    strings_[text] = l;
    data_.push_back(l + ":");
    std::vector<std::uint32_t> w((text.size() + 3) / 4, 0);
    for (std::size_t i = 0; i < text.size(); ++i)
      w[i / 4] |= static_cast<std::uint32_t>(static_cast<unsigned char>(text[i])) << (8 * (i % 4));
    for (auto x : w) data_.push_back("        .word " + hex(x));
    if (w.empty()) data_.push_back("        .space 1");
    return l;
  }

  // ---- calls; `want` says whether the result is used. Pushes one word exactly when a result is made. ----
  bool call(const Expr& e, bool want) {
    const std::string& n = e.text;
    auto arity = [&](std::size_t k, const std::string& how) {
      if (e.args.size() == k) return true;
      error(e.at, n + " takes " + std::to_string(k) + " argument" + (k == 1 ? "" : "s") + how + ", not " +
                      std::to_string(e.args.size()));
      return false;
    };
    if (n == "print") return print(e, want);
    if (n == "checkpoint") return checkpoint(e);
    if (n == "first" || n == "hex") {
      error(e.at, n == "first" ? "first(buffer, length) stands only where a call takes a buffer"
                               : "hex(value) stands only in print");
      return false;
    }
    if (n == "arg") {
      if (!arity(2, " (the argument's number and a default)")) return false;
      if (!value(*e.args[0]) || !value(*e.args[1])) return false;
      uses_runtime_ = true;
      op("call rt_arg");
      return true;
    }
    if (n == "takeover") {
      if (!arity(1, " (a status from checkpoint, checkmonitor or checkswitch)")) return false;
      if (!value(*e.args[0])) return false;
      push(8);
      op("shr");
      push(2);
      op("eq");
      return true;
    }
    if (const BuiltinCall* b = find_builtin_call(n)) {
      std::string how = " (";
      for (std::size_t i = 0; i < b->args.size(); ++i)
        how += std::string(i ? ", " : "") + (b->args[i] == ArgKind::value ? "a number" : "a buffer");
      how += ")";
      if (!arity(b->args.size(), b->args.empty() ? "" : how)) return false;
      for (std::size_t i = 0; i < b->args.size(); ++i) {
        const std::string what = "argument " + std::to_string(i + 1) + " of " + n;
        if (b->args[i] == ArgKind::value) {
          if (!int_argument(*e.args[i], what)) return false;
        } else if (!buffer(*e.args[i], b->args[i] == ArgKind::out, what)) {
          return false;
        }
      }
      op("sys " + std::to_string(b->sys));
      return true;
    }
    const Symbol* s = find(n);
    if (!s) {
      error(e.at, "there is no procedure '" + n + "'");
      return false;
    }
    if (s->kind != Symbol::Kind::proc) {
      error(e.at, "'" + n + "' is not a procedure and cannot be called");
      return false;
    }
    const Decl& d = *s->decl;
    if (want && !d.returns_int) {
      error(e.at, "'" + n + "' returns no value, so it cannot be used in an expression");
      return false;
    }
    if (e.args.size() != d.params.size()) {
      std::string how;
      for (std::size_t i = 0; i < d.params.size(); ++i) how += (i ? ", " : " (") + d.params[i].name;
      if (!how.empty()) how += ")";
      error(e.at, n + " takes " + std::to_string(d.params.size()) + " argument" + (d.params.size() == 1 ? "" : "s") +
                      how + ", not " + std::to_string(e.args.size()));
      return false;
    }
    for (std::size_t i = 0; i < d.params.size(); ++i) {
      const int pt = param_types_.count(&d.params[i]) ? param_types_[&d.params[i]] : -1;
      const std::string what = "argument " + std::to_string(i + 1) + " of " + n + " (" + d.params[i].name + ")";
      if (pt < 0) return false;
      if (is_int(pt)) {
        if (!int_argument(*e.args[i], what)) return false;
      } else if (type(pt).kind == TypeInfo::Kind::buffer) {
        if (!buffer(*e.args[i], false, what)) return false;
      } else {
        const int at = type_of(*e.args[i]);
        if (at != pt) {
          error(e.args[i]->at,
                what + " must be a " + type_name(pt) + " variable" + (at >= 0 ? ", not " + type_name(at) : ""));
          return false;
        }
        if (!address_of(*e.args[i], what)) return false;
      }
    }
    op("call p_" + n);
    return true;
  }

  bool int_argument(const Expr& a, const std::string& what) {
    if (a.kind == Expr::Kind::string) {
      error(a.at, what + " is a number, not a string");
      return false;
    }
    return value(a);
  }

  bool print(const Expr& e, bool want) {
    if (want) {
      error(e.at, "print returns no value");
      return false;
    }
    if (e.args.empty()) {
      error(e.at, "print needs something to print: print(\"text\", n, ...)");
      return false;
    }
    const auto& a = e.args;
    auto is_str = [](const Expr& x) { return x.kind == Expr::Kind::string; };
    auto is_num = [&](const Expr& x) {
      if (x.kind == Expr::Kind::string || (x.kind == Expr::Kind::call && (x.text == "hex" || x.text == "first")))
        return false;
      if (x.kind == Expr::Kind::name || x.kind == Expr::Kind::index || x.kind == Expr::Kind::field) {
        const int t = type_of(x);
        return t < 0 || is_int(t);
      }
      return true;
    };
    if (a.size() == 1 && is_str(*a[0])) {
      buffer(*a[0], false, "");
      op("sys 3");
      return true;
    }
    if (a.size() == 2 && is_str(*a[0]) && is_num(*a[1])) {
      buffer(*a[0], false, "");
      if (!value(*a[1])) return false;
      op("sys 5");
      return true;
    }
    if (a.size() == 1 && is_num(*a[0])) {
      if (!value(*a[0])) return false;
      op("sys 4");
      return true;
    }
    uses_runtime_ = true;
    for (const auto& x : a) {
      if (x->kind == Expr::Kind::call && x->text == "hex") {
        if (x->args.size() != 1) {
          error(x->at, "hex takes 1 argument (a number), not " + std::to_string(x->args.size()));
          return false;
        }
        if (!value(*x->args[0])) return false;
        op("call rt_hex");
      } else if (is_num(*x)) {
        if (!value(*x)) return false;
        op("call rt_num");
      } else {
        if (!buffer(*x, false, "a text to print")) return false;
        op("call rt_text");
      }
    }
    op("call rt_flush");
    push(0);
    return true;
  }

  // checkpoint(items...): the stack (the restart point), each named global, `receive` for $RECEIVE's sync
  // block, file(n) for an open's. The descriptor is built here, with the lengths in words.
  bool checkpoint(const Expr& e) {
    std::vector<std::string> buffers;  // "label+off, words"; "" for a buffer parameter's, filled when running
    std::vector<const Symbol*> runtime_buffers;
    std::vector<std::string> files;    // a number, or "" for a runtime one
    std::vector<const Expr*> runtime_files;
    for (const auto& x : e.args) {
      if (x->kind == Expr::Kind::name && x->text == "receive" && !find("receive")) {
        files.push_back("0");
        continue;
      }
      if (x->kind == Expr::Kind::call && x->text == "file") {
        if (x->args.size() != 1) {
          error(x->at, "file takes 1 argument (a file number from open), not " + std::to_string(x->args.size()));
          return false;
        }
        files.push_back("");
        runtime_files.push_back(x->args[0].get());
        continue;
      }
      if (x->kind != Expr::Kind::name) {
        error(x->at, "checkpoint takes names of variables, 'receive' and file(n); name whole variables here");
        return false;
      }
      const Symbol* s = find(x->text);
      if (!s) {
        error(x->at, "'" + x->text + "' is not defined; declare it with var first");
        return false;
      }
      if (s->kind == Symbol::Kind::local || s->kind == Symbol::Kind::param_ref) continue;  // on the stack: copied
      if (s->kind == Symbol::Kind::param_buf) {
        buffers.emplace_back();
        runtime_buffers.push_back(s);
        continue;
      }
      if (s->kind != Symbol::Kind::global) {
        error(x->at, "checkpoint copies variables; '" + x->text + "' is not one");
        return false;
      }
      buffers.push_back(s->label + ", " + std::to_string(type(s->type).words));
    }
    if (buffers.size() > 13) {
      error(e.at, "a checkpoint takes at most 13 variables; put the state in a record and checkpoint that");
      return false;
    }
    if (files.size() > 8) {
      error(e.at, "a checkpoint takes at most 8 files");
      return false;
    }
    const std::string l = "ck_" + std::to_string(++checkpoints_);
    std::string words = "        .word 1, " + std::to_string(buffers.size());
    std::size_t runtime_buffer = 0;
    for (std::size_t i = 0; i < buffers.size(); ++i) {
      if (!buffers[i].empty()) {
        words += ", " + buffers[i];
        continue;
      }
      words += ", 0, 0";  // a buffer parameter: its address, and its length in words
      const Symbol* b = runtime_buffers[runtime_buffer++];
      op("loadl " + std::to_string(b->value));
      op("store " + addr(l, static_cast<std::int64_t>(2 + 2 * i)));
      op("loadl " + std::to_string(b->value + 1));
      op("addi 3");
      push(2);
      op("shr");
      op("store " + addr(l, static_cast<std::int64_t>(3 + 2 * i)));
    }
    words += ", " + std::to_string(files.size());
    std::size_t runtime_index = 0;
    const std::size_t first_file = 3 + 2 * buffers.size();
    for (std::size_t i = 0; i < files.size(); ++i) {
      words += ", " + (files[i].empty() ? std::string("0") : files[i]);
      if (files[i].empty()) {
        if (!value(*runtime_files[runtime_index++])) return false;
        op("store " + addr(l, static_cast<std::int64_t>(first_file + i)));
      }
    }
    data_.push_back(l + ":");
    data_.push_back(words);
    op("push " + l);
    op("sys 24");
    return true;
  }

  // ---- statements ----
  struct Loop {
    std::string brk, cont;
  };

  // True when control cannot run past the end of `b`.
  bool ends(const Block& b) {
    if (b.empty()) return false;
    const Stmt& s = *b.back();
    if (s.kind == Stmt::Kind::return_) return true;
    if (s.kind == Stmt::Kind::call && s.value->kind == Expr::Kind::call) {
      const BuiltinCall* c = find_builtin_call(s.value->text);
      if (c && !c->returns) return true;
    }
    if (s.kind == Stmt::Kind::if_ && s.has_else) {
      for (const auto& blk : s.blocks)
        if (!ends(blk)) return false;
      return ends(s.else_block);
    }
    std::int64_t k = 0;
    if (s.kind == Stmt::Kind::while_ && constant(*s.conds[0], k) && k != 0) return !has_break(s.blocks[0]);
    return false;
  }
  bool has_break(const Block& b) const {
    for (const auto& s : b) {
      if (s->kind == Stmt::Kind::break_) return true;
      if (s->kind == Stmt::Kind::if_) {
        for (const auto& blk : s->blocks)
          if (has_break(blk)) return true;
        if (has_break(s->else_block)) return true;
      }
    }
    return false;
  }

  void proc(const Decl& d) {
    here_ = d.at;
    proc_ = &d;
    scopes_.emplace_back();
    const std::int64_t n = param_words(d);
    std::int64_t slot = 0;
    for (const Param& p : d.params) {
      const int t = param_types_.count(&p) ? param_types_[&p] : -1;
      if (t < 0) continue;
      Symbol s;
      const bool buf = type(t).kind == TypeInfo::Kind::buffer;
      s.kind = is_int(t) ? Symbol::Kind::local : buf ? Symbol::Kind::param_buf : Symbol::Kind::param_ref;
      s.at = p.at;
      s.type = t;
      s.value = slot - 1 - n;
      slot += buf ? 2 : 1;
      define(p.name, s);
    }
    locals_ = 0;
    line("        .proc p_" + d.name);
    const std::size_t adds_at = out_.assembly.size();
    const std::size_t adds_line = out_.lines.size();
    block(d.body);
    if (d.returns_int && !ends(d.body))
      error(d.end, "procedure '" + d.name + "' can reach its end without returning a value; end it with a return");
    here_ = d.end;
    if (!ends(d.body)) op("ret " + std::to_string(n));
    for (const auto& b : bounds_traps_) {
      here_ = b.at;
      label(b.label);
      op("push " + string_label(b.text));
      push(static_cast<std::int64_t>(b.text.size()));
      op("sys 2");
    }
    bounds_traps_.clear();
    here_ = d.end;
    line("        .endproc");
    if (locals_ > 0 && !quiet_) {
      out_.assembly.insert(adds_at, "        adds " + std::to_string(locals_) + "\n");
      out_.lines.insert(out_.lines.begin() + static_cast<std::ptrdiff_t>(adds_line), d.at.file == 0 ? d.at.line : 0);
    }
    scopes_.pop_back();
  }

  void block(const Block& b) {
    scopes_.emplace_back();
    for (const auto& s : b) stmt(*s);
    scopes_.pop_back();
  }

  int new_local(const std::string& name, int t, Place at) {
    const int offset = static_cast<int>(locals_ + 1);
    locals_ += type(t).words;
    if (locals_ > kMaxLocalWords) {
      error(at, "the procedure's locals take more than " + std::to_string(kMaxLocalWords) + " words; use globals");
      locals_ = 0;
    }
    if (!name.empty()) {
      Symbol s;
      s.kind = Symbol::Kind::local;
      s.at = at;
      s.type = t;
      s.value = offset;
      define(name, s);
    }
    return offset;
  }

  void stmt(const Stmt& s) {
    here_ = s.at;
    switch (s.kind) {
      case Stmt::Kind::var: {
        const int t = resolve_type(s.type);
        if (t < 0) return;
        if (s.value && !is_int(t)) {
          error(s.value->at, "only an int local can have a starting value; fill '" + s.name + "' with assignments");
          return;
        }
        if (s.value && !value(*s.value)) return;  // before the name exists: var x: int = x; is an error
        const int offset = new_local(s.name, t, s.at);
        if (s.value) op("storel " + std::to_string(offset));
        return;
      }
      case Stmt::Kind::assign: {
        Access a = access(*s.target);
        if (a.mode == Access::Mode::none) return;
        if (a.mode == Access::Mode::constant) {
          error(s.target->at, "'" + spelled(*s.target) + "' is a constant and cannot be changed");
          return;
        }
        if (a.mode != Access::Mode::byte && !is_int(a.type)) {
          error(s.at, "'" + spelled(*s.target) + "' is " + type_name(a.type) +
                          "; a whole record, array or bytes cannot be assigned: assign its fields or elements");
          return;
        }
        if (s.op != "=") {
          if (a.mode == Access::Mode::dynamic || a.mode == Access::Mode::byte || a.mode == Access::Mode::global_x) {
            op("dup");  // the address (or index) is wanted twice
          }
          Access b = a;
          load(b);
          std::int64_t k = 0;
          if (constant(*s.value, k) && k > -8388608 && k < 8388607) {
            op("addi " + std::to_string(s.op == "+=" ? k : -k));
          } else {
            if (!value(*s.value)) return;
            op(s.op == "+=" ? "add" : "sub");
          }
        } else if (!value(*s.value)) {
          return;
        }
        store(a);
        return;
      }
      case Stmt::Kind::discard: {
        const Symbol* callee = s.value->kind == Expr::Kind::call ? find(s.value->text) : nullptr;
        if (s.value->kind == Expr::Kind::call &&
            (s.value->text == "print" || (callee && callee->kind == Symbol::Kind::proc && !returns(*s.value)))) {
          error(s.value->at, "'" + s.value->text + "' returns no value; call it without '_ ='");
          return;
        }
        if (value(*s.value)) op("drop");
        return;
      }
      case Stmt::Kind::call: {
        const Expr& c = *s.value;
        const BuiltinCall* b = find_builtin_call(c.text);
        if (b && b->status)
          warning(c.at, "the result of " + c.text + " is ignored; test it, or write '_ = " + c.text +
                            "(...);' to ignore it on purpose");
        if (c.text == "checkpoint")
          warning(c.at,
                  "the status of checkpoint is ignored; a takeover resumes here with a takeover status "
                  "(test it with takeover(status)), or write '_ = checkpoint(...);'");
        if (call(c, false) && (c.text == "print" || returns(c))) op("drop");
        return;
      }
      case Stmt::Kind::if_: {
        const std::string end = new_label();
        for (std::size_t i = 0; i < s.conds.size(); ++i) {
          here_ = s.conds[i]->at;
          const std::string next = new_label();
          jump_false(*s.conds[i], next);
          block(s.blocks[i]);
          if (i + 1 < s.conds.size() || s.has_else)
            if (!ends(s.blocks[i])) op("jmp " + end);
          label(next);
        }
        if (s.has_else) block(s.else_block);
        label(end);
        return;
      }
      case Stmt::Kind::while_: {
        const std::string top = new_label(), end = new_label();
        label(top);
        std::int64_t k = 0;
        if (!(constant(*s.conds[0], k) && k != 0)) jump_false(*s.conds[0], end);
        loops_.push_back(Loop{end, top});
        block(s.blocks[0]);
        loops_.pop_back();
        here_ = s.at;
        op("jmp " + top);
        label(end);
        return;
      }
      case Stmt::Kind::for_: {
        scopes_.emplace_back();
        if (!value(*s.value)) {
          scopes_.pop_back();
          return;
        }
        const int var = new_local(s.name, 0, s.at);
        op("storel " + std::to_string(var));
        std::int64_t k = 0;
        const bool fixed = constant(*s.limit, k);
        int lim = 0;
        if (!fixed) {
          if (!value(*s.limit)) {
            scopes_.pop_back();
            return;
          }
          lim = new_local("", 0, s.at);
          op("storel " + std::to_string(lim));
        }
        const std::string top = new_label(), step = new_label(), end = new_label();
        label(top);
        op("loadl " + std::to_string(var));
        if (fixed)
          push(k);
        else
          op("loadl " + std::to_string(lim));
        op("lt");
        op("jz " + end);
        loops_.push_back(Loop{end, step});
        block(s.blocks[0]);
        loops_.pop_back();
        here_ = s.at;
        label(step);
        op("loadl " + std::to_string(var));
        op("addi 1");
        op("storel " + std::to_string(var));
        op("jmp " + top);
        label(end);
        scopes_.pop_back();
        return;
      }
      case Stmt::Kind::return_: {
        const auto n = std::to_string(param_words(*proc_));
        if (proc_->returns_int) {
          if (!s.value) {
            error(s.at, "'" + proc_->name + "' returns an int: write return VALUE;");
            return;
          }
          if (value(*s.value)) op("retv " + n);
        } else {
          if (s.value) {
            error(s.value->at, "'" + proc_->name + "' returns no value; declare it 'proc " + proc_->name +
                                   "(...): int' to return one");
            return;
          }
          op("ret " + n);
        }
        return;
      }
      case Stmt::Kind::break_:
      case Stmt::Kind::continue_: {
        const bool brk = s.kind == Stmt::Kind::break_;
        if (loops_.empty()) {
          error(s.at, std::string(brk ? "break" : "continue") + " is only allowed inside a while or for loop");
          return;
        }
        op("jmp " + (brk ? loops_.back().brk : loops_.back().cont));
        return;
      }
    }
  }

  // The words a procedure's arguments take on the stack: two for a buffer parameter, one for the others.
  std::int64_t param_words(const Decl& d) const {
    std::int64_t n = 0;
    for (const Param& p : d.params) {
      auto it = param_types_.find(&p);
      n += it != param_types_.end() && it->second >= 0 && type(it->second).kind == TypeInfo::Kind::buffer ? 2 : 1;
    }
    return n;
  }

  // Whether a call statement leaves a result word to drop.
  bool returns(const Expr& c) const {
    if (c.text == "print") return false;
    if (c.text == "checkpoint" || c.text == "arg" || c.text == "takeover") return true;
    if (find_builtin_call(c.text)) return true;
    const Symbol* s = find(c.text);
    return s && s->kind == Symbol::Kind::proc && s->decl->returns_int;
  }

  Generated out_;
  std::vector<TypeInfo> types_;
  std::vector<RecordInfo> records_;
  std::vector<std::map<std::string, Symbol>> scopes_;
  std::map<const Param*, int> param_types_;
  std::vector<std::string> data_;
  std::map<std::string, std::string> strings_;
  std::vector<Loop> loops_;
  const Decl* proc_ = nullptr;
  std::int64_t locals_ = 0;
  std::int64_t global_words_ = 0;
  int labels_ = 0;
  int checkpoints_ = 0;
  bool uses_runtime_ = false;
  bool quiet_ = false;
  bool param_type_ = false;
  const std::vector<std::string>& files_;
  struct BoundsTrap {
    std::string label;
    std::string text;
    Place at;
  };
  std::vector<BoundsTrap> bounds_traps_;  // this procedure's: emitted at its end  // resolving a parameter's type: 'buffer' is allowed
  Place here_;
};

}  // namespace

Generated generate(const Unit& unit, const std::vector<std::string>& files) {
  return Generator(files).run(unit);
}

}  // namespace pairsim::guest::ptal
