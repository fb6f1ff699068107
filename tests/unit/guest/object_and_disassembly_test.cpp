// Object files round-trip; the disassembly reads well and assembles back to the same words.
#include <catch2/catch.hpp>
#include <random>

#include "guest/assembler.hpp"

using namespace pairsim::guest;

namespace {

const char* kSample = R"(
        .data
count:  .word 3
msg:    .string "hi!\n"
table:  .word helper, main
        .stack 64
        .code
main:   load count
        pushw 0x12345678
        loadl -2
        jz .done
        call helper
.done:  sys 1
        .proc helper
        push -7
        retv 0
        .endproc
)";

Program sample() {
  auto r = assemble_string(kSample, "sample.pasm", {});
  REQUIRE(r.program);
  return *r.program;
}

bool same(const Program& a, const Program& b) {
  return a.source == b.source && a.code == b.code && a.data == b.data && a.data_words == b.data_words &&
         a.stack_words == b.stack_words && a.entry == b.entry && a.code_labels == b.code_labels &&
         a.data_labels == b.data_labels && a.code_lines == b.code_lines;
}

}  // namespace

TEST_CASE("serialize and deserialize round-trip", "[object]") {
  const Program p = sample();
  const std::string bytes = serialize(p);
  CHECK(looks_like_object(bytes));
  CHECK(!looks_like_object(kSample));
  std::string error;
  const auto back = deserialize(bytes, error);
  INFO(error);
  REQUIRE(back);
  CHECK(same(p, *back));
  CHECK(serialize(*back) == bytes);

  Program empty;
  const auto e = deserialize(serialize(empty), error);
  REQUIRE(e);
  CHECK(same(empty, *e));
}

TEST_CASE("an object file with CR LF line ends reads as the same program", "[object]") {
  std::string crlf;
  for (char c : serialize(sample())) crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
  std::string error;
  const auto p = deserialize(crlf, error);
  INFO(error);
  REQUIRE(p);
  CHECK(same(sample(), *p));
}

TEST_CASE("deserialize rejects malformed object files with a sentence", "[object]") {
  std::string error;
  CHECK(!deserialize("", error));
  CHECK(error.find("not a pairsim object file") == 0);
  const std::string good = serialize(sample());
  CHECK(!deserialize(good.substr(0, good.size() / 2), error));
  CHECK(error.find("object file line") == 0);

  std::string bad_entry = good;
  bad_entry.replace(bad_entry.find("entry 0"), 7, "entry 99");
  CHECK(!deserialize(bad_entry, error));
  CHECK(error == "object file: entry 99 is outside the code");

  std::string bad_stack = good;
  bad_stack.replace(bad_stack.find("stack_words 64"), 14, "stack_words 65");
  CHECK(!deserialize(bad_stack, error));
  CHECK(error == "object file: data_words must be the globals plus the stack");

  // Mutated object files never crash the loader.
  std::mt19937 rng(7);
  for (int i = 0; i < 2000; ++i) {
    std::string m = good;
    const int edits = 1 + static_cast<int>(rng() % 4);
    for (int k = 0; k < edits; ++k) m[rng() % m.size()] = static_cast<char>(rng() % 256);
    if (rng() % 4 == 0) m.resize(rng() % m.size());
    std::string err;
    const auto p = deserialize(m, err);
    CHECK((p.has_value() || !err.empty()));
  }
}

TEST_CASE("the disassembly shows labels, operands by name, and data", "[disassembler]") {
  const Program p = sample();
  const std::string d = disassemble(p);
  INFO(d);
  CHECK(d.find("; disassembly of sample.pasm\n") == 0);
  CHECK(d.find("        .entry main\n") != std::string::npos);
  CHECK(d.find("main:\n        load count               ; C 000000  60000000  line 8\n") != std::string::npos);
  CHECK(d.find("        pushw 0x12345678") != std::string::npos);
  CHECK(d.find("        sys 1                    ; C 000006  57000001  line 13, stop\n") != std::string::npos);
  CHECK(d.find("        loadl -2") != std::string::npos);
  CHECK(d.find("        jz main.done") != std::string::npos);
  CHECK(d.find("helper:\n        push -7") != std::string::npos);
  CHECK(d.find("msg:\n        .word 0x0A216968         ; D 000001  0A216968  \"hi!\\n\"") != std::string::npos);
  CHECK(d.find("        .word 0x00000003         ; D 000000  00000003  3") != std::string::npos);
  CHECK(d.find("        .stack 64\n") != std::string::npos);
  std::uint32_t words = 0;
  CHECK(disassemble_instruction(p, 1, words) == "pushw 0x12345678");
  CHECK(words == 2);
  CHECK(disassemble_instruction(p, 999, words) == "<outside the code>");
}

TEST_CASE("the disassembly assembles back to the same words", "[disassembler]") {
  Program p = sample();
  p.code.push_back(0xFF000000);  // not an instruction
  p.code.push_back(0x20000001);  // add with stray operand bits
  p.code.push_back(0x11000000);  // pushw cut off by the end of the code
  p.code_lines.resize(p.code.size(), 0);
  const auto r = assemble_string(disassemble(p), "again.pasm", {});
  for (const auto& e : r.errors) UNSCOPED_INFO(e.str());
  REQUIRE(r.program);
  CHECK(r.program->code == p.code);
  CHECK(r.program->data == p.data);
  CHECK(r.program->entry == p.entry);
  CHECK(r.program->stack_words == p.stack_words);
  CHECK(r.program->code_labels == p.code_labels);
  CHECK(r.program->data_labels == p.data_labels);
}
