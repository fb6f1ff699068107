// ptal statements and procedures: locals, assignments, if/while/for, return, break and continue, and the
// end of a procedure (with its index checks' abends).
#include "guest/ptal_generator.hpp"

#include "guest/ptal_builtins.hpp"

namespace pairsim::guest::ptal::gen {

bool Generator::ends(const Block& b) {
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

bool Generator::has_break(const Block& b) const {
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

void Generator::proc(const Decl& d) {
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

void Generator::block(const Block& b) {
  scopes_.emplace_back();
  for (const auto& s : b) stmt(*s);
  scopes_.pop_back();
}

int Generator::new_local(const std::string& name, int t, Place at) {
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

void Generator::zero_local(int offset, std::int64_t words) {
  if (words <= 8) {
    for (std::int64_t k = 0; k < words; ++k) {
      push(0);
      op("storel " + std::to_string(offset + k));
    }
    return;
  }
  const int left = new_local("", 0, here_);  // words still to zero, from the last one down
  const std::string top = new_label(), end = new_label();
  push(words);
  op("storel " + std::to_string(left));
  label(top);
  op("loadl " + std::to_string(left));
  op("jz " + end);
  op("laddr " + std::to_string(offset - 1));
  op("loadl " + std::to_string(left));
  op("add");
  push(0);
  op("storei");
  op("loadl " + std::to_string(left));
  op("addi -1");
  op("storel " + std::to_string(left));
  op("jmp " + top);
  label(end);
}

void Generator::stmt(const Stmt& s) {
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
      if (s.value) {
        op("storel " + std::to_string(offset));
      } else if (!loops_.empty()) {  // in a loop: zero again on every pass, as on the first
        zero_local(offset, type(t).words);
      }
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
      std::int64_t from = 0;
      const bool bounded = fixed && constant(*s.value, from) && !changes(s.blocks[0], s.name);
      if (bounded) for_ranges_[var] = {from, k};  // in the body: from <= var < k
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
      for_ranges_.erase(var);
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

bool Generator::passes(const Expr& e, const std::string& name) const {
  if (e.kind == Expr::Kind::call) {
    // An argument that is only read: a number to a built-in, anything to print, an int parameter.
    const BuiltinCall* b = find_builtin_call(e.text);
    const Symbol* p = b ? nullptr : find(e.text);
    const bool reads = e.text == "print" || e.text == "hex" || e.text == "arg" || e.text == "takeover" ||
                       e.text == "ckpt_kind" || e.text == "ckpt_detail";
    for (std::size_t i = 0; i < e.args.size(); ++i) {
      const Expr& a = *e.args[i];
      if (a.kind != Expr::Kind::name || a.text != name || reads) continue;
      if (b && i < b->args.size() && b->args[i] == ArgKind::value) continue;
      if (p && p->kind == Symbol::Kind::proc && i < p->decl->params.size()) {
        const TypeRef& t = p->decl->params[i].type;
        if (t.name == "int" && !t.count) continue;
      }
      return true;  // it may be taken as a buffer and written into
    }
  }
  for (const auto& a : e.args)
    if (a && passes(*a, name)) return true;
  return false;
}

bool Generator::changes(const Block& b, const std::string& name) const {
  auto in = [&](const ExprPtr& e) { return e && passes(*e, name); };
  for (const auto& s : b) {
    if ((s->kind == Stmt::Kind::var || s->kind == Stmt::Kind::for_) && s->name == name) return true;  // or hides it
    if (s->kind == Stmt::Kind::assign && s->target->kind == Expr::Kind::name && s->target->text == name) return true;
    if (in(s->target) || in(s->value) || in(s->limit) || in(s->type.count)) return true;
    for (const auto& c : s->conds)
      if (in(c)) return true;
    for (const auto& blk : s->blocks)
      if (changes(blk, name)) return true;
    if (changes(s->else_block, name)) return true;
  }
  return false;
}

}  // namespace pairsim::guest::ptal::gen
