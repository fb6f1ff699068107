// ptal's types, the layout of records and globals in words, and constants computed while compiling.
#include "guest/ptal_generator.hpp"

namespace pairsim::guest::ptal::gen {

std::int64_t Generator::bytes_of(int t) const {
  return type(t).kind == TypeInfo::Kind::bytes ? type(t).count : type(t).words * 4;
}

int Generator::add_type(TypeInfo t) {
  for (std::size_t i = 0; i < types_.size(); ++i)
    if (types_[i].kind == t.kind && types_[i].count == t.count && types_[i].elem == t.elem &&
        types_[i].record == t.record)
      return static_cast<int>(i);
  types_.push_back(std::move(t));
  return static_cast<int>(types_.size() - 1);
}

std::optional<std::int64_t> Generator::count(const TypeRef& r, std::int64_t limit) {
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

int Generator::resolve_type(const TypeRef& r) {
  int base = -1;
  if (r.name == "buffer" && !find(r.name)) {
    if (!param_type_ || r.count) {
      error(r.at,
            "'buffer' is only a parameter's type (any buffer, passed with its length); give a variable a "
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
      error(r.at, "unknown type '" + r.name + "'; the types are int, bytes[N] and the records declared with 'record'");
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

void Generator::declare_all(const Unit& u) {
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

void Generator::record(const Decl& d) {
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

void Generator::global(const Decl& d) {
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

bool Generator::constant(const Expr& e, std::int64_t& v) {
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

std::int64_t Generator::param_words(const Decl& d) const {
  std::int64_t n = 0;
  for (const Param& p : d.params) {
    auto it = param_types_.find(&p);
    n += it != param_types_.end() && it->second >= 0 && type(it->second).kind == TypeInfo::Kind::buffer ? 2 : 1;
  }
  return n;
}

}  // namespace pairsim::guest::ptal::gen
