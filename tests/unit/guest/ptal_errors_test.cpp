// Every ptal compiler error and warning: its sentence at file:line:col; several errors in one run.
#include <catch2/catch.hpp>

#include "guest/ptal_compiler.hpp"

using namespace pairsim::guest::ptal;

namespace {

// `src` must give an error whose text contains `expected`, first, at line:col.
void check_error(const std::string& src, int line, int col, const std::string& expected) {
  INFO(src);
  const Compiled c = compile_string(src, "bad.ptal", {});
  CHECK(!c.ok);
  const CompileMessage* first = nullptr;
  for (const auto& m : c.messages)
    if (!m.warning) {
      first = &m;
      break;
    }
  REQUIRE(first);
  INFO(first->str());
  CHECK(first->file == "bad.ptal");
  CHECK(first->line == line);
  CHECK(first->col == col);
  CHECK(first->text.find(expected) != std::string::npos);
  CHECK(first->str() == "bad.ptal:" + std::to_string(line) + ":" + std::to_string(col) + ": error: " + first->text);
}

void check_warning(const std::string& src, const std::string& expected) {
  INFO(src);
  const Compiled c = compile_string(src, "w.ptal", {});
  CHECK(c.ok);
  bool found = false;
  for (const auto& m : c.messages)
    if (m.warning && m.text.find(expected) != std::string::npos) found = true;
  CHECK(found);
}

std::string in_main(const std::string& body) {
  return "proc main() {\n" + body + "\n}\n";
}

}  // namespace

TEST_CASE("lexer errors", "[ptal][errors]") {
  check_error("proc main() { # }", 1, 15, "unexpected character '#'");
  check_error("proc main() { \x01 }", 1, 15, "unexpected byte 1");
  check_error("const A = 0x;", 1, 11, "'0x' needs hexadecimal digits");
  check_error("const A = 12ab;", 1, 11, "'12ab' is not a number");
  check_error("const A = 4294967296;", 1, 11, "too large; a word holds 32 bits");
  check_error("const A = 0x100000000;", 1, 11, "too large");
  check_error(in_main("print(\"abc);"), 2, 7, "unterminated string");
  check_error(in_main("print(\"a\\q\");"), 2, 9, "bad escape '\\q'");
  check_error(in_main("print(\"a\\"), 2, 7, "unterminated string");
  check_error("const A = '';", 1, 11, "needs one character between quotes");
  check_error("const A = 'ab';", 1, 11, "unterminated character constant");
}

TEST_CASE("syntax errors", "[ptal][errors]") {
  check_error("proc main() { }\nfoo", 2, 1, "expected a declaration (const, record, var, proc or include)");
  check_error("include pair;", 1, 9, "include needs a file name in quotes");
  check_error("const = 3;", 1, 7, "expected a name after 'const'");
  check_error("const A 3;", 1, 9, "expected '=' after the constant's name");
  check_error("const A = 3", 1, 12, "expected ';' after the constant");
  check_error("record R { a int; }", 1, 14, "expected ':' between the field's name and its type");
  check_error("record R { a: int; ", 1, 20, "expected '}' to close the record");
  check_error("var x int;", 1, 7, "expected ':' between the variable's name and its type");
  check_error("var if: int;", 1, 5, "'if' is a reserved name: a keyword of the language");
  check_error("var x: bytes;", 1, 13, "bytes needs its length in bytes");
  check_error("var x: while;", 1, 8, "'while' is not a type");
  check_error("var x: 5;", 1, 8, "expected a type");
  check_error("proc main( { }", 1, 12, "expected a name for a parameter");
  check_error("proc f(a int) { }", 1, 10, "expected ':' between the parameter's name and its type");
  check_error("proc f(a: int { }", 1, 15, "expected ')' to close the parameter list");
  check_error("proc f(): bytes { }", 1, 11, "a procedure returns an int or nothing");
  check_error("proc main() ", 1, 13, "expected '{' to open a block");
  check_error(in_main("if 1 { else { }"), 2, 8, "'else' cannot start a statement here");
  check_error(in_main("if 1 { } else if 2 { }"), 2, 15, "write 'elif' instead of 'else if'");
  check_error(in_main("for in 0..3 { }"), 2, 5, "'in' is a reserved name: a keyword");
  check_error(in_main("for i 0..3 { }"), 2, 7, "expected 'in' after the loop variable");
  check_error(in_main("for i in 0, 3 { }"), 2, 11, "expected '..' between the loop's first value and its end");
  check_error(in_main("return 1"), 3, 1, "expected ';' after return");
  check_error(in_main("while 1 { break }"), 2, 17, "expected ';' after break");
  check_error(in_main("while 1 { continue }"), 2, 20, "expected ';' after continue");
  check_error(in_main("_ = f()"), 3, 1, "expected ';' after the statement");
  check_error(in_main("elif 1 { }"), 2, 1, "'elif' cannot start a statement here");
  check_error(in_main("var x: int; x == 1;"), 2, 15, "'==' compares; to assign a value write '='");
  check_error(in_main("1 + 2;"), 2, 1, "this expression does nothing");
  check_error(in_main("f(1) 2;"), 2, 6, "expected ';' at the end of the statement");
  check_error(in_main("var a: int[3]; a[1 = 2;"), 2, 20, "expected ']' after the index");
  check_error(in_main("var a: int; a. = 2;"), 2, 16, "expected a name of a field after '.'");
  check_error(in_main("var a: int = (1 + 2;"), 2, 20, "expected ')' to close the parenthesis");
  check_error(in_main("var a: int = sizeof a;"), 2, 21, "expected '(' after sizeof or wordsof");
  check_error(in_main("var a: int = sizeof(a;"), 2, 22, "expected ')' to close the parenthesis");
  check_error(in_main("var a: int = while;"), 2, 14, "'while' is a keyword; it cannot stand in an expression");
  check_error(in_main("f(1, 2;"), 2, 7, "expected ')' to close the argument list");
  check_error(in_main("var a: int = ;"), 2, 14, "expected a value");
  check_error("const A = " + std::string(600, '(') + "1" + std::string(600, ')') + ";", 1, 511, "nested too deeply");
  std::string chain = "const A = 1";
  for (int i = 0; i < 100000; ++i) chain += "+1";
  check_error(chain + ";", 1, 1009, "nested too deeply");
  std::string fields = "proc main() { x";
  for (int i = 0; i < 100000; ++i) fields += "[0]";
  check_error(fields + " = 1; }", 1, 1508, "nested too deeply");
}

TEST_CASE("name and type errors", "[ptal][errors]") {
  check_error("proc f() { }", 1, 1, "the program has no 'proc main() { ... }'");
  check_error("proc main(a: int) { }", 1, 1, "main takes no parameters");
  check_error("var main: int;\nproc main() { }", 1, 1, "'main' is the name of the procedure where the program starts");
  check_error("var print: int;\nproc main() { }", 1, 1, "'print' is a reserved name: a built-in procedure");
  check_error("var FE_EOF: int;\nproc main() { }", 1, 1, "'FE_EOF' is a reserved name: a built-in constant");
  check_error("var x: int;\nvar x: int;\nproc main() { }", 2, 1, "'x' is already defined at line 1");
  check_error("var n: int;\nconst A = n;\nproc main() { }", 2, 11, "the value of a const must be computable now");
  check_error("var x: int[0];\nproc main() { }", 1, 12, "a length must be between 1 and");
  check_error("var n: int;\nvar x: int[n];\nproc main() { }", 2, 12, "a length must be a constant");
  check_error("var x: Foo;\nproc main() { }", 1, 8, "unknown type 'Foo'");
  check_error("const C = 1;\nvar x: C;\nproc main() { }", 2, 8, "'C' is not a type");
  check_error("record R { a: int[5000000]; }\nvar x: R[2];\nproc main() { }", 2, 8, "is too large");
  check_error("record R { a: int; a: int; }\nproc main() { }", 1, 20, "field 'a' appears twice in record R");
  check_error("var a: bytes[4000000];\nvar b: bytes[32000000];\nproc main() { }", 2, 1, "the globals take more than");
  check_error("var s: int = \"x\";\nproc main() { }", 1, 14, "a string can only start a bytes variable");
  check_error("var s: bytes[2] = \"xyz\";\nproc main() { }", 1, 19, "the string has 3 bytes but 's' holds 2");
  check_error("var s: int[2] = 1;\nproc main() { }", 1, 17,
              "only an int or a bytes variable can have a starting value");
  check_error("var n: int;\nvar s: int = n;\nproc main() { }", 2, 14, "a global's starting value must be a constant");
  check_error(in_main("y = 1;"), 2, 1, "'y' is not defined");
  check_error("record R { a: int; }\n" + in_main("R = 1;"), 3, 1, "'R' is a record type, not a variable");
  check_error("proc f() { }\n" + in_main("f = 1;"), 3, 1, "'f' is a procedure; call it with f(...)");
  check_error(in_main("var x: int; x[1] = 2;"), 2, 14, "only an array or a bytes variable can be indexed");
  check_error(in_main("var x: int[3]; x[3] = 2;"), 2, 18, "index 3 is outside int[3] (0..2)");
  check_error(in_main("var x: int; x.f = 2;"), 2, 14, "'.f' needs a record before it");
  check_error(in_main("(1).x = 2;"), 2, 2, "this is a value, not a variable");
  check_error(in_main("var x: int; var y: int; x + y = 1;"), 2, 27, "this is a value, not a variable");
  check_error(in_main("var x: int = \"s\";"), 2, 14, "a string is not a number");
  check_error(in_main("var x: int = sizeof(1 + 2);"), 2, 23, "sizeof needs a variable");
  check_error(in_main("var b: bytes[4]; var x: int = b;"), 2, 31, "'b' is bytes[4], not a number; use sizeof(b)");
  check_error(in_main("var b: int[4]; var x: int = b;"), 2, 29, "'b' is int[4], not a number; use b[i]");
  check_error(in_main("var x: int = 1 / 0;"), 2, 18, "division by zero");
  check_error(in_main("var x: int = 1 % (2 - 2);"), 2, 21, "division by zero");
  check_error(in_main("var b: bytes[4]; var x: int = first(b, 2);"), 2, 31, "first(buffer, length) stands only where");
  check_error(in_main("var x: int = hex(1);"), 2, 14, "hex(value) stands only in print");
  check_error(in_main("var x: int = arg(1);"), 2, 14, "arg takes 2 arguments");
  check_error(in_main("var x: int = takeover();"), 2, 14, "takeover takes 1 argument");
  check_error(in_main("_ = open(\"$X\");"), 2, 5, "open takes 2 arguments (a buffer, a number), not 1");
  check_error(in_main("_ = time(1);"), 2, 5, "time takes 0 arguments, not 1");
  check_error(in_main("var b: int[2]; _ = reply(b, b, 0);"), 2, 26, "'b' is int[2], not a number");
  check_error(in_main("_ = reply(\"x\", \"b\", 0);"), 2, 11, "argument 1 of reply is a number, not a string");
  check_error(in_main("_ = readupdate(0, \"buf\");"), 2, 19, "argument 2 of readupdate is filled by the call");
  check_error(in_main("_ = readupdate(0, 1 + 2);"), 2, 21,
              "must be a buffer (a variable, record, array, field or string)");
  check_error(in_main("_ = readupdate(0, RECEIVE_FILE);"), 2, 19, "'RECEIVE_FILE' is a constant");
  check_error(in_main("var b: bytes[8]; _ = readupdate(0, b[1]);"), 2, 37,
              "a single byte of a bytes variable cannot be a buffer");
  check_error(in_main("var b: bytes[8]; _ = readupdate(0, first(b, 9));"), 2, 45,
              "first(b, 9) is longer than b (8 bytes)");
  check_error(in_main("var b: bytes[8]; _ = readupdate(0, first(b));"), 2, 36, "first takes 2 arguments");
  check_error(in_main("_ = readupdate(0, nothing);"), 2, 19, "'nothing' is not defined");
  check_error(in_main("_ = nothing(1);"), 2, 5, "there is no procedure 'nothing'");
  check_error(in_main("var x: int; _ = x(1);"), 2, 17, "'x' is not a procedure and cannot be called");
  check_error("proc f() { }\n" + in_main("var x: int = f();"), 3, 14, "'f' returns no value, so it cannot be used");
  check_error("proc f() { }\n" + in_main("_ = f();"), 3, 5, "'f' returns no value; call it without '_ ='");
  check_error("proc f(a: int, b: int): int { return a; }\n" + in_main("_ = f(1);"), 3, 5,
              "f takes 2 arguments (a, b), not 1");
  check_error("record R { a: int; }\nproc f(r: R) { }\n" + in_main("var x: int[1]; f(x);"), 4, 18,
              "argument 1 of f (r) must be a R variable, not int[1]");
  check_error(in_main("var x: int = print(1);"), 2, 14, "print returns no value");
  check_error(in_main("print();"), 2, 1, "print needs something to print");
  check_error(in_main("print(\"a\", hex(1, 2), 3);"), 2, 12, "hex takes 1 argument");
  check_error(in_main("var x: int; _ = checkpoint(x + 1);"), 2, 30, "checkpoint takes whole variables and the checkpoint items receive and file(f)");
  check_error(in_main("_ = checkpoint(zz);"), 2, 16, "'zz' is not defined");
  check_error("const C = 1;\n" + in_main("_ = checkpoint(C);"), 3, 16, "checkpoint copies variables and the checkpoint items receive and file(f); 'C' is neither");
  check_error(in_main("_ = checkpoint(file(1, 2));"), 2, 16, "the checkpoint item file takes 1 argument");
  check_error(
      "var a: int; var b: int; var c: int; var d: int; var e: int; var f: int; var g: int;\n"
      "var h: int; var i: int; var j: int; var k: int; var l: int; var m: int; var n: int;\n" +
          in_main("_ = checkpoint(a, b, c, d, e, f, g, h, i, j, k, l, m, n);"),
      4, 5, "a checkpoint takes at most 13 variables");
  check_error(
      in_main("_ = checkpoint(receive, receive, receive, receive, receive, receive, receive, receive, receive);"), 2, 5,
      "a checkpoint takes at most 8 files (the checkpoint items receive and file(f))");
  check_error(in_main("var x: bytes[4] = 1;"), 2, 19, "only an int local can have a starting value");
  check_error(in_main("var x: int = x;"), 2, 14, "'x' is not defined");
  check_error(in_main("FE_EOF = 2;"), 2, 1, "'FE_EOF' is a constant and cannot be changed");
  check_error("record R { a: int; }\nvar r: R;\n" + in_main("r = 1;"), 4, 1,
              "a whole record, array or bytes cannot be assigned");
  check_error(in_main("var x: int; var x: int;"), 2, 13, "'x' is already defined");
  check_error(in_main("return 1;"), 2, 8, "'main' returns no value");
  check_error("proc f(): int { return; }\n" + in_main(""), 1, 17, "'f' returns an int: write return VALUE;");
  check_error("proc f(): int { if 1 { return 1; } }\n" + in_main(""), 1, 36, "can reach its end without returning");
  check_error(in_main("continue;"), 2, 1, "continue is only allowed inside a while or for loop");
  check_error("record E { }\nproc main() { }", 1, 1, "record E has no fields");
  check_error(in_main("var x: int[2000000];"), 2, 1, "the procedure's locals take more than");
  check_error("include \"nowhere.ptal\";\nproc main() { }", 1, 1, "include file 'nowhere.ptal' not found");
  check_error(in_main("var a: int[2]; var b: int = a[1] + a;"), 2, 36, "'a' is int[2], not a number");
}

TEST_CASE("a reserved name as a name is one error, and its uses make no more", "[ptal][errors]") {
  auto only_error = [](const std::string& src, int line, int col, const std::string& expected) {
    INFO(src);
    const Compiled c = compile_string(src, "bad.ptal", {});
    CHECK(!c.ok);
    std::vector<std::string> errors;
    for (const auto& m : c.messages)
      if (!m.warning) errors.push_back(m.str());
    REQUIRE(errors.size() == 1);
    CHECK(errors[0] == "bad.ptal:" + std::to_string(line) + ":" + std::to_string(col) + ": error: " + expected);
  };
  only_error("proc main() {\n  var receive: int = 1;\n  receive += 2;\n  print(receive);\n}\n", 2, 3,
             "'receive' is a reserved name: a checkpoint item; choose another name");
  only_error("proc f(file: int) {\n  print(file + 1);\n}\nproc main() { f(1); }\n", 1, 8,
             "'file' is a reserved name: a checkpoint item; choose another name");
  only_error("proc receive() {\n}\nproc main() { receive(); }\n", 1, 1,
             "'receive' is a reserved name: a checkpoint item; choose another name");
  only_error("var open: int;\nproc main() {\n  open = 1;\n  print(open + 1);\n}\n", 1, 1,
             "'open' is a reserved name: a built-in procedure; choose another name");
  only_error("proc main() {\n  var ckpt_kind: int = 1;\n  print(ckpt_kind);\n}\n", 2, 3,
             "'ckpt_kind' is a reserved name: a built-in procedure; choose another name");
  only_error("proc main() {\n  var CKPT_OK: int = 1;\n  print(CKPT_OK);\n}\n", 2, 3,
             "'CKPT_OK' is a reserved name: a built-in constant; choose another name");
  only_error("proc main() {\n  var while: int = 1;\n  print(while + 1);\n}\n", 2, 7,
             "'while' is a reserved name: a keyword of the language; choose another name after 'var'");
}

TEST_CASE("buffer is only a parameter's type", "[ptal][errors]") {
  check_error("var b: buffer;\nproc main() { }\n", 1, 8, "'buffer' is only a parameter's type");
  check_error("proc f(b: buffer[2]) { }\nproc main() { }\n", 1, 11, "'buffer' is only a parameter's type");
  check_error("proc f(b: buffer): int {\n  return b;\n}\nproc main() { }\n", 2, 10, "'b' is buffer, not a number");
  check_error("proc f(b: buffer) { }\nproc main() { f(3); }\n", 2, 17, "must be a buffer");
}

TEST_CASE("several errors in one run, in source order", "[ptal][errors]") {
  const Compiled c = compile_string(in_main("a = 1;\nb = 2;\nc = 3;"), "bad.ptal", {});
  CHECK(!c.ok);
  REQUIRE(c.messages.size() == 3);
  CHECK(c.messages[0].line == 2);
  CHECK(c.messages[1].line == 3);
  CHECK(c.messages[2].line == 4);
  const Compiled s = compile_string("const = 1;\nvar = 2;\nproc main() { x x; }\n", "bad.ptal", {});
  CHECK(s.messages.size() == 3);
}

TEST_CASE("warnings: an ignored status", "[ptal][errors]") {
  check_warning(in_main("open(\"$X\", 0);"), "the result of open is ignored; test it, or write '_ = open(...);'");
  check_warning(in_main("checkpoint();"), "the status of checkpoint is ignored");
  check_warning(in_main("var x: int = 1;\n_ = checkpoint(x);"),
                "'x' is a local (or an int parameter), on the stack, which every ptal checkpoint copies whole");
  const Compiled c = compile_string(in_main("_ = open(\"$X\", 0); delay(5);"), "ok.ptal", {});
  CHECK(c.ok);
  CHECK(c.messages.empty());
}
