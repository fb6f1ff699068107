// Every assembler error: its own sentence, at file:line:col of the offending token; and no input crashes.
#include <catch2/catch.hpp>
#include <random>

#include "guest/assembler.hpp"

using namespace pairsim::guest;

namespace {

void check_error(const std::string& src, int line, int col, const std::string& expected) {
  INFO(src);
  const auto r = assemble_string(src, "bad.pasm", {});
  CHECK(!r.program);
  REQUIRE(!r.errors.empty());
  const Diagnostic& d = r.errors.front();
  INFO(d.str());
  CHECK(d.file == "bad.pasm");
  CHECK(d.line == line);
  CHECK(d.col == col);
  CHECK(d.message.find(expected) != std::string::npos);
  CHECK(d.str() == "bad.pasm:" + std::to_string(line) + ":" + std::to_string(col) + ": error: " + d.message);
}

}  // namespace

TEST_CASE("symbol errors", "[assembler][errors]") {
  check_error("main: jmp nowhere\n", 1, 11, "undefined label or constant 'nowhere'");
  check_error("a: nop\n  a: nop\n", 2, 3, "duplicate label 'a': already defined at bad.pasm:1:1");
  check_error(".const X 1\n.const X 2\n", 2, 8, "duplicate constant 'X'");
  check_error(".const A B\n.const B A\nmain: push A\n", 1, 8, "constant 'A' is defined in terms of itself");
  check_error(".x: nop\n", 1, 1, "local label '.x' needs a label or .proc before it");
  check_error(".endproc\n", 1, 1, "'.endproc' without a '.proc'");
  check_error("jmp .x\n", 1, 5, "undefined label '.x' (a local label needs a label or .proc before it)");
  check_error(".data\nb: .space N\n.const N 4\n", 2, 11, "'N' is not defined before this line");
}

TEST_CASE("operand errors", "[assembler][errors]") {
  check_error("main: push 8388608\n", 1, 12, "operand out of range: 8388608 does not fit in a signed 24-bit field");
  check_error("main: push 8388608\n", 1, 12, "use pushw");
  check_error("main: push -8388609\n", 1, 12, "operand out of range");
  check_error("main: ret -1\n", 1, 11, "operand out of range: -1 does not fit in an unsigned 24-bit field");
  check_error("main: sys 16777216\n", 1, 11, "operand out of range");
  check_error("main: pushw 0x100000000\n", 1, 13, "is too large; a word holds 32 bits");
  check_error("main: pushw 0xFFFFFFFF + 1\n", 1, 13, "does not fit in 32 bits");
  check_error(".data\nw: .word 1, -2147483649\n", 2, 13, "does not fit in 32 bits");
  check_error("main: jmp 5\n", 1, 11, "jump or call target 5 is outside the code (1 words)");
  check_error("main: push\n", 1, 7, "missing operand: 'push' needs a signed value");
  check_error("main: jz\n", 1, 7, "missing operand: 'jz' needs a code address");
  check_error("main: add 3\n", 1, 11, "unexpected '3' after 'add'");
  check_error("main: push 1 2\n", 1, 14, "unexpected '2' after the operand");
  check_error("main: push 1 +\n", 1, 15, "expected a value");
  check_error("main: push (1 + 2\n", 1, 12, "missing ')'");
  check_error("main: push ,\n", 1, 12, "expected a value (a number, character, label or constant), found ','");
  check_error("main: push 0x\n", 1, 12, "'0x' must be followed by hexadecimal digits");
  check_error("main: push 12ab\n", 1, 14, "bad digit 'a' in number");
  check_error(".const\n", 1, 1, "missing operand: '.const' needs a name and a value");
  check_error(".const X\n", 1, 8, "missing operand: '.const X' needs a value");
  check_error(".const 5 5\n", 1, 8, "'.const' needs a name first");
  check_error(".data\nx: .word\n", 2, 4, "missing operand: '.word' needs at least one value");
  check_error(".data\nx: .space -1\n", 2, 11, "'.space' needs a size of 0 or more words");
  check_error(".stack 0\n", 1, 8, "operand out of range: 0 does not fit in a stack size");
  check_error(".stack 10\n.stack 20\n", 2, 1, "the stack size is already set at bad.pasm:1:1");
  check_error(".entry 3\nmain: nop\n", 1, 8, "entry point 3 is outside the code");
  check_error(".data\ng: .space 0x1000000\n.stack 1\n", 3, 1, "exceed the 16777216-word data space");
  check_error(".data\ng: .space 0x1000001\n", 2, 4, "the globals would grow past 16777216 words");
  check_error("main: push ((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((1\n", 1, 77,
              "nested too deeply");
  check_error("main: pushw 0x7FFFFFFF * 0x7FFFFFFF\n", 1, 24, "too large");
}

TEST_CASE("statement and directive errors", "[assembler][errors]") {
  check_error("main: frob 1\n", 1, 7, "unknown mnemonic 'frob'");
  check_error(".frob 1\n", 1, 1, "unknown directive '.frob'");
  check_error("main: 5\n", 1, 7, "expected a mnemonic, directive or label, found '5'");
  check_error(".data\nx: push 1\n", 2, 4, "instruction 'push' in the .data section");
  check_error("x: .space 1\n", 1, 4, "'.space' belongs in the .data section");
  check_error("x: .string \"a\"\n", 1, 4, "'.string' belongs in the .data section");
  check_error(".data\nx: .string 5\n", 2, 12, "'.string' needs a string in double quotes, found '5'");
  check_error(".data\nx: .string \"a\" \"b\"\n", 2, 16, "unexpected string \"b\" after the string");
  check_error(".code 1\n", 1, 7, "unexpected '1' after '.code'");
  check_error(".proc a\n.proc b\n.endproc\n", 2, 1, "'.proc b' inside '.proc a' (procedures do not nest");
  check_error(".proc a\nnop\n", 1, 1, "'.proc a' has no '.endproc'");
  check_error(".proc\n", 1, 1, "missing operand: '.proc' needs a name");
  check_error(".proc 5\n", 1, 7, "'.proc' needs a name, found '5'");
  check_error(".data\n.proc a\n", 2, 1, "'.proc' in the .data section");
  check_error("x: include \"a.pasm\"\n", 1, 4, "include must stand on a line of its own");
  check_error("include\n", 1, 1, "missing operand: include needs a file name in double quotes");
  check_error("include \"a\" 5\n", 1, 13, "unexpected '5' after the include file name");
}

TEST_CASE("lexical errors", "[assembler][errors]") {
  check_error(".data\nx: .string \"abc\n", 2, 12, "unterminated string");
  check_error(".data\nx: .string \"abc\\\n", 2, 12, "unterminated string");
  check_error(".data\nx: .string \"a\\qb\"\n", 2, 14, "bad escape '\\q'");
  check_error("main: push 'ab'\n", 1, 12, "unterminated character constant");
  check_error("main: push 'a\n", 1, 12, "unterminated character constant");
  check_error("main: push ''\n", 1, 12, "empty character constant");
  check_error("main: push #1\n", 1, 12, "unexpected character '#'");
  check_error(std::string("main: push \x01\n"), 1, 12, "unexpected character byte 0x01");
}

TEST_CASE("errors are collected across lines, in order, and capped", "[assembler][errors]") {
  const auto r = assemble_string("a: frob\nb: nop\nc: jmp zz\n.frob\n", "m.pasm", {});
  REQUIRE(r.errors.size() == 3);
  CHECK(r.errors[0].message == "unknown mnemonic 'frob'");
  CHECK(r.errors[1].message == "undefined label or constant 'zz'");  // found by pass 2 despite pass-1 errors
  CHECK(r.errors[2].message == "unknown directive '.frob'");
}

TEST_CASE("too many errors stop the assembler", "[assembler][errors]") {
  std::string src;
  for (int i = 0; i < 200; ++i) src += "frob\n";
  const auto r = assemble_string(src, "m.pasm", {});
  REQUIRE(r.errors.size() == kMaxErrors + 1);
  CHECK(r.errors.back().message == "too many errors; stopping");
}

TEST_CASE("random bytes and random token soup never crash the assembler", "[assembler][fuzz]") {
  std::mt19937 rng(12345);
  const char* pieces[] = {
      "push",   "pushw",  "jmp",     ".data",      ".code", ".word", ".string", ".space", ".const", ".proc", ".endproc",
      ".stack", ".entry", "include", "main",       ".x",    ":",     ",",       "(",      ")",      "+",     "-",
      "*",      "1",      "0x",      "0xFFFFFFFF", "'a'",   "'",     "\"s\"",   "\"",     "\\",     ";",     " ",
      "\n",     "\t",     "8388608", "a",          "a.len", "ret",   "retv",    "sys",    "\r",     "\x80",  "\0"};
  for (int round = 0; round < 3000; ++round) {
    std::string src;
    const int n = static_cast<int>(rng() % 60);
    for (int i = 0; i < n; ++i) {
      if (round % 2 == 0)
        src.push_back(static_cast<char>(rng() % 256));
      else
        src += std::string(pieces[rng() % (sizeof pieces / sizeof pieces[0])]) + (rng() % 3 == 0 ? " " : "");
    }
    const auto r = assemble_string(src, "fuzz.pasm", {"/nonexistent"}, true);
    CHECK(r.program.has_value() == r.errors.empty());
    for (const auto& e : r.errors) {
      CHECK(e.line >= 1);
      CHECK(e.col >= 1);
      CHECK(!e.message.empty());
    }
  }
}
