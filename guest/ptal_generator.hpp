#pragma once
// The inside of the ptal code generator (ptal_codegen.hpp is its front door), shared by its files:
// ptal_codegen.cpp (the program's frame, messages, output, names), ptal_declarations.cpp (types, the
// layout of records and globals, constants), ptal_expressions.cpp (places in memory, expressions,
// conditions, buffers), ptal_calls.cpp (procedure calls and the built-ins' code: system calls, print,
// checkpoint) and ptal_statements.cpp (procedures, blocks, statements).
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "guest/ptal_ast.hpp"
#include "guest/ptal_codegen.hpp"

namespace pairsim::guest::ptal::gen {

inline constexpr std::int64_t kMaxGlobalWords = 8000000;  // globals are addressed by 24-bit signed operands
inline constexpr std::int64_t kMaxLocalWords = 1000000;
inline constexpr std::size_t kMaxMessages = 50;

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
  enum class Kind : std::uint8_t { constant, global, local, param_ref, param_buf, record, proc } kind = Kind::constant;
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

// A word as a .word operand: 0x and eight hexadecimal digits.
std::string hex(std::uint32_t v);

class Generator {
 public:
  explicit Generator(const std::vector<std::string>& files) : files_(files) {}

  Generated run(const Unit& u);

 private:
  // ---- messages ----
  void error(Place at, std::string text);
  void warning(Place at, std::string text);

  // ---- output ----
  void line(std::string text);
  void op(const std::string& text) { line("        " + text); }
  std::string new_label() { return ".L" + std::to_string(++labels_); }
  void label(const std::string& l) { line(l + ":"); }
  void push(std::int64_t v);
  static std::string addr(const std::string& label, std::int64_t offset);

  // ---- names ----
  const Symbol* find(const std::string& name) const;
  bool define(const std::string& name, Symbol s);

  // ---- types ----
  std::string type_name(int t) const { return types_[static_cast<std::size_t>(t)].name; }
  const TypeInfo& type(int t) const { return types_[static_cast<std::size_t>(t)]; }
  bool is_int(int t) const { return type(t).kind == TypeInfo::Kind::int_; }
  std::int64_t bytes_of(int t) const;
  int add_type(TypeInfo t);
  std::optional<std::int64_t> count(const TypeRef& r, std::int64_t limit);

  // The type a TypeRef names, or -1 after an error.
  int resolve_type(const TypeRef& r);

  // ---- declarations ----
  void declare_all(const Unit& u);
  void record(const Decl& d);
  void global(const Decl& d);

  // ---- constants ----
  bool constant(const Expr& e, std::int64_t& v);

  // ---- places in memory ----
  // The type of an lvalue or of a type name, without code; -1 after an error.
  int type_of(const Expr& e);

  // Emits the dynamic part of e's address (if any) and says where e is.
  Access access(const Expr& e);

  // The run-time check of a computed index on the stack (it stays there): 0 <= index < length, else the
  // process abends with a reason that names the ptal file and line. One unsigned comparison; the abend is
  // out of line, at the procedure's end, one for each line and array type.
  void check_index(const Expr& index, const TypeInfo& t, std::int64_t length_at);

  // True when `index` is a for loop's variable whose range lies in 0..count-1 (for_ranges_).
  bool in_bounds(const Expr& index, std::int64_t count) const;

  // Turns an access into a word address on the stack.
  void word_address(Access& a);
  void load(const Access& a);
  void store(const Access& a);
  std::string not_a_number(int t, const std::string& what);
  static std::string spelled(const Expr& e);

  // ---- expressions: each pushes one int ----
  bool value(const Expr& e);
  bool binary(const Expr& e);

  // Conditions: jump to `target` when e is false (or true), without making a 0/1 when it can.
  bool jump_false(const Expr& e, const std::string& target) { return jump(e, target, false); }
  bool jump_true(const Expr& e, const std::string& target) { return jump(e, target, true); }
  bool jump(const Expr& e, const std::string& target, bool when);

  // ---- buffers: word address and byte length ----
  bool buffer(const Expr& e, bool writable, const std::string& what);
  bool address_of(const Expr& e, const std::string& what);
  std::string string_label(const std::string& text);

  // ---- calls; `want` says whether the result is used. Pushes one word exactly when a result is made. ----
  bool call(const Expr& e, bool want);
  bool int_argument(const Expr& a, const std::string& what);
  bool print(const Expr& e, bool want);

  // checkpoint(items...): the stack (the restart point), each named global, `receive` for $RECEIVE's sync
  // block, file(n) for an open's. The descriptor is built here, with the lengths in words.
  bool checkpoint(const Expr& e);

  // ---- statements ----
  struct Loop {
    std::string brk, cont;
  };

  // True when control cannot run past the end of `b`.
  bool ends(const Block& b);
  bool has_break(const Block& b) const;
  void proc(const Decl& d);
  void block(const Block& b);
  int new_local(const std::string& name, int t, Place at);
  void stmt(const Stmt& s);
  // Zeroes a local's words again (a local declared in a loop, on each pass).
  void zero_local(int offset, std::int64_t words);

  // True when `b` may change `name`: it assigns it, declares another `name` that hides it, or passes it
  // whole to a call (a call may take it as a buffer and write into it: a built-in like readupdate, or a
  // procedure's buffer parameter). Conservative: any call argument that is just the name counts.
  bool changes(const Block& b, const std::string& name) const;
  bool passes(const Expr& e, const std::string& name) const;

  // The words a procedure's arguments take on the stack: two for a buffer parameter, one for the others.
  std::int64_t param_words(const Decl& d) const;

  // Whether a call statement leaves a result word to drop.
  bool returns(const Expr& c) const;

  // ---- state ----
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
  bool param_type_ = false;  // resolving a parameter's type: 'buffer' is allowed
  const std::vector<std::string>& files_;
  struct BoundsTrap {
    std::string label;
    std::string text;
    Place at;
  };
  std::vector<BoundsTrap> bounds_traps_;  // this procedure's: emitted at its end
  // The for loops being compiled whose variable (by frame offset) stays in [first, second): from a
  // constant to a constant, not assigned in the body. An index that is such a variable may need no check.
  std::map<std::int64_t, std::pair<std::int64_t, std::int64_t>> for_ranges_;
  Place here_;
};

}  // namespace pairsim::guest::ptal::gen
