// Calls in ptal: a program's procedures, and the code of the built-ins — system calls with their arguments
// checked, print, arg, takeover, checkpoint's descriptor.
#include "guest/ptal_generator.hpp"

#include "guest/ptal_builtins.hpp"

namespace pairsim::guest::ptal::gen {

bool Generator::call(const Expr& e, bool want) {
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
  if (n == "ckpt_kind" || n == "ckpt_detail") {  // the two parts of a status word: kind << 8 | detail
    if (!arity(1, " (a status from checkpoint, checkmonitor, checkopen, checkclose or checkswitch)")) return false;
    if (!value(*e.args[0])) return false;
    if (n == "ckpt_kind") {
      push(8);
      op("shr");
    }
    push(0xFF);
    op("and");
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

bool Generator::int_argument(const Expr& a, const std::string& what) {
  if (a.kind == Expr::Kind::string) {
    error(a.at, what + " is a number, not a string");
    return false;
  }
  return value(a);
}

bool Generator::print(const Expr& e, bool want) {
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

bool Generator::checkpoint(const Expr& e) {
  std::vector<std::string> buffers;  // "label+off, words"; "" for a buffer parameter's, filled when running
  std::vector<const Symbol*> runtime_buffers;
  std::vector<std::string> files;  // a number, or "" for a runtime one
  std::vector<const Expr*> runtime_files;
  for (const auto& x : e.args) {
    if (x->kind == Expr::Kind::name && x->text == "receive" && !find("receive")) {
      files.push_back("0");
      continue;
    }
    if (x->kind == Expr::Kind::call && x->text == "file") {
      if (x->args.size() != 1) {
        error(x->at, "the checkpoint item file takes 1 argument (a file number from open), not " +
                         std::to_string(x->args.size()));
        return false;
      }
      files.push_back("");
      runtime_files.push_back(x->args[0].get());
      continue;
    }
    if (x->kind != Expr::Kind::name) {
      error(x->at,
            "checkpoint takes whole variables and the checkpoint items receive and file(f); name a variable "
            "here, not an expression");
      return false;
    }
    const Symbol* s = find(x->text);
    if (!s) {
      error(x->at, "'" + x->text + "' is not defined; declare it with var first");
      return false;
    }
    if (s->kind == Symbol::Kind::local) {  // on the stack, which every checkpoint here copies whole
      warning(x->at, "'" + x->text +
                         "' is a local (or an int parameter), on the stack, which every ptal checkpoint copies "
                         "whole with the restart point: naming it adds nothing; leave it out, or make it a "
                         "global to checkpoint it by name");
      continue;
    }
    if (s->kind == Symbol::Kind::param_buf || s->kind == Symbol::Kind::param_ref) {  // the buffer it refers to
      buffers.emplace_back();
      runtime_buffers.push_back(s);
      continue;
    }
    if (s->kind != Symbol::Kind::global) {
      error(x->at,
            "checkpoint copies variables and the checkpoint items receive and file(f); '" + x->text + "' is neither");
      return false;
    }
    buffers.push_back(s->label + ", " + std::to_string(type(s->type).words));
  }
  if (buffers.size() > 13) {
    error(e.at, "a checkpoint takes at most 13 variables; put the state in a record and checkpoint that");
    return false;
  }
  if (files.size() > 8) {
    error(e.at, "a checkpoint takes at most 8 files (the checkpoint items receive and file(f))");
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
    const Symbol* b = runtime_buffers[runtime_buffer++];
    op("loadl " + std::to_string(b->value));  // a parameter's buffer: its address when running ...
    op("store " + addr(l, static_cast<std::int64_t>(2 + 2 * i)));
    if (b->kind == Symbol::Kind::param_ref) {  // ... and its length in words, from its type
      words += ", 0, " + std::to_string(type(b->type).words);
      continue;
    }
    words += ", 0, 0";  // ... or from the length passed with it
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

bool Generator::returns(const Expr& c) const {
  if (c.text == "print") return false;
  if (c.text == "checkpoint" || c.text == "arg" || c.text == "takeover" || c.text == "ckpt_kind" ||
      c.text == "ckpt_detail")
    return true;
  if (find_builtin_call(c.text)) return true;
  const Symbol* s = find(c.text);
  return s && s->kind == Symbol::Kind::proc && s->decl->returns_int;
}

}  // namespace pairsim::guest::ptal::gen
