// The assembler: encodings, expressions, data directives, scopes, entry, listing.
#include "guest/assembler.hpp"

#include <catch2/catch.hpp>

#include "guest/isa.hpp"

using namespace pairsim::guest;
using Words = std::vector<std::uint32_t>;

namespace {

Program ok(const std::string& src) {
  auto r = assemble_string(src, "t.pasm", {});
  for (const auto& e : r.errors) UNSCOPED_INFO(e.str());
  REQUIRE(r.errors.empty());
  REQUIRE(r.program);
  return *r.program;
}

}  // namespace

TEST_CASE("instructions encode as opcode and 24-bit operand", "[assembler]") {
  const auto p = ok(R"(
main:   push 5
        push -1
        pushw 0xDEADBEEF
        add
        jmp main
        sys 3
        loadl -2
        ret 2
)");
  CHECK(p.code == Words{0x10000005, 0x10FFFFFF, 0x11000000, 0xDEADBEEF, 0x20000000, 0x50000000, 0x57000003, 0x64FFFFFE,
                        0x55000002});
  CHECK(p.code_lines == Words{2, 3, 4, 4, 5, 6, 7, 8, 9});
  CHECK(p.entry == 0);
  CHECK(p.code_labels.at("main") == 0);
}

TEST_CASE("every mnemonic in the ISA table assembles to its own opcode", "[assembler]") {
  for (const OpInfo* i = instructions_begin(); i != instructions_end(); ++i) {
    std::string line = "x: " + std::string(i->mnemonic);
    if (i->operand != OperandKind::none) line += " x";
    INFO(line);
    const auto p = ok(line + "\n");
    REQUIRE(!p.code.empty());
    CHECK(opcode_of(p.code[0]) == static_cast<std::uint8_t>(i->op));
    CHECK(find_instruction(i->mnemonic) == i);
    CHECK(find_instruction(static_cast<std::uint8_t>(i->op)) == i);
  }
  CHECK(find_instruction(std::uint8_t{0}) == nullptr);
  CHECK(signed_operand(0x00800000) == -8388608);
  CHECK(signed_operand(0x007FFFFF) == 8388607);
}

TEST_CASE("expressions: numbers, characters, constants, labels, + - * and parentheses", "[assembler]") {
  const auto p = ok(R"(
        .const TEN 10
        .const BIG 0x7FFFFF
        .const LATER AFTER + 1     ; constants may use later constants and labels
        .const AFTER end - start
        .data
x:      .word TEN, -TEN, 'A', '\n', '\'', BIG, (TEN + 2) * 3, -(1 - 4), 0xFFFFFFFF, -2147483648
y:      .word LATER, x, y, start, end, TEN*2-1
        .code
start:  push TEN - 11
        push 'z'
end:    nop
)");
  CHECK(p.data == Words{10, static_cast<std::uint32_t>(-10), 'A', '\n', '\'', 0x7FFFFF, 36, 3, 0xFFFFFFFF, 0x80000000,
                        3, 0, 10, 0, 2, 19});
  CHECK(p.code[0] == 0x10FFFFFF);
  CHECK(p.code[1] == 0x1000007A);
  CHECK(p.data_labels.at("y") == 10);
}

TEST_CASE("strings pack four bytes a word, little-endian, and define <label>.len", "[assembler]") {
  const auto p = ok(R"(
        .data
msg:    .string "Hello\n"
empty:  .string ""
esc:    .string "\t\\\"\0!"
after:  .word msg.len, empty.len, esc.len
)");
  CHECK(p.data == Words{0x6C6C6548, 0x00000A6F, 0x00225C09, 0x21, 6, 0, 5});
  CHECK(p.data_labels.at("empty") == 2);
  CHECK(p.data_labels.at("esc") == 2);
  CHECK(p.data_labels.at("after") == 4);
}

TEST_CASE(".space, .stack and the data-space size", "[assembler]") {
  const auto p = ok(".data\na: .word 1\nb: .space 3\nc: .word 2\n.stack 100\n.code\nmain: nop\n");
  CHECK(p.data == Words{1, 0, 0, 0, 2});
  CHECK(p.stack_words == 100);
  CHECK(p.data_words == 105);
  const auto d = ok("main: nop\n");
  CHECK(d.stack_words == kDefaultStackWords);
  CHECK(d.data_words == kDefaultStackWords);
  CHECK(d.data.empty());
}

TEST_CASE("entry: .entry, else main, else 0", "[assembler]") {
  CHECK(ok("a: nop\nmain: nop\n").entry == 1);
  CHECK(ok("a: nop\nb: nop\n").entry == 0);
  CHECK(ok(".entry b\nmain: nop\nb: nop\n").entry == 1);
}

TEST_CASE("local labels belong to the enclosing .proc or label", "[assembler]") {
  const auto p = ok(R"(
        .proc one
.loop:  jmp .loop
        .endproc
        .proc two
        nop
.loop:  jmp .loop
        .endproc
three:  nop
.x:     jmp .x
        jmp one.loop
)");
  CHECK(p.code_labels.at("one") == 0);
  CHECK(p.code_labels.at("one.loop") == 0);
  CHECK(p.code_labels.at("two") == 1);
  CHECK(p.code_labels.at("two.loop") == 2);
  CHECK(p.code_labels.at("three.x") == 4);
  CHECK(p.code == Words{0x50000000, 0x01000000, 0x50000002, 0x01000000, 0x50000004, 0x50000000});
}

TEST_CASE("labels can share a line with a statement and each other", "[assembler]") {
  const auto p = ok("a: b: nop\nc:\n d: push c\n");
  CHECK(p.code_labels.at("a") == 0);
  CHECK(p.code_labels.at("b") == 0);
  CHECK(p.code_labels.at("c") == 1);
  CHECK(p.code == Words{0x01000000, 0x10000001});
}

TEST_CASE("the listing shows address, words and source", "[assembler]") {
  auto r = assemble_string(".data\nmsg: .string \"abcdefghijklm\"\nbuf: .space 8\n.code\nmain: pushw 7 ; seven\n",
                           "list.pasm", {}, true);
  REQUIRE(r.program);
  const std::string& l = r.listing;
  INFO(l);
  CHECK(l.find("; file list.pasm") != std::string::npos);
  CHECK(l.find("    2 D 000000  64636261 68676665 6C6B6A69  msg: .string \"abcdefghijklm\"") != std::string::npos);
  CHECK(l.find("      D 000003  0000006D") != std::string::npos);
  CHECK(l.find("    3 D 000004  (8 zero words)") != std::string::npos);
  CHECK(l.find("    5 C 000000  11000000 00000007           main: pushw 7 ; seven") != std::string::npos);
  auto quiet = assemble_string("main: nop\n", "x", {});
  CHECK(quiet.listing.empty());
}

TEST_CASE("CRLF line ends and a missing final newline are fine", "[assembler]") {
  const auto p = ok("main: push 1\r\n  sys 0\r\n  nop");
  CHECK(p.code.size() == 3);
}
