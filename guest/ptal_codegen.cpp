// The ptal code generator: the program's frame (its start, procedures, data), messages, output lines with
// their ptal lines, and names in scopes. The rest is in the files ptal_generator.hpp lists.
#include "guest/ptal_generator.hpp"

#include <cstdio>

#include "guest/ptal_builtins.hpp"

namespace pairsim::guest::ptal::gen {

std::string hex(std::uint32_t v) {
  char b[16];
  std::snprintf(b, sizeof b, "0x%08X", v);
  return b;
}

Generated Generator::run(const Unit& u) {
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

void Generator::error(Place at, std::string text) {
  if (quiet_) return;
  if (out_.messages.size() < kMaxMessages) out_.messages.push_back(Message{at, false, std::move(text)});
}

void Generator::warning(Place at, std::string text) {
  if (out_.messages.size() < kMaxMessages) out_.messages.push_back(Message{at, true, std::move(text)});
}

void Generator::line(std::string text) {
  if (quiet_) return;
  out_.assembly += text;
  out_.assembly += '\n';
  out_.lines.push_back(here_.file == 0 ? here_.line : 0);
}

void Generator::push(std::int64_t v) {
  const auto w = static_cast<std::int32_t>(static_cast<std::uint32_t>(v));
  if (w >= -8388608 && w <= 8388607)
    op("push " + std::to_string(w));
  else
    op("pushw " + std::to_string(static_cast<std::uint32_t>(w)));
}

std::string Generator::addr(const std::string& label, std::int64_t offset) {
  return offset == 0 ? label : label + "+" + std::to_string(offset);
}

const Symbol* Generator::find(const std::string& name) const {
  for (auto it = scopes_.rbegin(); it != scopes_.rend(); ++it)
    if (auto f = it->find(name); f != it->end()) return &f->second;
  return nullptr;
}

bool Generator::define(const std::string& name, Symbol s) {
  if (name == "main" && s.kind != Symbol::Kind::proc) {
    error(s.at, "'main' is the name of the procedure where the program starts; choose another name");
    return false;
  }
  // A reserved name is reported once and then defined all the same, so its uses make no more errors.
  auto& scope = scopes_.back();
  const Symbol* old = find(name);
  if (is_builtin_name(name)) {
    const bool item = name == "receive" || name == "file";
    error(s.at, "'" + name + "' is a reserved name: " +
                    (item ? "a checkpoint item" : "a built-in procedure") + "; choose another name");
  } else if (old && old->builtin) {
    error(s.at, "'" + name + "' is a reserved name: a built-in constant; choose another name");
  } else if (old) {
    if (scope.count(name)) {
      error(s.at, "'" + name + "' is already defined at line " + std::to_string(old->at.line));
      return false;
    }
  }
  scope[name] = std::move(s);
  return true;
}

}  // namespace pairsim::guest::ptal::gen

namespace pairsim::guest::ptal {

Generated generate(const Unit& unit, const std::vector<std::string>& files) {
  return gen::Generator(files).run(unit);
}

}  // namespace pairsim::guest::ptal
