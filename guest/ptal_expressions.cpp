// ptal expressions to postfix code: places in memory (with the run-time index check), values, conditions
// that jump without making a 0/1, and buffers (a word address and a length in bytes).
#include "guest/ptal_generator.hpp"

#include <map>

namespace pairsim::guest::ptal::gen {

int Generator::type_of(const Expr& e) {
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

Access Generator::access(const Expr& e) {
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
          error(e.at,
                "'" + e.text + "' is a record type, not a variable; declare a variable of it (var m: " + e.text + ";)");
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
          (bt.kind != TypeInfo::Kind::array && bt.kind != TypeInfo::Kind::bytes && bt.kind != TypeInfo::Kind::buffer)) {
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
      const bool checked = bt.kind == TypeInfo::Kind::buffer || (!constant(index, k) && !in_bounds(index, bt.count));
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

bool Generator::in_bounds(const Expr& index, std::int64_t count) const {
  if (index.kind != Expr::Kind::name) return false;
  const Symbol* s = find(index.text);
  if (!s || s->kind != Symbol::Kind::local) return false;
  auto it = for_ranges_.find(s->value);
  return it != for_ranges_.end() && it->second.first >= 0 && it->second.second <= count;
}

void Generator::check_index(const Expr& index, const TypeInfo& t, std::int64_t length_at) {
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

void Generator::word_address(Access& a) {
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

void Generator::load(const Access& a) {
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

void Generator::store(const Access& a) {
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

std::string Generator::not_a_number(int t, const std::string& what) {
  const TypeInfo& ti = type(t);
  std::string hint = ti.kind == TypeInfo::Kind::bytes || ti.kind == TypeInfo::Kind::buffer
                         ? "; use sizeof(" + what + ") for its length or " + what + "[i] for a byte"
                     : ti.kind == TypeInfo::Kind::array ? "; use " + what + "[i] for an element"
                                                        : "; use " + what + ".field for a field";
  return "'" + what + "' is " + ti.name + ", not a number" + hint;
}

std::string Generator::spelled(const Expr& e) {
  if (e.kind == Expr::Kind::name) return e.text;
  if (e.kind == Expr::Kind::field) return spelled(*e.args[0]) + "." + e.text;
  if (e.kind == Expr::Kind::index) return spelled(*e.args[0]) + "[...]";
  return "it";
}

bool Generator::value(const Expr& e) {
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

bool Generator::binary(const Expr& e) {
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
  static const std::map<std::string, std::string> ops = {
      {"+", "add"},  {"-", "sub"},  {"*", "mul"}, {"/", "div"}, {"%", "mod"}, {"&", "and"}, {"|", "or"}, {"^", "xor"},
      {"<<", "shl"}, {">>", "sar"}, {"==", "eq"}, {"!=", "ne"}, {"<", "lt"},  {"<=", "le"}, {">", "gt"}, {">=", "ge"}};
  op(ops.at(o));
  return true;
}

bool Generator::jump(const Expr& e, const std::string& target, bool when) {
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

bool Generator::buffer(const Expr& e, bool writable, const std::string& what) {
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

bool Generator::address_of(const Expr& e, const std::string& what) {
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

std::string Generator::string_label(const std::string& text) {
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

}  // namespace pairsim::guest::ptal::gen
