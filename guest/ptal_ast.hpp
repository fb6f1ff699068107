#pragma once
// The syntax tree of a ptal program (docs/language.md), as the parser builds it and the code generator
// reads it. Names are not resolved here; that is the code generator's check.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace pairsim::guest::ptal {

struct Place {
  int file = 0;  // index into the compilation's file list
  int line = 0;
  int col = 0;
};

struct Expr;
using ExprPtr = std::unique_ptr<Expr>;

struct Expr {
  enum class Kind : std::uint8_t {
    number,   // value
    string,   // text
    name,     // text
    unary,    // op, args[0]
    binary,   // op, args[0], args[1]
    index,    // args[0] [ args[1] ]
    field,    // args[0] . text
    call,     // text ( args... )
    size_of,  // sizeof(text or args[0]) / wordsof(...): op is "sizeof" or "wordsof"
  };
  Kind kind = Kind::number;
  Place at;
  std::string op;
  std::string text;
  std::int64_t value = 0;
  std::vector<ExprPtr> args;
};

// `int`, `bytes[N]`, `NAME` (a record), each optionally with `[N]` (an array of it; bytes takes its N).
struct TypeRef {
  Place at;
  std::string name;  // "int", "bytes" or a record's name
  ExprPtr count;     // bytes[N] or X[N]; null for a plain int or record
};

struct Stmt;
using StmtPtr = std::unique_ptr<Stmt>;
using Block = std::vector<StmtPtr>;

struct Stmt {
  enum class Kind : std::uint8_t {
    var,      // name : type [= value]
    assign,   // target op value (op "=", "+=", "-=")
    discard,  // _ = value
    call,     // value (a call)
    if_,      // conds[i] / blocks[i]; else_block
    while_,   // conds[0] / blocks[0]
    for_,     // name in value .. limit, blocks[0]
    return_,  // value (may be null)
    break_,
    continue_,
  };
  Kind kind = Kind::call;
  Place at;
  std::string name;
  std::string op;
  TypeRef type;
  ExprPtr target;
  ExprPtr value;
  ExprPtr limit;
  std::vector<ExprPtr> conds;
  std::vector<Block> blocks;
  Block else_block;
  bool has_else = false;
};

struct Param {
  Place at;
  std::string name;
  TypeRef type;
};

struct Field {
  Place at;
  std::string name;
  TypeRef type;
};

struct Decl {
  enum class Kind : std::uint8_t { constant, record, global, proc };
  Kind kind = Kind::constant;
  Place at;
  std::string name;
  ExprPtr value;              // constant value; global initializer (number or string)
  TypeRef type;               // global's type
  std::vector<Field> fields;  // record
  std::vector<Param> params;  // proc
  bool returns_int = false;   // proc
  Block body;                 // proc
  Place end;                  // proc: its closing brace
};

struct Include {
  Place at;
  std::string file;
};

struct Unit {
  std::vector<Decl> decls;
  std::vector<Include> includes;
};

}  // namespace pairsim::guest::ptal
